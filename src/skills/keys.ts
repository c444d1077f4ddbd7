/**
 * Publisher keys and the hub's trusted keys (docs/PROTOCOL.md §15.2).
 *
 * - A publisher key (`hivelink skills keygen --out FILE`): `FILE` holds the Ed25519 secret key as JSON
 *   (`{"type":"hivelink-skill-key","secret":HEX,"public":HEX}`, mode 0600), `FILE.pub` the public key as 64 hex
 *   characters and a newline.
 * - The trusted keys of a hub: `<data dir>/skills-trust.json` (`{"keys":[{"key":HEX,"added_at":ISO}]}`, mode 0600),
 *   written whole through a temp file and a rename, read on every verification, so `hivelink skills trust` reaches a
 *   running hub at once.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { HiveLinkError } from '../errors.js';

const KEY_TYPE = 'hivelink-skill-key';
const HEX64 = /^[0-9a-f]{64}$/;

/** A publisher key pair, hex. */
export interface PublisherKey {
  readonly secret: Uint8Array;
  /** 64 lowercase hex characters. */
  readonly publicKey: string;
}

/** Writes a new key pair to `file` (0600) and `file.pub`; refuses to overwrite either. */
export function generatePublisherKey(file: string): PublisherKey {
  for (const f of [file, `${file}.pub`]) {
    if (existsSync(f)) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${f} exists; not overwriting it`);
  }
  const secret = new Uint8Array(randomBytes(32));
  const publicKey = Buffer.from(ed25519.getPublicKey(secret)).toString('hex');
  writeFileSync(
    file,
    `${JSON.stringify({ type: KEY_TYPE, secret: Buffer.from(secret).toString('hex'), public: publicKey })}\n`,
    { mode: 0o600, flag: 'wx' },
  );
  writeFileSync(`${file}.pub`, `${publicKey}\n`, { mode: 0o644, flag: 'wx' });
  return { secret, publicKey };
}

/**
 * The JSON in `file`.
 * @throws HiveLinkError HL_ERR_INVALID_ARGUMENT naming `what` and the file when it cannot be read or parsed.
 */
export function readJsonFile(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `cannot read ${what} ${file}: ${(err as Error).message}`,
    );
  }
}

/** Reads a key file written by {@link generatePublisherKey}. */
export function readPublisherKey(file: string): PublisherKey {
  const k = readJsonFile(file, 'the skill key') as Record<string, unknown>;
  if (k?.type !== KEY_TYPE || typeof k.secret !== 'string' || !HEX64.test(k.secret)) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `${file} is not a hivelink skill key (hivelink skills keygen)`,
    );
  }
  const secret = new Uint8Array(Buffer.from(k.secret, 'hex'));
  return { secret, publicKey: Buffer.from(ed25519.getPublicKey(secret)).toString('hex') };
}

/** A public key given as 64 hex characters, or the path of a `.pub` file holding them. */
export function parsePublicKeyArg(value: string): string {
  const direct = value.trim().toLowerCase();
  if (HEX64.test(direct)) return direct;
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `"${value}" is neither a public key (64 hex characters) nor a readable .pub file`,
    );
  }
  const key = text.trim().toLowerCase();
  if (!HEX64.test(key)) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${value} holds no public key`);
  return key;
}

/** One trusted key. */
export interface TrustedKey {
  readonly key: string;
  readonly added_at: string;
}

/** The trusted keys file of a data dir. */
export function trustFile(dataDir: string): string {
  return join(dataDir, 'skills-trust.json');
}

/** The trusted publisher keys of a data dir (none when the file is missing). */
export class TrustStore {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = trustFile(dataDir);
  }

  list(): TrustedKey[] {
    if (!existsSync(this.file)) return [];
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { keys?: TrustedKey[] };
      return (parsed.keys ?? []).filter((k) => typeof k.key === 'string' && HEX64.test(k.key));
    } catch (err) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        `${this.file} is not readable JSON: ${(err as Error).message}`,
      );
    }
  }

  has(key: string): boolean {
    return this.list().some((k) => k.key === key);
  }

  /** Adds `key`; false when it was trusted already. */
  add(key: string, now = new Date()): boolean {
    const keys = this.list();
    if (keys.some((k) => k.key === key)) return false;
    this.#write([...keys, { key, added_at: now.toISOString() }]);
    return true;
  }

  /** Removes `key`; false when it was not trusted. */
  remove(key: string): boolean {
    const keys = this.list();
    const next = keys.filter((k) => k.key !== key);
    if (next.length === keys.length) return false;
    this.#write(next);
    return true;
  }

  #write(keys: TrustedKey[]): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
