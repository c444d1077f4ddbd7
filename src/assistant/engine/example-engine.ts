/**
 * Example-sentence intents (Padatious/Padacioso style) for one language.
 *
 * Three tiers, best first:
 * 1. **Templates**: the whole normalized utterance matches a compiled template. An exact literal match scores 1.0;
 *    each typed slot costs 0.02, each free slot 0.05 and each wildcard 0.1.
 * 2. **Relaxed templates**: the same after peeling polite fillers ("could you", "please": ×0.97) or correcting a
 *    typo against the known vocabulary (×0.9).
 * 3. **Fuzzy**: bag-of-words similarity against each slot-free expansion: an F-score (recall weighted above
 *    precision) of IDF-weighted words, function words weighing 0.3; the utterance must hold at least 80% of a
 *    sample. Scaled into `0.5 + 0.4·F`, so at best medium. An **out-of-domain guard** rejects an intent unless more
 *    than half of the utterance's content words occur somewhere in that intent's templates, and how-to questions
 *    ("how do i …") are never guessed at.
 *
 * Templates are indexed by anchor words (words every match must contain) and intents by content words, so a match
 * only tests templates that share a word with the utterance.
 *
 * @module
 */
import type { LanguageResources } from './lang/types.js';
import { SpellingIndex } from './spelling.js';
import { type CompiledTemplate, compileTemplate, type EntityResolver } from './template.js';

/** Confidence factor when polite fillers were stripped. */
const FILLER_FACTOR = 0.97;
/** Confidence factor when a word was corrected. */
const TYPO_FACTOR = 0.9;
/** Share of the utterance's content words an intent's vocabulary must exceed for a fuzzy match. */
const MIN_FUZZY_COVERAGE = 0.5;
/** Weight of a function word in fuzzy similarity (content words weigh their IDF, typically 1.5–4). */
const STOPWORD_WEIGHT = 0.3;
/** β² of the fuzzy F-score: recall (how much of a sample the utterance says) weighs more than precision. */
const BETA2 = 2;
/** Share of a sample (by weight) the utterance must contain for a fuzzy match: paraphrases keep most of it. */
const MIN_RECALL = 0.8;
/** Most filler-stripped variants tried per utterance. */
const MAX_VARIANTS = 6;

interface TemplateRef {
  readonly intent: string;
  readonly template: CompiledTemplate;
}

interface IntentEntry {
  readonly name: string;
  /** Per-word weights of each sample, valid for one engine generation. */
  weights?: { generation: number; perSample: Float64Array[]; totals: Float64Array };
  readonly templates: CompiledTemplate[];
  /** Content words of all templates. */
  readonly vocab: Set<string>;
  /** Word sets (content words stemmed) of the slot-free expansions, deduplicated. */
  readonly samples: (readonly string[])[];
}

/** One scored candidate of {@link ExampleEngine.match}. */
export interface ExampleCandidate {
  readonly name: string;
  readonly confidence: number;
  readonly entities: Record<string, string>;
  /** Words taken by slots and wildcards; between equal confidences, fewer wins (the more literal template). */
  readonly captured?: number;
}

/** Example-sentence intents of one language. */
export class ExampleEngine {
  readonly #lang: LanguageResources;
  readonly #intents = new Map<string, IntentEntry>();
  readonly #anchorIndex = new Map<string, Set<TemplateRef>>();
  readonly #unanchored = new Set<TemplateRef>();
  /** Content word → intents whose templates contain it. */
  readonly #contentIndex = new Map<string, Set<string>>();
  #spelling: SpellingIndex | undefined;
  #fillerWords: Set<string> | undefined;
  /** Bumped on every change, so cached sample weights know when they are stale. */
  #generation = 0;

  readonly #prefixes: FillerIndex;
  readonly #suffixes: FillerIndex;

  constructor(lang: LanguageResources) {
    this.#lang = lang;
    this.#prefixes = fillerIndex(lang.prefixFillers, 'start');
    this.#suffixes = fillerIndex(lang.suffixFillers, 'end');
  }

  get size(): number {
    return this.#intents.size;
  }

  /**
   * Adds (or replaces) intent `name` with `samples` (templates). `entity(type)` gives the regex source of a typed
   * slot's entity.
   *
   * @throws HiveLinkError HL_ERR_INVALID_ARGUMENT when a template is malformed (nothing is registered then).
   */
  register(name: string, samples: readonly string[], entity?: EntityResolver): void {
    const templates = samples.map((s) => compileTemplate(s, this.#lang, entity));
    this.remove(name);
    const entry: IntentEntry = { name, templates, vocab: new Set(), samples: [] };
    const seen = new Set<string>();
    for (const template of templates) {
      const ref: TemplateRef = { intent: name, template };
      if (template.anchors === null) this.#unanchored.add(ref);
      else for (const word of template.anchors) addTo(this.#anchorIndex, word, ref);
      for (const word of template.words)
        if (!this.#lang.stopwords.has(word)) entry.vocab.add(this.#stem(word));
      for (const sample of template.samples) {
        const words = [
          ...new Set(sample.map((w) => (this.#lang.stopwords.has(w) ? w : this.#stem(w)))),
        ].sort();
        const key = words.join(' ');
        if (seen.has(key) || words.every((w) => this.#lang.stopwords.has(w))) continue;
        seen.add(key);
        entry.samples.push(words);
      }
    }
    for (const word of entry.vocab) addTo(this.#contentIndex, word, name);
    this.#intents.set(name, entry);
    this.#spelling = undefined;
    this.#generation++;
  }

  /** Removes intent `name`; true when it existed. */
  remove(name: string): boolean {
    const entry = this.#intents.get(name);
    if (entry === undefined) return false;
    for (const template of entry.templates) {
      for (const word of template.anchors ?? []) {
        const set = this.#anchorIndex.get(word);
        if (set === undefined) continue;
        for (const ref of set) if (ref.intent === name) set.delete(ref);
        if (set.size === 0) this.#anchorIndex.delete(word);
      }
    }
    for (const ref of this.#unanchored) if (ref.intent === name) this.#unanchored.delete(ref);
    for (const word of entry.vocab) {
      const set = this.#contentIndex.get(word);
      set?.delete(name);
      if (set?.size === 0) this.#contentIndex.delete(word);
    }
    this.#intents.delete(name);
    this.#spelling = undefined;
    this.#generation++;
    return true;
  }

  /** Every intent matching `tokens` (a normalized utterance), best first; one candidate per intent. */
  match(tokens: readonly string[]): ExampleCandidate[] {
    const best = new Map<string, ExampleCandidate>();
    const keep = (c: ExampleCandidate): void => {
      const prev = best.get(c.name);
      if (
        prev === undefined ||
        c.confidence > prev.confidence ||
        (c.confidence === prev.confidence && (c.captured ?? 0) < (prev.captured ?? 0))
      ) {
        best.set(c.name, c);
      }
    };
    const variants = this.#variants(tokens);
    for (const [i, variant] of variants.entries()) {
      this.#matchTemplates(variant, i === 0 ? 1 : FILLER_FACTOR, keep);
    }
    const corrected = this.#correct(tokens);
    if (corrected !== undefined) {
      for (const variant of this.#variants(corrected)) this.#matchTemplates(variant, TYPO_FACTOR, keep);
    }
    if (!this.#asksHowTo(tokens)) {
      // Fillers are mostly function words: the original and the most stripped variant cover the fuzzy tier.
      const fuzzyVariants = corrected === undefined ? variants : this.#variants(corrected);
      this.#matchFuzzy(fuzzyVariants[0]!, 1, keep);
      if (fuzzyVariants.length > 1) this.#matchFuzzy(fuzzyVariants.at(-1)!, FILLER_FACTOR, keep);
    }
    return [...best.values()].sort((a, b) => b.confidence - a.confidence || a.name.localeCompare(b.name));
  }

  /** `tokens`, then versions with polite fillers peeled off the start and/or the end, least stripped first. */
  #variants(tokens: readonly string[]): (readonly string[])[] {
    const out: { tokens: readonly string[]; cost: number }[] = [];
    const starts = chain(tokens, this.#prefixes, 'start');
    for (const [i, head] of starts.entries()) {
      for (const [j, both] of chain(head, this.#suffixes, 'end').entries()) {
        out.push({ tokens: both, cost: i + j });
      }
    }
    return out
      .sort((a, b) => a.cost - b.cost)
      .slice(0, MAX_VARIANTS)
      .map((v) => v.tokens);
  }

  #matchTemplates(tokens: readonly string[], factor: number, keep: (c: ExampleCandidate) => void): void {
    if (tokens.length === 0) return;
    const refs = new Set<TemplateRef>(this.#unanchored);
    for (const token of new Set(tokens)) for (const ref of this.#anchorIndex.get(token) ?? []) refs.add(ref);
    const text = `${tokens.join(' ')} `;
    for (const { intent, template } of refs) {
      if (tokens.length < template.minTokens || tokens.length > template.maxTokens) continue;
      const m = template.regex.exec(text);
      if (m === null) continue;
      const entities: Record<string, string> = {};
      let captured = 0;
      let capturedWords = 0;
      for (const [group, slot] of template.groups) {
        const value = m.groups?.[group];
        if (value === undefined) continue;
        entities[slot] = value.trimEnd();
        captured++;
        capturedWords += value.split(' ').length - 1;
      }
      // A slot inside an unused alternative captured nothing: charge only what the template could have used.
      const freeSlots = Math.min(template.freeSlots, captured);
      const typedSlots = Math.min(template.typedSlots, captured - freeSlots);
      const base = 1 - 0.05 * freeSlots - 0.02 * typedSlots - 0.1 * template.wildcards;
      keep({ name: intent, confidence: round(base * factor), entities, captured: capturedWords });
    }
  }

  #spellingIndex(): SpellingIndex {
    if (this.#spelling === undefined) {
      const index = new SpellingIndex();
      for (const entry of this.#intents.values()) {
        for (const template of entry.templates) for (const word of template.words) index.add(word);
      }
      this.#spelling = index;
    }
    return this.#spelling;
  }

  /** `tokens` with unknown words replaced by a known word one edit away; `undefined` when nothing changed. */
  #correct(tokens: readonly string[]): string[] | undefined {
    const index = this.#spellingIndex();
    let changed = false;
    const out = tokens.map((t) => {
      const fixed = index.correct(t, (c) => this.#contentIndex.get(this.#stem(c))?.size ?? 0);
      if (fixed === undefined) return t;
      changed = true;
      return fixed;
    });
    return changed ? out : undefined;
  }

  /** True when `tokens` start with a how-to question prefix: the fuzzy tier does not guess at those. */
  #asksHowTo(tokens: readonly string[]): boolean {
    const text = `${tokens.join(' ')} `;
    return this.#lang.howToPrefixes.some((p) => text.startsWith(`${p} `));
  }

  /** A word that carries meaning: no stopword, and no filler word unless some intent uses it. */
  #isContent(word: string): boolean {
    if (this.#lang.stopwords.has(word)) return false;
    if (this.#contentIndex.has(this.#stem(word))) return true;
    if (this.#fillerWords === undefined) {
      this.#fillerWords = new Set(
        [...this.#lang.prefixFillers, ...this.#lang.suffixFillers].flatMap((f) => f.split(' ')),
      );
    }
    return !this.#fillerWords.has(word);
  }

  #stem(word: string): string {
    return this.#lang.stem?.(word) ?? word;
  }

  /** Inverse document frequency over intents; an unknown word weighs like the rarest known one. */
  #idf(word: string): number {
    const df = this.#contentIndex.get(word)?.size ?? 1;
    return Math.log(1 + Math.max(1, this.#intents.size) / df);
  }

  /** The weight of every word of every sample of `entry`, computed once per engine generation. */
  #sampleWeights(entry: IntentEntry): { perSample: Float64Array[]; totals: Float64Array } {
    if (entry.weights?.generation !== this.#generation) {
      const perSample = entry.samples.map(
        (sample) =>
          new Float64Array(sample.map((w) => (this.#lang.stopwords.has(w) ? STOPWORD_WEIGHT : this.#idf(w)))),
      );
      const totals = new Float64Array(perSample.map((ws) => ws.reduce((a, b) => a + b, 0)));
      entry.weights = { generation: this.#generation, perSample, totals };
    }
    return entry.weights;
  }

  #matchFuzzy(tokens: readonly string[], factor: number, keep: (c: ExampleCandidate) => void): void {
    const weights = new Map<string, number>();
    const content: string[] = [];
    for (const t of tokens) {
      const stem = this.#stem(t);
      if (weights.has(stem)) continue;
      if (this.#lang.stopwords.has(t)) weights.set(stem, STOPWORD_WEIGHT);
      else if (this.#isContent(t)) {
        weights.set(stem, this.#idf(stem));
        content.push(stem);
      }
    }
    if (content.length === 0) return;
    let total = 0;
    for (const w of weights.values()) total += w;
    const candidates = new Set<string>();
    for (const w of content) for (const name of this.#contentIndex.get(w) ?? []) candidates.add(name);
    for (const name of candidates) {
      const entry = this.#intents.get(name)!;
      const covered = content.filter((w) => entry.vocab.has(w)).length;
      if (covered / content.length <= MIN_FUZZY_COVERAGE) continue;
      let best = 0;
      const { perSample, totals } = this.#sampleWeights(entry);
      for (const [i, sample] of entry.samples.entries()) {
        const sampleWeights = perSample[i]!;
        let shared = 0;
        let sharedContent = false;
        for (const [k, w] of sample.entries()) {
          if (!weights.has(w)) continue;
          shared += sampleWeights[k]!;
          if (!this.#lang.stopwords.has(w)) sharedContent = true;
        }
        if (!sharedContent) continue;
        const precision = shared / total;
        const recall = shared / totals[i]!;
        if (recall < MIN_RECALL) continue;
        const f = ((1 + BETA2) * precision * recall) / (BETA2 * precision + recall);
        if (f > best) best = f;
      }
      if (best > 0) keep({ name, confidence: round((0.5 + 0.4 * best) * factor), entities: {} });
    }
  }
}

function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

/** Filler phrases as word lists, keyed by the word a match starts from (first word at the start, last at the end). */
type FillerIndex = ReadonlyMap<string, readonly (readonly string[])[]>;

/** Indexes `fillers` for stripping at `where`, longest first. */
function fillerIndex(fillers: readonly string[], where: 'start' | 'end'): FillerIndex {
  const index = new Map<string, string[][]>();
  for (const filler of fillers) {
    const words = filler.split(' ').filter((w) => w !== '');
    if (words.length === 0) continue;
    const key = where === 'start' ? words[0]! : words[words.length - 1]!;
    const list = index.get(key) ?? [];
    list.push(words);
    index.set(key, list);
  }
  for (const list of index.values()) list.sort((a, b) => b.length - a.length);
  return index;
}

/** `tokens`, then `tokens` with one, two, … fillers stripped at `where`. */
function chain(
  tokens: readonly string[],
  fillers: FillerIndex,
  where: 'start' | 'end',
): (readonly string[])[] {
  const out: (readonly string[])[] = [tokens];
  let cur: readonly string[] | undefined = tokens;
  while (out.length < MAX_VARIANTS) {
    cur = stripFiller(cur, fillers, where);
    if (cur === undefined) break;
    out.push(cur);
  }
  return out;
}

/** `tokens` without the longest filler phrase at `where` (never all of them); `undefined` when none applies. */
function stripFiller(
  tokens: readonly string[],
  fillers: FillerIndex,
  where: 'start' | 'end',
): readonly string[] | undefined {
  const edge = where === 'start' ? tokens[0] : tokens[tokens.length - 1];
  for (const words of fillers.get(edge ?? '') ?? []) {
    if (words.length >= tokens.length) continue;
    const offset = where === 'start' ? 0 : tokens.length - words.length;
    if (words.every((w, i) => tokens[offset + i] === w)) {
      return where === 'start' ? tokens.slice(words.length) : tokens.slice(0, tokens.length - words.length);
    }
  }
  return undefined;
}
