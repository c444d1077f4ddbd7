/**
 * Secrets at rest. Legacy handshakes need each client's password itself, so passwords (and cached v3 PSKs) are
 * stored sealed with AES-256-GCM under the hub secrets key: 32 random bytes kept as hex in `<dataDir>/secrets.key`
 * (mode 0600), apart from the database. A copy of the database alone reveals no password.
 *
 * Sealed format: `v1:<base64 nonce (12 bytes)>:<base64 ciphertext ‖ tag (16 bytes)>`. The optional `context`
 * string is bound as associated data, so a sealed value copied to another row (another client) does not open.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HiveLinkError } from '../errors.js';
import { createFileOnce } from './files.js';

/** Name of the secrets key file in the data dir. */
export const SECRETS_KEY_FILE = 'secrets.key';
/** Length of the secrets key in bytes. */
export const SECRETS_KEY_BYTES = 32;

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function unreadable(message: string, cause?: unknown): HiveLinkError {
  return new HiveLinkError('HL_ERR_SECRET_UNREADABLE', message, cause === undefined ? {} : { cause });
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== SECRETS_KEY_BYTES) {
    throw new HiveLinkError('HL_ERR_INVALID_KEY', `the secrets key must be ${SECRETS_KEY_BYTES} bytes`);
  }
}

/**
 * Seals `plaintext` (UTF-8) with AES-256-GCM under `key` and a fresh random nonce.
 *
 * @param context - bound as associated data; the same string must be given to {@link openSecret}. @default ''
 */
export function sealSecret(key: Uint8Array, plaintext: string, context = ''): string {
  checkKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}:${nonce.toString('base64')}:${body.toString('base64')}`;
}

/**
 * Opens a value made by {@link sealSecret}. A wrong key, a different `context`, a tampered or malformed value
 * throw `HL_ERR_SECRET_UNREADABLE`.
 *
 * @param context - the associated data given when sealing. @default ''
 */
export function openSecret(key: Uint8Array, sealed: string, context = ''): string {
  checkKey(key);
  if (typeof sealed !== 'string') throw unreadable('sealed secret is not a string');
  const parts = sealed.split(':');
  if (parts.length !== 3 || parts[0] !== VERSION) {
    throw unreadable(`sealed secret is not in the ${VERSION} format`);
  }
  const [, nonceB64, bodyB64] = parts as [string, string, string];
  if (!BASE64.test(nonceB64) || !BASE64.test(bodyB64)) throw unreadable('sealed secret is not base64');
  const nonce = Buffer.from(nonceB64, 'base64');
  const body = Buffer.from(bodyB64, 'base64');
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw unreadable('sealed secret is truncated');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch (err) {
    throw unreadable('sealed secret does not open: wrong secrets key, or the data was tampered with', err);
  }
}

/** Parses the text of a secrets key file (64 hex characters, surrounding whitespace ignored). */
export function parseSecretsKey(text: string): Uint8Array {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw unreadable(`the secrets key file must hold ${SECRETS_KEY_BYTES * 2} hex characters`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Where the secrets key is, and whether a missing one may be created. */
export interface SecretsKeyOptions {
  /** The key file. @default `<dataDir>/secrets.key` */
  readonly file?: string;
  /**
   * Create a missing key file. Only safe while nothing is sealed under a key yet: a new key cannot open what an
   * old one sealed. @default true
   */
  readonly create?: boolean;
}

/**
 * Loads the secrets key (`<dataDir>/secrets.key`, or `options.file`), creating it (32 random bytes, mode 0600) on
 * first use unless `options.create` is false. Creation is atomic, so a hub and the CLI starting together agree on
 * one key. A missing file that may not be created, an unreadable or a malformed one is `HL_ERR_SECRET_UNREADABLE`.
 */
export function loadOrCreateSecretsKey(
  dataDir: string,
  options: SecretsKeyOptions = {},
): { key: Uint8Array; created: boolean } {
  const file = options.file ?? join(dataDir, SECRETS_KEY_FILE);
  if (options.create === false && !existsSync(file)) {
    throw unreadable(
      `the secrets key ${file} is missing, but the client database exists: restore the key from your backup (a new key cannot open the stored passwords), or point --secrets-key-file (HIVELINK_SECRETS_KEY_FILE) at it`,
    );
  }
  const created = createFileOnce(file, () => `${randomBytes(SECRETS_KEY_BYTES).toString('hex')}\n`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw unreadable(`cannot read the secrets key ${file}`, err);
  }
  return { key: parseSecretsKey(text), created };
}
