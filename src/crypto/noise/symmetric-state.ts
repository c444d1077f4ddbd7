/**
 * Noise SymmetricState (rev 34 §5.2): the chaining key `ck`, the handshake hash `h` and the current CipherState,
 * with HKDF (§4.3) over HMAC-SHA256.
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';
import { concatBytes } from '../../protocol/bytes.js';
import type { CryptoBackend } from '../backend.js';
import { CipherState } from './cipher-state.js';
import { NOISE_HASH_BYTES, type NoiseSuite } from './patterns.js';

const EMPTY = new Uint8Array(0);

/**
 * Noise HKDF (§4.3): `temp = HMAC(ck, ikm)`, `out1 = HMAC(temp, 0x01)`, `out_i = HMAC(temp, out_{i-1} ‖ i)`.
 * Returns `count` outputs of 32 bytes.
 */
export function noiseHkdf(
  backend: CryptoBackend,
  chainingKey: Uint8Array,
  inputKeyMaterial: Uint8Array,
  count: 2 | 3,
): Uint8Array[] {
  const tempKey = backend.hmacSha256(chainingKey, inputKeyMaterial);
  const outputs: Uint8Array[] = [];
  let previous: Uint8Array = EMPTY;
  for (let i = 1; i <= count; i += 1) {
    previous = backend.hmacSha256(tempKey, concatBytes([previous, Uint8Array.of(i)]));
    outputs.push(previous);
  }
  return outputs;
}

/** Options of a {@link SymmetricState}. */
export interface SymmetricStateOptions {
  /**
   * `maxNonce` of the two CipherStates {@link SymmetricState.split} returns.
   * @default LIMIT_DEFS.maxNoiseNonce.default
   */
  readonly maxNonce?: number;
}

/** The hashing and keying state of a handshake in progress. */
export class SymmetricState {
  readonly #backend: CryptoBackend;
  readonly #suite: NoiseSuite;
  readonly #maxNonce: number | undefined;
  #ck: Uint8Array;
  #h: Uint8Array;
  #cipher: CipherState | null = null;

  /** InitializeSymmetric(protocol_name). */
  constructor(
    backend: CryptoBackend,
    suite: NoiseSuite,
    protocolName: string,
    options: SymmetricStateOptions = {},
  ) {
    this.#backend = backend;
    this.#suite = suite;
    this.#maxNonce = options.maxNonce;
    const name = new TextEncoder().encode(protocolName);
    if (name.length <= NOISE_HASH_BYTES) {
      this.#h = new Uint8Array(NOISE_HASH_BYTES);
      this.#h.set(name);
    } else {
      this.#h = backend.sha256(name);
    }
    this.#ck = this.#h.slice();
  }

  /** True once a key has been mixed in (so `s` and payloads are encrypted). */
  get hasKey(): boolean {
    return this.#cipher !== null;
  }

  /** MixHash: `h = HASH(h ‖ data)`. */
  mixHash(data: Uint8Array): void {
    this.#h = this.#backend.sha256(concatBytes([this.#h, data]));
  }

  /** MixKey: `ck, k = HKDF(ck, ikm, 2)`. */
  mixKey(inputKeyMaterial: Uint8Array): void {
    const [ck, k] = noiseHkdf(this.#backend, this.#ck, inputKeyMaterial, 2) as [Uint8Array, Uint8Array];
    this.#ck = ck;
    this.#cipher = new CipherState(this.#backend, this.#suite, k);
  }

  /** MixKeyAndHash (for `psk`): `ck, temp_h, k = HKDF(ck, ikm, 3)`, then MixHash(temp_h). */
  mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
    const [ck, tempH, k] = noiseHkdf(this.#backend, this.#ck, inputKeyMaterial, 3) as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    this.#ck = ck;
    this.mixHash(tempH);
    this.#cipher = new CipherState(this.#backend, this.#suite, k);
  }

  /** EncryptAndHash: encrypts with `h` as AD when a key exists, then mixes the ciphertext into `h`. */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const out = this.#cipher === null ? plaintext.slice() : this.#cipher.encrypt(plaintext, this.#h);
    this.mixHash(out);
    return out;
  }

  /** DecryptAndHash: the inverse of {@link encryptAndHash}; a bad tag throws `HL_ERR_NOISE_DECRYPT`. */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const out = this.#cipher === null ? ciphertext.slice() : this.#cipher.decrypt(ciphertext, this.#h);
    this.mixHash(ciphertext);
    return out;
  }

  /** A copy of the handshake hash `h`. */
  handshakeHash(): Uint8Array {
    return this.#h.slice();
  }

  /** Split: the two transport CipherStates `(c1, c2)`; c1 protects initiator → responder. Forgets `ck`. */
  split(): [CipherState, CipherState] {
    if (this.#ck.length === 0) throw new HiveLinkError('HL_ERR_NOISE_STATE', 'Noise state was already split');
    const [k1, k2] = noiseHkdf(this.#backend, this.#ck, EMPTY, 2) as [Uint8Array, Uint8Array];
    const options = this.#maxNonce === undefined ? {} : { maxNonce: this.#maxNonce };
    const pair: [CipherState, CipherState] = [
      new CipherState(this.#backend, this.#suite, k1, options),
      new CipherState(this.#backend, this.#suite, k2, options),
    ];
    this.#ck = EMPTY;
    this.#cipher = null;
    return pair;
  }
}
