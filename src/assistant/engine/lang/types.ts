/**
 * What the intent engine needs to know about one language: how to normalize text, which words carry little meaning,
 * and which polite wrappers ("could you", "please") may be peeled off an utterance before matching.
 *
 * @module
 */

/** Per-language text resources of the intent engine. */
export interface LanguageResources {
  /** Primary BCP-47 subtag, lowercase (`en`). */
  readonly code: string;
  /** Rewrites applied to lowercased text before punctuation is stripped (contractions, symbols). In order. */
  readonly rewrites: readonly (readonly [RegExp, string])[];
  /** Function words: they count little when measuring how much of an utterance a match explains. */
  readonly stopwords: ReadonlySet<string>;
  /** Phrases (normalized, space-separated) that may be stripped from the start of an utterance. */
  readonly prefixFillers: readonly string[];
  /** Phrases (normalized, space-separated) that may be stripped from the end of an utterance. */
  readonly suffixFillers: readonly string[];
  /**
   * Normalized prefixes of questions *about* doing something ("how do i", "how to"): such utterances ask for advice,
   * not for the action, so the fuzzy tier never guesses at them (exact templates still match).
   */
  readonly howToPrefixes: readonly string[];
  /** Reduces a word to a crude stem for fuzzy comparison (`jokes` → `joke`); identity when absent. */
  readonly stem?: (word: string) => string;
}

/** Resources for a language the engine has no special knowledge of: no rewrites, no stopwords, no fillers. */
export function genericLanguage(code: string): LanguageResources {
  return {
    code,
    rewrites: [],
    stopwords: new Set(),
    prefixFillers: [],
    suffixFillers: [],
    howToPrefixes: [],
  };
}
