/**
 * The PostgreSQL {@link ClientStore} (issue 16): the same store as SQLite's (`sql-store.ts`, the same Kysely queries),
 * on Kysely's PostgresDialect over a `pg` pool (limit `storePoolSize`), so several hub processes and the admin CLI
 * share one database. Passwords and PSKs are sealed with the secrets key exactly as in SQLite: the database alone
 * reveals none; every node that opens it needs the same key file (`hivelink store keygen`).
 *
 * - **Writes** run in a transaction that first takes one advisory lock (`pg_advisory_xact_lock`): one writer at a time,
 *   as SQLite's `BEGIN IMMEDIATE`, so every check-then-write of the store (name free, bounds, pins) stays exact
 *   across processes. Waiting for the lock is bounded by `lock_timeout` (`busyTimeoutMs`).
 * - **Changes by another connection** (the CLI, another hub) arrive as `NOTIFY hivelink_changes` from the tables'
 *   triggers (`postgres-schema.ts`), on one connection of its own that `LISTEN`s; each store's connections carry
 *   its origin, so its own commits do not count. If that connection drops, it reconnects (and counts a change, as
 *   some may have been missed).
 * - **Numbers**: `BIGINT` and `NUMERIC` results (ids, times, counts, sums) are read as JavaScript numbers, as
 *   better-sqlite3 reads SQLite's integers.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import {
  CHANGES_CHANNEL,
  migratePostgres,
  ORIGIN_SETTING,
  postgresSchemaVersion,
  WRITE_LOCK_KEY,
} from './postgres-schema.js';
import { SECRETS_KEY_BYTES } from './secrets.js';
import { SqlClientStore, type StoreEngine } from './sql-store.js';
import { storeError } from './sqlite-rows.js';
import type { Schema } from './sqlite-schema.js';
import type { ClientStore } from './types.js';

/** True for a `postgres://` or `postgresql://` URL (what `--store` takes for PostgreSQL). */
export function isPostgresUrl(value: unknown): value is string {
  return typeof value === 'string' && /^postgres(?:ql)?:\/\//i.test(value);
}

/** The URL with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Reads BIGINT and NUMERIC as numbers (ids, ms times, counts and sums are all well inside 2^53). */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC
      ? Number
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** How {@link openPostgresDatabase} connects. */
export interface PostgresConnectOptions {
  /** Connections in the pool (limit `storePoolSize`). @default 10 */
  poolSize?: number;
  /** How long a connection attempt or a wait for the write lock may take. @default 5000 */
  busyTimeoutMs?: number;
  /** Called with whether the database is new (hivelink never used it) before the schema is migrated. */
  beforeMigrate?: (isNewDatabase: boolean) => void;
}

/** An opened, migrated PostgreSQL database: its Kysely handle and pool, and the origin its connections carry. */
export interface PostgresDatabase {
  readonly db: Kysely<Schema>;
  readonly pool: pg.Pool;
  /** Sent by the change triggers of this pool's commits ({@link ORIGIN_SETTING}). */
  readonly origin: string;
  readonly url: string;
  readonly busyTimeoutMs: number;
  close(): Promise<void>;
}

function checkWhole(value: number, min: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${what} must be a whole number >= ${min}`);
  }
  return value;
}

/**
 * Connects a pool to `url`, migrates the schema (`postgres-schema.ts`) and returns the database. Any failure is
 * `HL_ERR_STORE_UNAVAILABLE` (the URL's password never appears in it); the pool is closed again.
 */
export async function openPostgresDatabase(
  url: string,
  options: PostgresConnectOptions = {},
): Promise<PostgresDatabase> {
  if (!isPostgresUrl(url)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'a PostgreSQL store is a postgres:// URL');
  }
  const poolSize = checkWhole(
    options.poolSize ?? LIMIT_DEFS.storePoolSize.default,
    LIMIT_DEFS.storePoolSize.min,
    'storePoolSize',
  );
  const busyTimeoutMs = checkWhole(options.busyTimeoutMs ?? 5000, 1, 'busyTimeoutMs');
  const origin = randomUUID();
  // The URL's own `options` (say `-c search_path=…`) would replace ours: both go in one.
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${redactUrl(url)} is not a URL`, { cause: err });
  }
  const own = parsed.searchParams.get('options');
  parsed.searchParams.delete('options');
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: poolSize,
    connectionTimeoutMillis: busyTimeoutMs,
    application_name: 'hivelink',
    options: `${own === null ? '' : `${own} `}-c ${ORIGIN_SETTING}=${origin} -c lock_timeout=${busyTimeoutMs}`,
    types: TYPES,
    allowExitOnIdle: true,
  });
  // An idle connection that dies (a Postgres restart) is dropped by the pool; the next query opens another.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      options.beforeMigrate?.((await postgresSchemaVersion(client)) === 0);
      await migratePostgres(client);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw storeError(`open the client database ${redactUrl(url)}`, err);
  }
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, origin, url, busyTimeoutMs, close: () => db.destroy() };
}

/** Shortest and longest wait before the change listener connects again. */
const LISTEN_RETRY_MS = [250, 5000] as const;

/**
 * The connection that `LISTEN`s for the change triggers' notifications, counting those of other origins; it
 * connects again after a drop, with a growing pause, and counts that as a change.
 */
class ChangeListener {
  readonly #database: PostgresDatabase;
  #client: pg.Client | null = null;
  #seq = 0;
  #seen = 0;
  #retryMs: number = LISTEN_RETRY_MS[0];
  #retry: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(database: PostgresDatabase) {
    this.#database = database;
  }

  /** Connects and listens; the first connection's failure is the caller's. */
  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#database.url,
      application_name: 'hivelink-listen',
      connectionTimeoutMillis: this.#database.busyTimeoutMs,
      keepAlive: true,
    });
    const lost = () => this.#lost(client);
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => {
      if (n.channel === CHANGES_CHANNEL && n.payload !== this.#database.origin) this.#seq++;
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      client.removeAllListeners();
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#retryMs = LISTEN_RETRY_MS[0];
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = null;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    this.#seq++; // what changed while nobody listened is unknown: look again
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retry !== null) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.start().then(
        () => {
          this.#seq++;
        },
        () => {
          this.#retryMs = Math.min(this.#retryMs * 2, LISTEN_RETRY_MS[1]);
          this.#scheduleRetry();
        },
      );
    }, this.#retryMs);
    this.#retry.unref?.();
  }

  /** True once after notifications (or a reconnection) since the last call. */
  changed(): boolean {
    if (this.#seq === this.#seen) return false;
    this.#seen = this.#seq;
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = null;
    if (client !== null) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}

/** The PostgreSQL engine of the store: the pool's transactions under the write lock, and the change listener. */
function postgresEngine(database: PostgresDatabase, listener: ChangeListener): StoreEngine {
  const { db } = database;
  return {
    db,
    write: (fn) =>
      db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${sql.lit(WRITE_LOCK_KEY)})`.execute(trx);
        return fn(trx);
      }),
    changed: () => listener.changed(),
    async close() {
      await listener.close();
      // Waits for the connections in use to come back, then ends the pool.
      await database.close();
    },
  };
}

export interface PostgresStoreInit extends Omit<PostgresConnectOptions, 'beforeMigrate'> {
  /**
   * The 32-byte hub secrets key, or a function giving it once it is known whether the database is new (so a key
   * file is only ever created together with a new database, as for SQLite).
   */
  secrets: Uint8Array | ((isNewDatabase: boolean) => Uint8Array);
  /** Connection-history rows kept per client (limit `maxHistoryPerClient`). @default 1000 */
  maxHistoryPerClient?: number;
  /** Clock for `createdAt` and rule timestamps. @default Date.now */
  now?: () => number;
}

function checkSecrets(key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== SECRETS_KEY_BYTES) {
    throw new HiveLinkError('HL_ERR_INVALID_KEY', `the secrets key must be ${SECRETS_KEY_BYTES} bytes`);
  }
  return key;
}

/**
 * Opens the PostgreSQL client store at `url` (creating and migrating its schema as needed) and returns it. Any
 * storage failure is `HL_ERR_STORE_UNAVAILABLE`; a bad key `HL_ERR_INVALID_KEY`, or what the key loader throws.
 */
export async function openPostgresStore(url: string, init: PostgresStoreInit): Promise<ClientStore> {
  const maxHistory = init.maxHistoryPerClient ?? LIMIT_DEFS.maxHistoryPerClient.default;
  checkWhole(maxHistory, LIMIT_DEFS.maxHistoryPerClient.min, 'maxHistoryPerClient');
  let secrets = typeof init.secrets === 'function' ? undefined : checkSecrets(init.secrets);
  const loader = init.secrets;
  const database = await openPostgresDatabase(url, {
    ...(init.poolSize === undefined ? {} : { poolSize: init.poolSize }),
    ...(init.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: init.busyTimeoutMs }),
    beforeMigrate: (isNew) => {
      if (typeof loader === 'function') secrets = checkSecrets(loader(isNew));
    },
  });
  const listener = new ChangeListener(database);
  try {
    await listener.start();
  } catch (err) {
    await database.close().catch(() => undefined);
    throw storeError(`listen for changes on ${redactUrl(url)}`, err);
  }
  return new SqlClientStore(postgresEngine(database, listener), {
    secrets: secrets!,
    maxHistoryPerClient: maxHistory,
    now: init.now ?? Date.now,
  });
}
