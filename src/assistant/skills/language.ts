/**
 * Helpers for skills whose code (not only their `locale` data) reads or words things per language: pick the kit
 * of a turn's language once per tag, and say a list the language's way.
 *
 * @module
 */
import { langFallbacks } from '../engine/lang/index.js';

/** Most tags remembered per kit (a hub sees a handful of languages). */
const MAX_TAGS = 64;

/**
 * A lookup from a turn's language to a kit: `make[primary](tag)` for the primary subtag of `lang` (so `pt-BR` and
 * `pt-PT` share Portuguese code but each gets its own `Intl` data), else `fallback`; built once per tag.
 */
export function perLanguage<T>(
  make: Readonly<Record<string, (tag: string) => T>>,
  fallback: T,
): (lang: string) => T {
  const cache = new Map<string, T>();
  return (lang) => {
    const tag = langFallbacks(lang)[0] ?? 'en';
    let found = cache.get(tag);
    if (found === undefined) {
      const build = make[tag.split('-')[0]!];
      found = build === undefined ? fallback : build(tag);
      if (cache.size < MAX_TAGS) cache.set(tag, found);
    }
    return found;
  };
}

/** "a, b e c" / "a, b y c": a list joined the way `lang` says it (`Intl.ListFormat`). */
export function intlList(lang: string): (items: readonly string[]) => string {
  let list: Intl.ListFormat;
  try {
    list = new Intl.ListFormat(lang, { type: 'conjunction' });
  } catch {
    list = new Intl.ListFormat('en', { type: 'conjunction' });
  }
  return (items) => list.format(items);
}
