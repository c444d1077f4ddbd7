/**
 * End-to-end sealing of relay mode (docs/PROTOCOL.md §13): a client's identity for it (an X25519 key pair to be
 * written to, an Ed25519 key pair to sign with), and the seal and open of one envelope — HPKE (RFC 9180) base mode
 * with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and ChaCha20-Poly1305 from `@hpke/*`, Ed25519 from `@noble/curves`.
 * Nothing here is hand-rolled: this module only lays out the bytes (`src/protocol/sealed.ts`) around the libraries'
 * calls. Browser-safe (no Node built-in).
 *
 * - **signed** (default): the sender's Ed25519 public key and its signature over the header (recipient key, id,
 *   timestamp, flags), the content type and the payload are inside the ciphertext, so only the recipient learns who
 *   wrote it, and can check it.
 * - **anonymous**: no signature; a one-time X25519 reply key instead, to which the recipient can seal one answer
 *   without ever learning whose it is.
 *
 * @module
 */

import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { CipherSuite } from '@hpke/core';
import { DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/dhkem-x25519';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HiveLinkError } from '../errors.js';
import { concatBytes } from '../protocol/bytes.js';
import {
  ED25519_SIGNATURE_BYTES,
  encodeSealedHeader,
  parseSealedHeader,
  SEALED_HEADER_BYTES,
  SEALED_ID_BYTES,
  SEALED_KEY_BYTES,
  SealedContent,
  type SealedContentType,
  type SealedHeader,
} from '../protocol/sealed.js';

/** The HPKE `info` of every envelope: binds the key schedule to this format. */
export const SEALED_HPKE_INFO: Readonly<Uint8Array> = new TextEncoder().encode('hivelink sealed v1');
/** Prefix of what a signed envelope's Ed25519 signature covers. */
const SIGNATURE_CONTEXT = new TextEncoder().encode('hivelink sealed v1 signature');

let suite: CipherSuite | null = null;
/** The one HPKE suite of sealed envelopes: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 (RFC 9180 A.2). */
export function sealedSuite(): CipherSuite {
  suite ??= new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Chacha20Poly1305(),
  });
  return suite;
}

/** A client's end-to-end keys: X25519 to be sealed to, Ed25519 to sign with (private keys are 32 bytes each). */
export interface E2eIdentity {
  readonly x25519: { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array };
  readonly ed25519: { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array };
}

/** The identity of two stored private keys, or of fresh random ones. */
export function e2eIdentity(
  keys: { x25519PrivateKey: Uint8Array; ed25519PrivateKey: Uint8Array } | null = null,
): E2eIdentity {
  const xs = keys?.x25519PrivateKey ?? x25519.utils.randomSecretKey();
  const es = keys?.ed25519PrivateKey ?? ed25519.utils.randomSecretKey();
  if (xs.length !== SEALED_KEY_BYTES || es.length !== SEALED_KEY_BYTES) {
    throw new HiveLinkError('HL_ERR_KEY_FILE', 'end-to-end private keys must be 32 bytes each');
  }
  return {
    x25519: { privateKey: xs.slice(), publicKey: x25519.getPublicKey(xs) },
    ed25519: { privateKey: es.slice(), publicKey: ed25519.getPublicKey(es) },
  };
}

/** A fresh X25519 key pair: the one-time reply key of an anonymous message. */
export function replyKeyPair(): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const privateKey = x25519.utils.randomSecretKey();
  return { privateKey, publicKey: x25519.getPublicKey(privateKey) };
}

/**
 * `sha256:<hex>` of a client's two public keys (X25519 then Ed25519): how the directory and `hivelink clients show`
 * name them (16 hex digits unless `full`). Two people compare it to know they hold each other's keys.
 */
export function e2eFingerprint(x25519Key: Uint8Array, ed25519Key: Uint8Array, full = false): string {
  let hex = '';
  for (const b of sha256(concatBytes([x25519Key, ed25519Key]))) hex += b.toString(16).padStart(2, '0');
  return `sha256:${full ? hex : hex.slice(0, 16)}`;
}

/** What to seal. */
export interface SealInput {
  /** The recipient's X25519 public key (from the directory), or the reply key of the message answered. */
  readonly recipientKey: Uint8Array;
  readonly content: SealedContentType;
  readonly payload: Uint8Array;
  /** Signed: the sender's identity signs it. Anonymous: the one-time reply key's public half goes inside. */
  readonly sender: { readonly signedBy: E2eIdentity } | { readonly replyKey: Uint8Array };
  /** @default 16 random bytes */
  readonly id?: string;
  /** @default Date.now() */
  readonly timestamp?: number;
  /** HPKE ephemeral key material, for known-answer tests only (RFC 9180 `ikmE`). @default random */
  readonly ikmE?: Uint8Array;
}

export interface Sealed {
  readonly envelope: Uint8Array;
  readonly header: SealedHeader;
}

function randomId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(SEALED_ID_BYTES));
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function signedBytes(aad: Uint8Array, content: number, payload: Uint8Array): Uint8Array {
  return concatBytes([SIGNATURE_CONTEXT, aad, Uint8Array.of(content), payload]);
}

/** Seals one message: the header, the HPKE encapsulated key, and the ciphertext of the inner plaintext. */
export async function sealEnvelope(input: SealInput): Promise<Sealed> {
  const anonymous = 'replyKey' in input.sender;
  const header: SealedHeader = {
    anonymous,
    recipientKey: input.recipientKey.slice(),
    id: input.id ?? randomId(),
    timestamp: input.timestamp ?? Date.now(),
  };
  const aad = encodeSealedHeader(header);
  let senderBlock: Uint8Array;
  if ('replyKey' in input.sender) {
    if (input.sender.replyKey.length !== SEALED_KEY_BYTES) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'replyKey: must be 32 bytes');
    }
    senderBlock = input.sender.replyKey;
  } else {
    const id = input.sender.signedBy.ed25519;
    const signature = ed25519.sign(signedBytes(aad, input.content, input.payload), id.privateKey);
    senderBlock = concatBytes([id.publicKey, signature]);
  }
  const inner = concatBytes([Uint8Array.of(input.content), senderBlock, input.payload]);
  const s = sealedSuite();
  const context = await s.createSenderContext({
    recipientPublicKey: await s.kem.deserializePublicKey(header.recipientKey),
    info: SEALED_HPKE_INFO,
    ...(input.ikmE === undefined ? {} : { ekm: input.ikmE }),
  });
  const ciphertext = new Uint8Array(await context.seal(inner, aad));
  return { envelope: concatBytes([aad, new Uint8Array(context.enc), ciphertext]), header };
}

/** An envelope, opened and checked. */
export interface OpenedEnvelope {
  readonly header: SealedHeader;
  readonly content: SealedContentType;
  readonly payload: Uint8Array;
  /** Signed: the Ed25519 public key whose signature verified. Null when anonymous. */
  readonly signer: Uint8Array | null;
  /** Anonymous: the one-time reply key to seal an answer to. Null when signed. */
  readonly replyKey: Uint8Array | null;
}

const CONTENT_TYPES: ReadonlySet<number> = new Set(Object.values(SealedContent));

/**
 * Opens an envelope with the recipient's X25519 private key and, when signed, verifies the signature with the key
 * inside. Who that key belongs to is the caller's question (the directory).
 * @throws HiveLinkError `HL_ERR_SEALED_BAD_ENVELOPE` (no envelope, or a bad inner layout),
 *   `HL_ERR_SEALED_OPEN_FAILED` (tampered, truncated, or sealed to another key), `HL_ERR_SEALED_BAD_SIGNATURE`
 */
export async function openEnvelope(
  envelope: Uint8Array,
  recipientPrivateKey: Uint8Array,
): Promise<OpenedEnvelope> {
  const header = parseSealedHeader(envelope);
  const aad = envelope.subarray(0, SEALED_HEADER_BYTES);
  const enc = envelope.subarray(SEALED_HEADER_BYTES, SEALED_HEADER_BYTES + SEALED_KEY_BYTES);
  const ciphertext = envelope.subarray(SEALED_HEADER_BYTES + SEALED_KEY_BYTES);
  const s = sealedSuite();
  let inner: Uint8Array;
  try {
    const context = await s.createRecipientContext({
      recipientKey: await s.kem.deserializePrivateKey(recipientPrivateKey),
      enc: enc.slice(),
      info: SEALED_HPKE_INFO,
    });
    inner = new Uint8Array(await context.open(ciphertext.slice(), aad.slice()));
  } catch (cause) {
    throw new HiveLinkError(
      'HL_ERR_SEALED_OPEN_FAILED',
      'the sealed envelope did not open: tampered with, truncated, or sealed to another key',
      { cause },
    );
  }
  const content = inner[0] ?? 0;
  if (!CONTENT_TYPES.has(content)) {
    throw new HiveLinkError('HL_ERR_SEALED_BAD_ENVELOPE', `unknown sealed content type ${content}`);
  }
  if (header.anonymous) {
    return {
      header,
      content: content as SealedContentType,
      replyKey: inner.slice(1, 1 + SEALED_KEY_BYTES),
      payload: inner.slice(1 + SEALED_KEY_BYTES),
      signer: null,
    };
  }
  const blockEnd = 1 + SEALED_KEY_BYTES + ED25519_SIGNATURE_BYTES;
  if (inner.length < blockEnd) {
    throw new HiveLinkError('HL_ERR_SEALED_BAD_ENVELOPE', 'a signed envelope too short for its signature');
  }
  const signer = inner.slice(1, 1 + SEALED_KEY_BYTES);
  const signature = inner.subarray(1 + SEALED_KEY_BYTES, blockEnd);
  const payload = inner.slice(blockEnd);
  let ok = false;
  try {
    ok = ed25519.verify(signature, signedBytes(aad, content, payload), signer);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new HiveLinkError('HL_ERR_SEALED_BAD_SIGNATURE', "the sealed message's signature does not verify");
  }
  return { header, content: content as SealedContentType, payload, signer, replyKey: null };
}
