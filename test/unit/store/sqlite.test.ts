import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { HiveLinkError } from '../../../src/errors.js';
import { DEFAULT_ALLOWED_TYPES } from '../../../src/store/client-fields.js';
import { openPostgresStore } from '../../../src/store/postgres.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { MIGRATIONS, migrate } from '../../../src/store/sqlite-schema.js';
import type { ClientStore } from '../../../src/store/types.js';
import { testEngines } from '../../helpers/store-engines.js';

const SECRETS = new Uint8Array(32).fill(1);
const root = mkdtempSync(join(tmpdir(), 'hl-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A fresh database file in the temp dir. */
const freshFile = () => join(root, `db-${++n}.db`);

interface Raw {
  prepare(s: string): { get(...a: unknown[]): unknown; run(...a: unknown[]): unknown };
  pragma(s: string, o?: { simple?: boolean }): unknown;
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (f: string) => Raw;
const engines = testEngines('hl-store-');

/**
 * Resolves the next time `store` sees another connection's change; fails after 10 s (its timer also keeps the
 * process alive, since the store's own poll does not).
 */
function nextChange(store: ClientStore): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('no change seen within 10 s')), 10_000);
    const stop = store.watch(() => {
      stop();
      clearTimeout(deadline);
      resolve();
    }, 5);
  });
}

for (const engine of engines) {
  describe(`client store (${engine.name})`, () => {
    let file: string;
    let store: ClientStore;
    let clock: number;
    beforeEach(async () => {
      file = await engine.fresh();
      clock = 1_700_000_000_000;
      store = await engine.open(file, { secrets: SECRETS, now: () => clock });
    });
    afterEach(() => store.close());

    describe('clients', () => {
      it('adds a client with random 32-hex key and password and the defaults (flood flags off)', async () => {
        const { record, password } = await store.addClient({ name: 'kitchen' });
        assert.match(record.accessKey, /^[0-9a-f]{32}$/);
        assert.match(password, /^[0-9a-f]{32}$/);
        assert.notEqual(record.accessKey, password);
        assert.equal(record.id, 1);
        assert.equal(record.name, 'kitchen');
        assert.equal(record.isAdmin, false);
        assert.equal(record.canBroadcast, true);
        assert.equal(record.canEscalate, false, 'an admin grants escalate');
        assert.equal(record.canPropagate, false, 'an admin grants propagate');
        assert.equal(record.revoked, false);
        assert.equal(record.createdAt, clock);
        assert.equal(record.lastSeen, null);
        assert.equal(record.noisePubkey, null);
        assert.deepEqual(record.allowedTypes, DEFAULT_ALLOWED_TYPES);
        for (const t of [
          'recognizer_loop:utterance',
          'record_begin',
          'recognizer_loop:record_begin',
          'speak:b64_audio',
        ]) {
          assert.ok(record.allowedTypes.includes(t), t);
        }
        assert.equal(await store.getPassword(record.id), password);
        assert.ok(!('password' in record));
      });

      it('takes the given key, password and flags', async () => {
        const { record, password } = await store.addClient({
          name: 'admin',
          accessKey: 'my-key',
          password: 'my-pw',
          isAdmin: true,
          canBroadcast: false,
          allowedTypes: ['speak'],
          siteId: 'kitchen',
        });
        assert.equal(record.accessKey, 'my-key');
        assert.equal(password, 'my-pw');
        assert.equal(record.isAdmin, true);
        assert.equal(record.canBroadcast, false);
        assert.equal(record.siteId, 'kitchen');
        assert.deepEqual(
          record.allowedTypes,
          ['recognizer_loop:utterance', 'speak'],
          'utterance is always allowed',
        );
      });

      it('refuses a taken access key with HL_ERR_ALREADY_EXISTS', async () => {
        await store.addClient({ name: 'a', accessKey: 'k1' });
        await assert.rejects(store.addClient({ name: 'b', accessKey: 'k1' }), {
          code: 'HL_ERR_ALREADY_EXISTS',
        });
      });

      it('refuses bad fields with HL_ERR_INVALID_ARGUMENT', async () => {
        for (const bad of [
          { name: '' },
          { name: 'x', accessKey: 'revoked:1' },
          { name: 'x', accessKey: 'has space' },
          { name: 'x', password: '' },
          { name: 'x', minProtocol: 4 },
          { name: 'x', rateLimitPerSecond: -1 },
          { name: 'x', bogus: true },
          { name: 'x', allowedTypes: ['ok', ''] },
          { name: 42 },
        ]) {
          await assert.rejects(
            store.addClient(bad as unknown as { name: string }),
            { code: 'HL_ERR_INVALID_ARGUMENT' },
            JSON.stringify(bad),
          );
        }
      });

      it('finds clients by id, access key, or a numeric string', async () => {
        const a = (await store.addClient({ name: 'a', accessKey: 'aaa' })).record;
        const b = (await store.addClient({ name: 'b', accessKey: '12345' })).record;
        assert.equal((await store.getClient(a.id))?.name, 'a');
        assert.equal((await store.getClient('aaa'))?.name, 'a');
        assert.equal((await store.getClient(String(a.id)))?.name, 'a');
        assert.equal((await store.getClient('12345'))?.id, b.id, 'digits: no such id, so the access key');
        assert.equal((await store.getClientByAccessKey('aaa'))?.id, a.id);
        assert.equal(await store.getClient(99), null);
        assert.equal(await store.getClient('nope'), null);
        assert.equal(await store.getClient(-1), null);
        assert.equal(await store.getClientByAccessKey(''), null);
        assert.equal(await store.getClientByAccessKey(undefined as unknown as string), null);
        assert.deepEqual(
          (await store.listClients()).map((c) => c.name),
          ['a', 'b'],
        );
      });

      it('updates and renames', async () => {
        const { record } = await store.addClient({ name: 'a' });
        const updated = await store.updateClient(record.id, {
          isAdmin: true,
          canEscalate: false,
          minProtocol: 3,
          rateLimitPerSecond: 5,
          siteId: 'hall',
          blockedSkills: ['skill-a', 'skill-a', 'skill-b'],
          allowedTypes: ['speak'],
        });
        assert.equal(updated.isAdmin, true);
        assert.equal(updated.canEscalate, false);
        assert.equal(updated.minProtocol, 3);
        assert.equal(updated.rateLimitPerSecond, 5);
        assert.equal(updated.siteId, 'hall');
        assert.deepEqual(updated.blockedSkills, ['skill-a', 'skill-b']);
        assert.deepEqual(updated.allowedTypes, ['recognizer_loop:utterance', 'speak']);
        const cleared = await store.updateClient(record.id, { minProtocol: null, siteId: '' });
        assert.equal(cleared.minProtocol, null);
        assert.equal(cleared.siteId, null);
        assert.equal((await store.renameClient(record.id, 'b')).name, 'b');
        assert.equal((await store.getClient(record.id))?.name, 'b');
        await assert.rejects(store.updateClient(99, { isAdmin: true }), { code: 'HL_ERR_NOT_FOUND' });
        await assert.rejects(store.updateClient(record.id, { isAdmin: 'yes' as unknown as boolean }), {
          code: 'HL_ERR_INVALID_ARGUMENT',
        });
      });

      it('never reuses ids after remove and revoke, even after reopening', async () => {
        const a = (await store.addClient({ name: 'a' })).record;
        const b = (await store.addClient({ name: 'b' })).record;
        await store.removeClient(b.id);
        await store.revokeClient(a.id);
        await store.close();
        store = await engine.open(file, { secrets: SECRETS });
        const c = (await store.addClient({ name: 'c' })).record;
        assert.equal(c.id, 3);
        await assert.rejects(store.removeClient(b.id), { code: 'HL_ERR_NOT_FOUND' });
      });

      it('revokes: the key no longer authenticates, the row and id stay, secrets are erased', async () => {
        const { record } = await store.addClient({ name: 'a', accessKey: 'secret-key' });
        await store.setCachedPsk(record.id, 'node', new Uint8Array(32).fill(3));
        const token = await store.issueToken(record.id);
        const revoked = await store.revokeClient(record.id);
        assert.equal(revoked.revoked, true);
        assert.equal(revoked.accessKey, `revoked:${record.id}`);
        assert.equal(await store.getClientByAccessKey('secret-key'), null);
        assert.equal(await store.getClientByAccessKey(`revoked:${record.id}`), null);
        assert.equal(await store.getClient('secret-key'), null);
        assert.equal((await store.getClient(record.id))?.revoked, true);
        assert.equal(await store.getPassword(record.id), null);
        assert.equal(await store.getCachedPsk(record.id, 'node'), null);
        assert.equal(await store.clientForToken(token), null);
        await assert.rejects(store.setPassword(record.id, 'x'), { code: 'HL_ERR_INVALID_ARGUMENT' });
        // The old key can be given to a new client.
        const again = await store.addClient({ name: 'b', accessKey: 'secret-key' });
        assert.equal(again.record.id, record.id + 1);
        await assert.rejects(store.revokeClient(99), { code: 'HL_ERR_NOT_FOUND' });
      });

      it('removes a client with its history, rules and tokens', async () => {
        const { record } = await store.addClient({ name: 'a' });
        await store.recordConnection({ clientId: record.id, ip: '127.0.0.1', startedAt: 1 });
        await store.addIpRule({ cidr: '10.0.0.0/8', action: 'allow', clientId: record.id });
        const token = await store.issueToken(record.id);
        await store.removeClient(record.id);
        assert.equal(await store.getClient(record.id), null);
        assert.deepEqual(await store.history(record.id), []);
        assert.deepEqual(await store.listIpRules(), []);
        assert.equal(await store.clientForToken(token), null);
      });
    });

    describe('secrets at rest', () => {
      it('keeps no password or PSK in the database files', async () => {
        const password = 'Tr0ub4dor-and-a-very-distinctive-password';
        const { record } = await store.addClient({ name: 'a', password });
        const psk = new Uint8Array(32).fill(0xab);
        await store.setCachedPsk(record.id, 'node-id', psk);
        await store.setPassword(record.id, `${password}-2`);
        await store.setCachedPsk(record.id, 'node-id', psk);
        await store.close();
        const bytes = await engine.dump(file);
        assert.ok(bytes.length > 0);
        assert.equal(bytes.indexOf(password), -1, 'the database holds the password');
        assert.equal(bytes.indexOf(Buffer.from(psk).toString('hex')), -1, 'the database holds the PSK');
        assert.equal(bytes.indexOf(Buffer.from(psk)), -1, 'the database holds the PSK bytes');
        store = await engine.open(file, { secrets: SECRETS });
        assert.equal(await store.getPassword(record.id), `${password}-2`);
      });

      it('fails with HL_ERR_SECRET_UNREADABLE under another secrets key', async () => {
        const { record } = await store.addClient({ name: 'a' });
        await store.setCachedPsk(record.id, 'n', new Uint8Array(32));
        await store.close();
        store = await engine.open(file, { secrets: new Uint8Array(32).fill(2) });
        await assert.rejects(store.getPassword(record.id), { code: 'HL_ERR_SECRET_UNREADABLE' });
        await assert.rejects(store.getCachedPsk(record.id, 'n'), { code: 'HL_ERR_SECRET_UNREADABLE' });
      });

      it('a sealed password moved to another row does not open', async () => {
        const a = (await store.addClient({ name: 'a' })).record;
        const b = (await store.addClient({ name: 'b' })).record;
        await store.close();
        await engine.run(
          file,
          'UPDATE clients SET password_sealed = (SELECT password_sealed FROM clients WHERE id = ?) WHERE id = ?',
          [a.id, b.id],
        );
        store = await engine.open(file, { secrets: SECRETS });
        await assert.rejects(store.getPassword(b.id), { code: 'HL_ERR_SECRET_UNREADABLE' });
      });

      it('caches PSKs per node id and drops them when the password changes', async () => {
        const { record } = await store.addClient({ name: 'a' });
        const psk = new Uint8Array(32).map((_, i) => i);
        assert.equal(await store.getCachedPsk(record.id, 'node-1'), null);
        await store.setCachedPsk(record.id, 'node-1', psk);
        assert.deepEqual(await store.getCachedPsk(record.id, 'node-1'), psk);
        assert.equal(await store.getCachedPsk(record.id, 'node-2'), null);
        await store.setPassword(record.id, 'new-password');
        assert.equal(await store.getPassword(record.id), 'new-password');
        assert.equal(await store.getCachedPsk(record.id, 'node-1'), null);
        await assert.rejects(store.setCachedPsk(record.id, 'n', new Uint8Array(16)), {
          code: 'HL_ERR_INVALID_ARGUMENT',
        });
        await assert.rejects(store.setCachedPsk(99, 'n', psk), { code: 'HL_ERR_NOT_FOUND' });
        await assert.rejects(store.getPassword(99), { code: 'HL_ERR_NOT_FOUND' });
      });
    });

    describe('noise pin and last seen', () => {
      it('pins and clears the Noise key', async () => {
        const { record } = await store.addClient({ name: 'a' });
        await store.pinNoiseKey(record.id, 'AB'.repeat(32));
        assert.equal((await store.getClient(record.id))?.noisePubkey, 'ab'.repeat(32));
        await store.clearNoisePin(record.id);
        assert.equal((await store.getClient(record.id))?.noisePubkey, null);
        await assert.rejects(store.pinNoiseKey(record.id, 'abc'), { code: 'HL_ERR_INVALID_ARGUMENT' });
        await assert.rejects(store.pinNoiseKey(99, 'ab'.repeat(32)), { code: 'HL_ERR_NOT_FOUND' });
      });

      it('pins an INTERCOM key to one client only, keeps it, and clears it', async () => {
        const a = (await store.addClient({ name: 'a' })).record;
        const b = (await store.addClient({ name: 'b' })).record;
        const [k1, k2] = [Buffer.alloc(294, 1).toString('base64'), Buffer.alloc(294, 2).toString('base64')];
        assert.equal(a.intercomPubkey, null);
        assert.equal(await store.pinIntercomKey(a.id, k1), 'pinned');
        assert.equal((await store.getClient(a.id))?.intercomPubkey, k1);
        assert.equal(await store.pinIntercomKey(a.id, k1), 'same');
        assert.equal(await store.pinIntercomKey(a.id, k2), 'mismatch', 'a pinned key is not replaced');
        assert.equal(await store.pinIntercomKey(b.id, k1), 'taken', "another client's key is not pinned");
        assert.equal((await store.getClient(b.id))?.intercomPubkey, null);
        await store.clearIntercomPin(a.id);
        assert.equal(await store.pinIntercomKey(b.id, k1), 'pinned', 'free again once cleared');
        await assert.rejects(store.pinIntercomKey(a.id, 'not base64!'), { code: 'HL_ERR_INVALID_ARGUMENT' });
        await assert.rejects(store.pinIntercomKey(99, k2), { code: 'HL_ERR_NOT_FOUND' });
        await assert.rejects(store.clearIntercomPin(99), { code: 'HL_ERR_NOT_FOUND' });
      });

      it('touches last seen, never backwards, and ignores unknown ids', async () => {
        const a = (await store.addClient({ name: 'a' })).record;
        const b = (await store.addClient({ name: 'b' })).record;
        await store.touchLastSeen(a.id, 5000);
        await store.touchLastSeenMany([
          [a.id, 4000],
          [b.id, 6000],
          [99, 1],
        ]);
        assert.equal((await store.getClient(a.id))?.lastSeen, 5000);
        assert.equal((await store.getClient(b.id))?.lastSeen, 6000);
      });
    });

    describe('connection history', () => {
      it('records, finishes and lists newest first, pruning to maxHistoryPerClient', async () => {
        await store.close();
        store = await engine.open(file, { secrets: SECRETS, maxHistoryPerClient: 3 });
        const { record } = await store.addClient({ name: 'a' });
        const ids: number[] = [];
        for (let i = 0; i < 5; i++) {
          ids.push(
            await store.recordConnection({
              clientId: record.id,
              ip: `10.0.0.${i}`,
              protocol: 3,
              cipher: '25519_ChaChaPoly_SHA256',
              encoding: null,
              startedAt: 1000 + i,
            }),
          );
        }
        await store.finishConnection(ids[4]!, { endedAt: 2000, closeCode: 1008, closeReason: 'bye' });
        const h = await store.history(record.id);
        assert.deepEqual(
          h.map((c) => c.ip),
          ['10.0.0.4', '10.0.0.3', '10.0.0.2'],
        );
        assert.deepEqual(h[0], {
          id: ids[4],
          clientId: record.id,
          ip: '10.0.0.4',
          protocol: 3,
          cipher: '25519_ChaChaPoly_SHA256',
          encoding: null,
          startedAt: 1004,
          endedAt: 2000,
          closeCode: 1008,
          closeReason: 'bye',
        });
        assert.equal(h[1]!.endedAt, null);
        assert.equal((await store.history(record.id, 1)).length, 1);
        await store.finishConnection(ids[0]!, { endedAt: 3000 }); // pruned: ignored
        await assert.rejects(store.recordConnection({ clientId: 99, ip: '1.1.1.1', startedAt: 1 }), {
          code: 'HL_ERR_NOT_FOUND',
        });
      });
    });

    describe('IP rules', () => {
      it('adds (idempotently), lists (global first) and removes', async () => {
        const { record } = await store.addClient({ name: 'a' });
        const r1 = await store.addIpRule({ cidr: '10.1.2.3/8', action: 'allow' });
        assert.equal(r1.cidr, '10.0.0.0/8');
        assert.equal(r1.clientId, null);
        const again = await store.addIpRule({ cidr: '10.0.0.0/8', action: 'allow', clientId: null });
        assert.equal(again.id, r1.id);
        const r2 = await store.addIpRule({ cidr: '2001:db8::/32', action: 'deny', clientId: record.id });
        const r3 = await store.addIpRule({ cidr: '192.0.2.1', action: 'deny' });
        assert.deepEqual(
          (await store.listIpRules()).map((r) => [r.id, r.cidr, r.action, r.clientId]),
          [
            [r1.id, '10.0.0.0/8', 'allow', null],
            [r3.id, '192.0.2.1/32', 'deny', null],
            [r2.id, '2001:db8::/32', 'deny', record.id],
          ],
        );
        assert.equal(await store.removeIpRule({ cidr: '2001:db8::/32' }), 0, 'global scope only');
        assert.equal(await store.removeIpRule({ cidr: '2001:DB8::0/32', clientId: record.id }), 1);
        assert.equal(await store.removeIpRule(r3.id), 1);
        assert.equal((await store.listIpRules()).length, 1);
        await assert.rejects(store.addIpRule({ cidr: '10.0.0.0/40', action: 'deny' }), {
          code: 'HL_ERR_INVALID_ARGUMENT',
        });
        await assert.rejects(store.addIpRule({ cidr: '10.0.0.0/8', action: 'deny', clientId: 99 }), {
          code: 'HL_ERR_NOT_FOUND',
        });
      });
    });

    describe('API tokens', () => {
      it('issues tokens stored only as hashes', async () => {
        const { record } = await store.addClient({ name: 'a' });
        const token = await store.issueToken(record.id);
        assert.equal((await store.clientForToken(token))?.id, record.id);
        assert.equal(await store.clientForToken(`${token}x`), null);
        await store.close();
        const [row] = (await engine.run(file, 'SELECT token_hash FROM api_tokens')) as {
          token_hash: string;
        }[];
        assert.match(row!.token_hash, /^[0-9a-f]{64}$/);
        assert.ok(!(await engine.dump(file)).includes(token));
        store = await engine.open(file, { secrets: SECRETS });
        assert.equal(await store.revokeToken(token), true);
        assert.equal(await store.clientForToken(token), null);
        assert.equal(await store.revokeToken(token), false);
        await assert.rejects(store.issueToken(99), { code: 'HL_ERR_NOT_FOUND' });
      });
    });

    describe('changes from another process', () => {
      it('changeCounter moves on another connection’s commit, not on our own', async () => {
        const cli = await engine.open(file, { secrets: SECRETS });
        const before0 = store.changeCounter(); // past what opening the second connection wrote
        await store.addClient({ name: 'ours' });
        assert.equal(store.changeCounter(), before0, 'own write');
        // Each commit of the other connection moves it once (PostgreSQL tells of it a moment later: wait for it); had
        // our own write counted, it would have moved once more.
        for (const name of ['theirs', 'theirs too']) {
          const moved = nextChange(store);
          await cli.addClient({ name });
          await moved;
        }
        const after2 = store.changeCounter();
        assert.equal(after2, before0 + 2, 'other connection wrote twice');
        assert.equal(store.changeCounter(), after2, 'stable without new writes');
        await cli.close();
      });

      it('watch fires when another connection changes the database', async () => {
        const { record } = await store.addClient({ name: 'a' });
        const fired = nextChange(store);
        const cli = await engine.open(file, { secrets: SECRETS });
        await cli.revokeClient(record.id);
        await fired;
        assert.equal((await store.getClient(record.id))?.revoked, true);
        await cli.close();
      });
    });

    describe('malformed input', () => {
      it('every method rejects garbage with a HiveLinkError or answers, never anything else', async () => {
        await store.addClient({ name: 'a' });
        const junk: unknown[] = [
          undefined,
          null,
          Number.NaN,
          -1,
          1.5,
          2 ** 60,
          '',
          'x',
          '1',
          {},
          [],
          [[1]],
          [null],
          true,
        ];
        const methods: [string, (a: unknown, b: unknown) => Promise<unknown>][] = [
          ['addClient', (a) => store.addClient(a as never)],
          ['getClient', (a) => store.getClient(a as never)],
          ['getClientByAccessKey', (a) => store.getClientByAccessKey(a as never)],
          ['updateClient', (a, b) => store.updateClient(a as never, b as never)],
          ['renameClient', (a, b) => store.renameClient(a as never, b as never)],
          ['getPassword', (a) => store.getPassword(a as never)],
          ['setPassword', (a, b) => store.setPassword(a as never, b as never)],
          ['getCachedPsk', (a, b) => store.getCachedPsk(a as never, b as never)],
          ['setCachedPsk', (a, b) => store.setCachedPsk(a as never, 'n', b as never)],
          ['pinNoiseKey', (a, b) => store.pinNoiseKey(a as never, b as never)],
          ['touchLastSeen', (a, b) => store.touchLastSeen(a as never, b as never)],
          ['touchLastSeenMany', (a) => store.touchLastSeenMany(a as never)],
          ['recordConnection', (a) => store.recordConnection(a as never)],
          ['finishConnection', (a, b) => store.finishConnection(a as never, b as never)],
          ['history', (a, b) => store.history(a as never, b as never)],
          ['addIpRule', (a) => store.addIpRule(a as never)],
          ['removeIpRule', (a) => store.removeIpRule(a as never)],
          ['issueToken', (a) => store.issueToken(a as never)],
          ['clientForToken', (a) => store.clientForToken(a as never)],
          ['revokeToken', (a) => store.revokeToken(a as never)],
        ];
        for (const [name, call] of methods) {
          for (const a of junk) {
            for (const b of [undefined, 'x', {}, 1]) {
              try {
                await call(a, b);
              } catch (err) {
                assert.ok(
                  err instanceof HiveLinkError,
                  `${name}(${String(a)}, ${String(b)}) threw ${String(err)}`,
                );
              }
            }
          }
        }
        // The one real client survived (nothing above may remove or corrupt it).
        assert.equal((await store.listClients()).length, 1);
      });
    });
  });
}

describe('SQLite client store: file, schema and failures', () => {
  let file: string;
  let store: ClientStore;
  beforeEach(() => {
    file = freshFile();
    store = openSqliteStore(file, { secrets: SECRETS });
  });
  afterEach(() => store.close());
  it('uses WAL, foreign keys, schema_version 11, and mode 0600 for a new file', async () => {
    await store.close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const raw = new Database(file);
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    assert.deepEqual(raw.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get(), {
      value: '11',
    });
    raw.close();
    store = openSqliteStore(file, { secrets: SECRETS });
  });

  it('refuses a database from a newer hivelink', async () => {
    await store.close();
    const raw = new Database(file);
    raw.prepare("UPDATE meta SET value = '999' WHERE key = 'schema_version'").run();
    raw.close();
    assert.throws(() => openSqliteStore(file, { secrets: SECRETS }), { code: 'HL_ERR_STORE_UNAVAILABLE' });
    store = openSqliteStore(freshFile(), { secrets: SECRETS });
  });

  it('refuses a file that is not a database, and a missing directory', () => {
    const junk = freshFile();
    writeFileSync(junk, 'this is not sqlite'.repeat(100));
    assert.throws(() => openSqliteStore(junk, { secrets: SECRETS }), { code: 'HL_ERR_STORE_UNAVAILABLE' });
    assert.throws(() => openSqliteStore(join(root, 'no', 'such', 'dir.db'), { secrets: SECRETS }), {
      code: 'HL_ERR_STORE_UNAVAILABLE',
    });
    assert.throws(() => openSqliteStore(freshFile(), { secrets: new Uint8Array(3) }), {
      code: 'HL_ERR_INVALID_KEY',
    });
  });

  it('fails with HL_ERR_STORE_UNAVAILABLE once closed', async () => {
    await store.close();
    await assert.rejects(store.listClients(), { code: 'HL_ERR_STORE_UNAVAILABLE' });
    await store.close();
  });
});

describe('PostgreSQL client store: schema and failures', () => {
  const postgres = engines.find((e) => e.name === 'PostgreSQL')!;

  it('migrates to the same schema version as SQLite, with the same tables and columns, and change triggers', async () => {
    const url = await postgres.brandNew();
    await (await postgres.open(url, { secrets: SECRETS })).close();
    assert.deepEqual(await postgres.run(url, "SELECT value FROM meta WHERE key = 'schema_version'"), [
      { value: String(MIGRATIONS.length) },
    ]);
    const pgColumns = (await postgres.run(
      url,
      'SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()',
    )) as { t: string; c: string }[];
    const sqlite = new Database(freshFile());
    migrate(sqlite as unknown as Parameters<typeof migrate>[0]);
    const tables = sqlite.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    );
    const sqliteColumns: string[] = [];
    for (const { name } of (tables as unknown as { all(): { name: string }[] }).all()) {
      const info = sqlite.prepare(`SELECT name FROM pragma_table_info('${name}')`) as unknown as {
        all(): { name: string }[];
      };
      for (const c of info.all()) sqliteColumns.push(`${name}.${c.name}`);
    }
    sqlite.close();
    assert.deepEqual(pgColumns.map((r) => `${r.t}.${r.c}`).sort(), sqliteColumns.sort());
    const triggers = (await postgres.run(
      url,
      "SELECT count(DISTINCT event_object_table)::int AS n FROM information_schema.triggers WHERE trigger_schema = current_schema() AND trigger_name = 'hivelink_changed'",
    )) as { n: number }[];
    assert.equal(
      triggers[0]?.n,
      new Set(sqliteColumns.map((c) => c.split('.')[0])).size - 1,
      'every table but meta',
    );
  });

  it('refuses a database from a newer hivelink, a server that is not there, a bad URL and a bad key', async () => {
    const url = await postgres.brandNew();
    await (await postgres.open(url, { secrets: SECRETS })).close();
    await postgres.run(url, "UPDATE meta SET value = '999' WHERE key = 'schema_version'");
    await assert.rejects(postgres.open(url, { secrets: SECRETS }), { code: 'HL_ERR_STORE_UNAVAILABLE' });
    await assert.rejects(openPostgresStore('postgres://postgres@127.0.0.1:1/none', { secrets: SECRETS }), {
      code: 'HL_ERR_STORE_UNAVAILABLE',
    });
    await assert.rejects(openPostgresStore('mysql://x', { secrets: SECRETS }), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
    await assert.rejects(openPostgresStore(url, { secrets: new Uint8Array(3) }), {
      code: 'HL_ERR_INVALID_KEY',
    });
  });

  it('asks for the secrets key knowing whether the database is new', async () => {
    const url = await postgres.brandNew();
    const seen: boolean[] = [];
    const secrets = (isNew: boolean) => {
      seen.push(isNew);
      return SECRETS;
    };
    await (await openPostgresStore(url, { secrets })).close();
    await (await openPostgresStore(url, { secrets })).close();
    assert.deepEqual(seen, [true, false]);
  });
});

for (const engine of engines) {
  describe(`store and the CLI sharing one database (${engine.name})`, () => {
    let file: string;
    before(async () => {
      file = await engine.fresh();
    });

    it('two stores on one file see each other’s writes', async () => {
      const hub = await engine.open(file, { secrets: SECRETS });
      const cli = await engine.open(file, { secrets: SECRETS });
      const { record, password } = await cli.addClient({ name: 'x' });
      assert.equal((await hub.getClientByAccessKey(record.accessKey))?.id, record.id);
      assert.equal(await hub.getPassword(record.id), password);
      await hub.close();
      await cli.close();
    });
  });
}
