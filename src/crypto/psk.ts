/**
 * The v3 Noise pre-shared key (docs/PROTOCOL.md §3.5). Both sides derive it from the client's password, salted with the
 * hub's `node_id` from HELLO, so the password itself never crosses the wire:
 *
 * - argon2id (the default): `argon2id(utf8(pw), SHA256(utf8(node_id)), t=3, m=65536 KiB, p=1, 32 bytes)`;
 * - PBKDF2 (HiveMind-js, only when the hub advertises `noise.kdf = {name:"PBKDF2", iterations}`):
 *   `PBKDF2-HMAC-SHA256(utf8(pw), SHA256(utf8(node_id)), iterations, 32)`;
 * - or provisioned directly as 32 bytes or 64 hex characters.
 *
 * @module
 */
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import type { Argon2idParams, CryptoBackend } from './backend.js';

export const PSK_BYTES = 32;

/** The argon2id parameters HiveMind fixes for the v3 PSK. */
export const PSK_ARGON2ID_PARAMS: Argon2idParams = Object.freeze({
  timeCost: 3,
  memoryKiB: 65536,
  parallelism: 1,
  hashLength: PSK_BYTES,
});

/** Options of {@link derivePskPbkdf2}. */
export interface Pbkdf2PskOptions {
  /**
   * The most iterations accepted: the count comes from the hub's offer, and a huge one would stall the client.
   * @default LIMIT_DEFS.maxPbkdf2Iterations.default
   */
  readonly maxIterations?: number;
}

function pskError(message: string, cause?: unknown): HiveLinkError {
  return new HiveLinkError('HL_ERR_PSK_DERIVATION', message, cause === undefined ? {} : { cause });
}

function saltAndPassword(backend: CryptoBackend, password: string, nodeId: string): [Uint8Array, Uint8Array] {
  if (typeof password !== 'string' || password.length === 0) {
    throw pskError('the password must be a non-empty string');
  }
  if (typeof nodeId !== 'string' || nodeId.length === 0) {
    throw pskError('the node id must be a non-empty string');
  }
  const utf8 = new TextEncoder();
  return [utf8.encode(password), backend.sha256(utf8.encode(nodeId))];
}

function checkOutput(out: Uint8Array): Uint8Array {
  if (!(out instanceof Uint8Array) || out.length !== PSK_BYTES) {
    throw pskError('the key derivation returned a result of the wrong length');
  }
  return out;
}

async function run(derive: () => Promise<Uint8Array>): Promise<Uint8Array> {
  try {
    return checkOutput(await derive());
  } catch (cause) {
    if (isHiveLinkError(cause, 'HL_ERR_PSK_DERIVATION')) throw cause;
    throw pskError('the PSK could not be derived', cause);
  }
}

/**
 * The v3 PSK by argon2id (v1.3, t=3, m=64 MiB, p=1), salted with SHA-256 of the hub's node id.
 * @throws HiveLinkError `HL_ERR_PSK_DERIVATION` for an empty password or node id, or a failing backend
 */
export async function derivePskArgon2id(
  backend: CryptoBackend,
  password: string,
  nodeId: string,
): Promise<Uint8Array> {
  const [pw, salt] = saltAndPassword(backend, password, nodeId);
  return run(() => backend.argon2id(pw, salt, PSK_ARGON2ID_PARAMS));
}

/**
 * The v3 PSK by PBKDF2-HMAC-SHA256 with `iterations` rounds, salted with SHA-256 of the hub's node id.
 * @throws HiveLinkError `HL_ERR_PSK_DERIVATION` for an empty password or node id, or an iteration count that is
 *   not a whole number between 1 and `maxIterations`
 */
export async function derivePskPbkdf2(
  backend: CryptoBackend,
  password: string,
  nodeId: string,
  iterations: number,
  options: Pbkdf2PskOptions = {},
): Promise<Uint8Array> {
  const max = options.maxIterations ?? LIMIT_DEFS.maxPbkdf2Iterations.default;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > max) {
    throw pskError(
      `PBKDF2 iterations must be a whole number between 1 and ${max}, got ${String(iterations)}`,
    );
  }
  const [pw, salt] = saltAndPassword(backend, password, nodeId);
  return run(() => backend.pbkdf2Sha256(pw, salt, iterations, PSK_BYTES));
}

/**
 * A provisioned PSK: 32 raw bytes, or 64 hex characters (surrounding whitespace ignored, either case).
 * Returns a copy. The value is never echoed in the error message.
 * @throws HiveLinkError `HL_ERR_PSK_DERIVATION` for anything else
 */
export function parseProvisionedPsk(value: string | Uint8Array): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== PSK_BYTES) throw pskError(`a provisioned PSK must be ${PSK_BYTES} bytes`);
    return value.slice();
  }
  if (typeof value !== 'string') throw pskError('a provisioned PSK must be bytes or a hex string');
  const text = value.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw pskError(`a provisioned PSK must be ${PSK_BYTES * 2} hex characters`);
  }
  const out = new Uint8Array(PSK_BYTES);
  for (let i = 0; i < PSK_BYTES; i += 1) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}
