/**
 * The Node.js {@link CryptoBackend}: node:crypto for every primitive (PBKDF2 on the libuv pool), hash-wasm for
 * argon2id, node:zlib for bitstring fields. Every returned value is a plain `Uint8Array` (never a pooled `Buffer`).
 *
 * @example
 * ```ts
 * import { nodeBackend } from './backend.node.js';
 * const key = await nodeBackend.pbkdf2Sha256(pw, salt, 100_000, 32);
 * ```
 *
 * @module
 */
import {
  type CipherGCMTypes,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
  randomBytes as nodeRandomBytes,
  pbkdf2,
  randomFillSync,
} from 'node:crypto';
import { HiveLinkError } from '../errors.js';
import { concatBytes } from '../protocol/bytes.js';
import { AEAD_TAG_BYTES, type AeadAlgorithm, type CryptoBackend, type X25519KeyPair } from './backend.js';
import { checkedBackend } from './checked-backend.js';
import { nodeZlib } from './zlib.node.js';

/**
 * Node's cipher name for an AEAD algorithm and key length. ChaCha20-Poly1305 is an AEAD with the same
 * setAuthTag/getAuthTag/setAAD interface as GCM, so callers treat both through the GCM typings.
 */
function cipherName(alg: AeadAlgorithm, key: Uint8Array): string {
  if (alg === 'chacha20-poly1305') return 'chacha20-poly1305';
  return key.length === 16 ? 'aes-128-gcm' : key.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm';
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * `x` of a private JWK: Node 20 and 22 require the member but build an OKP private key from `d` alone (raw import,
 * ~10x faster than parsing DER with OpenSSL 3.0, which Node 20 ships); the public key is always derived from `d`.
 * Node 24 checks `x` against `d` and refuses this, so there {@link importPrivateKey} uses PKCS#8 instead (as fast,
 * with the OpenSSL 3.5 Node 22 and 24 ship).
 */
const UNUSED_JWK_X = Buffer.alloc(32).toString('base64url');

function privateKeyFromJwk(privateKey: Uint8Array): KeyObject {
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: base64url(privateKey), x: UNUSED_JWK_X },
    format: 'jwk',
  });
}

/** PKCS#8 `PrivateKeyInfo` of an X25519 key (RFC 8410) up to the 32 raw bytes. */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

function privateKeyFromPkcs8(privateKey: Uint8Array): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_X25519_PREFIX, privateKey]),
    format: 'der',
    type: 'pkcs8',
  });
}

/**
 * The fastest import of a raw private key this Node accepts, picked once by trying the JWK form on a fixed key (a
 * capability check, not a version check): JWK on Node 20 and 22, PKCS#8 where JWK is refused (Node 24).
 */
const importPrivateKey: (privateKey: Uint8Array) => KeyObject = (() => {
  try {
    privateKeyFromJwk(new Uint8Array(32).fill(0x40));
    return privateKeyFromJwk;
  } catch {
    return privateKeyFromPkcs8;
  }
})();

/**
 * A raw private key as a KeyObject, imported afresh for each use and never kept. Keys come only from
 * `createPrivateKey`, never from `generateKeyPair(Sync)`: on Node 20 a key made by OpenSSL's keygen shares a mutex
 * with its finished keygen job, whose destructor takes that mutex when the garbage collector runs it, and a GC that
 * starts inside `export()` of that key (which holds the mutex while it allocates the JWK strings) waits on itself
 * forever (issue 10; `scripts/soak-x25519.ts` shows this path does not). An imported key has no job, so nothing
 * takes its mutex during a GC. Caching these objects per key array would save a third of the imports of a Noise
 * handshake but cost as much in GC work (measured: the same CPU time per handshake), so there is no cache.
 */
function privateKeyObject(privateKey: Uint8Array): KeyObject {
  return importPrivateKey(privateKey);
}

/** A raw public key as a KeyObject (JWK import: ten times faster than DER with OpenSSL 3). */
function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: base64url(publicKey) },
    format: 'jwk',
  });
}

function rawPublicKey(privateKey: Uint8Array): Uint8Array {
  const jwk = createPublicKey(privateKeyObject(privateKey)).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(String(jwk.x), 'base64url'));
}

/**
 * A fresh key pair: 32 bytes from the CSPRNG, clamped as RFC 7748 §5 says (what OpenSSL's own X25519 keygen
 * stores), and the public key derived through an imported KeyObject. Deliberately not `generateKeyPairSync`, whose
 * keys can deadlock the process on export (see {@link privateKeyObject}).
 */
function freshKeyPair(): X25519KeyPair {
  const priv = new Uint8Array(32);
  randomFillSync(priv);
  priv[0] = priv[0]! & 248;
  priv[31] = (priv[31]! & 127) | 64;
  return Object.freeze({ privateKey: priv, publicKey: rawPublicKey(priv) });
}

/** Bytes drawn from the CSPRNG at once for small requests. */
const RANDOM_POOL_BYTES = 4096;
/** Requests up to this size (nonces, IVs, keys) are served from the pool. */
const POOLED_RANDOM_MAX = 64;

/**
 * Random bytes with small requests served from a pool refilled {@link RANDOM_POOL_BYTES} at a time: one call into
 * the CSPRNG per ~250 nonces instead of one per nonce (it costs several microseconds each). Bytes handed out are
 * wiped from the pool; every result is a fresh array.
 */
function pooledRandom(): (n: number) => Uint8Array {
  let pool = new Uint8Array(0);
  let offset = 0;
  return (n) => {
    if (n > POOLED_RANDOM_MAX) return new Uint8Array(nodeRandomBytes(n));
    if (offset + n > pool.length) {
      pool = new Uint8Array(RANDOM_POOL_BYTES);
      randomFillSync(pool);
      offset = 0;
    }
    const out = pool.slice(offset, offset + n);
    pool.fill(0, offset, offset + n);
    offset += n;
    return out;
  };
}

/** Creates a {@link CryptoBackend} on node:crypto. One instance can be shared freely. */
export function createNodeBackend(): CryptoBackend {
  return checkedBackend({
    randomBytes: pooledRandom(),
    zlib: nodeZlib,
    sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
    hmacSha256: (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
    pbkdf2Sha256: (password, salt, iterations, length) =>
      new Promise((resolve, reject) => {
        pbkdf2(password, salt, iterations, length, 'sha256', (err, key) => {
          if (err) reject(new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'PBKDF2 failed', { cause: err }));
          else resolve(new Uint8Array(key));
        });
      }),

    aeadSeal(alg, key, nonce, plaintext, ad) {
      const cipher = createCipheriv(cipherName(alg, key) as CipherGCMTypes, key, nonce, {
        authTagLength: AEAD_TAG_BYTES,
      });
      if (ad !== undefined) cipher.setAAD(ad, { plaintextLength: plaintext.length });
      const body = cipher.update(plaintext);
      const tail = cipher.final();
      return concatBytes([body, tail, cipher.getAuthTag()]);
    },

    aeadOpen(alg, key, nonce, sealed, ad) {
      const split = sealed.length - AEAD_TAG_BYTES;
      const ciphertext = sealed.subarray(0, split);
      const decipher = createDecipheriv(cipherName(alg, key) as CipherGCMTypes, key, nonce, {
        authTagLength: AEAD_TAG_BYTES,
      });
      decipher.setAuthTag(sealed.subarray(split));
      if (ad !== undefined) decipher.setAAD(ad, { plaintextLength: ciphertext.length });
      const body = decipher.update(ciphertext);
      try {
        return concatBytes([body, decipher.final()]);
      } catch {
        // final() throws only when the tag does not authenticate the data.
        return null;
      }
    },

    x25519FreshKeyPair: freshKeyPair,
    x25519PublicKey: rawPublicKey,
    // OpenSSL refuses a low-order public key.
    x25519: (privateKey, publicKey) =>
      new Uint8Array(
        diffieHellman({ privateKey: privateKeyObject(privateKey), publicKey: publicKeyObject(publicKey) }),
      ),
  });
}

/** A ready {@link CryptoBackend} on node:crypto. */
export const nodeBackend: CryptoBackend = createNodeBackend();
