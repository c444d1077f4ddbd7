/**
 * The sealed envelope of relay mode (docs/PROTOCOL.md §13): the bytes a client seals to another client's X25519 key
 * with HPKE (`src/crypto/sealed.ts`), and the cleartext header in front of them that a hub reads to relay it —
 * magic, flags, the recipient's key, the message id and the timestamp. The header is the HPKE `aad`, so a hub or a
 * relay that changes one bit of it makes the envelope fail to open. Pure byte work, no crypto: the hub and every
 * relay parse envelopes with this module only.
 *
 * ```
 *  0        4      5                     37             53           61            93
 *  | "HLS" 1 | flags | recipient X25519 pk | message id  | timestamp  | HPKE enc    | HPKE ciphertext … (≥ 16) |
 *  |  4 B    | 1 B   | 32 B                | 16 B        | 8 B BE ms  | 32 B        | inner plaintext + tag    |
 *  └──────────────── header = aad (61 B) ───────────────────────────┘
 * ```
 *
 * Inner plaintext: `content type (1) | sender block | payload`, the sender block being `Ed25519 public key (32) |
 * signature (64)` when signed, `one-time reply X25519 public key (32)` when anonymous (flag bit 0).
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';

/** "HLS" and format version 1. */
export const SEALED_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x48, 0x4c, 0x53, 0x01);
/** Flag bit 0: anonymous (no signature inside; a one-time reply key instead). Other bits must be 0. */
export const SEALED_FLAG_ANONYMOUS = 0x01;
export const SEALED_KEY_BYTES = 32;
export const SEALED_ID_BYTES = 16;
/** Bytes of the cleartext header (the HPKE aad). */
export const SEALED_HEADER_BYTES = 4 + 1 + SEALED_KEY_BYTES + SEALED_ID_BYTES + 8;
/** HPKE encapsulated key (DHKEM X25519). */
export const SEALED_ENC_BYTES = 32;
/** ChaCha20-Poly1305 tag. */
export const SEALED_TAG_BYTES = 16;
export const ED25519_SIGNATURE_BYTES = 64;

/** What the payload inside is. */
export const SealedContent = {
  /** Raw bytes. */
  BYTES: 1,
  /** A whole OVOS bus message `{type, data, context}`, UTF-8 JSON. */
  BUS: 2,
  /** UTF-8 text. */
  TEXT: 3,
} as const;
export type SealedContentType = (typeof SealedContent)[keyof typeof SealedContent];

/** Smallest inner plaintext: the content type, the smaller sender block (a reply key), no payload. */
const MIN_INNER_BYTES = 1 + SEALED_KEY_BYTES;
/** Smallest envelope that can be one. */
export const SEALED_MIN_BYTES = SEALED_HEADER_BYTES + SEALED_ENC_BYTES + MIN_INNER_BYTES + SEALED_TAG_BYTES;

/** The cleartext header of an envelope: all a hub or a relay learns of it. */
export interface SealedHeader {
  readonly anonymous: boolean;
  /** The recipient's X25519 public key (or, for a reply, the one-time reply key of the message replied to). */
  readonly recipientKey: Uint8Array;
  /** 16 random bytes, lowercase hex. */
  readonly id: string;
  /** ms since the epoch, as the sender's clock said. */
  readonly timestamp: number;
}

function badEnvelope(reason: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_SEALED_BAD_ENVELOPE', `not a sealed envelope: ${reason}`);
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function unhex(text: string, bytes: number, what: string): Uint8Array {
  if (!new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(text)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${what}: must be ${bytes} bytes of lowercase hex`);
  }
  return Uint8Array.from(text.match(/../g)!, (h) => Number.parseInt(h, 16));
}

/** The 61 header bytes of `header` (the HPKE aad). */
export function encodeSealedHeader(header: SealedHeader): Uint8Array {
  if (header.recipientKey.length !== SEALED_KEY_BYTES) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'recipientKey: must be 32 bytes');
  }
  if (!Number.isSafeInteger(header.timestamp) || header.timestamp < 0) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'timestamp: must be whole ms since the epoch');
  }
  const out = new Uint8Array(SEALED_HEADER_BYTES);
  out.set(SEALED_MAGIC, 0);
  out[4] = header.anonymous ? SEALED_FLAG_ANONYMOUS : 0;
  out.set(header.recipientKey, 5);
  out.set(unhex(header.id, SEALED_ID_BYTES, 'id'), 5 + SEALED_KEY_BYTES);
  new DataView(out.buffer).setBigUint64(SEALED_HEADER_BYTES - 8, BigInt(header.timestamp));
  return out;
}

/**
 * Reads the header of an envelope, checking what can be checked without the recipient's key: the magic, the flags,
 * and a length that can hold the header, the encapsulated key, the smallest inner plaintext and the tag.
 * @throws HiveLinkError `HL_ERR_SEALED_BAD_ENVELOPE`
 */
export function parseSealedHeader(envelope: Uint8Array): SealedHeader {
  if (envelope.length < SEALED_MIN_BYTES) {
    throw badEnvelope(`${envelope.length} bytes, at least ${SEALED_MIN_BYTES} needed`);
  }
  for (let i = 0; i < SEALED_MAGIC.length; i++) {
    if (envelope[i] !== SEALED_MAGIC[i]) throw badEnvelope('wrong magic or version');
  }
  const flags = envelope[4]!;
  if ((flags & ~SEALED_FLAG_ANONYMOUS) !== 0) throw badEnvelope(`unknown flags 0x${flags.toString(16)}`);
  const view = new DataView(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const timestamp = view.getBigUint64(SEALED_HEADER_BYTES - 8);
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) throw badEnvelope('timestamp out of range');
  return {
    anonymous: (flags & SEALED_FLAG_ANONYMOUS) !== 0,
    recipientKey: envelope.slice(5, 5 + SEALED_KEY_BYTES),
    id: hex(envelope.subarray(5 + SEALED_KEY_BYTES, 5 + SEALED_KEY_BYTES + SEALED_ID_BYTES)),
    timestamp: Number(timestamp),
  };
}

/** True when two byte strings are equal (keys are public: no constant time needed). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
