/**
 * Text to speech with espeak-ng (Debian `espeak-ng`): one child process per text, the text on stdin, a WAV on
 * stdout (`--stdout`, 22050 Hz mono), with a voice (`-v en-us`, `en-gb`, `en-us+f3`, …) and a rate in words per
 * minute (`-s`). Bounded by the engine limits: `timeoutMs` and `maxOutputBytes` of WAV.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { runChild } from './child.js';
import type { PcmAudio, SynthesizeOptions, TextToSpeech } from './types.js';
import { decodeWav } from './wav.js';

export interface EspeakInit {
  /** @default 'espeak-ng' (on PATH) */
  readonly command?: string;
  /** @default 'en-us' */
  readonly voice?: string;
  /** Words per minute. @default 160 */
  readonly rate?: number;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
}

/** A voice name espeak-ng can take (`en-us`, `en-gb-x-rp`, `en-us+f3`, `mb-us1`). */
const VOICE = /^[A-Za-z0-9][A-Za-z0-9_+-]{0,63}$/;

export class EspeakTts implements TextToSpeech {
  readonly name = 'espeak-ng';
  readonly #init: EspeakInit;

  constructor(init: EspeakInit) {
    this.#init = init;
    for (const voice of [init.voice]) {
      if (voice !== undefined && !VOICE.test(voice)) {
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `espeak-ng voice "${voice}" is not a voice name`);
      }
    }
  }

  async synthesize(text: string, options: SynthesizeOptions = {}): Promise<PcmAudio> {
    const voice = options.voice ?? this.#init.voice ?? 'en-us';
    if (!VOICE.test(voice))
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `"${voice}" is not a voice name`);
    const rate = Math.round(options.rate ?? this.#init.rate ?? 160);
    const wav = await runChild({
      command: this.#init.command ?? 'espeak-ng',
      args: ['-v', voice, '-s', String(Math.min(450, Math.max(80, rate))), '--stdout'],
      // One line: a newline in the text would end espeak-ng's stdin reading early on some builds.
      input: `${text.replace(/\s+/g, ' ').trim()}\n`,
      timeoutMs: this.#init.timeoutMs,
      maxOutputBytes: this.#init.maxOutputBytes,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    try {
      return decodeWav(wav);
    } catch (err) {
      throw new HiveLinkError('HL_ERR_VOICE_ENGINE', `espeak-ng wrote no usable WAV: ${String(err)}`, {
        cause: err,
      });
    }
  }
}
