/**
 * Wyoming over real sockets (127.0.0.1, port 0): our client against our server with real pocketsphinx and espeak-ng
 * behind it (`describe`/`info`, `transcribe` + audio → `transcript`, `synthesize` → `audio-start|chunk|stop`), the
 * framing read byte by byte, and the server's refusal of oversized audio.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EspeakTts } from '../../src/voice/espeak.js';
import { PocketsphinxStt } from '../../src/voice/pocketsphinx.js';
import { resample } from '../../src/voice/wav.js';
import { describeWyoming, WyomingStt, WyomingTts } from '../../src/voice/wyoming/client.js';
import { EventReader, encodeEvent } from '../../src/voice/wyoming/framing.js';
import { WyomingServer } from '../../src/voice/wyoming/server.js';

const limits = { timeoutMs: 30_000, maxOutputBytes: 8 << 20 };

describe('Wyoming client and server (pocketsphinx + espeak-ng)', { timeout: 120_000 }, () => {
  const stt = new PocketsphinxStt({ timeoutMs: 30_000, maxOutputBytes: 65_536 });
  const tts = new EspeakTts({ timeoutMs: 30_000, maxOutputBytes: 8 << 20 });
  const server = new WyomingServer({ stt, tts, maxAudioBytes: 2_000_000, voices: ['en-us'] });
  let port = 0;

  before(async () => {
    stt.setVocabulary({
      templates: [
        { intent: 'time', source: 'what time is it' },
        { intent: 'joke', source: 'tell me a joke' },
      ],
      entities: {},
      keywords: [],
    });
    port = await server.listen(0);
  });

  after(async () => {
    await server.close();
    stt.close();
  });

  it('reads events split at every byte', () => {
    const bytes = Buffer.concat([
      encodeEvent('audio-chunk', { rate: 16000, width: 2, channels: 1 }, new Uint8Array([1, 2, 3, 4])),
      Buffer.from('{"type":"transcript","data_length":19}\n{"text":"hi there"}'),
    ]);
    const reader = new EventReader({ maxPayloadBytes: 16 });
    const events = [];
    for (const b of bytes) events.push(...reader.push(new Uint8Array([b])));
    assert.deepEqual(
      events.map((e) => [e.type, e.data.text ?? e.data.rate, e.payload?.byteLength ?? 0]),
      [
        ['audio-chunk', 16000, 4],
        ['transcript', 'hi there', 0],
      ],
    );
    assert.throws(
      () => new EventReader({ maxPayloadBytes: 2 }).push(encodeEvent('x', {}, new Uint8Array(3))),
      {
        code: 'HL_ERR_WYOMING_PROTOCOL',
      },
    );
  });

  it('describe → info names both services', async () => {
    const info = await describeWyoming({ host: '127.0.0.1', port }, limits);
    assert.equal((info.asr as { name: string }[])[0]?.name, 'pocketsphinx');
    assert.equal((info.tts as { name: string }[])[0]?.name, 'espeak-ng');
  });

  it('synthesize → audio, and that audio transcribed → its words', async () => {
    const target = { host: '127.0.0.1', port };
    const audio = await new WyomingTts(target, limits).synthesize('what time is it', { voice: 'en-us' });
    assert.equal(audio.rate, 22050);
    assert.ok(audio.data.byteLength > 20_000);
    const transcript = await new WyomingStt(target, limits).transcribe(resample(audio, 16_000));
    assert.equal(transcript.text, 'what time is it');
  });

  it('refuses audio over its limit with an error event and closes', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const reader = new EventReader({ maxPayloadBytes: 1 << 20 });
    const got: string[] = [];
    socket.on('data', (c: Buffer) => {
      for (const e of reader.push(c)) got.push(`${e.type}:${String(e.data.text ?? '')}`);
    });
    const fmt = { rate: 16000, width: 2, channels: 1 };
    socket.write(encodeEvent('transcribe', { language: 'en' }));
    socket.write(encodeEvent('audio-start', fmt));
    for (let i = 0; i < 70; i++) socket.write(encodeEvent('audio-chunk', fmt, new Uint8Array(32_000)));
    await once(socket, 'close');
    assert.ok(
      got.some((g) => g.startsWith('error:more than 2000000 bytes')),
      got.join(', '),
    );
  });
});
