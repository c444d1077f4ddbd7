/**
 * The seven binary-to-text encodings a legacy (v1/v2) session may negotiate for the fields of an encrypted JSON frame
 * (docs/PROTOCOL.md §4.1). Encoders emit ASCII only; nothing here keeps state.
 *
 * | name               | form                                                                                 |
 * | ------------------ | ------------------------------------------------------------------------------------ |
 * | `JSON-HEX`         | lowercase hex (the protocol default); upper case is accepted on decode               |
 * | `JSON-B64`         | RFC 4648 base64, padded                                                              |
 * | `JSON-URLSAFE-B64` | RFC 4648 base64url, padded                                                           |
 * | `JSON-B32`         | RFC 4648 base32, upper case, padded                                                  |
 * | `JSON-B91`         | Henke's basE91                                                                       |
 * | `JSON-Z85B`        | Z85 digits of little-endian words, least significant digit first, tail trimmed       |
 * | `JSON-Z85P`        | a raw pad-count byte (0x00–0x03), then big-endian Z85 of the zero-padded input       |
 *
 * Decoders are strict: any character outside the alphabet, an impossible length or misplaced padding is a
 * `HL_ERR_INVALID_ENCODING`. Base64 and base32 also accept input with the trailing `=` padding left off.
 *
 * Hex and base64, the hot ones, come in two variants chosen by file, never by sniffing the runtime: `hex.node.ts`
 * (Node's native Buffer) is imported here, and browser builds replace it with the portable `hex.browser.ts` through
 * package.json "browser" (the map every bundler reads, as for the client entry). Both give identical results.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import {
  ascii,
  codesOf,
  decodeTable,
  type EncodingName,
  invalid,
  PAD,
  unpackDigits,
  unpaddedLength,
} from './codec-shared.js';
// The Node variant (native Buffer); browser builds get ./hex.browser.js instead (package.json "browser").
import { base64Decode, base64Encode, hexDecode, hexEncode } from './hex.node.js';

export type { EncodingName };

/** Every encoding this module implements; the protocol default (`JSON-HEX`) first. */
export const ENCODING_NAMES: readonly EncodingName[] = Object.freeze([
  'JSON-HEX',
  'JSON-B64',
  'JSON-URLSAFE-B64',
  'JSON-B32',
  'JSON-B91',
  'JSON-Z85B',
  'JSON-Z85P',
]);

const NAME_SET: ReadonlySet<string> = new Set(ENCODING_NAMES);

/** True when `name` is one of {@link ENCODING_NAMES}. */
export function isEncodingName(name: unknown): name is EncodingName {
  return typeof name === 'string' && NAME_SET.has(name);
}

// ---------------------------------------------------------------------------------------------------------------
// base32

const B32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B32_CODES = codesOf(B32_ALPHABET);
const B32_DECODE = decodeTable(B32_ALPHABET);
/** Bytes carried by a final group of 0–7 characters; -1 for a count no encoder produces. */
const B32_TAIL_BYTES = [0, -1, 1, -1, 2, 3, -1, 4];

function base32Encode(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 5) * 8);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = ((acc << 8) | bytes[i]!) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out[j++] = B32_CODES[(acc >> bits) & 31]!;
    }
  }
  if (bits > 0) out[j++] = B32_CODES[(acc << (5 - bits)) & 31]!;
  out.fill(PAD, j);
  return ascii(out);
}

function base32Decode(text: string): Uint8Array {
  const end = unpaddedLength('JSON-B32', text, 8, 6);
  const tailBytes = B32_TAIL_BYTES[end % 8]!;
  if (tailBytes < 0) throw invalid('JSON-B32', 'impossible length');
  return unpackDigits(
    'JSON-B32',
    text,
    end,
    B32_DECODE,
    5,
    new Uint8Array(Math.floor(end / 8) * 5 + tailBytes),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// basE91 (Henke): 13 or 14 bits at a time become two base-91 digits, low digit first

const B91_ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,./:;<=>?@[]^_`{|}~"';
const B91_CODES = codesOf(B91_ALPHABET);
const B91_DECODE = decodeTable(B91_ALPHABET);

function base91Encode(bytes: Uint8Array): string {
  // Every 13 input bits give at most 2 output characters, so 16 chars per 13 bits is an upper bound.
  const out = new Uint8Array(Math.ceil((bytes.length * 16) / 13) + 2);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc |= bytes[i]! << bits;
    bits += 8;
    if (bits > 13) {
      let v = acc & 8191;
      if (v > 88) {
        acc >>>= 13;
        bits -= 13;
      } else {
        v = acc & 16383;
        acc >>>= 14;
        bits -= 14;
      }
      out[j++] = B91_CODES[v % 91]!;
      out[j++] = B91_CODES[(v / 91) | 0]!;
    }
  }
  if (bits > 0) {
    out[j++] = B91_CODES[acc % 91]!;
    if (bits > 7 || acc > 90) out[j++] = B91_CODES[(acc / 91) | 0]!;
  }
  return ascii(out.subarray(0, j));
}

function base91Decode(text: string): Uint8Array {
  const out = new Uint8Array(Math.ceil((text.length * 14) / 16) + 1);
  let acc = 0;
  let bits = 0;
  let v = -1;
  let j = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const d = c < 128 ? B91_DECODE[c]! : -1;
    if (d < 0) throw invalid('JSON-B91', `bad character at ${i}`);
    if (v < 0) {
      v = d;
      continue;
    }
    v += d * 91;
    acc |= v << bits;
    bits += (v & 8191) > 88 ? 13 : 14;
    do {
      out[j++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    } while (bits > 7);
    v = -1;
  }
  if (v >= 0) out[j++] = (acc | (v << bits)) & 0xff;
  return out.slice(0, j);
}

// ---------------------------------------------------------------------------------------------------------------
// Z85 variants

const Z85_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const Z85_CODES = codesOf(Z85_ALPHABET);
const Z85_DECODE = decodeTable(Z85_ALPHABET);
const U32_MAX = 0xffffffff;

function z85Digit(name: EncodingName, text: string, i: number): number {
  const c = text.charCodeAt(i);
  const d = c < 128 ? Z85_DECODE[c]! : -1;
  if (d < 0) throw invalid(name, `bad character at ${i}`);
  return d;
}

/** Z85B: each little-endian 32-bit word as 5 digits, least significant first; the last group loses `pad` chars. */
function z85bEncode(bytes: Uint8Array): string {
  const n = bytes.length;
  const rest = n & 3;
  const out = new Uint8Array((n >> 2) * 5 + (rest === 0 ? 0 : rest + 1));
  for (let i = 0, j = 0; i < n; i += 4) {
    let v =
      (bytes[i] ?? 0) +
      (bytes[i + 1] ?? 0) * 0x100 +
      (bytes[i + 2] ?? 0) * 0x10000 +
      (bytes[i + 3] ?? 0) * 0x1000000;
    // A short last group of k bytes keeps k + 1 digits; the dropped high digits are always zero.
    const digits = n - i >= 4 ? 5 : n - i + 1;
    for (let k = 0; k < digits; k++, j++) {
      out[j] = Z85_CODES[v % 85]!;
      v = Math.floor(v / 85);
    }
  }
  return ascii(out);
}

function z85bDecode(text: string): Uint8Array {
  const full = Math.floor(text.length / 5);
  const tail = text.length % 5;
  if (tail === 1) throw invalid('JSON-Z85B', 'impossible length');
  const out = new Uint8Array(full * 4 + (tail === 0 ? 0 : tail - 1));
  let j = 0;
  for (let g = 0; g * 5 < text.length; g++) {
    const start = g * 5;
    const chars = Math.min(5, text.length - start);
    let v = 0;
    for (let k = chars - 1; k >= 0; k--) v = v * 85 + z85Digit('JSON-Z85B', text, start + k);
    const nbytes = chars === 5 ? 4 : chars - 1;
    if (v > U32_MAX || v >= 2 ** (8 * nbytes)) throw invalid('JSON-Z85B', `group ${g} out of range`);
    for (let k = 0; k < nbytes; k++) {
      out[j++] = v & 0xff;
      v = Math.floor(v / 256);
    }
  }
  return out;
}

/** Z85P: a raw byte holding the pad count, then standard (big-endian) Z85 of the input zero-padded to 4 bytes. */
function z85pEncode(bytes: Uint8Array): string {
  const pad = (4 - (bytes.length & 3)) & 3;
  const groups = (bytes.length + pad) / 4;
  const out = new Uint8Array(1 + groups * 5);
  out[0] = pad;
  for (let g = 0, j = 1; g < groups; g++, j += 5) {
    const i = g * 4;
    let v =
      (bytes[i] ?? 0) * 0x1000000 +
      (bytes[i + 1] ?? 0) * 0x10000 +
      (bytes[i + 2] ?? 0) * 0x100 +
      (bytes[i + 3] ?? 0);
    for (let k = 4; k >= 0; k--) {
      out[j + k] = Z85_CODES[v % 85]!;
      v = Math.floor(v / 85);
    }
  }
  return ascii(out);
}

function z85pDecode(text: string): Uint8Array {
  if (text.length === 0) throw invalid('JSON-Z85P', 'missing pad-count byte');
  const pad = text.charCodeAt(0);
  if (pad > 3) throw invalid('JSON-Z85P', 'pad-count byte is not 0-3');
  const body = text.length - 1;
  if (body % 5 !== 0) throw invalid('JSON-Z85P', 'length is not 1 + a multiple of 5');
  if (body === 0 && pad !== 0) throw invalid('JSON-Z85P', 'padding without data');
  const padded = new Uint8Array((body / 5) * 4);
  for (let g = 0, i = 1, j = 0; i < text.length; g++, i += 5, j += 4) {
    let v = 0;
    for (let k = 0; k < 5; k++) v = v * 85 + z85Digit('JSON-Z85P', text, i + k);
    if (v > U32_MAX) throw invalid('JSON-Z85P', `group ${g} out of range`);
    padded[j] = (v / 0x1000000) & 0xff;
    padded[j + 1] = (v >>> 16) & 0xff;
    padded[j + 2] = (v >>> 8) & 0xff;
    padded[j + 3] = v & 0xff;
  }
  for (let k = padded.length - pad; k < padded.length; k++) {
    if (padded[k] !== 0) throw invalid('JSON-Z85P', 'non-zero padding');
  }
  return padded.subarray(0, padded.length - pad);
}

// ---------------------------------------------------------------------------------------------------------------
// dispatch

function unknown(name: unknown): HiveLinkError {
  return new HiveLinkError('HL_ERR_UNKNOWN_ENCODING', `unknown encoding ${JSON.stringify(String(name))}`);
}

/** Each encoding's encoder and strict decoder, by name. */
const CODECS: Readonly<
  Record<EncodingName, { encode(bytes: Uint8Array): string; decode(text: string): Uint8Array }>
> = Object.freeze({
  'JSON-HEX': { encode: hexEncode, decode: hexDecode },
  'JSON-B64': { encode: (b) => base64Encode('JSON-B64', b), decode: (t) => base64Decode('JSON-B64', t) },
  'JSON-URLSAFE-B64': {
    encode: (b) => base64Encode('JSON-URLSAFE-B64', b),
    decode: (t) => base64Decode('JSON-URLSAFE-B64', t),
  },
  'JSON-B32': { encode: base32Encode, decode: base32Decode },
  'JSON-B91': { encode: base91Encode, decode: base91Decode },
  'JSON-Z85B': { encode: z85bEncode, decode: z85bDecode },
  'JSON-Z85P': { encode: z85pEncode, decode: z85pDecode },
});

/** The codec of `name`; `HL_ERR_UNKNOWN_ENCODING` for a name outside {@link ENCODING_NAMES}. */
function codecOf(name: EncodingName): (typeof CODECS)[EncodingName] {
  if (!isEncodingName(name)) throw unknown(name);
  return CODECS[name];
}

/**
 * Encodes `bytes` as text in the named encoding.
 *
 * @throws HiveLinkError `HL_ERR_UNKNOWN_ENCODING` for a name outside {@link ENCODING_NAMES}.
 */
export function encodeBytes(name: EncodingName, bytes: Uint8Array): string {
  return codecOf(name).encode(bytes);
}

/**
 * Decodes text in the named encoding back to bytes.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_ENCODING` when `text` is not valid in that encoding;
 *   `HL_ERR_UNKNOWN_ENCODING` for a name outside {@link ENCODING_NAMES}.
 */
export function decodeBytes(name: EncodingName, text: string): Uint8Array {
  const codec = codecOf(name);
  if (typeof text !== 'string') throw invalid(name, 'not a string');
  return codec.decode(text);
}
