/**
 * Text normalization shared by every matcher: lowercase, language rewrites (contractions, arithmetic symbols),
 * punctuation stripped, whitespace collapsed. Decimal points between digits and a minus sign before a number survive.
 *
 * @module
 */
import type { LanguageResources } from './lang/types.js';

/** Normalizes `text` for `lang` and returns its tokens (possibly none). */
export function tokenize(text: string, lang: LanguageResources): string[] {
  const normalized = normalizeText(text, lang);
  return normalized === '' ? [] : normalized.split(' ');
}

/** Normalizes `text` for `lang`: the tokens joined by single spaces. */
export function normalizeText(text: string, lang: LanguageResources): string {
  let s = text.normalize('NFKC').toLowerCase();
  for (const [pattern, replacement] of lang.rewrites) s = s.replace(pattern, replacement);
  s = s
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .replace(/(\d)\.(?=\d)/g, '$1\uE000')
    .replace(/(^|\s)-(?=\d)/g, '$1\uE001')
    .replace(/[^\p{L}\p{N}\p{M}\uE000\uE001]+/gu, ' ')
    .replaceAll('\uE000', '.')
    .replaceAll('\uE001', '-');
  return s.trim().replace(/\s+/g, ' ');
}
