/**
 * The assistant core's own phrases per language: what counts as "stop", the generic skill-error line, and what the
 * core says to a language no skill speaks.
 *
 * @module
 */
import { langFallbacks } from '../engine/lang/index.js';
import { CORE_EN } from './en.js';
import { CORE_ES } from './es.js';
import { CORE_PT } from './pt.js';

/** Core phrases of one language. */
export interface CoreLocale {
  /** Templates of the stop intent (whole utterance). */
  readonly stop: readonly string[];
  /** Spoken when a skill handler fails; `{skill}` is the skill id. */
  readonly skillError: string;
}

/** Core phrases by primary language tag. */
export const CORE_LOCALES: ReadonlyMap<string, CoreLocale> = new Map([
  ['en', CORE_EN],
  ['pt', CORE_PT],
  ['es', CORE_ES],
]);

/** The core phrases for `lang`, English when the language has none. */
export function coreLocale(lang: string): CoreLocale {
  for (const tag of langFallbacks(lang)) {
    const found = CORE_LOCALES.get(tag);
    if (found !== undefined) return found;
  }
  return CORE_EN;
}

/**
 * The dialog id of the core's answer to an utterance in a language no loaded skill has resources for
 * (`speak.data.meta.dialog`); the error code it carries is {@link LANG_UNSUPPORTED_CODE}.
 */
export const LANG_UNSUPPORTED_DIALOG = 'language_not_supported';

/** The error code in `speak.data.meta.error` of that answer (docs/ERRORS.md). */
export const LANG_UNSUPPORTED_CODE = 'HL_ERR_LANG_UNSUPPORTED';

/**
 * What the core says, in English (the speaker's language is the one it cannot speak), to an utterance in `lang`;
 * `supported` are the primary tags some skill speaks, listed so the speaker knows what to pick.
 */
export function langUnsupportedText(lang: string, supported: readonly string[]): string {
  const list = supported.length === 0 ? '' : ` I can answer in ${supported.join(', ')}.`;
  return `Sorry, language not supported: ${lang}.${list}`;
}
