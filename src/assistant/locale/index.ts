/**
 * The assistant core's own phrases per language: what counts as "stop", and the generic skill-error line.
 *
 * @module
 */
import { langFallbacks } from '../engine/lang/index.js';
import { CORE_EN } from './en.js';

/** Core phrases of one language. */
export interface CoreLocale {
  /** Templates of the stop intent (whole utterance). */
  readonly stop: readonly string[];
  /** Spoken when a skill handler fails; `{skill}` is the skill id. */
  readonly skillError: string;
}

/** Core phrases by primary language tag. */
export const CORE_LOCALES: ReadonlyMap<string, CoreLocale> = new Map([['en', CORE_EN]]);

/** The core phrases for `lang`, English when the language has none. */
export function coreLocale(lang: string): CoreLocale {
  for (const tag of langFallbacks(lang)) {
    const found = CORE_LOCALES.get(tag);
    if (found !== undefined) return found;
  }
  return CORE_EN;
}
