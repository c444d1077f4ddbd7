/**
 * The default {@link ClientStore}: one SQLite file (better-sqlite3 through Kysely), shared safely by a running hub
 * and the admin CLI: WAL journal, foreign keys on, a busy timeout, and schema migrations run in an IMMEDIATE
 * transaction. Lists are JSON text; passwords and cached PSKs are sealed with the secrets key (`secrets.ts`).
 *
 * Cross-process changes are seen through `PRAGMA data_version`, which moves whenever another connection commits.
 *
 * @module
 */
import { chmodSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Kysely, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { PRIVATE_FILE_MODE } from './files.js';
import { SECRETS_KEY_BYTES } from './secrets.js';
import { SqlClientStore, type StoreEngine } from './sql-store.js';
import { storeError } from './sqlite-rows.js';
import { type MigrationDatabase, migrate, type Schema } from './sqlite-schema.js';
import type { ClientStore } from './types.js';

export { DEFAULT_HISTORY_LIMIT, DEFAULT_WATCH_INTERVAL_MS } from './sql-store.js';

/** The part of better-sqlite3 this store uses (the package ships no types). */
interface RawStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
interface RawDatabase {
  readonly open: boolean;
  prepare(source: string): RawStatement;
  exec(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F & { immediate: F };
  close(): void;
}
type RawDatabaseConstructor = new (file: string, options?: { timeout?: number }) => RawDatabase;

const requireCjs = createRequire(import.meta.url);

export interface SqliteStoreInit {
  /** The 32-byte hub secrets key (`loadOrCreateSecretsKey`). */
  secrets: Uint8Array;
  /** How long a statement waits for another process's lock before failing. @default 5000 */
  busyTimeoutMs?: number;
  /** Connection-history rows kept per client (limit `maxHistoryPerClient`). @default 1000 */
  maxHistoryPerClient?: number;
  /** Clock for `createdAt` and rule timestamps. @default Date.now */
  now?: () => number;
}

/** Prepared statements kept by {@link cachedStatements}. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The database as Kysely sees it, with each prepared statement kept by its SQL text: Kysely prepares every query
 * anew, and preparing costs more than running the small queries of a connection (better-sqlite3 statements are
 * reusable; this store runs them to completion, never interleaved).
 */
function cachedStatements(raw: RawDatabase): SqliteDatabase {
  const cache = new Map<string, RawStatement>();
  return {
    close: () => raw.close(),
    prepare(source: string) {
      let statement = cache.get(source);
      if (statement === undefined) {
        statement = raw.prepare(source);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(source, statement);
      }
      return statement as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}

/**
 * The SQLite engine of the store: one better-sqlite3 handle, writes in `BEGIN IMMEDIATE` (the write lock up front,
 * so two processes never deadlock), and a commit by another connection seen as a move of `PRAGMA data_version`.
 */
function sqliteEngine(raw: RawDatabase): StoreEngine {
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: cachedStatements(raw) }) });
  const dataVersion = () => Number(raw.pragma('data_version', { simple: true }));
  let seen = dataVersion();
  return {
    db,
    write: (fn) =>
      db.connection().execute(async (conn) => {
        await sql`BEGIN IMMEDIATE`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`COMMIT`.execute(conn);
          return result;
        } catch (err) {
          // If SQLite already rolled back (some errors do), ROLLBACK fails too: report the original error.
          await sql`ROLLBACK`.execute(conn).catch(() => undefined);
          throw err;
        }
      }),
    changed() {
      if (!raw.open) return false;
      let version: number;
      try {
        version = dataVersion();
      } catch {
        return false; // busy for a moment (another process checkpointing): the next poll sees the change
      }
      if (version === seen) return false;
      seen = version;
      return true;
    },
    // Wait for queries in flight (Kysely serialises them on the one connection), then close the handle.
    close: () =>
      db.connection().execute(async () => {
        if (raw.open) raw.close();
      }),
  };
}

/**
 * Opens (creating if needed) the SQLite client store at `file`, migrates its schema and returns the store.
 * The file gets mode 0600 when this call creates it. Any failure is `HL_ERR_STORE_UNAVAILABLE`.
 */
export function openSqliteStore(file: string, init: SqliteStoreInit): ClientStore {
  if (!(init?.secrets instanceof Uint8Array) || init.secrets.length !== SECRETS_KEY_BYTES) {
    throw new HiveLinkError('HL_ERR_INVALID_KEY', `the secrets key must be ${SECRETS_KEY_BYTES} bytes`);
  }
  const maxHistory = init.maxHistoryPerClient ?? LIMIT_DEFS.maxHistoryPerClient.default;
  if (!Number.isSafeInteger(maxHistory) || maxHistory < LIMIT_DEFS.maxHistoryPerClient.min) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'maxHistoryPerClient must be a whole number >= 1');
  }
  const busyTimeoutMs = init.busyTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'busyTimeoutMs must be a whole number of ms');
  }
  let raw: RawDatabase | undefined;
  try {
    const isNew = file !== ':memory:' && !existsSync(file);
    const Database = requireCjs('better-sqlite3') as RawDatabaseConstructor;
    raw = new Database(file, { timeout: busyTimeoutMs });
    if (isNew) chmodSync(file, PRIVATE_FILE_MODE);
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('synchronous = NORMAL');
    const db = raw as RawDatabase & MigrationDatabase;
    raw.transaction(() => migrate(db)).immediate();
    return new SqlClientStore(sqliteEngine(raw), {
      secrets: init.secrets,
      maxHistoryPerClient: maxHistory,
      now: init.now ?? Date.now,
    });
  } catch (err) {
    if (raw?.open) raw.close();
    throw storeError(`open the client database ${file}`, err);
  }
}
