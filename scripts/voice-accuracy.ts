/**
 * The voice path's accuracy and latency, measured (a benchmark, not a test):
 *
 *   node --import tsx scripts/voice-accuracy.ts [--json] [--latency N]
 *
 * 54 commands for the built-in skills are spoken by espeak-ng in two voices (en-us, en-gb) at two speeds (140 and
 * 180 words per minute) into WAVs, and each WAV is sent by a real satellite connection (SDK client, websocket on
 * 127.0.0.1) as BINARY STT_AUDIO_HANDLE to two hubs: one recognising with the intent-tuned model (`sttModel:
 * tuned`, the default) and one with the generic en-us model. Reported per hub: word error rate of what the hub heard
 * (`hive.voice.heard`) against the command, and intent accuracy: the intent the spoken command triggered against the
 * one the same command triggers typed. Then latency on the tuned hub: N commands streamed as RAW_AUDIO in real time
 * (100 ms chunks every 100 ms, then silence), from the last chunk of speech to the first byte of the spoken answer
 * (BINARY TTS_AUDIO), p50 and p95; it includes the VAD's 700 ms of silence.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createHiveClient, type HiveClient } from '../src/client/index.js';
import { MemoryIdentityStore, MemoryPinStore } from '../src/client/stores.js';
import { type ComposedHub, composeHub } from '../src/hub/compose.js';
import { resolveHubConfig } from '../src/hub/config.js';
import { createHiveMessage } from '../src/protocol/message.js';
import { BinaryType, HiveMessageType } from '../src/protocol/message-types.js';
import { DEFAULT_ALLOWED_TYPES } from '../src/store/index.js';
import { defaultVoiceConfig } from '../src/voice/config.js';
import { EspeakTts } from '../src/voice/espeak.js';
import type { PcmAudio } from '../src/voice/types.js';
import { pcmBytesFor, resample } from '../src/voice/wav.js';

/** Commands for the built-in skills (time, timers, math, jokes, greetings, help, about, colour, say, whoami, …). */
export const COMMANDS: readonly string[] = [
  'what time is it',
  'tell me the time',
  'what is the time now',
  'what day is it today',
  'what is the date today',
  'what year is it',
  'set a timer for five minutes',
  'set a timer for ten seconds',
  'start a timer for two hours',
  'set a timer for thirty minutes',
  'cancel my timer',
  'what timers do i have',
  'how much time is left on my timer',
  'set an alarm for seven thirty',
  'wake me up at six',
  'wake me up in twenty minutes',
  'remind me to call mom in ten minutes',
  'remind me to buy milk at five',
  'cancel my alarm',
  'what is two plus two',
  'what is seven times eight',
  'what is ten minus three',
  'what is nine divided by three',
  'add five and six',
  'what is twelve times twelve',
  'how much is four plus nine',
  'tell me a joke',
  'tell me something funny',
  'do you know any jokes',
  'make me laugh',
  'hello',
  'good morning',
  'how are you',
  'thank you',
  'goodbye',
  'what can you do',
  'help',
  'who are you',
  'what is your name',
  'tell me about yourself',
  'what is my favourite colour',
  'what colour is the sky',
  'say hello world',
  'repeat after me good night',
  'who am i',
  'where am i',
  'what rooms are there',
  'who is in the kitchen',
  'how are you doing today',
  'thanks a lot',
  'see you later',
  'what is the current time',
  'set a ten minute timer',
  'what is one hundred plus fifty',
];

const VOICES = ['en-us', 'en-gb'] as const;
const RATES = [140, 180] as const;

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
}

/** Word-level Levenshtein distance. */
export function wordErrors(reference: readonly string[], hypothesis: readonly string[]): number {
  let prev = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      const sub = prev[j - 1]! + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1));
    }
    prev = cur;
  }
  return prev[hypothesis.length]!;
}

interface Satellite {
  composed: ComposedHub;
  client: HiveClient;
  dataDir: string;
}

async function satellite(sttModel: 'tuned' | 'generic'): Promise<Satellite> {
  const dataDir = mkdtempSync(join(tmpdir(), `hivelink-voice-bench-${sttModel}-`));
  const config = resolveHubConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    logLevel: 'silent',
    voice: { ...defaultVoiceConfig(), stt: 'pocketsphinx', tts: 'espeak-ng', sttModel },
    limits: { defaultRateLimitPerSecond: 1000 },
  });
  const composed = await composeHub(config, { logger: pino({ level: 'silent' }) });
  const { port } = await composed.start();
  const password = 'bench-voice-password-0123456789abcdef';
  const { record } = await composed.data.store.addClient({
    name: 'bench-mic',
    password,
    allowedTypes: [...DEFAULT_ALLOWED_TYPES, 'hive.binary.received'],
  });
  const client = createHiveClient({
    url: `ws://127.0.0.1:${port}`,
    accessKey: record.accessKey,
    password,
    identityStore: new MemoryIdentityStore(),
    pinStore: new MemoryPinStore(),
    reconnect: { enabled: false },
  });
  await client.connect();
  return { composed, client, dataDir };
}

interface Turn {
  heard: string | null;
  intent: string | null;
  firstAudioAt: number | null;
}

/** Sends (by `send`) and follows one turn until `ovos.utterance.handled` and, when spoken, the answer's audio. */
function turn(client: HiveClient, send: () => void, waitAudio: boolean): Promise<Turn> {
  return new Promise((resolve) => {
    const result: Turn = { heard: null, intent: null, firstAudioAt: null };
    let handled = false;
    let speaks = 0;
    const offs: (() => void)[] = [];
    const done = () => {
      if (!handled || (waitAudio && speaks > 0 && result.firstAudioAt === null)) return;
      for (const off of offs) off();
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      handled = true;
      result.firstAudioAt ??= null;
      for (const off of offs) off();
      resolve(result);
    }, 30_000);
    offs.push(
      client.onBus('*', (m) => {
        if (m.type === 'hive.voice.heard') result.heard = String(m.data?.utterance ?? '');
        else if (/:[a-z_]+\.intent$/.test(m.type) && result.intent === null) result.intent = m.type;
        else if (m.type === 'complete_intent_failure' && result.intent === null) result.intent = 'failure';
        else if (m.type === 'speak') speaks += 1;
        else if (m.type === 'hive.voice.error') {
          result.intent ??= `error:${String(m.data?.code)}`;
          handled = true;
          done();
        } else if (m.type === 'ovos.utterance.handled') {
          handled = true;
          done();
        }
      }),
      client.on(HiveMessageType.BINARY, (m) => {
        if (m.bin_type === BinaryType.TTS_AUDIO && result.firstAudioAt === null) {
          result.firstAudioAt = performance.now();
          done();
        }
      }),
    );
    send();
  });
}

function audioMessage(audio: PcmAudio, binType: number) {
  return createHiveMessage(HiveMessageType.BINARY, audio.data, {
    bin_type: binType,
    metadata: { sample_rate: audio.rate, sample_width: 2, lang: 'en-US' },
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const latencyIndex = process.argv.indexOf('--latency');
  const latencyRuns = latencyIndex > 0 ? Number(process.argv[latencyIndex + 1]) : 20;
  const tts = new EspeakTts({ timeoutMs: 20_000, maxOutputBytes: 8 << 20 });
  const clips: { text: string; voice: string; rate: number; audio: PcmAudio }[] = [];
  for (const text of COMMANDS) {
    for (const voice of VOICES) {
      for (const rate of RATES) {
        clips.push({
          text,
          voice,
          rate,
          audio: resample(await tts.synthesize(text, { voice, rate }), 16_000),
        });
      }
    }
  }
  const report: Record<string, unknown> = {
    commands: COMMANDS.length,
    clips: clips.length,
    voices: VOICES,
    rates: RATES,
  };
  const tuned = await satellite('tuned');
  const generic = await satellite('generic');
  try {
    // The reference intent of each command: what it triggers typed.
    const expected = new Map<string, string | null>();
    for (const text of COMMANDS) {
      const t = await turn(
        tuned.client,
        () => tuned.client.emitBus('recognizer_loop:utterance', { utterances: [text], lang: 'en-US' }),
        false,
      );
      expected.set(text, t.intent);
    }
    for (const [name, hub] of [
      ['tuned', tuned],
      ['generic', generic],
    ] as const) {
      let errors = 0;
      let refWords = 0;
      let right = 0;
      const misses: string[] = [];
      for (const clip of clips) {
        const t = await turn(
          hub.client,
          () => hub.client.emit(audioMessage(clip.audio, BinaryType.STT_AUDIO_HANDLE)),
          false,
        );
        const ref = words(clip.text);
        errors += wordErrors(ref, words(t.heard ?? ''));
        refWords += ref.length;
        if (t.intent === expected.get(clip.text)) right += 1;
        else if (misses.length < 12)
          misses.push(`${clip.voice}@${clip.rate} "${clip.text}" → "${t.heard ?? ''}" (${t.intent})`);
      }
      report[name] = {
        wer: Number((errors / refWords).toFixed(3)),
        intentAccuracy: Number((right / clips.length).toFixed(3)),
        misses,
      };
      // As soon as it is known (the latency part takes a while more).
      process.stderr.write(`${name}: ${JSON.stringify(report[name])}\n`);
    }
    // Latency: real-time RAW_AUDIO streams on the tuned hub, from the end of speech to the first audio byte.
    const latencies: number[] = [];
    const step = pcmBytesFor(100, 16_000);
    for (let i = 0; i < latencyRuns; i++) {
      const clip = clips[(i * 7) % clips.length]!;
      const padded = new Uint8Array(clip.audio.data.byteLength + pcmBytesFor(1500, 16_000));
      padded.set(clip.audio.data);
      let speechEnd = 0;
      const t = await turn(
        tuned.client,
        () => {
          let at = 0;
          const tick = () => {
            if (at >= padded.byteLength || tuned.client.state.type !== 'open') return;
            const chunk = padded.slice(at, at + step);
            tuned.client.emit(audioMessage({ rate: 16_000, data: chunk }, BinaryType.RAW_AUDIO));
            at += step;
            if (at >= clip.audio.data.byteLength && speechEnd === 0) speechEnd = performance.now();
            setTimeout(tick, 100);
          };
          tick();
        },
        true,
      );
      if (t.firstAudioAt !== null && speechEnd > 0) latencies.push(t.firstAudioAt - speechEnd);
    }
    latencies.sort((a, b) => a - b);
    report.latency = {
      runs: latencies.length,
      p50Ms: Math.round(percentile(latencies, 50)),
      p95Ms: Math.round(percentile(latencies, 95)),
    };
  } finally {
    for (const s of [tuned, generic]) {
      s.client.close();
      await s.composed.stop();
      rmSync(s.dataDir, { recursive: true, force: true });
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const t = report.tuned as { wer: number; intentAccuracy: number; misses: string[] };
    const g = report.generic as { wer: number; intentAccuracy: number };
    const l = report.latency as { runs: number; p50Ms: number; p95Ms: number };
    process.stdout.write(
      [
        `${COMMANDS.length} commands × ${VOICES.length} voices × ${RATES.length} speeds = ${clips.length} clips`,
        `intent-tuned model: WER ${(t.wer * 100).toFixed(1)}%, intent accuracy ${(t.intentAccuracy * 100).toFixed(1)}%`,
        `generic model:      WER ${(g.wer * 100).toFixed(1)}%, intent accuracy ${(g.intentAccuracy * 100).toFixed(1)}%`,
        `end of speech → first audio byte (${l.runs} real-time streams): p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms`,
        'tuned misses (first 12):',
        ...t.misses.map((m) => `  ${m}`),
        '',
      ].join('\n'),
    );
  }
}

await main();
