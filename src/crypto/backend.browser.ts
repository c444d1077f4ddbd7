/**
 * The browser {@link CryptoBackend}: audited pure-JS primitives from @noble/* (ciphers, hashes, curves),
 * `crypto.getRandomValues` for randomness, and hash-wasm for argon2id. No `node:` import and no `Buffer`, so it
 * also runs in Deno, Bun, workers and React Native (given `crypto.getRandomValues`).
 *
 * @example
 * ```ts
 * import { browserBackend } from './backend.browser.js';
 * const { publicKey } = browserBackend.x25519KeyPair();
 * ```
 *
 * @module
 */
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HiveLinkError } from '../errors.js';
import { pakoZlib } from '../protocol/zlib.js';
import { argon2idBytes } from './argon2id.js';
import { AEAD_TAG_BYTES, type AeadAlgorithm, type CryptoBackend, type X25519KeyPair } from './backend.js';
import { checkAead, checkBytes, checkPbkdf2, checkRandomLength, checkX25519Key } from './backend-checks.js';

/** `crypto.getRandomValues` fills at most 65 536 bytes per call. */
const RANDOM_CHUNK_BYTES = 65_536;

function randomBytes(n: number): Uint8Array {
  checkRandomLength(n);
  const out = new Uint8Array(n);
  for (let offset = 0; offset < n; offset += RANDOM_CHUNK_BYTES) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(n, offset + RANDOM_CHUNK_BYTES)));
  }
  return out;
}

function aead(alg: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, ad: Uint8Array | undefined) {
  return alg === 'chacha20-poly1305' ? chacha20poly1305(key, nonce, ad) : gcm(key, nonce, ad);
}

/** Creates a {@link CryptoBackend} on @noble/* and Web Crypto randomness. Stateless; one instance can be shared. */
export function createBrowserBackend(): CryptoBackend {
  return Object.freeze({
    randomBytes,
    zlib: pakoZlib,

    sha256(data: Uint8Array): Uint8Array {
      checkBytes('data', data);
      return sha256(data);
    },

    hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
      checkBytes('key', key);
      checkBytes('data', data);
      return hmac(sha256, key, data);
    },

    async pbkdf2Sha256(
      password: Uint8Array,
      salt: Uint8Array,
      iterations: number,
      length: number,
    ): Promise<Uint8Array> {
      checkPbkdf2(password, salt, iterations, length);
      return pbkdf2Async(sha256, password, salt, { c: iterations, dkLen: length });
    },

    argon2id: argon2idBytes,

    aeadSeal(
      alg: AeadAlgorithm,
      key: Uint8Array,
      nonce: Uint8Array,
      plaintext: Uint8Array,
      ad?: Uint8Array,
    ): Uint8Array {
      checkAead(alg, key, nonce, ad);
      checkBytes('plaintext', plaintext);
      return aead(alg, key, nonce, ad).encrypt(plaintext);
    },

    aeadOpen(
      alg: AeadAlgorithm,
      key: Uint8Array,
      nonce: Uint8Array,
      sealed: Uint8Array,
      ad?: Uint8Array,
    ): Uint8Array | null {
      checkAead(alg, key, nonce, ad);
      checkBytes('sealed', sealed);
      if (sealed.length < AEAD_TAG_BYTES) return null;
      try {
        return aead(alg, key, nonce, ad).decrypt(sealed);
      } catch {
        // Arguments were checked above, so the only failure left is a tag that does not authenticate.
        return null;
      }
    },

    x25519KeyPair(privateKey?: Uint8Array): X25519KeyPair {
      let priv: Uint8Array;
      if (privateKey === undefined) {
        priv = randomBytes(32);
      } else {
        checkX25519Key('private key', privateKey);
        priv = Uint8Array.from(privateKey);
      }
      return Object.freeze({ privateKey: priv, publicKey: nobleX25519.getPublicKey(priv) });
    },

    x25519(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
      checkX25519Key('private key', privateKey);
      checkX25519Key('public key', publicKey);
      try {
        return nobleX25519.getSharedSecret(privateKey, publicKey);
      } catch (cause) {
        // noble refuses a low-order public key (the shared secret would be all zeros), as OpenSSL does.
        throw new HiveLinkError('HL_ERR_INVALID_KEY', 'X25519 public key is invalid or of low order', {
          cause,
        });
      }
    },
  });
}

/** A ready {@link CryptoBackend} on @noble/* (browser-safe). */
export const browserBackend: CryptoBackend = createBrowserBackend();
