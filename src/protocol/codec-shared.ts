/**
 * What the binary-to-text codecs of {@link ./encodings.ts} share: the strict-decoding error, alphabet tables and
 * the padding check. Pure and browser-safe; both hex/base64 variants (`hex.node.ts`, `hex.browser.ts`) and the
 * other encodings build on it, so every variant fails the same way on the same text.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';

/** The seven encoding names (re-exported by ./encodings.ts, where they are described). */
export type EncodingName =
  | 'JSON-HEX'
  | 'JSON-B64'
  | 'JSON-URLSAFE-B64'
  | 'JSON-B32'
  | 'JSON-B91'
  | 'JSON-Z85B'
  | 'JSON-Z85P';

/** The two base64 alphabets: RFC 4648 base64 and base64url, both padded on encode. */
export type Base64Name = 'JSON-B64' | 'JSON-URLSAFE-B64';

/**
 * The hex and base64 half of the encodings, in two variants chosen by file (Node's native `Buffer`, or portable
 * table loops). Both give the same text, the same bytes and the same errors for every input.
 */
export interface HexBase64Codec {
  /** Lowercase hex. */
  hexEncode(bytes: Uint8Array): string;
  /** Hex (either case) to bytes. @throws HiveLinkError `HL_ERR_INVALID_ENCODING` (odd length, bad character) */
  hexDecode(text: string): Uint8Array;
  /** Padded base64 or base64url. */
  base64Encode(name: Base64Name, bytes: Uint8Array): string;
  /**
   * Base64 or base64url, padded or not, to bytes.
   * @throws HiveLinkError `HL_ERR_INVALID_ENCODING` (misplaced padding, impossible length, bad character)
   */
  base64Decode(name: Base64Name, text: string): Uint8Array;
}

const asciiDecoder = new TextDecoder('utf-8');

/** The string of a buffer that holds only ASCII codes. */
export function ascii(codes: Uint8Array): string {
  return asciiDecoder.decode(codes);
}

/** The error of every strict decoder: `HL_ERR_INVALID_ENCODING`, naming the encoding and why. */
export function invalid(name: EncodingName, why: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INVALID_ENCODING', `invalid ${name} text: ${why}`);
}

/** A table from char code (0–127) to digit value, -1 where the character is not in `alphabet`. */
export function decodeTable(alphabet: string): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

/** The char codes of `alphabet`, digit by digit. */
export function codesOf(alphabet: string): Uint8Array {
  const out = new Uint8Array(alphabet.length);
  for (let i = 0; i < alphabet.length; i++) out[i] = alphabet.charCodeAt(i);
  return out;
}

/** `=`, the padding of base64 and base32. */
export const PAD = 0x3d;

/** Length of `text` without its trailing `=` padding, after checking the padding is well formed. */
export function unpaddedLength(name: EncodingName, text: string, block: number, maxPad: number): number {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === PAD) end--;
  const pad = text.length - end;
  if (pad > 0 && (text.length % block !== 0 || pad > maxPad)) throw invalid(name, 'misplaced padding');
  return end;
}

/**
 * Packs the digits `text[0..end)` of a power-of-two radix (`bitsPerDigit` bits each, looked up in `table`) into
 * `out`, most significant bit first, dropping the bits of a last partial byte: the decoding loop of base64 and
 * base32. A character outside the table is `HL_ERR_INVALID_ENCODING`, naming its index.
 */
export function unpackDigits(
  name: EncodingName,
  text: string,
  end: number,
  table: Int16Array,
  bitsPerDigit: number,
  out: Uint8Array,
): Uint8Array {
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const d = c < 128 ? table[c]! : -1;
    if (d < 0) throw invalid(name, `bad character at ${i}`);
    acc = ((acc << bitsPerDigit) | d) & 0xffffff;
    bits += bitsPerDigit;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** The base64 alphabets, standard first. */
export const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
