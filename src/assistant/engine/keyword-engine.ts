/**
 * Keyword intents (Adapt style) for one language.
 *
 * Vocabularies are lines of synonyms (template syntax `(a|b)` / `[opt]` expands; the first variant is the canonical
 * value). Regex entities tag the named groups they capture. An intent lists vocabulary types it `requires`, types it
 * takes if present (`optional`), groups of which at least one must be present (`oneOf`), and types that must be
 * absent (`excludes`). Confidence is the share of the utterance the chosen tags explain: characters of tagged words
 * over characters of all words, function words counting half.
 *
 * Types and intents live in a namespace (the skill), so two skills may each have a `Time` vocabulary.
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';
import type { LanguageResources } from './lang/types.js';
import { expandTemplate } from './template.js';
import type { KeywordTag } from './types.js';

/** A keyword intent as a skill declares it (types without namespace). */
export interface KeywordIntentSpec {
  readonly requires?: readonly string[];
  readonly optional?: readonly string[];
  readonly oneOf?: readonly (readonly string[])[];
  readonly excludes?: readonly string[];
}

interface Phrase {
  readonly tokens: readonly string[];
  readonly type: string;
  readonly value: string;
}

interface RegexEntity {
  readonly namespace: string;
  readonly regex: RegExp;
  /** Group name in the regex → plain type name. */
  readonly groups: ReadonlyMap<string, string>;
}

interface Intent {
  readonly name: string;
  readonly namespace: string;
  readonly requires: readonly string[];
  readonly optional: readonly string[];
  readonly oneOf: readonly (readonly string[])[];
  readonly excludes: readonly string[];
}

interface Tag extends KeywordTag {
  /** Namespaced type. */
  readonly type: string;
  /** Token span the tag explains (a regex tag also explains the literal words around its group). */
  readonly coverStart: number;
  readonly coverEnd: number;
}

/** One scored candidate of {@link KeywordEngine.match}. */
export interface KeywordCandidate {
  readonly name: string;
  readonly confidence: number;
  readonly tags: readonly KeywordTag[];
}

const ns = (namespace: string, type: string): string => `${namespace}\u0000${type}`;

/** Keyword intents of one language. */
export class KeywordEngine {
  readonly #lang: LanguageResources;
  readonly #phrases = new Map<string, Phrase[]>();
  readonly #regexes: RegexEntity[] = [];
  readonly #intents = new Map<string, Intent>();
  /** Namespaced type → intents that cannot match without it. */
  readonly #trigger = new Map<string, Set<string>>();

  constructor(lang: LanguageResources) {
    this.#lang = lang;
  }

  get size(): number {
    return this.#intents.size;
  }

  /**
   * Adds vocabulary `type` of `namespace`: each line is a synonym group (template syntax allowed).
   *
   * @throws HiveLinkError HL_ERR_INVALID_ARGUMENT when a line is malformed.
   */
  registerVocab(namespace: string, type: string, lines: readonly string[]): void {
    const key = ns(namespace, type);
    for (const line of lines) {
      const variants = expandTemplate(line, this.#lang);
      const value = variants[0];
      if (value === undefined) continue;
      for (const variant of variants) {
        const tokens = variant.split(' ');
        const list = this.#phrases.get(tokens[0]!) ?? [];
        if (!list.some((p) => p.type === key && p.tokens.join(' ') === variant)) {
          list.push({ tokens, type: key, value });
        }
        this.#phrases.set(tokens[0]!, list);
      }
    }
  }

  /**
   * Adds a regex entity of `namespace`; each named group (`(?<Name>…)`, or Python's `(?P<Name>…)`) tags type
   * `Name`. It runs case-insensitively on the normalized utterance.
   *
   * @throws HiveLinkError HL_ERR_INVALID_ARGUMENT when the pattern does not compile or has no named group.
   */
  registerRegex(namespace: string, pattern: string): void {
    const groups = new Map<string, string>();
    let index = 0;
    const source = pattern.replace(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g, (_m, name: string) => {
      const group = `k${index++}`;
      groups.set(group, name);
      return `(?<${group}>`;
    });
    if (groups.size === 0) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `regex entity "${pattern}" has no named group`);
    }
    let regex: RegExp;
    try {
      regex = new RegExp(source, 'id');
    } catch (err) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `regex entity "${pattern}" does not compile`, {
        cause: err,
      });
    }
    this.#regexes.push({ namespace, regex, groups });
  }

  /**
   * Adds (or replaces) keyword intent `name` of `namespace`.
   *
   * @throws HiveLinkError HL_ERR_INVALID_ARGUMENT when the intent neither requires a type nor has a `oneOf` group.
   */
  registerIntent(namespace: string, name: string, spec: KeywordIntentSpec): void {
    const requires = (spec.requires ?? []).map((t) => ns(namespace, t));
    const oneOf = (spec.oneOf ?? []).filter((g) => g.length > 0).map((g) => g.map((t) => ns(namespace, t)));
    const triggers = requires.length > 0 ? [requires[0]!] : (oneOf[0] ?? []);
    if (triggers.length === 0) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `keyword intent "${name}" requires no keyword`);
    }
    this.removeIntent(name);
    this.#intents.set(name, {
      name,
      namespace,
      requires,
      oneOf,
      optional: (spec.optional ?? []).map((t) => ns(namespace, t)),
      excludes: (spec.excludes ?? []).map((t) => ns(namespace, t)),
    });
    for (const t of triggers) {
      const set = this.#trigger.get(t) ?? new Set();
      set.add(name);
      this.#trigger.set(t, set);
    }
  }

  /** Removes intent `name`; true when it existed. */
  removeIntent(name: string): boolean {
    if (!this.#intents.delete(name)) return false;
    for (const [t, set] of this.#trigger) {
      set.delete(name);
      if (set.size === 0) this.#trigger.delete(t);
    }
    return true;
  }

  /** Removes every vocabulary, regex and intent of `namespace`. */
  removeNamespace(namespace: string): void {
    for (const intent of [...this.#intents.values()]) {
      if (intent.namespace === namespace) this.removeIntent(intent.name);
    }
    const prefix = ns(namespace, '');
    for (const [first, list] of this.#phrases) {
      const kept = list.filter((p) => !p.type.startsWith(prefix));
      if (kept.length === 0) this.#phrases.delete(first);
      else this.#phrases.set(first, kept);
    }
    for (let i = this.#regexes.length - 1; i >= 0; i--) {
      if (this.#regexes[i]!.namespace === namespace) this.#regexes.splice(i, 1);
    }
  }

  /** Every intent matching `tokens` (a normalized utterance), best first. */
  match(tokens: readonly string[]): KeywordCandidate[] {
    if (tokens.length === 0) return [];
    const tags = this.#tag(tokens);
    const names = new Set<string>();
    for (const tag of tags) for (const name of this.#trigger.get(tag.type) ?? []) names.add(name);
    const out: KeywordCandidate[] = [];
    for (const name of names) {
      const used = this.#evaluate(this.#intents.get(name)!, tags);
      if (used === undefined) continue;
      out.push({
        name,
        confidence: this.#coverage(tokens, used),
        tags: used.map(({ key, match, value, startToken, endToken }) => ({
          key,
          match,
          value,
          startToken,
          endToken,
        })),
      });
    }
    return out.sort((a, b) => b.confidence - a.confidence || a.name.localeCompare(b.name));
  }

  #tag(tokens: readonly string[]): Tag[] {
    const tags: Tag[] = [];
    for (let i = 0; i < tokens.length; i++) {
      for (const phrase of this.#phrases.get(tokens[i]!) ?? []) {
        const end = i + phrase.tokens.length - 1;
        if (end >= tokens.length || !phrase.tokens.every((t, k) => tokens[i + k] === t)) continue;
        const key = phrase.type.slice(phrase.type.indexOf('\u0000') + 1);
        const match = phrase.tokens.join(' ');
        tags.push({
          type: phrase.type,
          key,
          match,
          value: phrase.value,
          startToken: i,
          endToken: end,
          coverStart: i,
          coverEnd: end,
        });
      }
    }
    if (this.#regexes.length === 0) return tags;
    const text = tokens.join(' ');
    // Token index of each character offset.
    const tokenAt: number[] = [];
    for (const [i, t] of tokens.entries()) for (let k = 0; k <= t.length; k++) tokenAt.push(i);
    for (const { namespace, regex, groups } of this.#regexes) {
      const m = regex.exec(text);
      if (m === null || m.indices === undefined) continue;
      const [whole0, whole1] = m.indices[0]!;
      for (const [group, name] of groups) {
        const span = m.indices.groups?.[group];
        const value = m.groups?.[group]?.trim();
        if (span === undefined || value === undefined || value === '') continue;
        const startToken = tokenAt[span[0]] ?? 0;
        const endToken = tokenAt[Math.max(span[0], span[1] - 1)] ?? tokens.length - 1;
        tags.push({
          type: ns(namespace, name),
          key: name,
          match: tokens.slice(startToken, endToken + 1).join(' '),
          value,
          startToken,
          endToken,
          coverStart: tokenAt[whole0] ?? startToken,
          coverEnd: tokenAt[Math.max(whole0, whole1 - 1)] ?? endToken,
        });
      }
    }
    return tags;
  }

  /** The tags `intent` uses, or `undefined` when it does not match. */
  #evaluate(intent: Intent, tags: readonly Tag[]): Tag[] | undefined {
    for (const t of tags) if (intent.excludes.includes(t.type)) return undefined;
    const used: Tag[] = [];
    const pick = (types: readonly string[]): Tag | undefined => {
      let best: Tag | undefined;
      for (const t of tags) {
        if (!types.includes(t.type)) continue;
        if (used.some((u) => t.startToken <= u.endToken && u.startToken <= t.endToken)) continue;
        if (best === undefined || t.endToken - t.startToken > best.endToken - best.startToken) best = t;
      }
      if (best !== undefined) used.push(best);
      return best;
    };
    for (const type of intent.requires) if (pick([type]) === undefined) return undefined;
    for (const group of intent.oneOf) if (pick(group) === undefined) return undefined;
    for (const type of intent.optional) pick([type]);
    return used;
  }

  #coverage(tokens: readonly string[], used: readonly Tag[]): number {
    const covered = new Set<number>();
    for (const t of used) for (let i = t.coverStart; i <= t.coverEnd; i++) covered.add(i);
    let explained = 0;
    let total = 0;
    for (const [i, token] of tokens.entries()) {
      if (covered.has(i)) {
        explained += token.length;
        total += token.length;
      } else {
        total += this.#lang.stopwords.has(token) ? token.length / 2 : token.length;
      }
    }
    return total === 0 ? 0 : Math.round((explained / total) * 10000) / 10000;
  }
}
