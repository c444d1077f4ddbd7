/**
 * The hub identity in the data dir, created on first run and loaded afterwards:
 *
 * - `noise.key`: the X25519 static private key for Noise v3, 64 hex characters (mode 0600). The public key is
 *   derived from it.
 * - `rsa.pem`: an RSA-2048 private key, PKCS#8 PEM (mode 0600). Its SPKI public PEM (`-----BEGIN PUBLIC KEY-----`)
 *   is the HELLO `pubkey` and `node_id`, which v3 clients use as the PSK salt: it must stay stable, so it is
 *   derived from the private key on every load rather than stored.
 *
 * @module
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeBackend } from '../crypto/backend.node.js';
import { HiveLinkError } from '../errors.js';
import { createFileOnce } from './files.js';

/** File name of the Noise static key in the data dir. */
export const NOISE_KEY_FILE = 'noise.key';
/** File name of the RSA private key in the data dir. */
export const RSA_KEY_FILE = 'rsa.pem';

/** PKCS#8 DER prefix of an X25519 private key (RFC 8410); the 32 raw bytes follow. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export interface HubIdentity {
  /** X25519 static key pair for Noise v3 (32 raw bytes each). */
  readonly noiseStatic: { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array };
  /** SPKI PEM of the RSA-2048 public key: the HELLO `pubkey` and `node_id`. */
  readonly rsaPublicPem: string;
  /** PKCS#8 PEM of the RSA-2048 private key. */
  readonly rsaPrivatePem: string;
  /** True if this call generated any part of the identity. */
  readonly created: boolean;
}

function fail(message: string, cause?: unknown): HiveLinkError {
  return new HiveLinkError('HL_ERR_STORE_UNAVAILABLE', message, cause === undefined ? {} : { cause });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw fail(`cannot read ${file}`, err);
  }
}

function x25519PrivateFromRaw(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

function jwkBytes(key: KeyObject, field: 'd' | 'x'): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  const value = jwk[field];
  if (typeof value !== 'string') throw fail(`X25519 key export lacks "${field}"`);
  return new Uint8Array(Buffer.from(value, 'base64url'));
}

/**
 * Generates a fresh X25519 private key as 32 raw bytes, through the crypto backend's key path: a key from
 * `generateKeyPairSync('x25519')` exported as JWK can deadlock Node 20 under garbage collection.
 */
function newNoisePrivateKey(): Uint8Array {
  return nodeBackend.x25519KeyPair().privateKey;
}

/** Parses `noise.key` text and derives the public key. */
export function parseNoiseKey(text: string, file = NOISE_KEY_FILE): HubIdentity['noiseStatic'] {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw fail(`${file} must hold 64 hex characters (an X25519 private key)`);
  const privateKey = new Uint8Array(Buffer.from(hex, 'hex'));
  try {
    const publicKey = jwkBytes(createPublicKey(x25519PrivateFromRaw(privateKey)), 'x');
    return { privateKey, publicKey };
  } catch (err) {
    throw fail(`${file} is not a usable X25519 key`, err);
  }
}

/** Parses `rsa.pem` and derives the SPKI public PEM. */
export function parseRsaKey(
  pem: string,
  file = RSA_KEY_FILE,
): { rsaPrivatePem: string; rsaPublicPem: string } {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw fail(`${file} is not a PEM private key`, err);
  }
  if (key.asymmetricKeyType !== 'rsa') throw fail(`${file} is not an RSA key`);
  const rsaPublicPem = createPublicKey(key).export({ format: 'pem', type: 'spki' }).toString();
  return { rsaPrivatePem: pem, rsaPublicPem };
}

/**
 * Loads the hub identity from `dataDir`, creating the missing parts (X25519 key, RSA-2048 key) with mode 0600.
 * Creation is atomic: two processes starting together end up with the same identity. RSA generation takes a
 * moment, so only the hub calls this, not the admin CLI.
 */
export function loadOrCreateHubIdentity(dataDir: string): HubIdentity {
  const noiseFile = join(dataDir, NOISE_KEY_FILE);
  const rsaFile = join(dataDir, RSA_KEY_FILE);
  const noiseCreated = createFileOnce(
    noiseFile,
    () => `${Buffer.from(newNoisePrivateKey()).toString('hex')}\n`,
  );
  const noiseStatic = parseNoiseKey(readText(noiseFile), noiseFile);
  const rsaCreated = createFileOnce(rsaFile, () =>
    generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString(),
  );
  const rsa = parseRsaKey(readText(rsaFile), rsaFile);
  return { noiseStatic, ...rsa, created: noiseCreated || rsaCreated };
}
