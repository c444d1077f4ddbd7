/**
 * What every {@link CryptoBackend} does the same way around its primitives: the argument checks of
 * `backend-checks.ts`, AEAD open refusing input shorter than a tag, the copy and freeze of a given X25519 private
 * key, the error for a low-order X25519 public key, and argon2id (hash-wasm in both). A backend supplies only the
 * primitives ({@link BackendPrimitives}), so both backends accept and refuse exactly the same inputs. Browser-safe.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { argon2idBytes } from './argon2id.js';
import { AEAD_TAG_BYTES, type CryptoBackend, type X25519KeyPair } from './backend.js';
import { checkAead, checkBytes, checkPbkdf2, checkRandomLength, checkX25519Key } from './backend-checks.js';

/**
 * The primitives of one backend, called only with checked arguments. `aeadOpen` gets at least a tag's worth of
 * `sealed` and returns `null` for a tag that does not authenticate; `x25519` may throw anything for a low-order
 * public key (it becomes `HL_ERR_INVALID_KEY`).
 */
export type BackendPrimitives = Omit<CryptoBackend, 'argon2id' | 'x25519KeyPair'> & {
  /** A fresh X25519 key pair from the CSPRNG. */
  x25519FreshKeyPair(): X25519KeyPair;
  /** The public key of a 32-byte private key. */
  x25519PublicKey(privateKey: Uint8Array): Uint8Array;
};

/** A frozen {@link CryptoBackend} on `primitives`, checking every argument first. */
export function checkedBackend(primitives: BackendPrimitives): CryptoBackend {
  const p = primitives;
  const backend: CryptoBackend = {
    zlib: p.zlib,
    argon2id: argon2idBytes,

    randomBytes(n) {
      checkRandomLength(n);
      return p.randomBytes(n);
    },

    sha256(data) {
      checkBytes('data', data);
      return p.sha256(data);
    },

    hmacSha256(key, data) {
      checkBytes('key', key);
      checkBytes('data', data);
      return p.hmacSha256(key, data);
    },

    async pbkdf2Sha256(password, salt, iterations, length) {
      checkPbkdf2(password, salt, iterations, length);
      return p.pbkdf2Sha256(password, salt, iterations, length);
    },

    aeadSeal(alg, key, nonce, plaintext, ad) {
      checkAead(alg, key, nonce, ad);
      checkBytes('plaintext', plaintext);
      return p.aeadSeal(alg, key, nonce, plaintext, ad);
    },

    aeadOpen(alg, key, nonce, sealed, ad) {
      checkAead(alg, key, nonce, ad);
      checkBytes('sealed', sealed);
      if (sealed.length < AEAD_TAG_BYTES) return null;
      return p.aeadOpen(alg, key, nonce, sealed, ad);
    },

    x25519KeyPair(privateKey) {
      if (privateKey === undefined) return p.x25519FreshKeyPair();
      checkX25519Key('private key', privateKey);
      const priv = Uint8Array.from(privateKey);
      return Object.freeze({ privateKey: priv, publicKey: p.x25519PublicKey(priv) });
    },

    x25519(privateKey, publicKey) {
      checkX25519Key('private key', privateKey);
      checkX25519Key('public key', publicKey);
      try {
        return p.x25519(privateKey, publicKey);
      } catch (cause) {
        // Both libraries refuse a low-order public key (the shared secret would be all zeros).
        throw new HiveLinkError('HL_ERR_INVALID_KEY', 'X25519 public key is invalid or of low order', {
          cause,
        });
      }
    },
  };
  return Object.freeze(backend);
}
