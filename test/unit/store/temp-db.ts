/**
 * Fresh databases and stores for store tests: one temp dir (or PostgreSQL test database) per test file, removed after
 * its tests, so each test opens a store of its own without the files writing out the same set-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach } from 'node:test';
import { openSqliteStore, type SqliteStoreInit } from '../../../src/store/sqlite.js';
import type { ClientRecord, ClientStore, NewClient } from '../../../src/store/types.js';
import type { TestEngine } from '../../helpers/store-engines.js';

/**
 * Creates a temp dir named after `prefix` (removed by an `after` hook) and returns a function giving a new database
 * path in it on each call.
 */
export function tempDatabases(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return () => join(root, `db-${++n}.db`);
}

/** The secrets key of every fixture store: tests of the sealing itself open their stores themselves. */
const FIXTURE_SECRETS = new Uint8Array(32).fill(7);

/** The store of the running test, from {@link tempStore}. */
export interface StoreFixture {
  /** The test's database: its file, or its URL. */
  readonly file: string;
  /** The test's store, as the hub holds it. */
  readonly store: ClientStore;
  /** A second connection to the same file, as the admin CLI opens one (without the fixture's `now`). */
  readonly cli: ClientStore;
  /** Closes the store and opens its file again, as a hub restart does. */
  reopen(): Promise<ClientStore>;
  /** Adds the clients (a name, or all of a new client) in order to the store; gives their records. */
  addClients<const T extends readonly ClientInput[]>(
    ...clients: T
  ): Promise<{ [K in keyof T]: ClientRecord }>;
  /** {@link addClients}, giving the clients' ids. */
  addClientIds<const T extends readonly ClientInput[]>(...clients: T): Promise<{ [K in keyof T]: number }>;
}

/** A client for {@link StoreFixture.addClients}: its name, or all of it. */
export type ClientInput = string | NewClient;

/**
 * A store on a new database for each test. Given a prefix, a SQLite file made on first use; given a
 * {@link TestEngine}, that engine's database, opened (with the `cli` connection) by a `beforeEach` hook, since opening
 * a PostgreSQL store is asynchronous. Either way an `afterEach` hook closes them (registered where this is called,
 * so it runs after the hooks of the suites inside, which may still need the store to stop what uses it).
 */
export function tempStore(
  prefixOrEngine: string | TestEngine,
  options: Omit<SqliteStoreInit, 'secrets'> = {},
): StoreFixture {
  const engine = typeof prefixOrEngine === 'string' ? null : prefixOrEngine;
  const freshDb = engine === null ? tempDatabases(prefixOrEngine as string) : null;
  let file: string | undefined;
  let store: ClientStore | undefined;
  let cli: ClientStore | undefined;
  if (engine !== null) {
    beforeEach(async () => {
      file = await engine.fresh();
      store = await engine.open(file, { ...options, secrets: FIXTURE_SECRETS });
      cli = await engine.open(file, { secrets: FIXTURE_SECRETS });
    });
  }
  afterEach(async () => {
    await store?.close();
    await cli?.close();
    file = store = cli = undefined;
  });
  const opened = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`the ${engine?.name} fixture opens its ${what} before each test`);
    return value;
  };
  const fixture: StoreFixture = {
    get file() {
      if (freshDb === null) return opened(file, 'database');
      file ??= freshDb();
      return file;
    },
    get store() {
      if (engine !== null) return opened(store, 'store');
      store ??= openSqliteStore(fixture.file, { ...options, secrets: FIXTURE_SECRETS });
      return store;
    },
    get cli() {
      if (engine !== null) return opened(cli, 'CLI store');
      cli ??= openSqliteStore(fixture.file, { secrets: FIXTURE_SECRETS });
      return cli;
    },
    async reopen() {
      await store?.close();
      store = undefined;
      if (engine !== null)
        store = await engine.open(opened(file, 'database'), { ...options, secrets: FIXTURE_SECRETS });
      return fixture.store;
    },
    async addClients<const T extends readonly ClientInput[]>(...clients: T) {
      const added: ClientRecord[] = [];
      for (const client of clients) {
        const input = typeof client === 'string' ? { name: client } : client;
        added.push((await fixture.store.addClient(input)).record);
      }
      return added as { [K in keyof T]: ClientRecord };
    },
    async addClientIds<const T extends readonly ClientInput[]>(...clients: T) {
      const added = await fixture.addClients(...clients);
      return added.map((client) => client.id) as { [K in keyof T]: number };
    },
  };
  return fixture;
}
