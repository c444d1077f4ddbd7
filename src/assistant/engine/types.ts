/**
 * Shared types of the intent engine.
 *
 * @module
 */

/** Which matcher produced a match: example sentences (Padatious-like) or keywords (Adapt-like). */
export type MatcherKind = 'examples' | 'keywords';

/** OVOS confidence tiers. A match below `low` is no match. */
export type Tier = 'high' | 'medium' | 'low';

/** Tier thresholds of one matcher. */
export interface TierThresholds {
  readonly high: number;
  readonly medium: number;
  readonly low: number;
}

/** OVOS's defaults: Padatious `0.95/0.8/0.5`, Adapt `0.65/0.45/0.25` (docs/PROTOCOL.md §B3.3). */
export const DEFAULT_THRESHOLDS: Readonly<Record<MatcherKind, TierThresholds>> = {
  examples: { high: 0.95, medium: 0.8, low: 0.5 },
  keywords: { high: 0.65, medium: 0.45, low: 0.25 },
};

/** A keyword (vocabulary or regex) found in an utterance. */
export interface KeywordTag {
  /** The vocabulary type (e.g. `Joke`) or regex group name, without any skill prefix. */
  readonly key: string;
  /** The words of the utterance that matched. */
  readonly match: string;
  /** The canonical value: the first synonym of the vocabulary line, or the regex capture. */
  readonly value: string;
  readonly startToken: number;
  readonly endToken: number;
}

/** One candidate intent for an utterance. */
export interface IntentMatch {
  /** The registered intent name (`skill_id:Name`). */
  readonly name: string;
  readonly matcher: MatcherKind;
  readonly confidence: number;
  readonly tier: Tier;
  /** Slot captures (examples) or matched keywords (keywords), by plain name. */
  readonly entities: Readonly<Record<string, string>>;
  /** The keyword tags used (keywords only). */
  readonly tags: readonly KeywordTag[];
  /** The utterance alternative that matched, as received. */
  readonly utterance: string;
}
