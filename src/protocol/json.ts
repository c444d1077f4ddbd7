/**
 * JSON serializers that reproduce the bytes Python peers produce and expect.
 *
 * - {@link pythonJson}: `json.dumps(value)` with Python's defaults — separators `", "` and `": "`, non-ASCII
 *   escaped as `\uXXXX` (`ensure_ascii=True`). HiveMind peers put this on the wire and inside bitstrings.
 * - {@link canonicalJson}: `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`, the
 *   form the v3 Noise prologue binds (docs/PROTOCOL.md §3.5).
 *
 * Both accept only JSON values (objects, arrays, strings, finite numbers, booleans, null); anything else is a
 * `HL_ERR_INVALID_ARGUMENT`. Numbers are written as JavaScript writes them, which equals Python's `repr` for every
 * integer below 1e16 and every float a peer normally sends.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** `JSON.stringify` of a string, with every non-ASCII UTF-16 unit escaped as Python's ensure_ascii does. */
function asciiString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function number(n: number): string {
  if (!Number.isFinite(n))
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `cannot serialize ${n} as JSON`);
  return JSON.stringify(n);
}

function write(value: unknown, sortKeys: boolean, itemSep: string, keySep: string, ascii: boolean): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return ascii ? asciiString(value) : JSON.stringify(value);
    case 'number':
      return number(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v) => write(v, sortKeys, itemSep, keySep, ascii)).join(itemSep)}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) break;
      const keys = Object.keys(value);
      if (sortKeys) keys.sort();
      const parts: string[] = [];
      for (const key of keys) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue;
        const k = ascii ? asciiString(key) : JSON.stringify(key);
        parts.push(k + keySep + write(v, sortKeys, itemSep, keySep, ascii));
      }
      return `{${parts.join(itemSep)}}`;
    }
  }
  throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `cannot serialize a ${typeof value} as JSON`);
}

/** Python `json.dumps(value)`: `", "` and `": "` separators, insertion key order, ASCII-only output. */
export function pythonJson(value: unknown): string {
  return write(value, false, ', ', ': ', true);
}

/** Python `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`. */
export function canonicalJson(value: unknown): string {
  return write(value, true, ',', ':', false);
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * Where `text` first nests arrays and objects (outside strings) deeper than `max`: the top-level key it happens
 * under (its raw JSON text; `''` when not under one), or null when it never does. `JSON.parse` builds the whole
 * tree before a validator can count its depth, and deep trees cost it far more than flat ones — 16 MiB of `[`
 * take seconds — so large texts are checked first. Works on any text, JSON or not, in one pass without
 * allocating: a text with at most `max` opening brackets is passed at once (two native `indexOf` scans), and
 * strings are skipped with `indexOf` too, so that only the structure is walked character by character.
 */
export function nestingOverflow(text: string, max: number): string | null {
  if (fewOpenings(text, max)) return null;
  let depth = 0;
  let key = '';
  let lastStart = -1;
  let lastEnd = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = closingQuote(text, i);
      if (end < 0) return null; // the rest is one unterminated string: no more structure
      if (depth === 1) {
        lastStart = i + 1;
        lastEnd = end;
      }
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) return key;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === COLON && depth === 1 && lastStart >= 0) {
      key = text.slice(lastStart, lastEnd);
    }
  }
  return null;
}

/** True when `text` holds at most `max` `[` and `{` in all (so it cannot nest deeper than `max`). */
function fewOpenings(text: string, max: number): boolean {
  let count = 0;
  for (const bracket of ['[', '{']) {
    for (let i = text.indexOf(bracket); i >= 0; i = text.indexOf(bracket, i + 1)) {
      if (++count > max) return false;
    }
  }
  return true;
}

/** The index of the quote that ends the string opened at `open`, or -1 when it is never closed. */
function closingQuote(text: string, open: number): number {
  for (let j = text.indexOf('"', open + 1); j >= 0; j = text.indexOf('"', j + 1)) {
    let backslashes = 0;
    for (let k = j - 1; k > open && text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return j;
  }
  return -1;
}

/**
 * A value from the wire, for an error message: a string as it is, anything else as JSON (cut to 100 characters).
 * Never `String(value)`: a parsed object with its own `toString` key (JSON can set one) makes that throw a TypeError.
 */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') return value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return typeof value;
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
