/**
 * The engines the store suites run on, one `describe` each with the same test bodies: SQLite (a temp file) and
 * PostgreSQL (a schema of the test file's own database, `postgres.ts`). What a test needs of the raw database (a
 * statement, everything stored) is here, per engine.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, describe } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { ClientStore } from '../../src/store/types.js';
import { pgQuery, postgresTestDatabase } from './postgres.js';

/** What the suites open a store with. */
export interface EngineStoreInit {
  secrets: Uint8Array;
  now?: () => number;
  maxHistoryPerClient?: number;
}

export interface TestEngine {
  readonly name: 'SQLite' | 'PostgreSQL';
  /** An empty database: a new file (SQLite), or the file's schema emptied (PostgreSQL); the last one is gone. */
  fresh(): Promise<string>;
  /** A database nothing ever used (a new file, a new schema), for tests that spoil it or need it new. */
  brandNew(): Promise<string>;
  open(location: string, init: EngineStoreInit): Promise<ClientStore>;
  /** Runs one statement on the raw database; `?` are its parameters. */
  run(location: string, text: string, params?: unknown[]): Promise<unknown[]>;
  /** Everything the database keeps, as bytes: its files, or every row of every table as text. */
  dump(location: string): Promise<Buffer>;
}

interface RawSqlite {
  prepare(s: string): { reader: boolean; all(...a: unknown[]): unknown[]; run(...a: unknown[]): unknown };
  close(): void;
}
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as new (f: string) => RawSqlite;

function sqliteEngine(prefix: string): TestEngine {
  let root: string | undefined;
  let n = 0;
  after(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });
  return {
    name: 'SQLite',
    async fresh() {
      root ??= mkdtempSync(join(tmpdir(), prefix));
      return join(root, `db-${++n}.db`);
    },
    brandNew() {
      return this.fresh();
    },
    async open(file, init) {
      return openSqliteStore(file, init);
    },
    async run(file, text, params = []) {
      const raw = new Sqlite(file);
      try {
        const statement = raw.prepare(text);
        return statement.reader ? statement.all(...params) : [statement.run(...params)];
      } finally {
        raw.close();
      }
    },
    async dump(file) {
      const dir = dirname(file);
      const files = readdirSync(dir).filter((f) => f.startsWith(basename(file)));
      return Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
    },
  };
}

function postgresEngine(prefix: string): TestEngine {
  const database = postgresTestDatabase(prefix);
  let shared: string | undefined;
  return {
    name: 'PostgreSQL',
    // One schema per file, migrated once and emptied for each test (identities restarted): a migration costs far
    // more than a TRUNCATE, and the tests of a file run one after another.
    async fresh() {
      if (shared === undefined) {
        shared = await database.freshSchema();
        return shared;
      }
      // DELETE, not TRUNCATE (which makes new files for every table: slow), then the identities start again at 1.
      const identities = await pgQuery<{ t: string; c: string }>(
        shared,
        "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
      );
      const tables = await pgQuery<{ name: string }>(
        shared,
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'meta'",
      );
      await pgQuery(
        shared,
        [
          ...tables.map((t) => `DELETE FROM "${t.name}"`),
          ...identities.map((i) => `ALTER TABLE "${i.t}" ALTER COLUMN "${i.c}" RESTART`),
        ].join(';\n'),
      );
      return shared;
    },
    brandNew: () => database.freshSchema(),
    open: (url, init) => openPostgresStore(url, init),
    run(url, text, params = []) {
      let i = 0;
      return pgQuery(
        url,
        text.replace(/\?/g, () => `$${++i}`),
        params,
      );
    },
    async dump(url) {
      const tables = await pgQuery<{ name: string }>(
        url,
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      );
      const texts: string[] = [];
      for (const { name } of tables) {
        const rows = await pgQuery<{ row: string }>(url, `SELECT t::text AS row FROM "${name}" t`);
        texts.push(...rows.map((r) => r.row));
      }
      return Buffer.from(texts.join('\n'), 'utf8');
    },
  };
}

/** SQLite and PostgreSQL, their temp files and test database named after `prefix` (and removed after the file). */
export function testEngines(prefix: string): readonly TestEngine[] {
  return [sqliteEngine(prefix), postgresEngine(prefix)];
}

/** `describe(title (engine))` once per engine, with the same body: the store suites' one loop. */
export function describeEngines(title: string, prefix: string, suite: (engine: TestEngine) => void): void {
  for (const engine of testEngines(prefix)) describe(`${title} (${engine.name})`, () => suite(engine));
}
