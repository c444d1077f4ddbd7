/**
 * Argument checks shared by every {@link CryptoBackend} implementation, so that both backends reject the same
 * inputs with the same HiveLinkError codes. Browser-safe.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import type { AeadAlgorithm, Argon2idParams } from './backend.js';

/** Largest PBKDF2 iteration count a backend accepts (a guard against a parameter that would stall a peer). */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
/** Largest argon2id memory a backend accepts, in KiB (4 GiB, the WebAssembly address-space limit). */
export const MAX_ARGON2_MEMORY_KIB = 4 * 1024 * 1024 - 64;
/** Largest derived key a backend returns, in bytes. */
export const MAX_KDF_OUTPUT_BYTES = 1024;

function isUint8Array(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

function positiveInt(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `${name} must be an integer in 1..${max}, got ${value}`,
    );
  }
}

/** Throws `HL_ERR_INVALID_ARGUMENT` unless `value` is a Uint8Array. */
export function checkBytes(name: string, value: unknown): asserts value is Uint8Array {
  if (!isUint8Array(value))
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${name} must be a Uint8Array`);
}

/** Throws `HL_ERR_INVALID_ARGUMENT` unless `n` is a byte count a backend can draw. */
export function checkRandomLength(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0x7fffffff) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `randomBytes length must be a non-negative integer, got ${n}`,
    );
  }
}

/**
 * Checks an AEAD key and nonce: AES-GCM takes a 16/24/32-byte key and a 12- or 16-byte nonce; ChaCha20-Poly1305 a
 * 32-byte key and a 12-byte nonce. Anything else is `HL_ERR_INVALID_KEY`; an unknown algorithm `HL_ERR_UNKNOWN_CIPHER`.
 */
export function checkAead(alg: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, ad?: Uint8Array): void {
  if (!isUint8Array(key) || !isUint8Array(nonce)) {
    throw new HiveLinkError('HL_ERR_INVALID_KEY', 'AEAD key and nonce must be Uint8Arrays');
  }
  if (ad !== undefined && !isUint8Array(ad)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'AEAD associated data must be a Uint8Array');
  }
  if (alg === 'aes-256-gcm') {
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_KEY',
        `AES-GCM key must be 16, 24 or 32 bytes, got ${key.length}`,
      );
    }
    if (nonce.length !== 12 && nonce.length !== 16) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_KEY',
        `AES-GCM nonce must be 12 or 16 bytes, got ${nonce.length}`,
      );
    }
    return;
  }
  if (alg === 'chacha20-poly1305') {
    if (key.length !== 32) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_KEY',
        `ChaCha20-Poly1305 key must be 32 bytes, got ${key.length}`,
      );
    }
    if (nonce.length !== 12) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_KEY',
        `ChaCha20-Poly1305 nonce must be 12 bytes, got ${nonce.length}`,
      );
    }
    return;
  }
  throw new HiveLinkError('HL_ERR_UNKNOWN_CIPHER', `unknown AEAD algorithm ${String(alg)}`);
}

/** Throws `HL_ERR_INVALID_KEY` unless `key` is a 32-byte X25519 key. */
export function checkX25519Key(name: string, key: unknown): asserts key is Uint8Array {
  if (!isUint8Array(key) || key.length !== 32) {
    throw new HiveLinkError('HL_ERR_INVALID_KEY', `X25519 ${name} must be 32 bytes`);
  }
}

/** Checks PBKDF2 arguments (`HL_ERR_INVALID_ARGUMENT`). */
export function checkPbkdf2(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): void {
  checkBytes('password', password);
  checkBytes('salt', salt);
  positiveInt('PBKDF2 iterations', iterations, MAX_PBKDF2_ITERATIONS);
  positiveInt('PBKDF2 length', length, MAX_KDF_OUTPUT_BYTES);
}

/** Checks argon2id arguments against RFC 9106's minimums (`HL_ERR_INVALID_ARGUMENT`). */
export function checkArgon2id(password: Uint8Array, salt: Uint8Array, params: Argon2idParams): void {
  checkBytes('password', password);
  checkBytes('salt', salt);
  if (salt.length < 8)
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'argon2id salt must be at least 8 bytes');
  if (typeof params !== 'object' || params === null) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'argon2id params must be an object');
  }
  positiveInt('argon2id timeCost', params.timeCost, 0xffffffff);
  positiveInt('argon2id parallelism', params.parallelism, 0xffffff);
  positiveInt('argon2id memoryKiB', params.memoryKiB, MAX_ARGON2_MEMORY_KIB);
  positiveInt('argon2id hashLength', params.hashLength, MAX_KDF_OUTPUT_BYTES);
  if (params.memoryKiB < 8 * params.parallelism) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'argon2id memoryKiB must be at least 8 × parallelism');
  }
  if (params.hashLength < 4)
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'argon2id hashLength must be ≥ 4');
}
