/**
 * Engines from their spec strings (`hivelink hub --stt …`, the config's `voice.stt`/`voice.tts`,
 * `hivelink wyoming-serve`): `pocketsphinx` or `wyoming://HOST:PORT` for speech to text, `espeak-ng` or
 * `wyoming://HOST:PORT` for text to speech, each with the engine limits (time limit, output cap).
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { EspeakTts } from './espeak.js';
import { PocketsphinxStt } from './pocketsphinx.js';
import type { SpeechToText, TextToSpeech } from './types.js';
import { parseWyomingUrl, WyomingStt, WyomingTts } from './wyoming/client.js';

export interface EngineLimits {
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
}

/** True when `spec` names a speech-to-text engine. */
export function isSttSpec(spec: string): boolean {
  return spec === 'pocketsphinx' || parseWyomingUrl(spec) !== null;
}

/** True when `spec` names a text-to-speech engine. */
export function isTtsSpec(spec: string): boolean {
  return spec === 'espeak-ng' || parseWyomingUrl(spec) !== null;
}

/** @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for an unknown spec. */
export function createStt(spec: string, limits: EngineLimits): SpeechToText {
  if (spec === 'pocketsphinx') {
    return new PocketsphinxStt({ timeoutMs: limits.timeoutMs, maxOutputBytes: 64 * 1024 });
  }
  const target = parseWyomingUrl(spec);
  if (target !== null)
    return new WyomingStt(target, { timeoutMs: limits.timeoutMs, maxOutputBytes: 64 * 1024 });
  throw new HiveLinkError(
    'HL_ERR_INVALID_ARGUMENT',
    `unknown speech-to-text engine "${spec}" (pocketsphinx or wyoming://HOST:PORT)`,
  );
}

/** @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for an unknown spec. */
export function createTts(
  spec: string,
  limits: EngineLimits,
  voice: { voice?: string | undefined; rate?: number | undefined } = {},
): TextToSpeech {
  if (spec === 'espeak-ng') {
    return new EspeakTts({
      timeoutMs: limits.timeoutMs,
      maxOutputBytes: limits.maxOutputBytes,
      ...(voice.voice === undefined ? {} : { voice: voice.voice }),
      ...(voice.rate === undefined ? {} : { rate: voice.rate }),
    });
  }
  const target = parseWyomingUrl(spec);
  if (target !== null) return new WyomingTts(target, limits, voice.voice);
  throw new HiveLinkError(
    'HL_ERR_INVALID_ARGUMENT',
    `unknown text-to-speech engine "${spec}" (espeak-ng or wyoming://HOST:PORT)`,
  );
}
