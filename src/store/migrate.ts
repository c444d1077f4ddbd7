/**
 * `hivelink store migrate --from sqlite:PATH --to postgres://…` (issue 16): moves a hub's whole client database from
 * its SQLite file to PostgreSQL, every table and row as stored — sealed passwords and PSKs stay sealed (the target's
 * hubs need the same secrets key file), ids stay (and no id is handed out again: each identity continues past the
 * highest id SQLite ever gave, removed rows included).
 *
 * The copy is one PostgreSQL transaction under the store's write lock, parents before children. Then every table is
 * read back and compared with the source: its row count and a checksum, the sum (mod 2^256) of the SHA-256 of each
 * row in a canonical form (columns by name, values as JSON), so the order rows come back in does not matter. A
 * difference fails the command. A target with rows in it is refused unless `force` (its rows are then replaced).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { PoolClient } from 'pg';
import { HiveLinkError } from '../errors.js';
import { openPostgresDatabase, redactUrl } from './postgres.js';
import { WRITE_LOCK_KEY } from './postgres-schema.js';
import { storeError } from './sqlite-rows.js';
import { type MigrationDatabase, migrate } from './sqlite-schema.js';

/** One table as moved: its rows and their checksum (the same on both sides, or the move failed). */
export interface TableReport {
  readonly table: string;
  readonly rows: number;
  /** 64 hex characters. */
  readonly checksum: string;
}

/** What {@link migrateSqliteToPostgres} takes. */
export interface MigrateOptions {
  /** The SQLite file (`sqlite:PATH` without the prefix). */
  readonly from: string;
  /** The `postgres://` URL. */
  readonly to: string;
  /** Replace the rows a non-empty target holds. @default false */
  readonly force?: boolean;
}

interface RawStatement {
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
interface RawDatabase extends MigrationDatabase {
  prepare(source: string): RawStatement & { run(...params: unknown[]): unknown };
  transaction<F extends (...args: never[]) => unknown>(fn: F): F & { immediate: F };
  close(): void;
}
type RawDatabaseConstructor = new (file: string, options?: { fileMustExist?: boolean }) => RawDatabase;

/** Rows per INSERT and per FETCH. */
const BATCH_ROWS = 500;
const MOD = 2n ** 256n;

/** A table of the source: its columns (in the source's order) and the tables it refers to. */
interface SourceTable {
  readonly name: string;
  readonly columns: readonly string[];
  readonly parents: readonly string[];
}

/** `sqlite:PATH` (or a bare path) → PATH. */
export function sqlitePathOf(from: string): string {
  const path = from.startsWith('sqlite:') ? from.slice('sqlite:'.length) : from;
  if (path.length === 0) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', '--from takes sqlite:PATH');
  return path;
}

/** A quoted SQL identifier (the names come from the schema, but quoting costs nothing). */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The order-independent checksum of a table, fed one row at a time. */
class TableChecksum {
  #sum = 0n;
  rows = 0;
  readonly #columns: readonly string[];

  constructor(columns: readonly string[]) {
    this.#columns = [...columns].sort();
  }

  add(row: Readonly<Record<string, unknown>>): void {
    const values = this.#columns.map((c) => {
      const v = row[c];
      return v instanceof Uint8Array ? Buffer.from(v).toString('hex') : (v ?? null);
    });
    const digest = createHash('sha256').update(JSON.stringify(values), 'utf8').digest('hex');
    this.#sum = (this.#sum + BigInt(`0x${digest}`)) % MOD;
    this.rows++;
  }

  get hex(): string {
    return this.#sum.toString(16).padStart(64, '0');
  }
}

/** The source's tables, parents before children (by their foreign keys). */
function sourceTables(raw: RawDatabase): SourceTable[] {
  const names = (
    raw
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'meta' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
  const tables = names.map((name) => ({
    name,
    columns: (raw.prepare('SELECT name FROM pragma_table_info(?)').all(name) as { name: string }[]).map(
      (c) => c.name,
    ),
    parents: (raw.prepare('SELECT "table" AS t FROM pragma_foreign_key_list(?)').all(name) as { t: string }[])
      .map((f) => f.t)
      .filter((t) => t !== name),
  }));
  const ordered: SourceTable[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const next = tables.find((t) => !placed.has(t.name) && t.parents.every((p) => placed.has(p)));
    if (next === undefined)
      throw new HiveLinkError('HL_ERR_STORE_UNAVAILABLE', 'the tables refer to each other in a cycle');
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}

/** The highest id SQLite ever handed out per AUTOINCREMENT table (removed rows included). */
function sqliteSequences(raw: RawDatabase): Map<string, number> {
  const exists = raw.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get();
  if (exists === undefined) return new Map();
  const rows = raw.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: number }[];
  return new Map(rows.map((r) => [r.name, Number(r.seq)]));
}

/** The target's columns of `table`, or refuses a target whose schema is not the source's. */
async function checkTargetTable(client: PoolClient, table: SourceTable): Promise<void> {
  const { rows } = await client.query<{ c: string }>(
    'SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
    [table.name],
  );
  const target = new Set(rows.map((r) => r.c));
  const same = target.size === table.columns.length && table.columns.every((c) => target.has(c));
  if (!same) {
    throw new HiveLinkError(
      'HL_ERR_STORE_UNAVAILABLE',
      `the target's table ${table.name} does not have the source's columns (${table.columns.join(', ')})`,
    );
  }
}

async function insertBatch(
  client: PoolClient,
  table: SourceTable,
  batch: readonly unknown[][],
): Promise<void> {
  if (batch.length === 0) return;
  const width = table.columns.length;
  const tuples = batch.map((_, i) => `(${table.columns.map((__, j) => `$${i * width + j + 1}`).join(', ')})`);
  await client.query(
    `INSERT INTO ${ident(table.name)} (${table.columns.map(ident).join(', ')}) VALUES ${tuples.join(', ')}`,
    batch.flat(),
  );
}

/** Reads a table of the target back through a cursor, into its checksum. */
async function targetChecksum(client: PoolClient, table: SourceTable): Promise<TableChecksum> {
  const sum = new TableChecksum(table.columns);
  await client.query(
    `DECLARE hivelink_check NO SCROLL CURSOR FOR SELECT ${table.columns.map(ident).join(', ')} FROM ${ident(table.name)}`,
  );
  for (;;) {
    const { rows } = await client.query<Record<string, unknown>>(`FETCH ${BATCH_ROWS} FROM hivelink_check`);
    for (const row of rows) sum.add(row);
    if (rows.length < BATCH_ROWS) break;
  }
  await client.query('CLOSE hivelink_check');
  return sum;
}

/** Each identity continues past the highest id used, in the table or (removed since) in SQLite's sequence. */
async function continueIdentities(client: PoolClient, sequences: ReadonlyMap<string, number>): Promise<void> {
  const { rows } = await client.query<{ t: string; c: string }>(
    "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
  );
  for (const { t, c } of rows) {
    const max = await client.query<{ m: number | null }>(`SELECT max(${ident(c)}) AS m FROM ${ident(t)}`);
    const last = Math.max(max.rows[0]?.m ?? 0, sequences.get(t) ?? 0);
    await client.query(
      last > 0
        ? `SELECT setval(pg_get_serial_sequence($1, $2), ${last}, true)`
        : `SELECT setval(pg_get_serial_sequence($1, $2), 1, false)`,
      [ident(t), c],
    );
  }
}

/**
 * Moves everything from the SQLite file to the PostgreSQL database (see the module comment) and returns each table's
 * count and checksum. The source is first brought to this hivelink's schema, as any command opening it would.
 *
 * @throws HiveLinkError `HL_ERR_NOT_FOUND` for a missing source file, `HL_ERR_ALREADY_EXISTS` for a target with rows
 *   (without `force`), `HL_ERR_STORE_UNAVAILABLE` when either database fails or the checksums differ
 */
export async function migrateSqliteToPostgres(options: MigrateOptions): Promise<TableReport[]> {
  const file = sqlitePathOf(options.from);
  if (!existsSync(file)) throw new HiveLinkError('HL_ERR_NOT_FOUND', `no SQLite database at ${file}`);
  const Database = createRequire(import.meta.url)('better-sqlite3') as RawDatabaseConstructor;
  let raw: RawDatabase;
  try {
    raw = new Database(file, { fileMustExist: true });
    raw.transaction(() => migrate(raw)).immediate();
  } catch (err) {
    throw storeError(`open the SQLite database ${file}`, err);
  }
  try {
    const tables = sourceTables(raw);
    const sequences = sqliteSequences(raw);
    const target = await openPostgresDatabase(options.to, { poolSize: 1 });
    try {
      const client = await target.pool.connect();
      try {
        return await copyAll(client, raw, tables, sequences, options);
      } finally {
        client.release();
      }
    } catch (err) {
      throw storeError(`move the data to ${redactUrl(options.to)}`, err);
    } finally {
      await target.close();
    }
  } finally {
    raw.close();
  }
}

async function copyAll(
  client: PoolClient,
  raw: RawDatabase,
  tables: readonly SourceTable[],
  sequences: ReadonlyMap<string, number>,
  options: MigrateOptions,
): Promise<TableReport[]> {
  const reports: TableReport[] = [];
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`);
    for (const table of tables) {
      await checkTargetTable(client, table);
      const held = await client.query(`SELECT 1 FROM ${ident(table.name)} LIMIT 1`);
      if (held.rows.length > 0 && options.force !== true) {
        throw new HiveLinkError(
          'HL_ERR_ALREADY_EXISTS',
          `the target is not empty (table ${table.name} has rows): give --force to replace what it holds`,
        );
      }
    }
    // Children first, so no row is left pointing at a parent that is gone.
    for (const table of [...tables].reverse()) await client.query(`DELETE FROM ${ident(table.name)}`);
    const sources = new Map<string, TableChecksum>();
    for (const table of tables) {
      const sum = new TableChecksum(table.columns);
      let batch: unknown[][] = [];
      const rows = raw
        .prepare(`SELECT ${table.columns.map(ident).join(', ')} FROM ${ident(table.name)}`)
        .iterate() as IterableIterator<Record<string, unknown>>;
      for (const row of rows) {
        sum.add(row);
        batch.push(table.columns.map((c) => row[c] ?? null));
        if (batch.length === BATCH_ROWS) {
          await insertBatch(client, table, batch);
          batch = [];
        }
      }
      await insertBatch(client, table, batch);
      sources.set(table.name, sum);
    }
    await continueIdentities(client, sequences);
    for (const table of tables) {
      const source = sources.get(table.name)!;
      const copied = await targetChecksum(client, table);
      if (copied.rows !== source.rows || copied.hex !== source.hex) {
        throw new HiveLinkError(
          'HL_ERR_STORE_UNAVAILABLE',
          `table ${table.name}: ${source.rows} rows (checksum ${source.hex}) read, ${copied.rows} (checksum ${copied.hex}) written; nothing was moved`,
        );
      }
      reports.push({ table: table.name, rows: source.rows, checksum: source.hex });
    }
    await client.query('COMMIT');
    return reports;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
