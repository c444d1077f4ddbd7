/**
 * Mutations of valid frames, in three layers:
 *
 * - {@link mutateBytes}: AFL-style havoc on raw bytes — bit flips, interesting bytes, inserts, deletes, truncation,
 *   repeats, splicing with another valid frame, garbage;
 * - {@link mutateText}: the same on UTF-16 code units and on tokens JSON cares about (quotes, brackets, escapes,
 *   lone surrogates, huge or odd numbers), so broken JSON and odd-but-valid JSON both come out;
 * - {@link mutateValue}: on a parsed JSON tree — a node replaced by a value of the wrong type, a huge number, a
 *   long or odd unicode string, deep nesting, a key added, removed or renamed (`__proto__` included), a subtree
 *   swapped with one of another frame.
 *
 * Everything is drawn from the {@link Rng} passed in, so an input is rebuilt from its seed alone.
 *
 * @module
 */

import { concatBytes } from '../../src/protocol/bytes.js';
import type { Rng } from './rng.js';

const INTERESTING_BYTES = [
  0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x20, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a,
];

/** Bytes mutated by 1–8 stacked havoc steps; `others` are valid frames to splice from. */
export function mutateBytes(rng: Rng, input: Uint8Array, others: readonly Uint8Array[] = []): Uint8Array {
  let out: Uint8Array = input.slice();
  const steps = 1 + rng.small(7);
  for (let s = 0; s < steps; s++) out = byteStep(rng, out, others);
  return out;
}

function byteStep(rng: Rng, b: Uint8Array, others: readonly Uint8Array[]): Uint8Array {
  const n = b.length;
  switch (rng.int(12)) {
    case 0: {
      // flip 1-4 bits
      if (n === 0) return rng.bytes(1);
      const out = b.slice();
      for (let k = 1 + rng.int(4); k > 0; k--) {
        const bit = rng.int(n * 8);
        out[bit >> 3]! ^= 0x80 >> (bit & 7);
      }
      return out;
    }
    case 1: {
      // interesting byte
      if (n === 0) return Uint8Array.of(rng.pick(INTERESTING_BYTES));
      const out = b.slice();
      out[rng.int(n)] = rng.pick(INTERESTING_BYTES);
      return out;
    }
    case 2: {
      // random byte
      if (n === 0) return rng.bytes(1);
      const out = b.slice();
      out[rng.int(n)] = rng.u32() & 0xff;
      return out;
    }
    case 3:
      // truncate the tail
      return b.subarray(0, rng.int(n + 1)).slice();
    case 4:
      // drop the head
      return b.subarray(rng.int(n + 1)).slice();
    case 5: {
      // delete a range
      const at = rng.int(n + 1);
      const len = rng.small(Math.max(0, n - at));
      return concat(b.subarray(0, at), b.subarray(at + len));
    }
    case 6: {
      // insert random bytes
      const at = rng.int(n + 1);
      return concat(b.subarray(0, at), rng.bytes(1 + rng.small(64)), b.subarray(at));
    }
    case 7: {
      // repeat a range (grows the frame)
      if (n === 0) return b;
      const at = rng.int(n);
      const len = 1 + rng.small(Math.min(64, n - at - 1));
      const chunk = b.subarray(at, at + len);
      const times = 1 + rng.small(200);
      const parts: Uint8Array[] = [b.subarray(0, at)];
      for (let i = 0; i < times; i++) parts.push(chunk);
      parts.push(b.subarray(at));
      return concat(...parts);
    }
    case 8: {
      // splice: a prefix of this frame, the tail of another
      if (others.length === 0) return b;
      const other = rng.pick(others);
      return concat(b.subarray(0, rng.int(n + 1)), other.subarray(rng.int(other.length + 1)));
    }
    case 9: {
      // overwrite a range with a slice of another frame
      if (others.length === 0 || n === 0) return b;
      const other = rng.pick(others);
      const at = rng.int(n);
      const from = rng.int(other.length + 1);
      const slice = other.subarray(from, from + rng.small(n - at));
      const out = b.slice();
      out.set(slice, at);
      return out;
    }
    case 10: {
      // 16/32-bit edge values at a random offset
      if (n < 4) return b;
      const out = b.slice();
      const at = rng.int(n - 3);
      const v = rng.pick([0, 0xffffffff, 0x7fffffff, 0x80000000, 0xffff, 0x8000, 255, 256]);
      new DataView(out.buffer).setUint32(at, v >>> 0, rng.chance(0.5));
      return out;
    }
    default:
      // plain garbage
      return rng.bytes(rng.small(4096));
  }
}

/** Joins byte arrays (the one join of `src/protocol/bytes.ts`, spread for the mutators). */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  '"',
  '\\',
  ':',
  ',',
  'null',
  'true',
  '-0',
  '1e308',
  '-1e999',
  '1e-400',
  '9007199254740993',
  '123456789012345678901234567890',
  '0x10',
  'NaN',
  'Infinity',
  '\\u0000',
  '\\ud800',
  '\\udfff\\ud800',
  '\\u',
  '\\x41',
  '\u0000',
  '\ud800',
  '\udc00',
  '\u202e',
  '\ufeff',
  '\u{1f600}',
  '__proto__',
  '"__proto__": {}',
  '"msg_type": "bus"',
  '"payload": {}',
  '"msg_type": "bin"',
  '"msg_type": "propagate"',
  '"type": 1',
  '"ciphertext": ""',
  '"tag": null',
  '"noise": {"msg": "00"}',
];

/** Text mutated by 1–6 stacked steps on code units and JSON tokens. */
export function mutateText(rng: Rng, input: string, others: readonly string[] = []): string {
  let out = input;
  const steps = 1 + rng.small(5);
  for (let s = 0; s < steps; s++) out = textStep(rng, out, others);
  return out;
}

function textStep(rng: Rng, t: string, others: readonly string[]): string {
  const n = t.length;
  const at = rng.int(n + 1);
  switch (rng.int(10)) {
    case 0:
      return t.slice(0, at) + rng.pick(TOKENS) + t.slice(at);
    case 1:
      return t.slice(0, at) + t.slice(at + 1 + rng.small(16));
    case 2:
      return t.slice(0, at);
    case 3: {
      // replace one code unit by a random one (lone surrogates included)
      if (n === 0) return String.fromCharCode(rng.int(0x10000));
      const i = rng.int(n);
      return t.slice(0, i) + String.fromCharCode(rng.int(0x10000)) + t.slice(i + 1);
    }
    case 4: {
      // replace a digit run by an extreme number
      const m = /-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(t.slice(at));
      if (m === null) return t;
      const start = at + m.index;
      const num = rng.pick(['1e308', '-1e309', '1e400', '2e-324', '18446744073709551616', '-0', '0.1e1']);
      return t.slice(0, start) + num + t.slice(start + m[0].length);
    }
    case 5: {
      // nest: wrap from here to the end in many brackets
      // now and then a flood: deeper than any limit, and big enough that building it costs the parser dearly
      const depth = rng.chance(0.01) ? rng.range(100_000, 1_000_000) : 1 + rng.small(3000);
      const open = rng.chance(0.5) ? '['.repeat(depth) : '{"a":'.repeat(depth);
      return t.slice(0, at) + open + t.slice(at);
    }
    case 6: {
      // splice with another text
      if (others.length === 0) return t;
      const other = rng.pick(others);
      return t.slice(0, at) + other.slice(rng.int(other.length + 1));
    }
    case 7: {
      // repeat a slice (grows the text)
      const len = 1 + rng.small(32);
      return t.slice(0, at) + t.slice(at, at + len).repeat(1 + rng.small(500)) + t.slice(at);
    }
    case 8: {
      // swap the case of one character (hex and base32 are case-sensitive in places)
      if (n === 0) return t;
      const i = rng.int(n);
      const c = t[i]!;
      const swapped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
      return t.slice(0, i) + swapped + t.slice(i + 1);
    }
    default:
      return t.slice(0, at) + '='.repeat(1 + rng.small(4)) + t.slice(at);
  }
}

/** A value of a kind JSON parsing can give. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ODD_STRINGS = [
  '',
  '\u0000',
  '\ud800',
  '\udfff',
  '\u{10ffff}',
  '\u202e\u202d',
  '\ufeff',
  'e\u0301\u0301\u0301',
  '\u{1f469}\u200d\u{1f469}\u200d\u{1f467}',
  '__proto__',
  'constructor',
  'toString',
  'bus',
  'bin',
  'propagate',
  'recognizer_loop:utterance',
  'speak',
  'hive.',
  '*',
  '../../etc/passwd',
  '%00',
  '<script>',
];

const ODD_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  2 ** 32,
  2 ** 53 + 2,
  -(2 ** 63),
  Number.MAX_SAFE_INTEGER,
  16,
  255,
  65535,
];

const MESSAGE_TYPES = [
  'bus',
  'shared_bus',
  'hello',
  'shake',
  'ping',
  'intercom',
  'broadcast',
  'propagate',
  'escalate',
  'query',
  'cascade',
  'rendezvous',
  'bin',
  '3rdparty',
  'BUS',
  '',
];

/** A random JSON value: the wrong type somewhere. */
export function randomJson(rng: Rng, depth = 0): Json {
  switch (rng.int(depth > 3 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.chance(0.7) ? rng.pick(ODD_NUMBERS) : (rng.u32() | 0) / (1 + rng.int(1000));
    case 3:
      return rng.pick(ODD_STRINGS);
    case 4:
      return randomString(rng);
    case 5:
      return Array.from({ length: rng.small(6) }, () => randomJson(rng, depth + 1));
    case 6: {
      const o: { [key: string]: Json } = {};
      for (let i = rng.small(6); i > 0; i--)
        o[rng.chance(0.5) ? rng.pick(ODD_STRINGS) : randomString(rng)] = randomJson(rng, depth + 1);
      return o;
    }
    default:
      return rng.pick(MESSAGE_TYPES);
  }
}

/** A short random number, string, boolean or null. */
export function randomPrimitive(rng: Rng): Json {
  switch (rng.int(4)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick(ODD_NUMBERS);
    default:
      return rng.pick(ODD_STRINGS);
  }
}

/** A string of random code units (lone surrogates included), sometimes long. */
export function randomString(rng: Rng): string {
  const long = rng.chance(0.005);
  const len = long ? rng.range(1000, 100_000) : rng.small(40);
  let s = '';
  const ascii = rng.chance(0.5);
  for (let i = 0; i < len; i++) s += String.fromCharCode(ascii ? rng.range(0x20, 0x7e) : rng.int(0x10000));
  return s;
}

/** Paths to every node of `root`: each step a key or an index. */
function nodes(root: Json, max = 400): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (v: Json, path: (string | number)[]) => {
    if (out.length >= max) return;
    out.push(path);
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) walk(v[i]!, [...path, i]);
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) walk(v[k]!, [...path, k]);
  };
  walk(root, []);
  return out;
}

function getAt(root: Json, path: readonly (string | number)[]): Json {
  let v: Json = root;
  for (const p of path) v = (v as Record<string | number, Json>)[p]!;
  return v;
}

function setAt(root: Json, path: readonly (string | number)[], value: Json): Json {
  if (path.length === 0) return value;
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, Json>;
  parent[path[path.length - 1]!] = value;
  return root;
}

/** `root` (a fresh copy) mutated by 1–4 stacked structural steps; `others` are trees to graft from. */
export function mutateValue(rng: Rng, root: Json, others: readonly Json[] = []): Json {
  let out = structuredClone(root);
  const steps = 1 + rng.small(3);
  for (let s = 0; s < steps; s++) out = valueStep(rng, out, others);
  return out;
}

function valueStep(rng: Rng, root: Json, others: readonly Json[]): Json {
  const all = nodes(root);
  const path = rng.pick(all);
  const node = getAt(root, path);
  switch (rng.int(10)) {
    case 0:
    case 1:
      return setAt(root, path, randomJson(rng));
    case 2: {
      // deep nesting around the node
      let v: Json = node;
      const depth = rng.chance(0.1) ? rng.range(100, 5000) : 1 + rng.small(200);
      const asArray = rng.chance(0.5);
      for (let i = 0; i < depth; i++) v = asArray ? [v] : { x: v };
      return setAt(root, path, v);
    }
    case 3: {
      // drop a key or an item
      if (path.length === 0) return root;
      const parent = getAt(root, path.slice(0, -1));
      const last = path[path.length - 1]!;
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete (parent as Record<string, Json>)[last as string];
      return root;
    }
    case 4: {
      // add a key to an object (odd names included), or an item to an array
      if (Array.isArray(node)) node.push(randomJson(rng));
      else if (node !== null && typeof node === 'object') {
        const key = rng.chance(0.6) ? rng.pick(ODD_STRINGS) : randomString(rng);
        Object.defineProperty(node, key, {
          value: randomJson(rng),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else return setAt(root, path, { [rng.pick(ODD_STRINGS)]: node });
      return root;
    }
    case 5:
      // an odd number
      return setAt(root, path, rng.pick(ODD_NUMBERS));
    case 6:
      // another message type where a msg_type is
      return setAt(root, path, rng.pick(MESSAGE_TYPES));
    case 7: {
      // graft a subtree of another frame
      if (others.length === 0) return root;
      const other = rng.pick(others);
      return setAt(root, path, structuredClone(getAt(other, rng.pick(nodes(other)))));
    }
    case 8: {
      // a wide array or object (width instead of depth), of small values: never copies of a subtree, whose size
      // would multiply
      const width = rng.chance(0.1) ? rng.range(1000, 20_000) : rng.range(10, 300);
      const fill = randomPrimitive(rng);
      const v = rng.chance(0.5)
        ? Array.from({ length: width }, () => fill)
        : Object.fromEntries(Array.from({ length: Math.min(width, 5000) }, (_, i) => [`k${i}`, fill]));
      return setAt(root, path, v as Json);
    }
    default:
      // an odd or long string
      return setAt(root, path, rng.chance(0.5) ? rng.pick(ODD_STRINGS) : randomString(rng));
  }
}

/** Parses `text` as JSON, or null when it is not (mutations then fall back to text). */
export function tryParse(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}
