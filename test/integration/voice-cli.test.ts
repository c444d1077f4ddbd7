/**
 * `hivelink voice --input f.wav --output dir/` as a child process against a hub with pocketsphinx and espeak-ng
 * (127.0.0.1, port 0): the file (espeak-ng speech) is streamed as RAW_AUDIO, the CLI prints what the hub heard and
 * the answer, saves the answer as a WAV and exits 0; that WAV, run through pocketsphinx, says the printed answer.
 * The CLI runs from src through tsx, so no build is needed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_ALLOWED_TYPES } from '../../src/store/index.js';
import { defaultVoiceConfig } from '../../src/voice/config.js';
import { EspeakTts } from '../../src/voice/espeak.js';
import { loadDictionary } from '../../src/voice/grammar.js';
import { DEBIAN_MODEL_DIR, PocketsphinxStt } from '../../src/voice/pocketsphinx.js';
import { decodeWav, encodeWav } from '../../src/voice/wav.js';
import { childEnv, start } from './cli-process.js';
import { type ComposedTestHub, composeTestHub, SdkDevice } from './house-harness.js';

const CLI =
  "import('./src/cli/main.ts').then((m) => m.main(['node', 'hivelink', ...process.argv.slice(1)])).then((c) => { process.exitCode = c; })";

/** Words pocketsphinx can say (an answer's word it lacks cannot be heard back). */
const SAYABLE = loadDictionary(`${DEBIAN_MODEL_DIR}/cmudict-en-us.dict`);

describe('hivelink voice --input FILE --output DIR', { timeout: 150_000 }, () => {
  let hub: ComposedTestHub;
  let dir: string;
  let device: SdkDevice;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hivelink-voice-cli-'));
    mkdirSync(join(dir, 'hub'), { recursive: true, mode: 0o700 });
    hub = await composeTestHub(join(dir, 'hub'), {
      voice: { ...defaultVoiceConfig(), stt: 'pocketsphinx', tts: 'espeak-ng' },
    });
    device = await SdkDevice.add(hub.composed, 'cli-mic', {
      allowedTypes: [...DEFAULT_ALLOWED_TYPES, 'hive.binary.received'],
    });
  });

  after(async () => {
    await hub?.composed.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams the file, prints heard and answer, saves a WAV that says the answer', async () => {
    const said = await new EspeakTts({ timeoutMs: 20_000, maxOutputBytes: 8 << 20 }).synthesize(
      'tell me a joke',
      {
        voice: 'en-us',
        rate: 160,
      },
    );
    const input = join(dir, 'question.wav');
    writeFileSync(input, encodeWav(said));
    const out = join(dir, 'answers');
    const child = start(
      [
        'voice',
        '--url',
        hub.url,
        '--key',
        device.accessKey,
        '--password-file',
        join(dir, 'pw'),
        '--protocol',
        '2',
      ],
      childEnv({ XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir }),
      { command: process.execPath, prefix: ['--import', 'tsx', '-e', CLI] },
    );
    // Without its password file the command fails with exit code 1 (one line on stderr), before any audio.
    const failed = await child.exit;
    assert.equal(failed.code, 1);
    writeFileSync(join(dir, 'pw'), `${device.password}\n`);
    const run = start(
      [
        'voice',
        '--url',
        hub.url,
        '--key',
        device.accessKey,
        '--password-file',
        join(dir, 'pw'),
        '--protocol',
        '2',
        '--input',
        input,
        '--output',
        out,
      ],
      childEnv({ XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir }),
      { command: process.execPath, prefix: ['--import', 'tsx', '-e', CLI] },
    );
    const exit = await run.exit;
    assert.equal(exit.code, 0, exit.stderr);
    assert.match(exit.stdout, /^heard: tell me a joke$/m);
    const answer = /^answer: (.+)$/m.exec(exit.stdout)?.[1] ?? '';
    assert.ok(answer.length > 0, exit.stdout);
    const files = readdirSync(out).filter((f) => f.endsWith('.wav'));
    assert.equal(files.length, 1);
    const wav = decodeWav(new Uint8Array(readFileSync(join(out, files[0]!))));
    // pocketsphinx with a model of the printed answer: the saved audio says it.
    const words = answer
      .toLowerCase()
      .replace(/[^a-z' ]+/g, ' ')
      .split(/\s+/)
      .filter((w) => w.length > 2 && SAYABLE.has(w));
    const stt = new PocketsphinxStt({ timeoutMs: 30_000, maxOutputBytes: 65_536 });
    try {
      stt.setVocabulary({
        templates: [{ intent: 'answer', source: words.join(' ') }],
        entities: {},
        keywords: [],
      });
      const heard = (await stt.transcribe(wav)).text.split(' ');
      const found = words.filter((w) => heard.includes(w));
      assert.ok(found.length >= words.length / 2, `"${heard.join(' ')}" says too little of "${answer}"`);
    } finally {
      stt.close();
    }
  });
});
