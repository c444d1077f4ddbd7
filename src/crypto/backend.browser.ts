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
import { pakoZlib } from '../protocol/zlib.js';
import type { AeadAlgorithm, CryptoBackend } from './backend.js';
import { checkedBackend } from './checked-backend.js';

/** `crypto.getRandomValues` fills at most 65 536 bytes per call. */
const RANDOM_CHUNK_BYTES = 65_536;

function randomBytes(n: number): Uint8Array {
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
  return checkedBackend({
    randomBytes,
    zlib: pakoZlib,
    sha256: (data) => sha256(data),
    hmacSha256: (key, data) => hmac(sha256, key, data),
    pbkdf2Sha256: (password, salt, iterations, length) =>
      pbkdf2Async(sha256, password, salt, { c: iterations, dkLen: length }),
    aeadSeal: (alg, key, nonce, plaintext, ad) => aead(alg, key, nonce, ad).encrypt(plaintext),
    aeadOpen(alg, key, nonce, sealed, ad) {
      try {
        return aead(alg, key, nonce, ad).decrypt(sealed);
      } catch {
        // Arguments were checked, so the only failure left is a tag that does not authenticate.
        return null;
      }
    },
    x25519FreshKeyPair() {
      const priv = randomBytes(32);
      return Object.freeze({ privateKey: priv, publicKey: nobleX25519.getPublicKey(priv) });
    },
    x25519PublicKey: (privateKey) => nobleX25519.getPublicKey(privateKey),
    // noble refuses a low-order public key, as OpenSSL does.
    x25519: (privateKey, publicKey) => nobleX25519.getSharedSecret(privateKey, publicKey),
  });
}

/** A ready {@link CryptoBackend} on @noble/* (browser-safe). */
export const browserBackend: CryptoBackend = createBrowserBackend();
