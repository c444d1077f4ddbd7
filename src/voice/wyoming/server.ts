/**
 * A small Wyoming server (`hivelink wyoming-serve`): serves a {@link SpeechToText} and a {@link TextToSpeech} over
 * the Wyoming framing, so Home Assistant (or our own hub, `--stt wyoming://…`) can use pocketsphinx and espeak-ng.
 *
 * Per connection: `describe` → `info {asr, tts}`; `transcribe {language}` then `audio-start`, `audio-chunk`s and
 * `audio-stop` → `transcript {text}` (audio beyond `maxAudioBytes` → `error`, and the connection closes);
 * `synthesize {text, voice}` → `audio-start`, `audio-chunk`s (1 s each), `audio-stop`. A failure is answered with
 * `error {text, code}`; a framing error closes the connection.
 *
 * @module
 */
import { createServer, type Server, type Socket } from 'node:net';
import { isHiveLinkError } from '../../errors.js';
import type { SpeechToText, TextToSpeech } from '../types.js';
import { audioEvents } from './client.js';
import { EventReader, encodeEvent } from './framing.js';

export interface WyomingServerInit {
  readonly stt: SpeechToText | null;
  readonly tts: TextToSpeech | null;
  /** Most audio bytes one transcription may carry. */
  readonly maxAudioBytes: number;
  /** Open connections at once; more are closed at once. @default 32 */
  readonly maxConnections?: number;
  /** Voices to list in `info`. @default none */
  readonly voices?: readonly string[];
}

export class WyomingServer {
  readonly #init: WyomingServerInit;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(init: WyomingServerInit) {
    this.#init = init;
    this.#server = createServer((socket) => this.#serve(socket));
  }

  /** Listens; resolves with the port. */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const address = this.#server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #info(): Record<string, unknown> {
    const attribution = { name: 'hivelink', url: 'https://github.com/' };
    const asr =
      this.#init.stt === null
        ? []
        : [
            {
              name: this.#init.stt.name,
              description: `${this.#init.stt.name} served by hivelink`,
              attribution,
              installed: true,
              version: '1',
              models: [
                {
                  name: 'en-us',
                  description: 'US English',
                  attribution,
                  installed: true,
                  languages: ['en'],
                  version: '1',
                },
              ],
            },
          ];
    const tts =
      this.#init.tts === null
        ? []
        : [
            {
              name: this.#init.tts.name,
              description: `${this.#init.tts.name} served by hivelink`,
              attribution,
              installed: true,
              version: '1',
              voices: (this.#init.voices ?? []).map((name) => ({
                name,
                description: name,
                attribution,
                installed: true,
                languages: ['en'],
                version: '1',
              })),
            },
          ];
    return { asr, tts, handle: [], intent: [], wake: [] };
  }

  #serve(socket: Socket): void {
    if (this.#sockets.size >= (this.#init.maxConnections ?? 32)) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    const reader = new EventReader({ maxPayloadBytes: this.#init.maxAudioBytes });
    let language = 'en';
    let rate = 16_000;
    let chunks: Uint8Array[] = [];
    let size = 0;
    const send = (bytes: Uint8Array) => {
      if (!socket.destroyed) socket.write(bytes);
    };
    const fail = (err: unknown) => {
      const code = isHiveLinkError(err) ? err.code : 'HL_ERR_INTERNAL';
      send(encodeEvent('error', { text: err instanceof Error ? err.message : String(err), code }));
    };
    // One job at a time per connection, in order.
    let queue: Promise<void> = Promise.resolve();
    const later = (job: () => Promise<void>) => {
      queue = queue.then(job).catch(fail);
    };
    socket.on('data', (chunk: Buffer) => {
      let events: ReturnType<EventReader['push']>;
      try {
        events = reader.push(chunk);
      } catch (err) {
        fail(err);
        socket.end();
        return;
      }
      for (const event of events) {
        switch (event.type) {
          case 'describe':
            send(encodeEvent('info', this.#info()));
            break;
          case 'transcribe':
            if (typeof event.data.language === 'string') language = event.data.language;
            break;
          case 'audio-start':
            rate = Number(event.data.rate) || 16_000;
            chunks = [];
            size = 0;
            if (Number(event.data.width ?? 2) !== 2 || Number(event.data.channels ?? 1) !== 1) {
              fail(new Error('only 16-bit mono audio is served'));
              socket.end();
              return;
            }
            break;
          case 'audio-chunk':
            if (event.payload !== null) {
              size += event.payload.byteLength;
              if (size > this.#init.maxAudioBytes) {
                fail(new Error(`more than ${this.#init.maxAudioBytes} bytes of audio`));
                socket.end();
                return;
              }
              chunks.push(event.payload);
            }
            break;
          case 'audio-stop': {
            const stt = this.#init.stt;
            const audio = { rate, data: new Uint8Array(Buffer.concat(chunks)) };
            chunks = [];
            size = 0;
            later(async () => {
              if (stt === null) throw new Error('this server has no speech to text');
              const { text } = await stt.transcribe(audio, { lang: language });
              send(encodeEvent('transcript', { text }));
            });
            break;
          }
          case 'synthesize': {
            const tts = this.#init.tts;
            const text = typeof event.data.text === 'string' ? event.data.text : '';
            const voice = (event.data.voice as { name?: unknown } | undefined)?.name;
            later(async () => {
              if (tts === null) throw new Error('this server has no text to speech');
              const audio = await tts.synthesize(text, typeof voice === 'string' ? { voice } : {});
              for (const e of audioEvents(audio)) send(e);
            });
            break;
          }
          default:
            break;
        }
      }
    });
  }
}
