/**
 * PostgreSQL for tests, on the machine's server (`HIVELINK_TEST_POSTGRES`, else postgres://postgres@127.0.0.1:5432;
 * `.ci/run` starts it): each test file gets a database of its own, named uniquely and dropped after its tests, so
 * runs never collide; inside it, {@link PostgresTestDatabase.freshSchema} gives every test an empty schema.
 */
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import pg from 'pg';

/** The server the tests use (a URL without a database). */
export const TEST_POSTGRES = (
  process.env.HIVELINK_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432'
).replace(/\/+$/, '');

/** Runs one statement on `url` with a connection of its own. */
export async function pgQuery<R extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** The test file's database. */
export interface PostgresTestDatabase {
  /** The database's URL (created on first use). */
  url(): Promise<string>;
  /** A URL of the database whose connections use a new, empty schema. */
  freshSchema(): Promise<string>;
}

/**
 * A database for this test file, `hl_<prefix>_<random>`, created on first use and dropped (its connections cut) by an
 * `after` hook registered where this is called.
 */
export function postgresTestDatabase(prefix: string): PostgresTestDatabase {
  const name = `hl_${prefix.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}_${randomBytes(4).toString('hex')}`;
  let created: Promise<string> | undefined;
  let schemas = 0;
  after(async () => {
    if (created === undefined) return;
    await created.catch(() => undefined);
    await pgQuery(`${TEST_POSTGRES}/postgres`, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  const url = () => {
    created ??= (async () => {
      await pgQuery(`${TEST_POSTGRES}/postgres`, `CREATE DATABASE "${name}"`);
      // A test database needs no durability: commits need not wait for the disk.
      await pgQuery(`${TEST_POSTGRES}/postgres`, `ALTER DATABASE "${name}" SET synchronous_commit = off`);
      return `${TEST_POSTGRES}/${name}`;
    })();
    return created;
  };
  return {
    url,
    async freshSchema() {
      const base = await url();
      const schema = `t${++schemas}`;
      await pgQuery(base, `CREATE SCHEMA ${schema}`);
      return `${base}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    },
  };
}
