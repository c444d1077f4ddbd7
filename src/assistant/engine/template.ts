/**
 * Example-sentence templates, Padatious/Padacioso style, compiled once into a whole-utterance regular expression.
 *
 * Syntax: `(a|b c)` alternatives, `[optional part]` (also `[a|b]`), `{slot}` captures any words, `{slot:type}` captures
 * what the entity `type` allows, `*` matches one or more words. Everything else is literal text, normalized with
 * the language's rules (so `what's` in a template equals `what is` in an utterance).
 *
 * The compiled regex runs on the normalized utterance with a trailing space (`"tell me a joke "`): every unit
 * consumes its words plus one space, which keeps optional parts free of spacing trouble.
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';
import type { LanguageResources } from './lang/types.js';
import { tokenize } from './normalize.js';

type Node =
  | { kind: 'word'; text: string }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'opt'; node: Node }
  | { kind: 'slot'; name: string; type: string | undefined }
  | { kind: 'wild' };

/** A template ready to match. */
export interface CompiledTemplate {
  readonly source: string;
  readonly regex: RegExp;
  /** Regex group name → slot name (a slot may appear in several alternatives). */
  readonly groups: ReadonlyMap<string, string>;
  /** Free (untyped) slots, typed slots and wildcards on the longest path: they lower the confidence of a match. */
  readonly freeSlots: number;
  readonly typedSlots: number;
  readonly wildcards: number;
  /** Any matching utterance contains at least one of these words; `null` when no word is certain. */
  readonly anchors: ReadonlySet<string> | null;
  /** Every literal word of the template. */
  readonly words: ReadonlySet<string>;
  /** Slot-free expansions (token lists), capped; empty when the template has slots or wildcards. */
  readonly samples: readonly (readonly string[])[];
  readonly minTokens: number;
  readonly maxTokens: number;
}

/** How a `{slot:type}` (or a `{slot}` named like an entity) constrains what it captures. */
export type EntityResolver = (name: string) => string | undefined;

/** Most slot-free expansions kept per template for fuzzy matching. */
export const MAX_EXPANSIONS = 64;

/**
 * Compiles `source` for `lang`. `entityPattern(name)` returns the regex source of a typed slot's entity (matching
 * whole normalized words, without the trailing space), or `undefined` for a free slot.
 *
 * @throws HiveLinkError HL_ERR_INVALID_ARGUMENT when the template is malformed, has no literal word, or could match
 *   an empty utterance.
 */
export function compileTemplate(
  source: string,
  lang: LanguageResources,
  entityPattern: EntityResolver = () => undefined,
): CompiledTemplate {
  const root = new Parser(source, lang).parse();
  const groups = new Map<string, string>();
  const counts = { free: 0, typed: 0, wild: 0 };
  const regexBody = toRegex(root, groups, entityPattern, source);
  countCaptures(root, entityPattern, counts);
  const words = new Set<string>();
  collectWords(root, words);
  if (words.size === 0) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `template "${source}" has no literal word`);
  }
  if (minTokens(root) === 0) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `template "${source}" matches an empty utterance`);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`^${regexBody}$`);
  } catch (err) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `template "${source}" does not compile`, {
      cause: err,
    });
  }
  const hasCaptures = counts.free + counts.typed + counts.wild > 0 || groups.size > 0;
  return {
    source,
    regex,
    groups,
    freeSlots: counts.free,
    typedSlots: counts.typed,
    wildcards: counts.wild,
    anchors: anchorsOf(root, lang),
    words,
    samples: hasCaptures ? [] : expand(root, MAX_EXPANSIONS),
    minTokens: minTokens(root),
    maxTokens: maxTokens(root),
  };
}

/** Every expansion of `source` as normalized text, capped at {@link MAX_EXPANSIONS}; slots and wildcards dropped. */
export function expandTemplate(source: string, lang: LanguageResources): string[] {
  const root = new Parser(source, lang).parse();
  return expand(root, MAX_EXPANSIONS)
    .map((tokens) => tokens.join(' '))
    .filter((s) => s !== '');
}

class Parser {
  readonly #src: string;
  readonly #lang: LanguageResources;
  #pos = 0;

  constructor(src: string, lang: LanguageResources) {
    this.#src = src;
    this.#lang = lang;
  }

  parse(): Node {
    const node = this.#alternatives('');
    if (this.#pos < this.#src.length) this.#fail(`unexpected "${this.#src[this.#pos]}"`);
    return node;
  }

  #fail(why: string): never {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `template "${this.#src}": ${why} at ${this.#pos}`);
  }

  /** Alternatives separated by `|` until `close` (or the end when `close` is `''`). */
  #alternatives(close: string): Node {
    const options: Node[] = [this.#sequence(close)];
    while (this.#src[this.#pos] === '|') {
      this.#pos++;
      options.push(this.#sequence(close));
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  #sequence(close: string): Node {
    const items: Node[] = [];
    let text = '';
    const flush = (): void => {
      for (const t of tokenize(text, this.#lang)) items.push({ kind: 'word', text: t });
      text = '';
    };
    while (this.#pos < this.#src.length) {
      const c = this.#src[this.#pos]!;
      if (c === '|' || (close !== '' && c === close)) break;
      if (c === ')' || c === ']') this.#fail(`unbalanced "${c}"`);
      if (c === '(' || c === '[') {
        flush();
        this.#pos++;
        const closer = c === '(' ? ')' : ']';
        const inner = this.#alternatives(closer);
        if (this.#src[this.#pos] !== closer) this.#fail(`missing "${closer}"`);
        this.#pos++;
        items.push(c === '(' ? inner : { kind: 'opt', node: inner });
      } else if (c === '{') {
        flush();
        const end = this.#src.indexOf('}', this.#pos);
        if (end < 0) this.#fail('missing "}"');
        const [rawName = '', rawType] = this.#src.slice(this.#pos + 1, end).split(':');
        const name = rawName.trim().toLowerCase();
        if (!/^[\p{L}\p{N}_-]+$/u.test(name)) this.#fail(`bad slot name "${rawName}"`);
        items.push({ kind: 'slot', name, type: rawType?.trim().toLowerCase() || undefined });
        this.#pos = end + 1;
      } else if (c === '*') {
        flush();
        items.push({ kind: 'wild' });
        this.#pos++;
      } else {
        text += c;
        this.#pos++;
      }
    }
    flush();
    return items.length === 1 ? items[0]! : { kind: 'seq', items };
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toRegex(node: Node, groups: Map<string, string>, entity: EntityResolver, src: string): string {
  switch (node.kind) {
    case 'word':
      return `${escapeRegex(node.text)} `;
    case 'seq':
      return node.items.map((n) => toRegex(n, groups, entity, src)).join('');
    case 'alt':
      return `(?:${node.options.map((n) => toRegex(n, groups, entity, src)).join('|')})`;
    case 'opt':
      return `(?:${toRegex(node.node, groups, entity, src)})?`;
    case 'wild':
      return '(?:\\S+ )+?';
    case 'slot': {
      const group = `g${groups.size}`;
      groups.set(group, node.name);
      const pattern = entity(node.type ?? node.name);
      if (node.type !== undefined && pattern === undefined) {
        throw new HiveLinkError(
          'HL_ERR_INVALID_ARGUMENT',
          `template "${src}": unknown entity "${node.type}"`,
        );
      }
      return pattern === undefined ? `(?<${group}>(?:\\S+ )+?)` : `(?<${group}>(?:${pattern}) )`;
    }
  }
}

function countCaptures(
  node: Node,
  entity: EntityResolver,
  out: { free: number; typed: number; wild: number },
): void {
  switch (node.kind) {
    case 'seq':
      for (const n of node.items) countCaptures(n, entity, out);
      return;
    case 'alt': {
      // The costliest alternative counts.
      let best = { free: 0, typed: 0, wild: 0 };
      for (const n of node.options) {
        const c = { free: 0, typed: 0, wild: 0 };
        countCaptures(n, entity, c);
        if (c.free + c.typed + c.wild > best.free + best.typed + best.wild) best = c;
      }
      out.free += best.free;
      out.typed += best.typed;
      out.wild += best.wild;
      return;
    }
    case 'opt':
      countCaptures(node.node, entity, out);
      return;
    case 'slot':
      if (entity(node.type ?? node.name) === undefined) out.free++;
      else out.typed++;
      return;
    case 'wild':
      out.wild++;
      return;
    case 'word':
      return;
  }
}

function collectWords(node: Node, out: Set<string>): void {
  if (node.kind === 'word') out.add(node.text);
  else if (node.kind === 'seq') for (const n of node.items) collectWords(n, out);
  else if (node.kind === 'alt') for (const n of node.options) collectWords(n, out);
  else if (node.kind === 'opt') collectWords(node.node, out);
}

/** Words of which any match must contain at least one; prefers small sets of content words. */
function anchorsOf(node: Node, lang: LanguageResources): Set<string> | null {
  switch (node.kind) {
    case 'word':
      return new Set([node.text]);
    case 'seq': {
      let best: Set<string> | null = null;
      let bestCost = Number.POSITIVE_INFINITY;
      for (const item of node.items) {
        const a = anchorsOf(item, lang);
        if (a === null) continue;
        let cost = a.size;
        for (const w of a) if (lang.stopwords.has(w)) cost += 100;
        if (cost < bestCost) {
          best = a;
          bestCost = cost;
        }
      }
      return best;
    }
    case 'alt': {
      const all = new Set<string>();
      for (const option of node.options) {
        const a = anchorsOf(option, lang);
        if (a === null) return null;
        for (const w of a) all.add(w);
      }
      return all;
    }
    default:
      return null;
  }
}

function expand(node: Node, cap: number): string[][] {
  switch (node.kind) {
    case 'word':
      return [[node.text]];
    case 'slot':
    case 'wild':
      return [[]];
    case 'opt':
      return [[], ...expand(node.node, cap)].slice(0, cap);
    case 'alt':
      return node.options.flatMap((n) => expand(n, cap)).slice(0, cap);
    case 'seq': {
      let acc: string[][] = [[]];
      for (const item of node.items) {
        const parts = expand(item, cap);
        const next: string[][] = [];
        for (const a of acc) {
          for (const p of parts) {
            if (next.length >= cap) break;
            next.push([...a, ...p]);
          }
        }
        acc = next;
      }
      return acc;
    }
  }
}

function minTokens(node: Node): number {
  switch (node.kind) {
    case 'word':
    case 'slot':
    case 'wild':
      return 1;
    case 'opt':
      return 0;
    case 'seq':
      return node.items.reduce((n, item) => n + minTokens(item), 0);
    case 'alt':
      return Math.min(...node.options.map(minTokens));
  }
}

function maxTokens(node: Node): number {
  switch (node.kind) {
    case 'word':
      return 1;
    case 'slot':
    case 'wild':
      return Number.POSITIVE_INFINITY;
    case 'opt':
      return maxTokens(node.node);
    case 'seq':
      return node.items.reduce((n, item) => n + maxTokens(item), 0);
    case 'alt':
      return Math.max(...node.options.map(maxTokens));
  }
}
