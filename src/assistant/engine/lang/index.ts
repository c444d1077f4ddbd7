/**
 * The languages the intent engine knows, and how a BCP-47 tag picks one.
 *
 * @module
 */
import { ENGLISH } from './en.js';
import { SPANISH } from './es.js';
import { PORTUGUESE } from './pt.js';
import { genericLanguage, type LanguageResources } from './types.js';

export type { LanguageResources } from './types.js';

const BUILT_IN: ReadonlyMap<string, LanguageResources> = new Map([
  ['en', ENGLISH],
  ['pt', PORTUGUESE],
  ['es', SPANISH],
]);

/** Lowercase BCP-47 tag with `-` separators (`en_US` → `en-us`); `''` for anything that is not a tag. */
export function normalizeLangTag(lang: unknown): string {
  if (typeof lang !== 'string') return '';
  const tag = lang.trim().replaceAll('_', '-').toLowerCase();
  return /^[a-z]{2,8}(?:-[a-z0-9]{1,8})*$/.test(tag) ? tag : '';
}

/** The tags to try for `lang`, most specific first: `en-us` → `['en-us', 'en']`. */
export function langFallbacks(lang: string): string[] {
  const tag = normalizeLangTag(lang);
  if (tag === '') return [];
  const primary = tag.split('-')[0]!;
  return primary === tag ? [tag] : [tag, primary];
}

/** Resources for `lang` (by its primary subtag); a generic set when the language has none. */
export function languageResources(lang: string): LanguageResources {
  const primary = normalizeLangTag(lang).split('-')[0] ?? '';
  return BUILT_IN.get(primary) ?? genericLanguage(primary);
}
