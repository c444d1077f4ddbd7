/**
 * The portable hex and base64 codec: table loops over typed arrays, pure, for any JavaScript runtime. Browser
 * builds use it in place of `hex.node.ts` (package.json "browser" maps one file to the other, the way bundlers pick
 * the browser variant of the client entry); Node uses the native `Buffer` variant. The choice is made by file,
 * never by looking for `Buffer` at run time.
 *
 * @module
 */
import {
  ascii,
  B64_ALPHABET,
  B64URL_ALPHABET,
  type Base64Name,
  codesOf,
  decodeTable,
  type HexBase64Codec,
  invalid,
  PAD,
  unpackDigits,
  unpaddedLength,
} from './codec-shared.js';

// hex

const HEX_CODES = codesOf('0123456789abcdef');
const HEX_DECODE = decodeTable('0123456789abcdef');
for (let i = 0; i < 6; i++) HEX_DECODE[0x41 + i] = 10 + i; // A-F

/** Each byte's two hex digits as one little-endian 16-bit unit (first digit in the low byte). */
const HEX_PAIRS = new Uint16Array(256);
for (let b = 0; b < 256; b++) HEX_PAIRS[b] = HEX_CODES[b >> 4]! | (HEX_CODES[b & 15]! << 8);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Lowercase hex: two digits per byte written as one 16-bit unit on little-endian machines. */
export function hexEncode(bytes: Uint8Array): string {
  if (!LITTLE_ENDIAN) {
    const out = new Uint8Array(bytes.length * 2);
    for (let i = 0, j = 0; i < bytes.length; i++, j += 2) {
      const b = bytes[i]!;
      out[j] = HEX_CODES[b >> 4]!;
      out[j + 1] = HEX_CODES[b & 15]!;
    }
    return ascii(out);
  }
  const pairs = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) pairs[i] = HEX_PAIRS[bytes[i]!]!;
  return ascii(new Uint8Array(pairs.buffer));
}

/** Hex of either case to bytes; an odd length or a character outside 0-9a-fA-F is `HL_ERR_INVALID_ENCODING`. */
export function hexDecode(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw invalid('JSON-HEX', 'odd length');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0, j = 0; j < out.length; i += 2, j++) {
    const c1 = text.charCodeAt(i);
    const c2 = text.charCodeAt(i + 1);
    const hi = c1 < 128 ? HEX_DECODE[c1]! : -1;
    const lo = c2 < 128 ? HEX_DECODE[c2]! : -1;
    if (hi < 0 || lo < 0) throw invalid('JSON-HEX', `bad character at ${hi < 0 ? i : i + 1}`);
    out[j] = (hi << 4) | lo;
  }
  return out;
}

// base64 / base64url

const B64_CODES = codesOf(B64_ALPHABET);
const B64URL_CODES = codesOf(B64URL_ALPHABET);
const B64_DECODE = decodeTable(B64_ALPHABET);
const B64URL_DECODE = decodeTable(B64URL_ALPHABET);

/** Padded base64 (`JSON-B64`) or base64url (`JSON-URLSAFE-B64`). */
export function base64Encode(name: Base64Name, bytes: Uint8Array): string {
  const codes = name === 'JSON-B64' ? B64_CODES : B64URL_CODES;
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let i = 0;
  let j = 0;
  for (; i + 2 < n; i += 3, j += 4) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[j] = codes[v >> 18]!;
    out[j + 1] = codes[(v >> 12) & 63]!;
    out[j + 2] = codes[(v >> 6) & 63]!;
    out[j + 3] = codes[v & 63]!;
  }
  const rest = n - i;
  if (rest > 0) {
    const v = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[j] = codes[v >> 18]!;
    out[j + 1] = codes[(v >> 12) & 63]!;
    out[j + 2] = rest === 2 ? codes[(v >> 6) & 63]! : PAD;
    out[j + 3] = PAD;
  }
  return ascii(out);
}

/** Base64 or base64url, with or without its padding, to bytes; anything else is `HL_ERR_INVALID_ENCODING`. */
export function base64Decode(name: Base64Name, text: string): Uint8Array {
  const table = name === 'JSON-B64' ? B64_DECODE : B64URL_DECODE;
  const end = unpaddedLength(name, text, 4, 2);
  if (end % 4 === 1) throw invalid(name, 'impossible length');
  return unpackDigits(name, text, end, table, 6, new Uint8Array(Math.floor((end * 3) / 4)));
}

/** This file's functions as one {@link HexBase64Codec}. */
export const hexBase64: HexBase64Codec = { hexEncode, hexDecode, base64Encode, base64Decode };
