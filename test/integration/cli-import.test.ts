/**
 * Coming from HiveMind: `hivelink clients import --from hivemind-core` reads a HiveMind hub's client database, JSON
 * (clients.json, a dict keyed by client id) or SQLite (clients.db, lists as JSON text), keeps access keys, passwords
 * and permissions, skips revoked and password-less (v0 crypto_key) rows with a reason, adds nothing the second time,
 * and an imported satellite's credentials then work against a real `hivelink hub` unchanged.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ClientRecord } from '../../src/store/types.js';
import { buildOnce, childEnv, run, secretFile, startHub } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-import-'));
after(() => rmSync(root, { recursive: true, force: true }));
const env = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config') });

const LEGACY_TYPES = ['recognizer_loop:utterance', 'recognizer_loop:record_begin', 'speak:b64_audio'];
/** Rows as hivemind-core's JSON database writes them. */
const HIVEMIND_JSON = {
  '1': {
    client_id: 1,
    api_key: '3b1f0e8a2c4d4e6f8a9b0c1d2e3f4a5b',
    name: 'kitchen-sat',
    description: 'the kitchen speaker',
    is_admin: false,
    last_seen: 1733400000.5,
    allowed_types: LEGACY_TYPES,
    message_blacklist: [],
    skill_blacklist: ['skill-weather.openvoiceos'],
    intent_blacklist: ['joke.intent'],
    crypto_key: '0123456789abcdef',
    password: '9c2e7f1b3a5d4c6e8f0a1b2c3d4e5f60',
    can_broadcast: true,
    can_escalate: false,
    can_propagate: true,
    metadata: {},
  },
  '2': { client_id: 2, api_key: 'revoked', name: 'old', password: null },
  '3': {
    client_id: 3,
    api_key: 'c0ffee00c0ffee00c0ffee00c0ffee00',
    name: 'v0',
    crypto_key: 'abcdefabcdefabcd',
  },
};

const json = async <T>(args: string[]): Promise<T> => {
  const r = await run([...args, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
};

describe('hivelink clients import --from hivemind-core', () => {
  it('imports clients.json: keys, passwords and permissions; skips what cannot come, once', async () => {
    buildOnce();
    const file = join(root, 'clients.json');
    writeFileSync(file, JSON.stringify(HIVEMIND_JSON));
    const dd = ['--data-dir', join(root, 'from-json')];
    const r = await run(['clients', 'import', '--from', 'hivemind-core', file, ...dd], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Imported 1 client from /);
    assert.match(r.stdout, /HiveMind 1 → client 1 "kitchen-sat"/);
    assert.match(r.stdout, /skipped HiveMind 2: revoked in HiveMind/);
    assert.match(r.stdout, /skipped HiveMind 3: no password \(a v0 crypto_key client/);

    const [c] = await json<ClientRecord[]>(['clients', 'list', ...dd]);
    assert.ok(c);
    assert.equal(c.accessKey, HIVEMIND_JSON['1'].api_key);
    assert.equal(c.description, 'the kitchen speaker');
    assert.deepEqual([...c.allowedTypes].sort(), [...LEGACY_TYPES].sort());
    assert.deepEqual(c.blockedSkills, ['skill-weather.openvoiceos']);
    assert.deepEqual(c.blockedIntents, ['joke.intent']);
    assert.deepEqual([c.canBroadcast, c.canEscalate, c.canPropagate, c.isAdmin], [true, false, true, false]);

    const again = await json<{ imported: unknown[]; skipped: { reason: string }[] }>([
      'clients',
      'import',
      '--from',
      'hivemind-core',
      file,
      ...dd,
    ]);
    assert.deepEqual(again.imported, []);
    assert.match(again.skipped[0]?.reason ?? '', /already client 1/);

    // The satellite's HiveMind credentials work against our hub, legacy handshake included.
    const hub = await startHub(join(root, 'from-json'), env, ['--no-mdns']);
    try {
      const password = secretFile(HIVEMIND_JSON['1'].password);
      const base = ['ask', '--url', hub.url, '--key', c.accessKey, '--password-file', password];
      for (const protocol of ['2', '3']) {
        const ask = await run([...base, '--protocol', protocol, 'what is 6 times 7'], env);
        assert.equal(ask.code, 0, ask.stderr);
        assert.match(ask.stdout, /42/);
      }
    } finally {
      await hub.proc.stop();
    }
  });

  it('imports clients.db (SQLite, lists as JSON text, booleans as 0/1); a taken name gets the HiveMind id', async () => {
    const file = join(root, 'clients.db');
    const Database = createRequire(import.meta.url)('better-sqlite3') as new (
      f: string,
    ) => { exec(sql: string): void; prepare(sql: string): { run(...a: unknown[]): void }; close(): void };
    const db = new Database(file);
    db.exec(`CREATE TABLE clients (client_id INTEGER PRIMARY KEY, api_key TEXT, name TEXT, description TEXT,
      is_admin INTEGER, last_seen REAL, allowed_types TEXT, message_blacklist TEXT, skill_blacklist TEXT,
      intent_blacklist TEXT, crypto_key TEXT, password TEXT, can_broadcast INTEGER, can_escalate INTEGER,
      can_propagate INTEGER, metadata TEXT)`);
    const insert = db.prepare('INSERT INTO clients VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)');
    insert.run(
      7,
      'a'.repeat(32),
      'hall',
      '',
      1,
      -1,
      JSON.stringify(LEGACY_TYPES),
      '[]',
      '[]',
      '[]',
      null,
      'p'.repeat(32),
      0,
      1,
      0,
      '{}',
    );
    insert.run(
      8,
      'b'.repeat(32),
      'hall',
      '',
      0,
      -1,
      '[]',
      '[]',
      '[]',
      '[]',
      null,
      'q'.repeat(32),
      1,
      1,
      1,
      '{}',
    );
    db.close();
    const dd = ['--data-dir', join(root, 'from-db')];
    const report = await json<{ imported: { hivemindId: string; name: string }[] }>([
      'clients',
      'import',
      '--from',
      'hivemind-core',
      file,
      ...dd,
    ]);
    assert.deepEqual(
      report.imported.map((c) => [c.hivemindId, c.name]),
      [
        ['7', 'hall'],
        ['8', 'hall-8'],
      ],
    );
    const clients = await json<ClientRecord[]>(['clients', 'list', ...dd]);
    assert.deepEqual(
      clients.map((c) => [c.isAdmin, c.canBroadcast, c.canEscalate, c.canPropagate]),
      [
        [true, false, true, false],
        [false, true, true, true],
      ],
    );
  });

  it('a machine set up with hivemind-client set-identity needs no flags: hivelink reads its _identity.json', async () => {
    const dataDir = join(root, 'identity-hub');
    const hub = await startHub(dataDir, env, ['--no-mdns']);
    try {
      const added = await run(['clients', 'add', '--name', 'hm-sat', '--json', '--data-dir', dataDir], env);
      const c = JSON.parse(added.stdout) as { accessKey: string; password: string };
      const home = join(root, 'hm-home');
      mkdirSync(join(home, '.config', 'hivemind'), { recursive: true });
      writeFileSync(
        join(home, '.config', 'hivemind', '_identity.json'),
        JSON.stringify({
          access_key: c.accessKey,
          password: c.password,
          default_master: 'ws://127.0.0.1',
          default_port: hub.port,
          site_id: 'garage',
        }),
      );
      const bare = childEnv({ HOME: home, HIVELINK_CONFIG_DIR: join(root, 'hm-empty-config') });
      const ask = await run(['ask', 'what is 6 times 7'], bare);
      assert.equal(ask.code, 0, ask.stderr);
      assert.match(ask.stdout, /42/);
    } finally {
      await hub.proc.stop();
    }
  });

  it('refuses another --from, and a file that is not a HiveMind database', async () => {
    const dd = ['--data-dir', join(root, 'refused')];
    const other = await run(['clients', 'import', '--from', 'mosquitto', join(root, 'x'), ...dd], env);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /only hivemind-core can be imported/);
    const junk = join(root, 'junk.txt');
    writeFileSync(junk, 'hello');
    const bad = await run(['clients', 'import', '--from', 'hivemind-core', junk, ...dd], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /neither a HiveMind clients\.json nor a clients\.db/);
  });
});
