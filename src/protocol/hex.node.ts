/**
 * The Node hex and base64 codec: Node's native `Buffer` (two to four times faster than the portable table loops of
 * `hex.browser.ts`), with the same strictness. `Buffer`'s decoders are lenient — hex stops quietly at the first
 * bad character and reads a character above U+00FF by its low byte, base64 skips foreign characters and mixes both
 * alphabets — so every text is checked first (one native regular-expression scan), and a
 * refusal carries the same message as the portable codec's. Browser builds replace this file by `hex.browser.ts`
 * (package.json "browser"); Node resolves it as written.
 *
 * @module
 */
import { Buffer } from 'node:buffer';
import { type Base64Name, type HexBase64Codec, invalid, unpaddedLength } from './codec-shared.js';

/** A Buffer's bytes as a plain Uint8Array view (no copy). */
function view(buf: Buffer): Uint8Array {
  // Kept as a view: a small Buffer lives in Node's shared pool, and copying it out into an ArrayBuffer of its own
  // costs more than the decoding (as everywhere in this code base, a byte view's `.buffer` is not its own).
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function native(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

const NOT_HEX = /[^0-9a-fA-F]/;

/** Lowercase hex. */
export function hexEncode(bytes: Uint8Array): string {
  return native(bytes).toString('hex');
}

/** Hex of either case to bytes; an odd length or a character outside 0-9a-fA-F is `HL_ERR_INVALID_ENCODING`. */
export function hexDecode(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw invalid('JSON-HEX', 'odd length');
  // Checked first: Buffer reads a character above U+00FF by its low byte ('\u0130' as '0'), so a short result
  // alone does not catch every bad text.
  const bad = text.search(NOT_HEX);
  if (bad >= 0) throw invalid('JSON-HEX', `bad character at ${bad}`);
  return view(Buffer.from(text, 'hex'));
}

/** Padded base64 (`JSON-B64`) or base64url (`JSON-URLSAFE-B64`). */
export function base64Encode(name: Base64Name, bytes: Uint8Array): string {
  if (name === 'JSON-B64') return native(bytes).toString('base64');
  const text = native(bytes).toString('base64url'); // Node leaves base64url unpadded; the protocol pads it.
  return text + '='.repeat((4 - (text.length % 4)) % 4);
}

const NOT_B64 = /[^A-Za-z0-9+/]/;
const NOT_B64URL = /[^A-Za-z0-9_-]/;

/** Base64 or base64url, with or without its padding, to bytes; anything else is `HL_ERR_INVALID_ENCODING`. */
export function base64Decode(name: Base64Name, text: string): Uint8Array {
  const end = unpaddedLength(name, text, 4, 2);
  if (end % 4 === 1) throw invalid(name, 'impossible length');
  const body = end === text.length ? text : text.slice(0, end);
  const bad = body.search(name === 'JSON-B64' ? NOT_B64 : NOT_B64URL);
  if (bad >= 0) throw invalid(name, `bad character at ${bad}`);
  return view(Buffer.from(body, name === 'JSON-B64' ? 'base64' : 'base64url'));
}

/** This file's functions as one {@link HexBase64Codec}. */
export const hexBase64: HexBase64Codec = { hexEncode, hexDecode, base64Encode, base64Decode };
