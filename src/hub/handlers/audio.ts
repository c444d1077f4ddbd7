/**
 * The hub's speech path (docs/PROTOCOL.md §5.6): audio from a satellite becomes an utterance or a transcript, and
 * what the agent says to a voice session comes back as audio as well as text. A hub service, started after the agent
 * when `hivelink hub --stt …/--tts …` names engines.
 *
 * In, after the policy stage (BINARY needs `hive.binary.received` in `allowedTypes`; each bus form its own type):
 * - BINARY `RAW_AUDIO` (s16le mono, `sample_rate` / `sample_width` metadata, 16 kHz default): a stream per
 *   connection, cut by the energy VAD (`voice/vad.ts`) or by BUS `recognizer_loop:record_end`; each utterance is
 *   transcribed and handled as `recognizer_loop:utterance` from that client.
 * - BINARY `STT_AUDIO_TRANSCRIBE`: one utterance, answered with BUS `recognizer_loop:transcribe.response
 *   {transcriptions, lang}`; `STT_AUDIO_HANDLE`: one utterance, handled as `recognizer_loop:utterance`.
 * - BUS `recognizer_loop:b64_transcribe {audio, lang}` → `recognizer_loop:b64_transcribe.response`;
 *   `recognizer_loop:b64_audio {audio, lang}` → handled as an utterance; `speak:synth {utterance, lang}` → BINARY
 *   `TTS_AUDIO`; `speak:b64_audio {utterance}` → `speak:b64_audio.response {audio, utterance, lang}` (`audio`: a
 *   base64 WAV, or raw s16le at `sample_rate`).
 *
 * Out: the satellite is told what was heard (BUS `hive.voice.heard {utterance, lang}`) before it is handled; a
 * connection whose last utterance came from audio is a voice session, and each `speak` addressed to it is
 * synthesized and sent as BINARY `TTS_AUDIO` (a WAV, metadata `{lang, utterance, file_name}`) after the BUS text.
 *
 * Refusals: audio of the wrong form (`sample_width` other than 2, `channels` other than 1, a rate outside
 * 8000–48000) and STT messages longer than `voiceMaxUtteranceMs` are denied by the policy stage (BINARY's
 * authorizer is wrapped here), with the code in the reason; a stream that reaches `voiceMaxUtteranceMs` without an
 * end of speech, a full job queue (`voiceMaxJobs`) and engine failures are answered with BUS `hive.voice.error
 * {code, reason}`. Memory: one stream buffer per connection, at most `voiceMaxUtteranceMs` of audio.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { Assistant } from '../../assistant/assistant.js';
import type { MessageData } from '../../bus/types.js';
import { type ErrorCode, HiveLinkError, isHiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import type { JsonObject } from '../../protocol/json.js';
import { createHiveMessage } from '../../protocol/message.js';
import { BinaryType, HiveMessageType } from '../../protocol/message-types.js';
import type { PcmAudio, SpeechToText, TextToSpeech } from '../../voice/types.js';
import { EnergyVad } from '../../voice/vad.js';
import { vocabularyOf } from '../../voice/vocabulary.js';
import { decodeWav, encodeWav, pcmBytesFor } from '../../voice/wav.js';
import type { HubService } from '../hub.js';
import { type Authorizer, DenyCode, deny } from '../policy/index.js';
import { hubBusMessage } from '../replies.js';
import type { HubContext, HubPeer } from '../types.js';
import { BINARY_BUS_TYPE } from './binary.js';
import { injectBus } from './bus.js';

/** The bus message a client gets when its audio was refused after the policy stage. */
export const VOICE_ERROR_TYPE = 'hive.voice.error';
/** What the hub heard in a satellite's audio, sent to it before the utterance is handled. */
export const VOICE_HEARD_TYPE = 'hive.voice.heard';

/** The bin types that carry audio to the hub. */
const AUDIO_IN: ReadonlySet<number> = new Set([
  BinaryType.RAW_AUDIO,
  BinaryType.STT_AUDIO_TRANSCRIBE,
  BinaryType.STT_AUDIO_HANDLE,
]);

const MIN_RATE = 8000;
const MAX_RATE = 48_000;
/** Audio kept from before the VAD found speech, so the first syllable is not cut. */
const PRE_ROLL_MS = 300;
/** Streams not fed for this long are dropped (the connection went away, or the satellite stopped mid-word). */
const STREAM_IDLE_MS = 30_000;
/** Longest `utterance` kept in a TTS_AUDIO's metadata (the bitstring metadata is at most 255 bytes). */
const METADATA_UTTERANCE_CHARS = 120;

/** How the hub speaks and listens (`voice` in the hub config). */
export interface VoiceSettings {
  /** Silence that ends an utterance in a RAW_AUDIO stream. */
  readonly vadSilenceMs: number;
  /** Which recognizer model (`tuned`: the intents' model first). @default 'tuned' */
  readonly sttModel?: 'tuned' | 'generic';
  /** The TTS voice and rate (espeak-ng). */
  readonly ttsVoice?: string | undefined;
  readonly ttsRate?: number | undefined;
}

export interface HubVoiceInit {
  readonly ctx: HubContext;
  /** Where BINARY's authorizer is wrapped (the hub's policy). */
  readonly policy: { wrapAuthorizer(type: 'bin', wrap: (inner: Authorizer) => Authorizer): void };
  readonly stt: SpeechToText | null;
  readonly tts: TextToSpeech | null;
  readonly limits: Pick<Limits, 'voiceMaxUtteranceMs' | 'voiceMaxJobs' | 'maxUtteranceChars'>;
  readonly settings: VoiceSettings;
  /** The embedded assistant, whose intents tune the recognizer; null for another agent. */
  readonly assistant: Assistant | null;
  readonly logger: Logger;
}

/** The audio format in BINARY metadata, or why it is refused. */
export function audioFormat(metadata: Record<string, unknown>): { rate: number } | { problem: string } {
  const rate = metadata.sample_rate ?? 16_000;
  const width = metadata.sample_width ?? 2;
  const channels = metadata.channels ?? 1;
  if (width !== 2) return { problem: `sample_width ${JSON.stringify(width)}: only 2 (s16le) is taken` };
  if (channels !== 1) return { problem: `channels ${JSON.stringify(channels)}: only mono is taken` };
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE) {
    return { problem: `sample_rate ${JSON.stringify(rate)}: ${MIN_RATE} to ${MAX_RATE} Hz is taken` };
  }
  return { rate };
}

/** A bounded queue of speech jobs: at most `max` waiting or running, `concurrency` of them at a time. */
class JobQueue {
  readonly #max: number;
  readonly #concurrency: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    this.#max = max;
    this.#concurrency = Math.max(1, Math.min(max, 2 * availableParallelism()));
  }

  /** @throws HiveLinkError `HL_ERR_VOICE_BUSY` when `max` jobs wait or run. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running + this.#waiting.length >= this.#max) {
      throw new HiveLinkError('HL_ERR_VOICE_BUSY', `${this.#max} speech jobs are waiting or running`);
    }
    if (this.#running >= this.#concurrency) await new Promise<void>((go) => this.#waiting.push(go));
    this.#running += 1;
    try {
      return await job();
    } finally {
      this.#running -= 1;
      this.#waiting.shift()?.();
    }
  }
}

interface Stream {
  readonly rate: number;
  readonly lang: string;
  readonly vad: EnergyVad;
  /** Audio before speech (pre-roll), then the utterance. */
  chunks: Uint8Array[];
  bytes: number;
  lastFed: number;
}

function base64Bytes(text: unknown): Uint8Array | null {
  if (typeof text !== 'string' || text === '') return null;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export class HubVoice implements HubService {
  readonly #init: HubVoiceInit;
  readonly #ctx: HubContext;
  readonly #jobs: JobQueue;
  readonly #streams = new Map<string, Stream>();
  /** Connections whose last utterance came from audio (peer id → language). */
  readonly #voicePeers = new Map<string, string>();
  readonly #abort = new AbortController();
  #offs: (() => void)[] = [];
  #sweep: ReturnType<typeof setInterval> | null = null;
  #vocabularyKey = '';
  #fileSerial = 0;

  constructor(init: HubVoiceInit) {
    this.#init = init;
    this.#ctx = init.ctx;
    this.#jobs = new JobQueue(init.limits.voiceMaxJobs);
    init.policy.wrapAuthorizer(HiveMessageType.BINARY, (inner) => (peer, message) => {
      const verdict = inner(peer, message);
      if (verdict.kind !== 'accept') return verdict;
      return this.#authorize(
        message.bin_type ?? 0,
        message.metadata,
        (message.payload as Uint8Array).byteLength,
      );
    });
  }

  async start(): Promise<void> {
    this.#tune();
    const on = (type: string, handler: (m: MessageData) => void) =>
      this.#offs.push(this.#ctx.bus.on(type, (m) => this.#guard(m, handler)));
    on(BINARY_BUS_TYPE, (m) => this.#binary(m));
    on('recognizer_loop:b64_transcribe', (m) => this.#b64(m, 'transcribe'));
    on('recognizer_loop:b64_audio', (m) => this.#b64(m, 'handle'));
    on('recognizer_loop:record_end', (m) => this.#recordEnd(m));
    on('record_end', (m) => this.#recordEnd(m));
    on('speak:synth', (m) => this.#synthRequest(m, 'binary'));
    on('speak:b64_audio', (m) => this.#synthRequest(m, 'b64'));
    on('speak', (m) => this.#speak(m));
    on('recognizer_loop:utterance', (m) => this.#utterance(m));
    this.#sweep = setInterval(() => this.#dropIdle(), STREAM_IDLE_MS / 3);
    this.#sweep.unref();
  }

  async stop(): Promise<void> {
    for (const off of this.#offs) off();
    this.#offs = [];
    if (this.#sweep !== null) clearInterval(this.#sweep);
    this.#abort.abort();
    this.#streams.clear();
    this.#voicePeers.clear();
  }

  /** Audio streams open now (for tests and metrics). */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Bytes buffered in open streams. */
  get bufferedBytes(): number {
    let n = 0;
    for (const s of this.#streams.values()) n += s.bytes;
    return n;
  }

  #authorize(binType: number, metadata: Record<string, unknown>, bytes: number) {
    const type = HiveMessageType.BINARY;
    if (binType === BinaryType.TTS_AUDIO) {
      return deny(type, DenyCode.UNSUPPORTED, 'TTS_AUDIO goes from the hub to a satellite, not back');
    }
    if (!AUDIO_IN.has(binType)) return { kind: 'accept' } as const;
    if (this.#init.stt === null) {
      return deny(
        type,
        DenyCode.UNSUPPORTED,
        'HL_ERR_VOICE_OFF: this hub has no speech to text (hivelink hub --stt)',
      );
    }
    const format = audioFormat(metadata);
    if ('problem' in format) return deny(type, DenyCode.MALFORMED, `HL_ERR_AUDIO_FORMAT: ${format.problem}`);
    const max = pcmBytesFor(this.#init.limits.voiceMaxUtteranceMs, format.rate);
    if (binType !== BinaryType.RAW_AUDIO && bytes > max) {
      return deny(
        type,
        DenyCode.TOO_LARGE,
        `HL_ERR_AUDIO_TOO_LONG: ${bytes} bytes of audio exceed voiceMaxUtteranceMs (${this.#init.limits.voiceMaxUtteranceMs} ms, ${max} bytes)`,
      );
    }
    return { kind: 'accept' } as const;
  }

  /** Runs a bus handler; nothing it throws reaches the bus. */
  #guard(message: MessageData, handler: (m: MessageData) => void): void {
    try {
      handler(message);
    } catch (err) {
      this.#init.logger.warn({ err, type: message.type }, 'voice: a bus message failed');
    }
  }

  /** The connection a bus message came from (its `context.peer`), if still open. */
  #peerOf(message: MessageData): HubPeer | undefined {
    const peer = message.context?.peer;
    return typeof peer === 'string' ? this.#ctx.peers.get(peer) : undefined;
  }

  #refuse(conn: HubPeer, code: ErrorCode, reason: string): void {
    conn.send(hubBusMessage(conn.peer, VOICE_ERROR_TYPE, { code, reason }));
  }

  #failed(conn: HubPeer, err: unknown): void {
    if (isHiveLinkError(err)) {
      this.#refuse(conn, err.code, err.message);
      return;
    }
    this.#init.logger.warn({ err, peer: conn.peer }, 'voice: a speech job failed');
    this.#refuse(conn, 'HL_ERR_INTERNAL', 'the speech job failed');
  }

  /** Rebuilds the recognizer's model when the assistant's skills changed since the last build. */
  #tune(): void {
    const stt = this.#init.stt;
    const assistant = this.#init.assistant;
    if (stt?.setVocabulary === undefined || assistant === null) return;
    const skills = assistant.skills();
    const key = skills.map((s) => s.id).join('\n');
    if (key === this.#vocabularyKey) return;
    this.#vocabularyKey = key;
    try {
      stt.setVocabulary(vocabularyOf(skills));
    } catch (err) {
      this.#init.logger.warn({ err }, 'voice: the intent-tuned model could not be built');
    }
  }

  async #transcribe(audio: PcmAudio, lang: string): Promise<string> {
    const stt = this.#init.stt;
    if (stt === null) throw new HiveLinkError('HL_ERR_VOICE_OFF', 'this hub has no speech to text');
    this.#tune();
    const { text } = await this.#jobs.run(() =>
      stt.transcribe(audio, {
        lang,
        mode: this.#init.settings.sttModel ?? 'tuned',
        signal: this.#abort.signal,
      }),
    );
    return text;
  }

  async #synthesize(text: string, lang: string): Promise<PcmAudio> {
    const tts = this.#init.tts;
    if (tts === null)
      throw new HiveLinkError('HL_ERR_VOICE_OFF', 'this hub has no text to speech (hivelink hub --tts)');
    const { ttsVoice, ttsRate } = this.#init.settings;
    return this.#jobs.run(() =>
      tts.synthesize(text, {
        lang,
        ...(ttsVoice === undefined ? {} : { voice: ttsVoice }),
        ...(ttsRate === undefined ? {} : { rate: ttsRate }),
        signal: this.#abort.signal,
      }),
    );
  }

  /** Handles `text` as the client's utterance; the connection becomes a voice session. */
  #handleAsUtterance(conn: HubPeer, text: string, lang: string): void {
    if (text === '') {
      this.#refuse(conn, 'HL_ERR_NOT_UNDERSTOOD', 'no words were recognised in the audio');
      return;
    }
    if (text.length > this.#init.limits.maxUtteranceChars) {
      conn.deny('recognizer_loop:utterance', DenyCode.TOO_LARGE, `a transcript of ${text.length} characters`);
      return;
    }
    this.#voicePeers.set(conn.peer, lang);
    conn.send(hubBusMessage(conn.peer, VOICE_HEARD_TYPE, { utterance: text, lang }));
    injectBus(this.#ctx, conn, {
      type: 'recognizer_loop:utterance',
      data: { utterances: [text], lang },
      context: { hivelink_voice: true },
    });
  }

  #answerTranscript(conn: HubPeer, type: string, text: string, lang: string): void {
    conn.send(hubBusMessage(conn.peer, type, { transcriptions: text === '' ? [] : [text], lang }));
  }

  #binary(message: MessageData): void {
    const data = message.data ?? {};
    const binType = data.bin_type;
    if (typeof binType !== 'number' || !AUDIO_IN.has(binType)) return;
    const conn = this.#peerOf(message);
    if (conn === undefined) return;
    const metadata = (data.metadata ?? {}) as Record<string, unknown>;
    const format = audioFormat(metadata);
    if ('problem' in format) return; // refused by the policy stage already
    const bytes = base64Bytes(data.data) ?? new Uint8Array(0);
    const lang = typeof metadata.lang === 'string' ? metadata.lang : 'en-US';
    if (binType === BinaryType.RAW_AUDIO) {
      this.#feed(conn, bytes, format.rate, lang);
      return;
    }
    const audio = { rate: format.rate, data: bytes };
    this.#transcribe(audio, lang).then(
      (text) =>
        binType === BinaryType.STT_AUDIO_TRANSCRIBE
          ? this.#answerTranscript(conn, 'recognizer_loop:transcribe.response', text, lang)
          : this.#handleAsUtterance(conn, text, lang),
      (err: unknown) => this.#failed(conn, err),
    );
  }

  /** One RAW_AUDIO chunk of `conn`'s stream. */
  #feed(conn: HubPeer, bytes: Uint8Array, rate: number, lang: string): void {
    let stream = this.#streams.get(conn.peer);
    if (stream !== undefined && stream.rate !== rate) {
      this.#streams.delete(conn.peer);
      stream = undefined;
    }
    if (stream === undefined) {
      stream = {
        rate,
        lang,
        vad: new EnergyVad({ rate, silenceMs: this.#init.settings.vadSilenceMs }),
        chunks: [],
        bytes: 0,
        lastFed: this.#ctx.now(),
      };
      this.#streams.set(conn.peer, stream);
    }
    stream.lastFed = this.#ctx.now();
    const event = stream.vad.push(bytes);
    stream.chunks.push(bytes);
    stream.bytes += bytes.byteLength;
    if (event === 'end') {
      this.#endOfSpeech(conn, stream);
      return;
    }
    if (!stream.vad.speaking) {
      // Listening: keep only the pre-roll.
      const keep = pcmBytesFor(PRE_ROLL_MS, rate);
      while (stream.chunks.length > 1 && stream.bytes - stream.chunks[0]!.byteLength >= keep) {
        stream.bytes -= stream.chunks.shift()!.byteLength;
      }
      return;
    }
    if (stream.bytes > pcmBytesFor(this.#init.limits.voiceMaxUtteranceMs, rate)) {
      stream.chunks = [];
      stream.bytes = 0;
      stream.vad.reset();
      this.#refuse(
        conn,
        'HL_ERR_AUDIO_NO_END',
        `the audio stream ran ${this.#init.limits.voiceMaxUtteranceMs} ms without an end of speech; it was dropped`,
      );
    }
  }

  /** The utterance of `stream` is complete: transcribe it and handle it as `conn`'s utterance. */
  #endOfSpeech(conn: HubPeer, stream: Stream): void {
    const audio = { rate: stream.rate, data: new Uint8Array(Buffer.concat(stream.chunks)) };
    stream.chunks = [];
    stream.bytes = 0;
    stream.vad.reset();
    if (audio.data.byteLength === 0) return;
    this.#transcribe(audio, stream.lang).then(
      (text) => this.#handleAsUtterance(conn, text, stream.lang),
      (err: unknown) => this.#failed(conn, err),
    );
  }

  /** `record_end` from a satellite: what its stream holds is one utterance, whatever the VAD says. */
  #recordEnd(message: MessageData): void {
    const conn = this.#peerOf(message);
    if (conn === undefined) return;
    const stream = this.#streams.get(conn.peer);
    // Only speech in progress: after the VAD's own end, the buffer holds nothing but the pre-roll.
    if (stream?.vad.speaking === true) this.#endOfSpeech(conn, stream);
  }

  #b64(message: MessageData, what: 'transcribe' | 'handle'): void {
    const conn = this.#peerOf(message);
    if (conn === undefined) return;
    const data = message.data ?? {};
    const lang = typeof data.lang === 'string' ? data.lang : 'en-US';
    const bytes = base64Bytes(data.audio);
    let audio: PcmAudio;
    try {
      if (bytes === null)
        throw new HiveLinkError('HL_ERR_AUDIO_FORMAT', `${message.type} needs data.audio (base64)`);
      if (bytes.byteLength >= 12 && Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'RIFF') {
        audio = decodeWav(bytes);
      } else {
        const format = audioFormat(data as Record<string, unknown>);
        if ('problem' in format) throw new HiveLinkError('HL_ERR_AUDIO_FORMAT', format.problem);
        audio = { rate: format.rate, data: bytes };
      }
      if (audio.rate < MIN_RATE || audio.rate > MAX_RATE) {
        throw new HiveLinkError('HL_ERR_AUDIO_FORMAT', `a rate of ${audio.rate} Hz`);
      }
      const max = pcmBytesFor(this.#init.limits.voiceMaxUtteranceMs, audio.rate);
      if (audio.data.byteLength > max) {
        throw new HiveLinkError(
          'HL_ERR_AUDIO_TOO_LONG',
          `the audio is longer than voiceMaxUtteranceMs (${this.#init.limits.voiceMaxUtteranceMs} ms)`,
        );
      }
    } catch (err) {
      this.#failed(conn, err);
      return;
    }
    this.#transcribe(audio, lang).then(
      (text) =>
        what === 'transcribe'
          ? this.#answerTranscript(conn, `${message.type}.response`, text, lang)
          : this.#handleAsUtterance(conn, text, lang),
      (err: unknown) => this.#failed(conn, err),
    );
  }

  #synthRequest(message: MessageData, answer: 'binary' | 'b64'): void {
    const conn = this.#peerOf(message);
    if (conn === undefined) return;
    const data = message.data ?? {};
    const text = typeof data.utterance === 'string' ? data.utterance : '';
    const lang = typeof data.lang === 'string' ? data.lang : 'en-US';
    if (text.trim() === '') {
      this.#refuse(conn, 'HL_ERR_INVALID_ARGUMENT', `${message.type} needs data.utterance`);
      return;
    }
    this.#synthesize(text, lang).then(
      (audio) => {
        if (answer === 'binary') this.#sendAudio(conn, audio, text, lang);
        else {
          conn.send(
            hubBusMessage(conn.peer, 'speak:b64_audio.response', {
              audio: Buffer.from(encodeWav(audio)).toString('base64'),
              utterance: text,
              lang,
            }),
          );
        }
      },
      (err: unknown) => this.#failed(conn, err),
    );
  }

  /** Sends `audio` to `conn` as BINARY TTS_AUDIO (a WAV). */
  #sendAudio(conn: HubPeer, audio: PcmAudio, utterance: string, lang: string): void {
    this.#fileSerial += 1;
    const metadata: JsonObject = {
      lang,
      utterance:
        utterance.length > METADATA_UTTERANCE_CHARS
          ? `${utterance.slice(0, METADATA_UTTERANCE_CHARS - 1)}…`
          : utterance,
      file_name: `tts-${this.#fileSerial}.wav`,
    };
    try {
      conn.send(
        createHiveMessage(HiveMessageType.BINARY, encodeWav(audio), {
          bin_type: BinaryType.TTS_AUDIO,
          metadata,
        }),
      );
    } catch (err) {
      // Metadata over the bitstring's 255 bytes: send it without the utterance.
      if (!isHiveLinkError(err, 'HL_ERR_METADATA_TOO_LARGE')) throw err;
      conn.send(
        createHiveMessage(HiveMessageType.BINARY, encodeWav(audio), {
          bin_type: BinaryType.TTS_AUDIO,
          metadata: { lang, file_name: metadata.file_name as string },
        }),
      );
    }
  }

  /** A `speak` to voice sessions: each gets the audio as well (the router has sent the text). */
  #speak(message: MessageData): void {
    if (this.#init.tts === null || this.#voicePeers.size === 0) return;
    const destination = message.context?.destination;
    const peers =
      typeof destination === 'string' ? [destination] : Array.isArray(destination) ? destination : [];
    const data = message.data ?? {};
    const text = typeof data.utterance === 'string' ? data.utterance : '';
    if (text.trim() === '') return;
    for (const peer of new Set(peers)) {
      if (typeof peer !== 'string') continue;
      const lang = this.#voicePeers.get(peer);
      const conn = lang === undefined ? undefined : this.#ctx.peers.get(peer);
      if (conn === undefined || lang === undefined) {
        if (lang !== undefined) this.#voicePeers.delete(peer);
        continue;
      }
      const speakLang = typeof data.lang === 'string' ? data.lang : lang;
      this.#synthesize(text, speakLang).then(
        (audio) => this.#sendAudio(conn, audio, text, speakLang),
        (err: unknown) => this.#failed(conn, err),
      );
    }
  }

  /** A typed utterance ends the connection's voice session (its answers go back as text only). */
  #utterance(message: MessageData): void {
    if (message.context?.hivelink_voice === true) return;
    const peer = message.context?.peer;
    if (typeof peer === 'string') this.#voicePeers.delete(peer);
  }

  #dropIdle(): void {
    const now = this.#ctx.now();
    for (const [peer, stream] of this.#streams) {
      if (now - stream.lastFed > STREAM_IDLE_MS || this.#ctx.peers.get(peer) === undefined) {
        this.#streams.delete(peer);
      }
    }
    for (const peer of this.#voicePeers.keys())
      if (this.#ctx.peers.get(peer) === undefined) this.#voicePeers.delete(peer);
  }
}
