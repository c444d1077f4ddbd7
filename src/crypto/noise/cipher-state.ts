/**
 * Noise CipherState (rev 34 §5.1): one key and a message counter used as the AEAD nonce.
 *
 * Nonces are 12 bytes: 4 zero bytes, then the 64-bit counter, little-endian for ChaChaPoly and big-endian for
 * AESGCM (§12.3, §12.4). A message that fails to authenticate leaves the counter where it was, and the counter
 * stops at `maxNonce` (a limit far below Noise's reserved 2^64-1) so that a nonce is never reused.
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';
import { LIMIT_DEFS } from '../../limits.js';
import { AEAD_TAG_BYTES, type CryptoBackend } from '../backend.js';
import { NOISE_SUITE_AEAD, type NoiseSuite } from './patterns.js';

const EMPTY = new Uint8Array(0);
const TWO_POW_32 = 0x1_0000_0000;

/** Options of a {@link CipherState}. */
export interface CipherStateOptions {
  /**
   * Messages this state may protect; the next `encrypt` or `decrypt` after that throws `HL_ERR_NONCE_EXHAUSTED`.
   * @default LIMIT_DEFS.maxNoiseNonce.default (Number.MAX_SAFE_INTEGER)
   */
  readonly maxNonce?: number;
}

/** The 12-byte AEAD nonce for counter `n` in `suite`. */
export function noiseNonce(suite: NoiseSuite, n: number): Uint8Array {
  const nonce = new Uint8Array(12);
  const view = new DataView(nonce.buffer);
  const low = n % TWO_POW_32;
  const high = Math.floor(n / TWO_POW_32);
  if (NOISE_SUITE_AEAD[suite].nonceLittleEndian) {
    view.setUint32(4, low, true);
    view.setUint32(8, high, true);
  } else {
    view.setUint32(4, high, false);
    view.setUint32(8, low, false);
  }
  return nonce;
}

/** Checks a `maxNonce` option and returns it, or the default when absent. */
export function resolveMaxNonce(value: number | undefined): number {
  if (value === undefined) return LIMIT_DEFS.maxNoiseNonce.default;
  if (!Number.isSafeInteger(value) || value < LIMIT_DEFS.maxNoiseNonce.min) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `maxNonce must be a whole number >= ${LIMIT_DEFS.maxNoiseNonce.min}, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * One direction of a Noise session: a 32-byte key and a counter. Obtained from `NoiseHandshake.split()`.
 * Encryptions must be sent in the order they were made, because the receiver expects consecutive counters.
 */
export class CipherState {
  readonly #backend: CryptoBackend;
  readonly #suite: NoiseSuite;
  readonly #key: Uint8Array;
  readonly #maxNonce: number;
  #n = 0;

  /**
   * @param backend primitives to use
   * @param suite the Noise suite, which fixes the AEAD and the nonce byte order
   * @param key the 32-byte cipher key (copied)
   */
  constructor(backend: CryptoBackend, suite: NoiseSuite, key: Uint8Array, options: CipherStateOptions = {}) {
    if (!(key instanceof Uint8Array) || key.length !== 32) {
      throw new HiveLinkError('HL_ERR_INVALID_KEY', 'a Noise cipher key must be 32 bytes');
    }
    if (!(suite in NOISE_SUITE_AEAD)) {
      throw new HiveLinkError('HL_ERR_NOISE_UNSUPPORTED', `unknown Noise suite "${String(suite)}"`);
    }
    this.#backend = backend;
    this.#suite = suite;
    this.#key = key.slice();
    this.#maxNonce = resolveMaxNonce(options.maxNonce);
  }

  /** The counter the next message will use (= messages protected so far). */
  get nonce(): number {
    return this.#n;
  }

  /** Messages this state may still protect before it is exhausted. */
  get remaining(): number {
    return this.#maxNonce - this.#n;
  }

  /** The suite this state encrypts with. */
  get suite(): NoiseSuite {
    return this.#suite;
  }

  /** EncryptWithAd: returns `ciphertext ‖ tag(16)` and advances the counter. */
  encrypt(plaintext: Uint8Array, ad: Uint8Array = EMPTY): Uint8Array {
    this.#checkNonce();
    const sealed = this.#backend.aeadSeal(
      NOISE_SUITE_AEAD[this.#suite].alg,
      this.#key,
      noiseNonce(this.#suite, this.#n),
      plaintext,
      ad,
    );
    this.#n += 1;
    return sealed;
  }

  /**
   * DecryptWithAd: returns the plaintext and advances the counter. A bad tag, a truncated message, a replay or a
   * reordered message throws `HL_ERR_NOISE_DECRYPT` and leaves the counter unchanged.
   */
  decrypt(ciphertext: Uint8Array, ad: Uint8Array = EMPTY): Uint8Array {
    this.#checkNonce();
    let plaintext: Uint8Array | null = null;
    if (ciphertext instanceof Uint8Array && ciphertext.length >= AEAD_TAG_BYTES) {
      try {
        plaintext = this.#backend.aeadOpen(
          NOISE_SUITE_AEAD[this.#suite].alg,
          this.#key,
          noiseNonce(this.#suite, this.#n),
          ciphertext,
          ad,
        );
      } catch (cause) {
        throw new HiveLinkError('HL_ERR_NOISE_DECRYPT', 'Noise message could not be decrypted', { cause });
      }
    }
    if (plaintext === null) {
      throw new HiveLinkError(
        'HL_ERR_NOISE_DECRYPT',
        'Noise message failed to authenticate (tampered, replayed, reordered or wrong key)',
      );
    }
    this.#n += 1;
    return plaintext;
  }

  #checkNonce(): void {
    if (this.#n >= this.#maxNonce) {
      throw new HiveLinkError(
        'HL_ERR_NONCE_EXHAUSTED',
        `Noise cipher state used all ${this.#maxNonce} nonces; re-establish the session`,
      );
    }
  }
}
