/**
 * Wyoming engines (`wyoming://HOST:PORT`): speech to text and text to speech served by a Wyoming server
 * (`wyoming-faster-whisper`, `wyoming-piper`, or `hivelink wyoming-serve`). One TCP connection per job:
 *
 * - STT: `transcribe {language}`, `audio-start {rate, width: 2, channels: 1}`, `audio-chunk`s of at most 1 s, and
 *   `audio-stop`; the answer is `transcript {text}`.
 * - TTS: `synthesize {text, voice: {name}}`; the answer is `audio-start`, `audio-chunk`s, `audio-stop`.
 * - {@link describeWyoming}: `describe` → `info`.
 *
 * Each job has the engine limits: the time limit for the whole exchange and a cap on the audio received.
 *
 * @module
 */
import { connect, type Socket } from 'node:net';
import { HiveLinkError } from '../../errors.js';
import type {
  PcmAudio,
  SpeechToText,
  SynthesizeOptions,
  TextToSpeech,
  TranscribeOptions,
  Transcript,
} from '../types.js';
import { EventReader, encodeEvent, type WyomingEvent } from './framing.js';

export interface WyomingTarget {
  readonly host: string;
  readonly port: number;
}

/** `wyoming://HOST:PORT` → host and port; null when `spec` is not one. */
export function parseWyomingUrl(spec: string): WyomingTarget | null {
  const m = /^wyoming:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/?$/.exec(spec);
  if (m === null) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

export interface WyomingLimits {
  readonly timeoutMs: number;
  /** Most audio bytes (TTS) or text bytes (STT) accepted. */
  readonly maxOutputBytes: number;
}

/**
 * Sends `events` on a fresh connection and feeds every event received to `onEvent` until it returns a result.
 *
 * @throws HiveLinkError `HL_ERR_VOICE_ENGINE` (connection refused or closed early), `HL_ERR_VOICE_ENGINE_TIMEOUT`,
 *   `HL_ERR_WYOMING_PROTOCOL`, or what `onEvent` throws.
 */
export function exchange<T>(
  target: WyomingTarget,
  limits: WyomingLimits,
  events: readonly Uint8Array[],
  onEvent: (event: WyomingEvent) => T | undefined,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const where = `wyoming://${target.host}:${target.port}`;
    const reader = new EventReader({ maxPayloadBytes: limits.maxOutputBytes });
    let socket: Socket | null = null;
    let done = false;
    const finish = (err: Error | null, value?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
      if (err !== null) reject(err);
      else resolve(value as T);
    };
    const timer = setTimeout(
      () =>
        finish(
          new HiveLinkError(
            'HL_ERR_VOICE_ENGINE_TIMEOUT',
            `${where} did not answer within ${limits.timeoutMs} ms`,
          ),
        ),
      limits.timeoutMs,
    );
    const onAbort = () => finish(new HiveLinkError('HL_ERR_VOICE_ENGINE', `${where}: aborted`));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket = connect({ host: target.host, port: target.port });
    socket.on('connect', () => {
      for (const e of events) socket?.write(e);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const event of reader.push(chunk)) {
          const result = onEvent(event);
          if (result !== undefined) return finish(null, result);
        }
      } catch (err) {
        finish(err as Error);
      }
    });
    socket.on('error', (err) =>
      finish(new HiveLinkError('HL_ERR_VOICE_ENGINE', `${where}: ${err.message}`, { cause: err })),
    );
    socket.on('close', () =>
      finish(new HiveLinkError('HL_ERR_VOICE_ENGINE', `${where} closed the connection before answering`)),
    );
  });
}

/** Audio chunks of at most this many ms. */
const CHUNK_MS = 1000;

/** The events that send `audio` (start, chunks, stop). */
export function audioEvents(audio: PcmAudio): Uint8Array[] {
  const format = { rate: audio.rate, width: 2, channels: 1 };
  const out = [encodeEvent('audio-start', format)];
  const step = Math.max(2, Math.floor((audio.rate * CHUNK_MS) / 1000) * 2);
  for (let at = 0; at < audio.data.byteLength; at += step) {
    out.push(encodeEvent('audio-chunk', format, audio.data.subarray(at, at + step)));
  }
  out.push(encodeEvent('audio-stop', {}));
  return out;
}

function refused(where: string, event: WyomingEvent): HiveLinkError {
  const text = typeof event.data.text === 'string' ? event.data.text : JSON.stringify(event.data);
  return new HiveLinkError('HL_ERR_VOICE_ENGINE', `${where} answered error: ${text}`);
}

export class WyomingStt implements SpeechToText {
  readonly name: string;
  readonly #target: WyomingTarget;
  readonly #limits: WyomingLimits;

  constructor(target: WyomingTarget, limits: WyomingLimits) {
    this.#target = target;
    this.#limits = limits;
    this.name = `wyoming://${target.host}:${target.port}`;
  }

  transcribe(audio: PcmAudio, options: TranscribeOptions = {}): Promise<Transcript> {
    const language = (options.lang ?? 'en-US').split(/[-_]/)[0]!.toLowerCase();
    return exchange(
      this.#target,
      this.#limits,
      [encodeEvent('transcribe', { language }), ...audioEvents(audio)],
      (event) => {
        if (event.type === 'transcript') {
          const text = typeof event.data.text === 'string' ? event.data.text : '';
          return {
            text: text
              .trim()
              .toLowerCase()
              .replace(/[.,!?]+$/g, ''),
            model: this.name,
          };
        }
        if (event.type === 'error') throw refused(this.name, event);
        return undefined;
      },
      options.signal,
    );
  }
}

export class WyomingTts implements TextToSpeech {
  readonly name: string;
  readonly #target: WyomingTarget;
  readonly #limits: WyomingLimits;
  readonly #voice: string | undefined;

  constructor(target: WyomingTarget, limits: WyomingLimits, voice?: string) {
    this.#target = target;
    this.#limits = limits;
    this.#voice = voice;
    this.name = `wyoming://${target.host}:${target.port}`;
  }

  synthesize(text: string, options: SynthesizeOptions = {}): Promise<PcmAudio> {
    const voice = options.voice ?? this.#voice;
    const chunks: Uint8Array[] = [];
    let size = 0;
    let rate = 0;
    let width = 2;
    let channels = 1;
    return exchange(
      this.#target,
      this.#limits,
      [encodeEvent('synthesize', { text, ...(voice === undefined ? {} : { voice: { name: voice } }) })],
      (event): PcmAudio | undefined => {
        if (event.type === 'audio-start' || (event.type === 'audio-chunk' && rate === 0)) {
          rate = Number(event.data.rate) || 0;
          width = Number(event.data.width) || 2;
          channels = Number(event.data.channels) || 1;
          if (width !== 2 || channels !== 1 || rate < 8000 || rate > 48000) {
            throw new HiveLinkError(
              'HL_ERR_AUDIO_FORMAT',
              `${this.name} sent audio of width ${width}, ${channels} channels at ${rate} Hz (16-bit mono wanted)`,
            );
          }
        }
        if (event.type === 'audio-chunk' && event.payload !== null) {
          size += event.payload.byteLength;
          if (size > this.#limits.maxOutputBytes) {
            throw new HiveLinkError(
              'HL_ERR_VOICE_OUTPUT_TOO_LARGE',
              `${this.name} sent more than ${this.#limits.maxOutputBytes} bytes of audio`,
            );
          }
          chunks.push(event.payload);
        }
        if (event.type === 'audio-stop')
          return { rate: rate || 22050, data: new Uint8Array(Buffer.concat(chunks)) };
        if (event.type === 'error') throw refused(this.name, event);
        return undefined;
      },
      options.signal,
    );
  }
}

/** A Wyoming server's `info` answer to `describe`. */
export function describeWyoming(
  target: WyomingTarget,
  limits: WyomingLimits,
): Promise<Record<string, unknown>> {
  return exchange(target, limits, [encodeEvent('describe')], (event) =>
    event.type === 'info' ? event.data : undefined,
  );
}
