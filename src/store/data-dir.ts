/**
 * The data dir: where the client database, the secrets key and the hub identity live.
 *
 * Resolution order: `--data-dir` (what the user typed wins), else `$HIVELINK_HOME`, else
 * `$XDG_DATA_HOME/hivelink`, else `~/.local/share/hivelink`. The directory is created with mode 0700.
 *
 * ```
 * <dataDir>/hivelink.db     SQLite client store (+ -wal, -shm)
 * <dataDir>/secrets.key     hub secrets key, 0600 (or elsewhere: --secrets-key-file, HIVELINK_SECRETS_KEY_FILE)
 * <dataDir>/noise.key       X25519 static key, 0600
 * <dataDir>/rsa.pem         RSA-2048 private key, 0600
 * ```
 *
 * With `--store postgres://…` (`$HIVELINK_STORE`, `store` in the hub config) the client store is that PostgreSQL
 * database instead of `hivelink.db` ({@link openStoreDataDir}); the data dir still holds the identity, the files'
 * bytes and the skills, and the secrets key wherever `--secrets-key-file` says (every node of one database needs it).
 *
 * The secrets key seals the passwords and PSKs in the database, so it is kept apart from a copy of the database
 * (docs/SECURITY.md "Secrets and backups"): it may live on another volume. The key is created only together with a
 * new database; a database whose key is missing is refused (`HL_ERR_SECRET_UNREADABLE`) rather than given a new
 * key that cannot open it.
 *
 * @module
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { HiveLinkError } from '../errors.js';
import { type HubIdentity, loadOrCreateHubIdentity, NOISE_KEY_FILE, RSA_KEY_FILE } from './identity.js';
import { isPostgresUrl, openPostgresStore, redactUrl } from './postgres.js';
import { loadOrCreateSecretsKey, SECRETS_KEY_FILE } from './secrets.js';
import { openSqliteStore, type SqliteStoreInit } from './sqlite.js';
import type { ClientStore } from './types.js';

/** File name of the client database in the data dir. */
export const DATABASE_FILE = 'hivelink.db';
/** Mode of the data dir. */
export const DATA_DIR_MODE = 0o700;

export interface ResolveDataDirOptions {
  /** The `--data-dir` flag, if given. @default undefined */
  flag?: string | undefined;
  /** The environment to read. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The data dir path (absolute) by the resolution order above. Does not touch the file system. */
export function resolveDataDir(options: ResolveDataDirOptions = {}): string {
  const env = options.env ?? process.env;
  const nonEmpty = (s: string | undefined): s is string => typeof s === 'string' && s.length > 0;
  if (nonEmpty(options.flag)) return resolve(options.flag);
  if (nonEmpty(env.HIVELINK_HOME)) return resolve(env.HIVELINK_HOME);
  // XDG: a relative XDG_DATA_HOME is invalid and must be ignored.
  if (nonEmpty(env.XDG_DATA_HOME) && isAbsolute(env.XDG_DATA_HOME))
    return join(env.XDG_DATA_HOME, 'hivelink');
  const home = nonEmpty(env.HOME) ? env.HOME : homedir();
  return join(home, '.local', 'share', 'hivelink');
}

/** Where a setting given by a flag, the environment or the hub config is looked for ({@link resolveSecretsKeyFile}). */
export interface ResolveSecretsKeyFileOptions {
  /** The flag (`--secrets-key-file`, `--store`), if given. */
  flag?: string | undefined;
  /** The hub config file's key (`secretsKeyFile`, `store`), if any. */
  config?: string | null | undefined;
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The flag, else the environment variable `name`, else the config file's value: the first non-empty one. */
function firstGiven(options: ResolveSecretsKeyFileOptions, name: string): string | null {
  const env = options.env ?? process.env;
  for (const candidate of [options.flag, env[name], options.config ?? undefined]) {
    if (typeof candidate === 'string' && candidate.length > 0) return candidate;
  }
  return null;
}

/**
 * The secrets key file (absolute): `--secrets-key-file`, else `$HIVELINK_SECRETS_KEY_FILE`, else the hub config's
 * `secretsKeyFile`; null for the default, `<dataDir>/secrets.key`.
 */
export function resolveSecretsKeyFile(options: ResolveSecretsKeyFileOptions = {}): string | null {
  const file = firstGiven(options, 'HIVELINK_SECRETS_KEY_FILE');
  return file === null ? null : resolve(file);
}

/** Creates `dir` (and parents) with mode 0700 if it does not exist; fails if it is not a directory. */
export function ensureDataDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new HiveLinkError(
      'HL_ERR_STORE_UNAVAILABLE',
      `cannot use data dir ${dir}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  return dir;
}

/** The files of a data dir. */
export interface DataDirPaths {
  readonly dir: string;
  readonly database: string;
  readonly secretsKey: string;
  readonly noiseKey: string;
  readonly rsaKey: string;
}

/** The file paths inside `dir` (the secrets key at `secretsKeyFile` when given). */
export function dataDirPaths(dir: string, secretsKeyFile?: string | null): DataDirPaths {
  return Object.freeze({
    dir,
    database: join(dir, DATABASE_FILE),
    secretsKey: secretsKeyFile ?? join(dir, SECRETS_KEY_FILE),
    noiseKey: join(dir, NOISE_KEY_FILE),
    rsaKey: join(dir, RSA_KEY_FILE),
  });
}

/** An opened data dir: the client store and the secrets key; the identity is loaded on demand. */
export interface DataDir {
  readonly paths: DataDirPaths;
  readonly store: ClientStore;
  /** The hub secrets key (32 bytes). */
  readonly secrets: Uint8Array;
  /** Loads (creating on first use) the hub identity. Slow the first time (RSA-2048): only the hub needs it. */
  loadIdentity(): HubIdentity;
  /** Closes the store. */
  close(): Promise<void>;
}

/** Options of {@link openDataDir}: the store's, and where the secrets key is. */
export interface OpenDataDirInit extends Omit<SqliteStoreInit, 'secrets'> {
  /** The secrets key file ({@link resolveSecretsKeyFile}). @default `<dir>/secrets.key` */
  secretsKeyFile?: string | null;
}

/**
 * Opens the data dir: creates it (0700), loads the secrets key (creating it only with a new database), opens and
 * migrates `hivelink.db`. Used by the hub and the admin CLI.
 * @throws HiveLinkError `HL_ERR_SECRET_UNREADABLE` when the database exists but its key file does not
 */
export function openDataDir(dir: string, init: OpenDataDirInit = {}): DataDir {
  ensureDataDir(dir);
  const { secretsKeyFile, ...storeInit } = init;
  const paths = dataDirPaths(dir, secretsKeyFile);
  const { key } = loadOrCreateSecretsKey(dir, {
    file: paths.secretsKey,
    create: !existsSync(paths.database),
  });
  return dataDirOf(paths, openSqliteStore(paths.database, { ...storeInit, secrets: key }), key);
}

/** The {@link DataDir} of an opened store; the identity is loaded on first use. */
function dataDirOf(paths: DataDirPaths, store: ClientStore, secrets: Uint8Array): DataDir {
  let identity: HubIdentity | undefined;
  return {
    paths,
    store,
    secrets,
    loadIdentity() {
      identity ??= loadOrCreateHubIdentity(paths.dir);
      return identity;
    },
    close: () => store.close(),
  };
}

/**
 * The client store: `--store`, else `$HIVELINK_STORE`, else the hub config's `store`; a `postgres://` URL, or null
 * for the data dir's SQLite file.
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for anything else
 */
export function resolveStore(options: ResolveSecretsKeyFileOptions = {}): string | null {
  const store = firstGiven(options, 'HIVELINK_STORE');
  if (store !== null && !isPostgresUrl(store)) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `--store takes a postgres:// URL (without it the store is the data dir's ${DATABASE_FILE})`,
    );
  }
  return store;
}

/** Options of {@link openStoreDataDir}: {@link openDataDir}'s, the store, and the PostgreSQL pool. */
export interface OpenStoreDataDirInit extends OpenDataDirInit {
  /** A `postgres://` URL ({@link resolveStore}), or null for `<dir>/hivelink.db`. @default null */
  store?: string | null;
  /** Connections to a PostgreSQL store (limit `storePoolSize`). @default 10 */
  poolSize?: number;
}

/**
 * {@link openDataDir}, with the client store on PostgreSQL when `init.store` is a URL: the data dir keeps the rest,
 * and the secrets key is created only together with a new database, as for SQLite. Used by the hub and the admin
 * CLI, so every command that takes `--data-dir` takes `--store` the same way.
 */
export async function openStoreDataDir(dir: string, init: OpenStoreDataDirInit = {}): Promise<DataDir> {
  const { store: url, poolSize, secretsKeyFile, ...storeInit } = init;
  if (url === undefined || url === null) return openDataDir(dir, { ...storeInit, secretsKeyFile });
  ensureDataDir(dir);
  const paths = Object.freeze({ ...dataDirPaths(dir, secretsKeyFile), database: redactUrl(url) });
  let secrets: Uint8Array | undefined;
  const store = await openPostgresStore(url, {
    ...storeInit,
    ...(poolSize === undefined ? {} : { poolSize }),
    secrets: (isNew) => {
      secrets = loadOrCreateSecretsKey(dir, { file: paths.secretsKey, create: isNew }).key;
      return secrets;
    },
  });
  return dataDirOf(paths, store, secrets!);
}
