/**
 * The intent engine: example-sentence and keyword intents, registered per language, matched with OVOS confidence
 * tiers. A lookup for `en-US` uses the registrations made for `en-us` and for `en`.
 *
 * @example
 * ```ts
 * const engine = new IntentEngine();
 * engine.registerExamples('en', 'hivelink-joke.hivelink:joke.intent', ['tell me a (joke|funny story)']);
 * engine.match('could you tell me a joke', 'en-US')[0]?.name; // 'hivelink-joke.hivelink:joke.intent'
 * ```
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';
import { ExampleEngine } from './example-engine.js';
import { KeywordEngine, type KeywordIntentSpec } from './keyword-engine.js';
import { langFallbacks, languageResources, normalizeLangTag } from './lang/index.js';
import type { LanguageResources } from './lang/types.js';
import { normalizeText, tokenize } from './normalize.js';
import { expandTemplate } from './template.js';
import {
  DEFAULT_THRESHOLDS,
  type IntentMatch,
  type MatcherKind,
  type Tier,
  type TierThresholds,
} from './types.js';

/** A slot entity: the values it accepts (template syntax allowed), or a regex source over normalized words. */
export type EntityDefinition = readonly string[] | { readonly pattern: string };

/** Construction options of {@link IntentEngine}. */
export interface IntentEngineInit {
  /** Tier thresholds per matcher. @default OVOS's: examples 0.95/0.8/0.5, keywords 0.65/0.45/0.25 */
  thresholds?: Partial<Record<MatcherKind, Partial<TierThresholds>>>;
  /** Utterances with more words than this match nothing (bounds the cost of a match). @default 50 */
  maxUtteranceWords?: number;
}

/** Per-call options of {@link IntentEngine.match}. */
export interface MatchOptions {
  /** Candidates for which this returns true are left out (blacklists). */
  skip?: (name: string) => boolean;
}

interface LangEngines {
  readonly resources: LanguageResources;
  readonly examples: ExampleEngine;
  readonly keywords: KeywordEngine;
}

/** Example-sentence and keyword intents for any number of languages. */
export class IntentEngine {
  readonly #langs = new Map<string, LangEngines>();
  readonly #thresholds: Record<MatcherKind, TierThresholds>;
  readonly #maxWords: number;

  constructor(init: IntentEngineInit = {}) {
    this.#thresholds = {
      examples: { ...DEFAULT_THRESHOLDS.examples, ...init.thresholds?.examples },
      keywords: { ...DEFAULT_THRESHOLDS.keywords, ...init.thresholds?.keywords },
    };
    this.#maxWords = init.maxUtteranceWords ?? 50;
    if (!Number.isSafeInteger(this.#maxWords) || this.#maxWords < 1) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'maxUtteranceWords must be a whole number >= 1');
    }
  }

  /** The tier of a `matcher` confidence, or `undefined` below the low threshold. */
  tierOf(matcher: MatcherKind, confidence: number): Tier | undefined {
    const t = this.#thresholds[matcher];
    if (confidence >= t.high) return 'high';
    if (confidence >= t.medium) return 'medium';
    if (confidence >= t.low) return 'low';
    return undefined;
  }

  /** Language tags with registrations. */
  languages(): string[] {
    return [...this.#langs.keys()];
  }

  /**
   * Registers example-sentence intent `name` for `lang` with template `samples`; `entities` constrain typed slots.
   *
   * @throws HiveLinkError HL_ERR_INVALID_ARGUMENT on a malformed template or entity.
   */
  registerExamples(
    lang: string,
    name: string,
    samples: readonly string[],
    entities: Readonly<Record<string, EntityDefinition>> = {},
  ): void {
    const engines = this.#engines(lang);
    const compiled = new Map<string, string>();
    for (const [entity, def] of Object.entries(entities)) {
      compiled.set(entity.toLowerCase(), entitySource(entity, def, engines.resources));
    }
    engines.examples.register(name, samples, (type) => compiled.get(type));
  }

  /** Registers a keyword vocabulary (lines of synonyms) of `namespace` for `lang`. */
  registerVocab(lang: string, namespace: string, type: string, lines: readonly string[]): void {
    this.#engines(lang).keywords.registerVocab(namespace, type, lines);
  }

  /** Registers a regex entity of `namespace` for `lang`; named groups tag keyword types. */
  registerRegex(lang: string, namespace: string, pattern: string): void {
    this.#engines(lang).keywords.registerRegex(namespace, pattern);
  }

  /** Registers keyword intent `name` of `namespace` for `lang`. */
  registerKeywords(lang: string, namespace: string, name: string, spec: KeywordIntentSpec): void {
    this.#engines(lang).keywords.registerIntent(namespace, name, spec);
  }

  /** Removes intent `name` in every language; true when it existed somewhere. */
  remove(name: string): boolean {
    let found = false;
    for (const e of this.#langs.values()) {
      if (e.examples.remove(name)) found = true;
      if (e.keywords.removeIntent(name)) found = true;
    }
    return found;
  }

  /** Removes the keyword vocabularies, regexes and intents of `namespace` in every language. */
  removeNamespace(namespace: string): void {
    for (const e of this.#langs.values()) e.keywords.removeNamespace(namespace);
  }

  /**
   * Every intent matching `utterance` in `lang` (and its fallbacks), at least at the low tier, best first (by tier,
   * then confidence). Never throws on any input.
   */
  match(utterance: string, lang: string, options: MatchOptions = {}): IntentMatch[] {
    const best = new Map<string, IntentMatch>();
    // Far longer than any utterance of maxWords words: not worth normalizing.
    if (typeof utterance !== 'string' || utterance.length > this.#maxWords * 64) return [];
    for (const tag of langFallbacks(lang)) {
      const engines = this.#langs.get(tag);
      if (engines === undefined) continue;
      const tokens = tokenize(utterance, engines.resources);
      if (tokens.length === 0 || tokens.length > this.#maxWords) continue;
      const consider = (m: Omit<IntentMatch, 'tier'>): void => {
        if (options.skip?.(m.name) === true) return;
        const tier = this.tierOf(m.matcher, m.confidence);
        if (tier === undefined) return;
        const prev = best.get(m.name);
        if (prev === undefined || rank(tier, m.confidence) > rank(prev.tier, prev.confidence)) {
          best.set(m.name, { ...m, tier });
        }
      };
      for (const c of engines.examples.match(tokens)) {
        consider({
          name: c.name,
          confidence: c.confidence,
          entities: c.entities,
          matcher: 'examples',
          tags: [],
          utterance,
        });
      }
      for (const c of engines.keywords.match(tokens)) {
        const entities: Record<string, string> = {};
        for (const t of c.tags) entities[t.key] = t.match;
        consider({ ...c, matcher: 'keywords', entities, utterance });
      }
    }
    return [...best.values()].sort(
      (a, b) => rank(b.tier, b.confidence) - rank(a.tier, a.confidence) || a.name.localeCompare(b.name),
    );
  }

  /**
   * The intent the default OVOS pipeline would pick among the intent stages: example intents high, keyword intents
   * high, example intents medium, keyword intents medium. `undefined` when none qualifies.
   */
  bestMatch(utterance: string, lang: string, options: MatchOptions = {}): IntentMatch | undefined {
    const all = this.match(utterance, lang, options);
    for (const [matcher, tier] of PIPELINE_ORDER) {
      const found = all.find((m) => m.matcher === matcher && m.tier === tier);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Normalizes `text` the way `lang`'s matchers see it. */
  normalize(text: string, lang: string): string {
    return normalizeText(text, languageResources(lang));
  }

  #engines(lang: string): LangEngines {
    const tag = normalizeLangTag(lang);
    if (tag === '')
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `"${String(lang)}" is not a language tag`);
    let engines = this.#langs.get(tag);
    if (engines === undefined) {
      const resources = languageResources(tag);
      engines = { resources, examples: new ExampleEngine(resources), keywords: new KeywordEngine(resources) };
      this.#langs.set(tag, engines);
    }
    return engines;
  }
}

const TIER_RANK: Record<Tier, number> = { high: 2, medium: 1, low: 0 };

const PIPELINE_ORDER: readonly (readonly [MatcherKind, Tier])[] = [
  ['examples', 'high'],
  ['keywords', 'high'],
  ['examples', 'medium'],
  ['keywords', 'medium'],
];

function rank(tier: Tier, confidence: number): number {
  return TIER_RANK[tier] * 10 + confidence;
}

function entitySource(name: string, def: EntityDefinition, lang: LanguageResources): string {
  if ('pattern' in def && typeof def.pattern === 'string') {
    const source = def.pattern.replace(/\(\?P?<(?![=!])[A-Za-z_][A-Za-z0-9_]*>/g, '(?:');
    try {
      new RegExp(source);
    } catch (err) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `entity "${name}" pattern does not compile`, {
        cause: err,
      });
    }
    return source;
  }
  const values = new Set<string>();
  for (const line of def as readonly string[]) {
    for (const v of expandTemplate(line, lang)) values.add(v);
  }
  if (values.size === 0) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `entity "${name}" has no value`);
  return [...values]
    .sort((a, b) => b.length - a.length)
    .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|');
}
