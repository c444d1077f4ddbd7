/**
 * The intent-tuned language model: the assistant's example-sentence templates (and list entities) sampled into
 * sentences and compiled into a trigram model (ARPA text) for pocketsphinx, so a command the hub can handle is
 * searched for among the sentences it can handle instead of the whole language, while words in another order
 * (back-off) and everyday words in free slots stay possible.
 *
 * - Templates' `(a|b)` and `[optional]` are sampled at random (seeded: the same skills give the same model);
 *   literal words are lowercased, digits spelled out; a sentence with a word the dictionary lacks is dropped.
 * - `{slot:number}`, `{slot:duration}`, `{slot:clock}` are filled with spoken numbers, durations ("five minutes",
 *   "an hour and a half") and clock times ("seven thirty p.m.", "half past six"); a list entity with its values;
 *   any other slot, `*` and dictation with everyday phrases. A few hundred common words are added once each.
 * - {@link spokenToText} turns the recognizer's spelling back into what the intent engine expects (`p.m.` → `pm`).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Vocabulary } from './types.js';

/** A compiled language model: its ARPA text and the words it uses (for a small dictionary). */
export interface CompiledGrammar {
  readonly text: string;
  readonly words: ReadonlySet<string>;
  /** Sentences it was trained on. */
  readonly kept: number;
  readonly dropped: number;
}

const dictionaries = new Map<string, ReadonlyMap<string, string[]>>();

/**
 * The pronunciations of a CMU-style dictionary file (`word PH ON ES`, variants as `word(2)`), read once per path.
 */
export function loadDictionary(path: string): ReadonlyMap<string, string[]> {
  const cached = dictionaries.get(path);
  if (cached !== undefined) return cached;
  const out = new Map<string, string[]>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const word = line.slice(0, space).replace(/\(\d+\)$/, '');
    const phones = line.slice(space + 1).trim();
    const list = out.get(word);
    if (list === undefined) out.set(word, [phones]);
    else list.push(phones);
  }
  dictionaries.set(path, out);
  return out;
}

/** The lines of a dictionary holding only `words` (every variant), for a grammar run that loads fast. */
export function dictionarySubset(dict: ReadonlyMap<string, string[]>, words: Iterable<string>): string {
  const lines: string[] = [];
  for (const word of words) {
    const variants = dict.get(word) ?? [];
    for (const [i, phones] of variants.entries()) {
      lines.push(i === 0 ? `${word} ${phones}` : `${word}(${i + 1}) ${phones}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** 0–19 and the tens, spoken (one string each: the recognizer's spelling). */
const BELOW_TWENTY = (
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen ' +
  'seventeen eighteen nineteen'
).split(' ');
const TENS = '- - twenty thirty forty fifty sixty seventy eighty ninety'.split(' ');

/** `42` → `forty two` (0–999999; longer digit strings are read digit by digit). */
export function numberWords(n: number): string {
  if (n < 20) return BELOW_TWENTY[n]!;
  if (n < 100) return TENS[Math.floor(n / 10)]! + (n % 10 === 0 ? '' : ` ${BELOW_TWENTY[n % 10]}`);
  if (n < 1000) {
    const rest = n % 100;
    return `${BELOW_TWENTY[Math.floor(n / 100)]} hundred${rest === 0 ? '' : ` ${numberWords(rest)}`}`;
  }
  if (n < 1_000_000) {
    const rest = n % 1000;
    return `${numberWords(Math.floor(n / 1000))} thousand${rest === 0 ? '' : ` ${numberWords(rest)}`}`;
  }
  return String(n)
    .split('')
    .map((d) => BELOW_TWENTY[Number(d)])
    .join(' ');
}

/** Everyday words `<free>` can say besides the grammar's own: things to remind of, names, rooms, fillers. */
const COMMON_WORDS =
  `a an the and or but to of in on at for with from by about as is are was be been it this that
these those there here i me my you your we our they them he she his her its what who where when why how which
one two three four five six seven eight nine ten some any all no not yes please thanks thank hello hi hey okay
call buy get take make go come put give bring send pick check clean cook feed water wash pay read write watch
play stop start open close turn switch walk run sleep eat drink meet ask tell say see look find leave
milk bread eggs coffee tea dinner lunch breakfast food groceries shopping medicine pills keys car bus train
doctor dentist meeting appointment work school home office laundry dishes trash garbage bins plants dog cat
mom dad mother father sister brother friend family kids baby grandma grandpa john mary anna peter paul sarah
david alice bob tom emma kitchen bedroom bathroom living room garage garden hall hallway office basement attic
study dining upstairs downstairs front back door window light lights tv music radio news weather
today tomorrow tonight morning afternoon evening night week weekend monday tuesday wednesday thursday friday
saturday sunday january february march april may june july august september october november december
red green blue yellow orange purple pink black white brown grey gray gold silver
again now later soon first last next new old good bad big small long short hot cold warm`
    .split(/\s+/)
    .filter((w) => w !== '');

/** Slot types with built-in fillers (spoken numbers, durations, clock times). */
const TYPED_SLOTS: ReadonlySet<string> = new Set(['number', 'duration', 'clock']);

type Node =
  | { kind: 'word'; text: string }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'opt'; node: Node }
  | { kind: 'rule'; name: string };

/** Parses a template into nodes; slots become filler references (`{x:duration}` → `duration`, else `free`). */
function parse(source: string, slotRule: (type: string | undefined, name: string) => string): Node {
  let pos = 0;
  const alternatives = (close: string): Node => {
    const options = [sequence(close)];
    while (source[pos] === '|') {
      pos++;
      options.push(sequence(close));
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  };
  const sequence = (close: string): Node => {
    const items: Node[] = [];
    let text = '';
    const flush = () => {
      for (const w of text.split(/\s+/)) if (w !== '') items.push({ kind: 'word', text: w });
      text = '';
    };
    while (pos < source.length) {
      const c = source[pos]!;
      if (c === '|' || c === close) break;
      if (c === '(' || c === '[') {
        flush();
        pos++;
        const inner = alternatives(c === '(' ? ')' : ']');
        pos++; // the closing bracket
        items.push(c === '(' ? inner : { kind: 'opt', node: inner });
      } else if (c === '{') {
        flush();
        const end = source.indexOf('}', pos);
        const body = source.slice(pos + 1, end < 0 ? source.length : end);
        pos = end < 0 ? source.length : end + 1;
        const [name, type] = body.split(':');
        items.push({ kind: 'rule', name: slotRule(type, name ?? '') });
      } else if (c === '*') {
        flush();
        pos++;
        items.push({ kind: 'rule', name: 'free' });
      } else {
        text += c;
        pos++;
      }
    }
    flush();
    return items.length === 1 ? items[0]! : { kind: 'seq', items };
  };
  return alternatives('');
}

/** The spoken words of one template word (`7` → `seven`, `what's` stays when the dictionary has it). */
function spokenWords(word: string, has: (w: string) => boolean): string[] | null {
  const w = word.toLowerCase().replace(/[^a-z0-9'.-]/g, '');
  if (w === '') return [];
  if (/^\d+$/.test(w)) return numberWords(Number(w)).split(' ');
  const plain = w.replace(/[.]+$/, '');
  if (has(plain)) return [plain];
  const parts = plain.split(/[-']/).filter((p) => p !== '');
  return parts.length > 0 && parts.every(has) ? parts : null;
}

/** A small deterministic random source (a 32-bit linear congruential generator), so a vocabulary always compiles
 * to the same model. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

const pick = <T>(list: readonly T[], random: () => number): T => list[Math.floor(random() * list.length)]!;

/** What a slot may be filled with when sentences are sampled. */
type Filler = (random: () => number) => string;

const SMALL = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, 25, 30, 40, 45, 50, 60, 90, 100];
const HOURS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const MINUTES = ['fifteen', 'thirty', 'forty five', 'oh five', 'twenty', 'ten', 'fifty'];
const TIME_UNITS = ['seconds', 'minutes', 'hours', 'minute', 'hour', 'days'];
/** Sample phrases for free slots (things to remind of, names, rooms, words to say). */
const FREE_PHRASES = [
  'buy milk',
  'call mom',
  'take the bins out',
  'feed the cat',
  'water the plants',
  'the kitchen',
  'the living room',
  'bedroom',
  'office',
  'hello world',
  'good morning',
  'dinner is ready',
  'pasta',
  'eggs',
  'the laundry',
  'anna',
  'john',
  'peter',
  'the meeting',
  'my medicine',
];

const FILLERS: Readonly<Record<string, Filler>> = {
  number: (r) => numberWords(pick(SMALL, r)),
  duration: (r) =>
    r() < 0.15
      ? pick(['an hour', 'a minute', 'half an hour', 'an hour and a half'], r)
      : `${numberWords(pick(SMALL, r))} ${pick(TIME_UNITS, r)}`,
  clock: (r) => {
    const hour = numberWords(pick(HOURS, r));
    const form = r();
    if (form < 0.3) return hour;
    if (form < 0.6) return `${hour} ${pick(MINUTES, r)}`;
    if (form < 0.75) return `${hour} ${pick(['a.m.', 'p.m.', "o'clock"], r)}`;
    if (form < 0.9) return `${pick(['half past', 'quarter past', 'quarter to'], r)} ${hour}`;
    return pick(['noon', 'midnight'], r);
  },
  free: (r) => pick(FREE_PHRASES, r),
};

/** Sentences per template sampled for the language model. */
const SAMPLES_PER_TEMPLATE = 40;

/** One random path through `node`; null when a word on it is missing from the dictionary. */
function sample(
  node: Node,
  random: () => number,
  fill: (rule: string, random: () => number) => string,
): string[] {
  switch (node.kind) {
    case 'word':
      return [node.text];
    case 'rule':
      return fill(node.name, random).split(' ');
    case 'opt':
      return random() < 0.5 ? [] : sample(node.node, random, fill);
    case 'alt':
      return sample(pick(node.options, random), random, fill);
    case 'seq':
      return node.items.flatMap((item) => sample(item, random, fill));
  }
}

/** The spoken form of a sampled sentence, or null when a word cannot be said with `has`. */
function spoken(tokens: readonly string[], has: (w: string) => boolean): string[] | null {
  const out: string[] = [];
  for (const token of tokens) {
    if (token === '') continue;
    const words = spokenWords(token, has);
    if (words === null) return null;
    out.push(...words);
  }
  return out.length === 0 ? null : out;
}

/**
 * The sentences the assistant can handle, sampled from `vocabulary`: {@link SAMPLES_PER_TEMPLATE} random paths
 * through each template (distinct ones kept), typed slots filled with spoken numbers, durations and clock times, list
 * entities with their values and free slots with everyday phrases. Only words of `dict` are used.
 */
export function sampleSentences(vocabulary: Vocabulary, dict: ReadonlyMap<string, unknown>): string[][] {
  const has = (w: string) => dict.has(w);
  const random = seeded(0x1e1f);
  const fill = (rule: string, r: () => number): string => {
    if (rule.startsWith('entity:')) {
      const values = vocabulary.entities[rule.slice(7)] ?? [];
      return values.length === 0 ? FILLERS.free!(r) : pick(values, r);
    }
    return (FILLERS[rule] ?? FILLERS.free!)(r);
  };
  const slotRule = (type: string | undefined, name: string): string => {
    const key = type ?? name;
    if (TYPED_SLOTS.has(key)) return key;
    return vocabulary.entities[key] === undefined ? 'free' : `entity:${key}`;
  };
  const out: string[][] = [];
  const sources = [
    ...vocabulary.templates.map((t) => t.source),
    ...vocabulary.keywords.flatMap((line) => line.split('|')),
  ];
  for (const source of sources) {
    let node: Node;
    try {
      node = parse(source, slotRule);
    } catch {
      continue;
    }
    const seen = new Set<string>();
    for (let i = 0; i < SAMPLES_PER_TEMPLATE; i++) {
      const words = spoken(sample(node, random, fill), has);
      if (words === null) continue;
      const key = words.join(' ');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(words);
    }
  }
  return out;
}

/** Absolute discount of every seen n-gram count. */
const DISCOUNT = 0.5;

function log10(p: number): string {
  return Math.log10(p).toFixed(4);
}

/**
 * A trigram language model in ARPA text form, with absolute discounting and back-off weights, trained on the
 * sentences the assistant can handle ({@link sampleSentences}) plus every extra word once (so free speech in a slot
 * can still be said). pocketsphinx reads it with `-lm`.
 */
export function compileLanguageModel(
  vocabulary: Vocabulary,
  dict: ReadonlyMap<string, unknown>,
): CompiledGrammar {
  const sentences = sampleSentences(vocabulary, dict);
  const extra = COMMON_WORDS.filter((w) => dict.has(w));
  const counts = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
  const add = (n: number, key: string) => counts[n]!.set(key, (counts[n]!.get(key) ?? 0) + 1);
  for (const words of [...sentences, ...extra.map((w) => [w])]) {
    const s = ['<s>', ...words, '</s>'];
    for (let i = 0; i < s.length; i++) {
      add(0, s[i]!);
      if (i >= 1) add(1, `${s[i - 1]} ${s[i]}`);
      if (i >= 2) add(2, `${s[i - 2]} ${s[i - 1]} ${s[i]}`);
    }
  }
  // Unigrams: add-one over the vocabulary (every word keeps some mass); <s> is only a context.
  const uni = counts[0]!;
  let total = 0;
  for (const [w, c] of uni) if (w !== '<s>') total += c + 1;
  const p1 = new Map<string, number>();
  for (const [w, c] of uni) p1.set(w, w === '<s>' ? 0 : (c + 1) / total);
  // Each history's count and number of distinct followers, per order.
  const histories = (n: number) => {
    const h = new Map<string, { count: number; types: number }>();
    for (const [key, c] of counts[n]!) {
      const hist = key.slice(0, key.lastIndexOf(' '));
      const e = h.get(hist) ?? { count: 0, types: 0 };
      e.count += c;
      e.types += 1;
      h.set(hist, e);
    }
    return h;
  };
  const h2 = histories(1);
  const h3 = histories(2);
  const p2 = new Map<string, number>();
  for (const [key, c] of counts[1]!) {
    const [a, w] = key.split(' ') as [string, string];
    const e = h2.get(a)!;
    p2.set(key, (c - DISCOUNT) / e.count + ((DISCOUNT * e.types) / e.count) * p1.get(w)!);
  }
  const lower2 = (a: string, w: string) => p2.get(`${a} ${w}`) ?? bow1(a) * p1.get(w)!;
  const bow1cache = new Map<string, number>();
  function bow1(a: string): number {
    const cached = bow1cache.get(a);
    if (cached !== undefined) return cached;
    const e = h2.get(a);
    let value = 1;
    if (e !== undefined) {
      let seen = 0;
      let seenLower = 0;
      for (const [key, p] of p2) {
        if (!key.startsWith(`${a} `)) continue;
        seen += p;
        seenLower += p1.get(key.slice(a.length + 1))!;
      }
      value = (1 - seen) / Math.max(1e-9, 1 - seenLower);
    }
    bow1cache.set(a, value);
    return value;
  }
  const p3 = new Map<string, number>();
  for (const [key, c] of counts[2]!) {
    const [a, b, w] = key.split(' ') as [string, string, string];
    const e = h3.get(`${a} ${b}`)!;
    p3.set(key, (c - DISCOUNT) / e.count + ((DISCOUNT * e.types) / e.count) * lower2(b, w));
  }
  const byHistory3 = new Map<string, [number, number]>();
  for (const [key, p] of p3) {
    const hist = key.slice(0, key.lastIndexOf(' '));
    const [, b, w] = key.split(' ') as [string, string, string];
    const e = byHistory3.get(hist) ?? [0, 0];
    e[0] += p;
    e[1] += lower2(b, w);
    byHistory3.set(hist, e);
  }
  const bow2 = (key: string) => {
    const e = byHistory3.get(key);
    return e === undefined ? 1 : (1 - e[0]) / Math.max(1e-9, 1 - e[1]);
  };
  for (const words of [...bow1cache.keys()]) bow1cache.delete(words);
  const lines = [
    '\\data\\',
    `ngram 1=${p1.size}`,
    `ngram 2=${p2.size}`,
    `ngram 3=${p3.size}`,
    '',
    '\\1-grams:',
  ];
  for (const [w, p] of p1) lines.push(`${w === '<s>' ? '-99' : log10(p)} ${w} ${log10(bow1(w))}`);
  lines.push('', '\\2-grams:');
  for (const [key, p] of p2) lines.push(`${log10(p)} ${key} ${log10(bow2(key))}`);
  lines.push('', '\\3-grams:');
  for (const [key, p] of p3) lines.push(`${log10(p)} ${key}`);
  lines.push('', '\\end\\', '');
  const words = new Set<string>([...p1.keys()].filter((w) => w !== '<s>' && w !== '</s>'));
  return { text: lines.join('\n'), words, kept: sentences.length, dropped: 0 };
}

/** The recognizer's spelling as the intent engine reads it: `p.m.` → `pm`, `o'clock` → `oclock` stays readable. */
export function spokenToText(text: string): string {
  return text
    .replace(/\ba\.m\./g, 'am')
    .replace(/\bp\.m\./g, 'pm')
    .replace(/\s+/g, ' ')
    .trim();
}
