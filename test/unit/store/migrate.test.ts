/**
 * `hivelink store migrate` on the real PostgreSQL (issue 16): a SQLite database with a row in every table moves to
 * PostgreSQL with nothing lost — the counts and checksums printed are the source's, the target answers the same
 * through the store (sealed passwords and PSKs open with the same key, ids go on past removed ones), a second
 * move into the now full target is refused without --force and replaces it with.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { storeKeygen, storeMigrate } from '../../../src/cli/commands/store.js';
import { openPostgresStore } from '../../../src/store/postgres.js';
import { loadOrCreateSecretsKey } from '../../../src/store/secrets.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import type { ClientStore } from '../../../src/store/types.js';
import { pgQuery, postgresTestDatabase } from '../../helpers/postgres.js';

const root = mkdtempSync(join(tmpdir(), 'hl-migrate-'));
after(() => rmSync(root, { recursive: true, force: true }));
const database = postgresTestDatabase('migrate');

/** Writes something into every table of the store. */
async function fill(store: ClientStore): Promise<{ kitchen: number; office: number }> {
  const kitchen = (
    await store.addClient({ name: 'kitchen', password: 'kitchen-password', siteId: 'kitchen' })
  ).record.id;
  const office = (await store.addClient({ name: 'office', rateLimitPerSecond: 2.5, blockedSkills: ['joke'] }))
    .record.id;
  const gone = (await store.addClient({ name: 'gone' })).record.id;
  await store.removeClient(gone); // the next id is 4 on both engines
  await store.setCachedPsk(kitchen, 'node', new Uint8Array(32).fill(9));
  await store.pinNoiseKey(office, 'ab'.repeat(32));
  await store.touchLastSeen(kitchen, 1234);
  const conn = await store.recordConnection({ clientId: kitchen, ip: '10.0.0.1', protocol: 3, startedAt: 1 });
  await store.finishConnection(conn, { endedAt: 2, closeCode: 1000, closeReason: 'bye' });
  await store.addIpRule({ cidr: '10.0.0.0/8', action: 'allow' });
  await store.addIpRule({ cidr: '192.168.0.0/16', action: 'deny', clientId: office });
  await store.issueToken(kitchen);
  const timer = {
    clientId: kitchen,
    kind: 'timer' as const,
    name: 'pasta',
    siteId: 'kitchen',
    lang: 'en-us',
    utterance: 'pasta is done',
    roomUtterance: null,
    dueAt: 5000,
    durationMs: 60_000,
    createdAt: 1,
  };
  await store.addTimer(timer, 10);
  await store.subscriptions.add({ name: 'morning news', everyMs: 60_000, text: 'good morning' });
  await store.subscriptions.subscribe('morning news', office);
  await store.house.setRoom('Living Room', { conference: 'on' });
  await store.house.hubStarted({ bootId: 'boot', pid: 1, startedAt: 1 });
  await store.house.writePresence(
    [{ connId: 1, clientId: kitchen, peer: 'p', helloSite: null, assistant: false, connectedAt: 1 }],
    [],
  );
  await store.house.enqueueAdminCommand('announce', { text: 'hello' }, { maxPending: 5, now: 1 });
  await store.consent.set(kitchen, office, true);
  await store.mailbox.deposit(
    { recipientId: office, kind: 'sealed', body: 'ciphertext ✉' },
    { maxMessages: 5, maxBytes: 1000, expiryMs: 10 ** 12 },
  );
  const key = Buffer.alloc(32, 1).toString('base64');
  await store.relay.pinKeys(office, key, Buffer.alloc(32, 2).toString('base64'));
  await store.relay.audit(
    {
      senderId: kitchen,
      recipientId: office,
      mode: 'signed',
      messageId: 'ab',
      bytes: 10,
      outcome: 'delivered',
    },
    100,
  );
  await store.files.add(
    {
      id: 'f1',
      ownerId: kitchen,
      name: 'a.txt',
      mime: 'text/plain',
      size: 3,
      sha256: 'aa',
      origin: 'upload',
    },
    { quotaBytes: 1000, maxParallel: 4, expiryMs: 10 ** 12 },
  );
  await store.files.share('f1', [office]);
  await store.jobs.add(
    { id: 'j1', ownerId: kitchen, kind: 'speak', params: { text: 'hi' }, inputs: ['f1'] },
    4,
  );
  return { kitchen, office };
}

describe('store migrate: SQLite to PostgreSQL', () => {
  it('moves every table with nothing lost, and refuses a full target without --force', async () => {
    const dataDir = join(root, 'data');
    const file = join(root, 'hivelink.db');
    const { key } = loadOrCreateSecretsKey(dataDir, { file: join(root, 'secrets.key') });
    const source = openSqliteStore(file, { secrets: key });
    const { kitchen, office } = await fill(source);
    const before = {
      clients: await source.listClients(),
      rules: await source.listIpRules(),
      timers: await source.listTimers(),
      subscriptions: await source.subscriptions.list(),
      presence: await source.house.listPresence(),
      mail: await source.mailbox.pending(office),
      jobs: await source.jobs.listFor(kitchen),
    };
    await source.close();

    const url = await database.url();
    let text = '';
    const out = { write: (t: string) => (text += t) };
    const reports = await storeMigrate(out, { from: `sqlite:${file}`, to: url });
    const byTable = new Map(reports.map((r) => [r.table, r]));
    for (const table of [
      'clients',
      'psk_cache',
      'connections',
      'ip_rules',
      'api_tokens',
      'timers',
      'subscriptions',
      'subscribers',
      'rooms',
      'hub_instance',
      'presence',
      'admin_commands',
      'consent',
      'mailbox',
      'relay_clients',
      'relay_audit',
      'files',
      'file_shares',
      'jobs',
    ]) {
      assert.ok((byTable.get(table)?.rows ?? 0) >= 1, `${table} moved rows`);
      assert.match(byTable.get(table)!.checksum, /^[0-9a-f]{64}$/);
      assert.match(
        text,
        new RegExp(
          `^${table}\\s+${byTable.get(table)!.rows}\\s+${byTable.get(table)!.checksum.slice(0, 16)}$`,
          'm',
        ),
      );
    }
    assert.equal(byTable.get('clients')?.rows, 2);
    assert.match(text, /every table's count and checksum match/);
    const counted = await pgQuery<{ n: number }>(url, 'SELECT count(*)::int AS n FROM clients');
    assert.equal(counted[0]?.n, 2);

    const target = await openPostgresStore(url, { secrets: key });
    try {
      assert.deepEqual(await target.listClients(), before.clients);
      assert.deepEqual(await target.listIpRules(), before.rules);
      assert.deepEqual(await target.listTimers(), before.timers);
      assert.deepEqual(await target.subscriptions.list(), before.subscriptions);
      assert.deepEqual(await target.house.listPresence(), before.presence);
      assert.deepEqual(await target.mailbox.pending(office), before.mail);
      assert.deepEqual(await target.jobs.listFor(kitchen), before.jobs);
      assert.equal(await target.getPassword(kitchen), 'kitchen-password', 'sealed as in SQLite, same key');
      assert.deepEqual(await target.getCachedPsk(kitchen, 'node'), new Uint8Array(32).fill(9));
      assert.equal(
        (await target.addClient({ name: 'new' })).record.id,
        4,
        'the removed id 3 is not handed out again',
      );
    } finally {
      await target.close();
    }

    await assert.rejects(storeMigrate(out, { from: `sqlite:${file}`, to: url }), {
      code: 'HL_ERR_ALREADY_EXISTS',
    });
    const again = await storeMigrate(out, { from: `sqlite:${file}`, to: url, force: true });
    assert.deepEqual(again, reports, 'replaced with the same rows');
    await assert.rejects(storeMigrate(out, { from: `sqlite:${join(root, 'none.db')}`, to: url }), {
      code: 'HL_ERR_NOT_FOUND',
    });
  });

  it('keygen writes a 0600 key file once', () => {
    const file = join(root, 'cluster.key');
    let text = '';
    storeKeygen({ write: (t) => (text += t) }, file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(loadOrCreateSecretsKey(root, { file, create: false }).key.length, 32);
    assert.match(text, /--secrets-key-file/);
    assert.throws(() => storeKeygen({ write: () => undefined }, file), { code: 'HL_ERR_ALREADY_EXISTS' });
  });
});
