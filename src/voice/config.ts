/**
 * The hub config's `voice` key (`hivelink.json`, or `hivelink hub --stt/--tts/--tts-voice/--tts-rate`): which
 * engines the hub listens and speaks with, and how.
 *
 * ```json
 * { "voice": { "stt": "pocketsphinx", "tts": "espeak-ng", "ttsVoice": "en-us", "ttsRate": 160, "vadSilenceMs": 700 } }
 * ```
 *
 * @module
 */
import { z } from 'zod';
import { HiveLinkError } from '../errors.js';
import { isSttSpec, isTtsSpec } from './engines.js';

export interface VoiceConfig {
  /** `pocketsphinx` or `wyoming://HOST:PORT`; null: the hub does not listen. @default null */
  readonly stt: string | null;
  /** `espeak-ng` or `wyoming://HOST:PORT`; null: the hub answers in text only. @default null */
  readonly tts: string | null;
  /** The TTS voice (espeak-ng `en-us`, `en-gb`, `en-us+f3`; a Wyoming server's voice name). @default null (engine's) */
  readonly ttsVoice: string | null;
  /** Words per minute (espeak-ng). @default null (160) */
  readonly ttsRate: number | null;
  /** Silence that ends an utterance in a RAW_AUDIO stream (the energy VAD). @default 700 */
  readonly vadSilenceMs: number;
  /**
   * `tuned`: pocketsphinx recognises with the model compiled from the assistant's intents, the generic one when it
   * finds nothing; `generic`: the generic model only (for comparison). @default 'tuned'
   */
  readonly sttModel: 'tuned' | 'generic';
}

export function defaultVoiceConfig(): VoiceConfig {
  return { stt: null, tts: null, ttsVoice: null, ttsRate: null, vadSilenceMs: 700, sttModel: 'tuned' };
}

export const voiceConfigSchema = z
  .object({
    stt: z.string().refine(isSttSpec, 'must be pocketsphinx or wyoming://HOST:PORT').nullable().default(null),
    tts: z.string().refine(isTtsSpec, 'must be espeak-ng or wyoming://HOST:PORT').nullable().default(null),
    ttsVoice: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_+-]{0,63}$/, 'must be a voice name')
      .nullable()
      .default(null),
    ttsRate: z.number().int().min(80).max(450).nullable().default(null),
    vadSilenceMs: z.number().int().min(100).max(10_000).default(700),
    sttModel: z.enum(['tuned', 'generic']).default('tuned'),
  })
  .strict();

/** `--tts-rate`: words per minute, 80–450. */
export function parseTtsRate(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 80 || n > 450) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      '--tts-rate must be a whole number of words per minute, 80 to 450',
    );
  }
  return n;
}

/** The config file's `voice` with `hivelink hub`'s voice flags over it; undefined when neither sets anything. */
export function voiceFromFlags(
  flags: { stt?: string; tts?: string; ttsVoice?: string; ttsRate?: number },
  fromFile: Partial<VoiceConfig> | undefined,
): VoiceConfig | undefined {
  const set = Object.fromEntries(
    Object.entries({
      stt: flags.stt,
      tts: flags.tts,
      ttsVoice: flags.ttsVoice,
      ttsRate: flags.ttsRate,
    }).filter(([, v]) => v !== undefined),
  );
  if (fromFile === undefined && Object.keys(set).length === 0) return undefined;
  return { ...defaultVoiceConfig(), ...fromFile, ...set } as VoiceConfig;
}
