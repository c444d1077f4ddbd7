/**
 * `hivelink send-file`, `files` and `jobs` as child processes (issue 15), from source (`src/bench/cli-process.ts`,
 * the CLI's process entry), against a hub from compose.ts on 127.0.0.1: a file sent with plain progress lines,
 * listed, fetched back and removed; a `speak` job submitted with --wait --json --out, its WAV saved; the job listed,
 * shown and its log read; a refusal exits 1 with its reason.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ComposedHub } from '../../src/hub/compose.js';
import { childEnv, type Exit, start } from './cli-process.js';
import { composeTestHub, SdkDevice } from './house-harness.js';

describe('hivelink send-file, files and jobs (child processes)', () => {
  let dir: string;
  let composed: ComposedHub;
  let env: NodeJS.ProcessEnv;

  /** Runs `hivelink ARGS` from source with the test client's credentials. */
  function cli(args: readonly string[]): Promise<Exit> {
    return start(args, env, {
      command: process.execPath,
      prefix: ['--import', 'tsx', 'src/bench/cli-process.ts'],
    }).exit;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hl-cli-jobs-'));
    mkdirSync(join(dir, 'data'));
    const hub = await composeTestHub(join(dir, 'data'), { agent: 'echo' });
    composed = hub.composed;
    const device = await SdkDevice.add(composed, 'terminal');
    env = childEnv({
      HIVELINK_URL: hub.url,
      HIVELINK_KEY: device.accessKey,
      HIVELINK_PASSWORD: device.password,
      HIVELINK_CONFIG_DIR: join(dir, 'config'),
    });
  });

  after(async () => {
    await composed.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends, lists, fetches and removes a file', async () => {
    const path = join(dir, 'notes.bin');
    const bytes = randomBytes(700_000);
    writeFileSync(path, bytes);
    const sent = await cli(['send-file', path, '--json']);
    assert.equal(sent.code, 0, sent.stderr);
    const file = JSON.parse(sent.stdout) as { fileId: string; size: number };
    assert.equal(file.size, bytes.byteLength);
    assert.match(sent.stderr, /sending \[#+\.*\] 100% /, 'plain progress lines off a terminal');
    const listed = await cli(['files', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${file.fileId}  notes.bin  700000 bytes  complete`));
    const out = join(dir, 'back.bin');
    const got = await cli(['files', 'get', file.fileId, '--out', out]);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(readFileSync(out), bytes);
    assert.equal((await cli(['files', 'rm', file.fileId])).code, 0);
    const gone = await cli(['files', 'rm', file.fileId]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no file/);
  });

  it('submits a speak job, waits, saves its WAV; lists, shows and reads its log', async () => {
    const outDir = mkdtempSync(join(dir, 'out-'));
    const r = await cli([
      'jobs',
      'submit',
      'speak',
      '--param',
      'text=hello from the terminal',
      '--wait',
      '--json',
      '--out',
      outDir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const job = JSON.parse(r.stdout) as { id: string; state: string; result: { bytes: number } };
    assert.equal(job.state, 'done');
    const wav = readFileSync(join(outDir, 'speech.wav'));
    assert.equal(wav.subarray(0, 4).toString('ascii'), 'RIFF');
    assert.equal(wav.byteLength, job.result.bytes);
    assert.match(r.stderr, /speak \[#*\.*\] \d+% /);
    const list = await cli(['jobs', 'list']);
    assert.match(list.stdout, new RegExp(`${job.id}  speak  done  100%`));
    const show = await cli(['jobs', 'show', job.id, '--json']);
    assert.equal((JSON.parse(show.stdout) as { id: string }).id, job.id);
    const logs = await cli(['jobs', 'logs', job.id]);
    assert.match(logs.stdout, /espeak-ng en-us: \d+ bytes/);
    const bad = await cli(['jobs', 'submit', 'dream']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /no job kind "dream"/);
  });
});
