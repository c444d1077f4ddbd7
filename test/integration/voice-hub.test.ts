/**
 * The hub's voice path over real sockets (127.0.0.1, port 0) with the real engines: speech made with espeak-ng is
 * streamed by an SDK client as HiveMind BINARY RAW_AUDIO and comes back as `hive.voice.heard`, the assistant's
 * `speak` (text) and a BINARY TTS_AUDIO WAV whose pocketsphinx transcript has the answer; STT_AUDIO_TRANSCRIBE and
 * `recognizer_loop:b64_transcribe` are answered with transcripts; the refusals (wrong sample format, oversize, a
 * stream that never ends, no hive.binary.received allowed) by code, with the stream buffer bounded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MessageData } from '../../src/bus/types.js';
import type { HiveClient } from '../../src/client/index.js';
import type { JsonObject } from '../../src/protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../../src/protocol/message.js';
import { BinaryType, HiveMessageType } from '../../src/protocol/message-types.js';
import { DEFAULT_ALLOWED_TYPES } from '../../src/store/index.js';
import { defaultVoiceConfig } from '../../src/voice/config.js';
import { EspeakTts } from '../../src/voice/espeak.js';
import { loadDictionary } from '../../src/voice/grammar.js';
import { DEBIAN_MODEL_DIR, PocketsphinxStt } from '../../src/voice/pocketsphinx.js';
import type { PcmAudio } from '../../src/voice/types.js';
import { decodeWav, encodeWav, pcmBytesFor, resample } from '../../src/voice/wav.js';
import { type ComposedTestHub, composeTestHub, registered, SdkDevice } from './house-harness.js';

const tts = new EspeakTts({ timeoutMs: 20_000, maxOutputBytes: 8 << 20 });
const listener = new PocketsphinxStt({ timeoutMs: 30_000, maxOutputBytes: 65_536 });

/** Speech for `text` at 16 kHz. */
async function speech(text: string): Promise<PcmAudio> {
  return resample(await tts.synthesize(text, { voice: 'en-us', rate: 160 }), 16_000);
}

function raw(bytes: Uint8Array, metadata: JsonObject, binType: number = BinaryType.RAW_AUDIO) {
  return createHiveMessage(HiveMessageType.BINARY, bytes, { bin_type: binType, metadata });
}

/** RAW_AUDIO messages of 100 ms for `audio`, then `silenceMs` of silence. */
function stream(audio: PcmAudio, silenceMs: number): HiveMessage[] {
  const all = new Uint8Array(audio.data.byteLength + pcmBytesFor(silenceMs, audio.rate));
  all.set(audio.data);
  const step = pcmBytesFor(100, audio.rate);
  const out: HiveMessage[] = [];
  for (let at = 0; at < all.byteLength; at += step) {
    out.push(raw(all.slice(at, at + step), { sample_rate: audio.rate, sample_width: 2 }));
  }
  return out;
}

/** The next bus message of `type` the client gets. */
function nextBus(client: HiveClient, type: string): Promise<MessageData> {
  return new Promise((resolve) => {
    const off = client.onBus(type, (m) => {
      off();
      resolve(m);
    });
  });
}

function nextBinary(client: HiveClient): Promise<HiveMessage> {
  return new Promise((resolve) => {
    const off = client.on(HiveMessageType.BINARY, (m) => {
      off();
      resolve(m);
    });
  });
}

/** Words pocketsphinx can say (an answer's word it lacks cannot be heard back). */
const SAYABLE = loadDictionary(`${DEBIAN_MODEL_DIR}/cmudict-en-us.dict`);

describe('voice on the hub (pocketsphinx + espeak-ng)', { timeout: 120_000 }, () => {
  let hub: ComposedTestHub;
  let dataDir: string;
  let device: SdkDevice;
  let client: HiveClient;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hivelink-voice-'));
    hub = await composeTestHub(dataDir, {
      voice: { ...defaultVoiceConfig(), stt: 'pocketsphinx', tts: 'espeak-ng' },
      limits: { voiceMaxUtteranceMs: 6000 },
    });
    device = await SdkDevice.add(hub.composed, 'kitchen-mic', {
      allowedTypes: [...DEFAULT_ALLOWED_TYPES, 'hive.binary.received'],
    });
    const open = registered(hub.composed, device.id);
    client = device.client(hub.url);
    await client.connect();
    await open;
  });

  after(async () => {
    client?.close();
    await hub?.composed.stop();
    rmSync(dataDir, { recursive: true, force: true });
    listener.close();
  });

  it('a RAW_AUDIO stream is heard, answered in text and as a WAV that says the answer', async () => {
    const heard = nextBus(client, 'hive.voice.heard');
    const spoken = nextBus(client, 'speak');
    const audio = nextBinary(client);
    for (const m of stream(await speech('tell me a joke'), 1200)) client.emit(m);
    assert.match(String((await heard).data?.utterance), /joke/);
    const text = String((await spoken).data?.utterance);
    assert.ok(text.length > 0);
    const wavMessage = await audio;
    assert.equal(wavMessage.bin_type, BinaryType.TTS_AUDIO);
    assert.match(String(wavMessage.metadata.file_name), /\.wav$/);
    const wav = decodeWav(wavMessage.payload as Uint8Array);
    assert.ok(wav.data.byteLength > 10_000, 'the answer has audio');
  });

  it('STT_AUDIO_TRANSCRIBE is answered with the transcript, and b64_transcribe too', async () => {
    const said = await speech('what time is it');
    const answer = nextBus(client, 'recognizer_loop:transcribe.response');
    client.emit(
      raw(
        said.data,
        { sample_rate: 16_000, sample_width: 2, lang: 'en-US' },
        BinaryType.STT_AUDIO_TRANSCRIBE,
      ),
    );
    assert.deepEqual((await answer).data?.transcriptions, ['what time is it']);
    const b64 = nextBus(client, 'recognizer_loop:b64_transcribe.response');
    client.emitBus('recognizer_loop:b64_transcribe', {
      audio: Buffer.from(encodeWav(said)).toString('base64'),
      lang: 'en-US',
    });
    assert.deepEqual((await b64).data?.transcriptions, ['what time is it']);
  });

  it('refuses a wrong sample format and an oversize STT message by code', async () => {
    const denied = nextBus(client, 'hive.policy.denied');
    client.emit(raw(new Uint8Array(3200), { sample_rate: 16_000, sample_width: 4 }));
    const d1 = (await denied).data ?? {};
    assert.equal(d1.code, 'malformed_message');
    assert.match(String(d1.reason), /^HL_ERR_AUDIO_FORMAT/);
    const tooBig = nextBus(client, 'hive.policy.denied');
    client.emit(
      raw(
        new Uint8Array(pcmBytesFor(7000, 16_000)),
        { sample_rate: 16_000, sample_width: 2 },
        BinaryType.STT_AUDIO_HANDLE,
      ),
    );
    const d2 = (await tooBig).data ?? {};
    assert.equal(d2.code, 'too_large');
    assert.match(String(d2.reason), /^HL_ERR_AUDIO_TOO_LONG/);
  });

  it('a client without hive.binary.received is denied by the policy stage', async () => {
    const plain = await SdkDevice.add(hub.composed, 'no-audio');
    const open = registered(hub.composed, plain.id);
    const other = plain.client(hub.url);
    await other.connect();
    await open;
    try {
      const denied = nextBus(other, 'hive.policy.denied');
      other.emit(raw(new Uint8Array(3200), { sample_rate: 16_000, sample_width: 2 }));
      assert.equal((await denied).data?.code, 'acl_disallowed_type');
    } finally {
      other.close();
    }
  });

  it('the spoken answer of a voice session says the text answer (pocketsphinx tuned to that answer)', async () => {
    const spoken = nextBus(client, 'speak');
    const audio = nextBinary(client);
    // One STT_AUDIO_HANDLE message: handled as an utterance, the connection stays a voice session.
    const said = await speech('tell me a joke');
    client.emit(raw(said.data, { sample_rate: said.rate, sample_width: 2 }, BinaryType.STT_AUDIO_HANDLE));
    const text = String((await spoken).data?.utterance);
    const words = text
      .toLowerCase()
      .replace(/[^a-z' ]+/g, ' ')
      .split(/\s+/)
      .filter((w) => w.length > 2 && SAYABLE.has(w));
    const wav = decodeWav((await audio).payload as Uint8Array);
    listener.setVocabulary({
      templates: [{ intent: 'answer', source: words.join(' ') }],
      entities: {},
      keywords: [],
    });
    const heardBack = await listener.transcribe(wav);
    const found = words.filter((w) => heardBack.text.split(' ').includes(w));
    assert.ok(found.length >= words.length / 2, `"${heardBack.text}" says too little of "${text}"`);
  });
  it('a stream that never ends is refused at voiceMaxUtteranceMs and its buffer dropped', async () => {
    // A loud tone never falls silent: no end of speech.
    const rate = 16_000;
    const tone = new Int16Array(rate / 10);
    for (let i = 0; i < tone.length; i++)
      tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
    const chunk = new Uint8Array(tone.buffer);
    const refused = nextBus(client, 'hive.voice.error');
    let peak = 0;
    const voice = hub.composed.voice!;
    const watch = setInterval(() => {
      peak = Math.max(peak, voice.bufferedBytes);
    }, 5);
    try {
      for (let i = 0; i < 80; i++) client.emit(raw(chunk, { sample_rate: rate, sample_width: 2 }));
      assert.equal((await refused).data?.code, 'HL_ERR_AUDIO_NO_END');
    } finally {
      clearInterval(watch);
    }
    assert.ok(peak <= pcmBytesFor(6000, rate) + chunk.byteLength, `buffer peaked at ${peak}`);
  });
});
