/**
 * The primitives every handshake and cipher in hivelink is built on. Two implementations exist, chosen by file,
 * never by runtime sniffing: `backend.node.ts` (node:crypto, plus hash-wasm for argon2id) and `backend.browser.ts`
 * (@noble/* and hash-wasm). Protocol code receives a backend as a parameter (dependency injection); only entry
 * points (`src/index.ts`, `src/client/index.browser.ts`, …) pick one.
 *
 * All byte values are `Uint8Array`. AEAD functions return `ciphertext ‖ tag` as one array (the tag is the last
 * 16 bytes), the layout both Noise and the binary legacy frame use.
 *
 * @module
 */

import type { ZlibCodec } from '../protocol/zlib.js';

/** AEAD algorithms: AES-GCM takes a 12- or 16-byte nonce (legacy uses 16), ChaCha20-Poly1305 a 12-byte nonce. */
export type AeadAlgorithm = 'aes-256-gcm' | 'chacha20-poly1305';

export const AEAD_TAG_BYTES = 16;

export interface X25519KeyPair {
  /** 32-byte private scalar (raw, as in RFC 7748). */
  readonly privateKey: Uint8Array;
  /** 32-byte public key. */
  readonly publicKey: Uint8Array;
}

export interface Argon2idParams {
  /** Passes (t). */
  readonly timeCost: number;
  /** Memory in KiB (m). */
  readonly memoryKiB: number;
  /** Lanes (p). */
  readonly parallelism: number;
  /** Output length in bytes. */
  readonly hashLength: number;
}

export interface CryptoBackend {
  /** `n` bytes from a cryptographically secure source. */
  randomBytes(n: number): Uint8Array;
  sha256(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /**
   * PBKDF2-HMAC-SHA256. Asynchronous so that Node runs it on the libuv pool, never on the event loop
   * (100 000 iterations take tens of milliseconds).
   */
  pbkdf2Sha256(
    password: Uint8Array,
    salt: Uint8Array,
    iterations: number,
    length: number,
  ): Promise<Uint8Array>;
  /** Argon2id (v1.3). */
  argon2id(password: Uint8Array, salt: Uint8Array, params: Argon2idParams): Promise<Uint8Array>;
  /** Seals `plaintext`; returns `ciphertext ‖ tag(16)`. AES-GCM key length selects AES-128/192/256. */
  aeadSeal(
    alg: AeadAlgorithm,
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    ad?: Uint8Array,
  ): Uint8Array;
  /**
   * Opens `ciphertext ‖ tag(16)`; returns the plaintext, or `null` when authentication fails.
   * Never throws for a bad tag; throws a HiveLinkError (`HL_ERR_INVALID_KEY`) for an impossible key or nonce.
   */
  aeadOpen(
    alg: AeadAlgorithm,
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    ad?: Uint8Array,
  ): Uint8Array | null;
  /** A fresh X25519 key pair, or the pair for a given 32-byte private key. */
  x25519KeyPair(privateKey?: Uint8Array): X25519KeyPair;
  /** X25519 Diffie-Hellman: the 32-byte shared secret. */
  x25519(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** zlib for bitstring fields: node:zlib in Node, pako in browsers. */
  readonly zlib: ZlibCodec;
}
