/**
 * Argon2id (v1.3) through hash-wasm, shared by both backends (WebAssembly runs in Node and in browsers).
 *
 * @module
 */
import { argon2id as wasmArgon2id } from 'hash-wasm';
import { HiveLinkError } from '../errors.js';
import type { Argon2idParams } from './backend.js';
import { checkArgon2id } from './backend-checks.js';

/**
 * Argon2id of `password` with `salt`; resolves to `params.hashLength` bytes.
 * Rejects with `HL_ERR_INVALID_ARGUMENT` for parameters outside RFC 9106's ranges.
 */
export async function argon2idBytes(
  password: Uint8Array,
  salt: Uint8Array,
  params: Argon2idParams,
): Promise<Uint8Array> {
  checkArgon2id(password, salt, params);
  try {
    const out = await wasmArgon2id({
      password,
      salt,
      iterations: params.timeCost,
      memorySize: params.memoryKiB,
      parallelism: params.parallelism,
      hashLength: params.hashLength,
      outputType: 'binary',
    });
    return new Uint8Array(out);
  } catch (cause) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'argon2id failed', { cause });
  }
}
