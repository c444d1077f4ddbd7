/**
 * Issue 10, finding 1: weak passwords. `clients add --password a` used to be accepted, and the hub let a client
 * with a weak stored password connect. Now the CLI refuses a password under 40 bits of estimated entropy unless
 * `--allow-weak-password`, and the hub closes such a client with 1008 "password below strength policy"
 * (HL_ERR_PASSWORD_WEAK) unless its record allows it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clientsAdd, clientsSet } from '../../src/cli/commands/clients.js';
import { estimatePasswordBits } from '../../src/crypto/password-strength.js';
import { openDataDir } from '../../src/store/data-dir.js';
import { buildOnce, childEnv, run } from './cli-process.js';
import { FakePeer, failOnUnhandledRejection, nextOnBus, outcome, startHub } from './hub-harness.js';
import { startedForSuite } from './suite-fixture.js';

failOnUnhandledRejection();

const root = mkdtempSync(join(tmpdir(), 'hl-weak-pw-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('hivelink clients add: password strength', () => {
  before(() => buildOnce());
  const dd = ['--data-dir', join(root, 'cli')];

  it('refuses --password a with a clear error and exit code 1, and adds nothing', async () => {
    const r = await run(['clients', 'add', '--name', 'weak', '--password', 'a', ...dd], childEnv());
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^hivelink: password too weak: about \d+ bits of estimated entropy, at least 40/);
    assert.match(r.stderr, /--allow-weak-password/);
    const list = await run(['clients', 'list', '--json', ...dd], childEnv());
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  it('keeps a weak password with --allow-weak-password, and records the exception', async () => {
    const r = await run(
      ['clients', 'add', '--name', 'old-sat', '--password', 'a', '--allow-weak-password', '--json', ...dd],
      childEnv(),
    );
    assert.equal(r.code, 0, r.stderr);
    const added = JSON.parse(r.stdout) as { password: string; allowWeakPassword: boolean };
    assert.equal(added.password, 'a');
    assert.equal(added.allowWeakPassword, true);
  });

  it('generates strong passwords by default', async () => {
    const r = await run(['clients', 'add', '--name', 'new-sat', '--json', ...dd], childEnv());
    assert.equal(r.code, 0, r.stderr);
    const added = JSON.parse(r.stdout) as { password: string; allowWeakPassword: boolean };
    assert.ok(estimatePasswordBits(added.password) >= 100);
    assert.equal(added.allowWeakPassword, false);
  });

  it('in-process: the refusal is HL_ERR_PASSWORD_WEAK', async () => {
    const data = openDataDir(join(root, 'in-process'));
    const ctx = { store: data.store, out: { write: () => true } };
    await assert.rejects(clientsAdd(ctx, { name: 'x', password: 'password1' }), {
      code: 'HL_ERR_PASSWORD_WEAK',
    });
    assert.deepEqual(await data.store.listClients(), []);
    await data.close();
  });
});

describe('hub: a weak stored password at connect', () => {
  const t = startedForSuite(() => startHub());

  it('closes a client whose stored password is weak (an imported database) with 1008, legacy and v3 alike', async () => {
    // The store takes any password: this is what a database imported from elsewhere holds.
    const { record } = await t.data.store.addClient({ name: 'imported', password: 'letmein' });
    for (const protocol of ['legacy', 'v3'] as const) {
      const error = nextOnBus(t.bus, 'hive.client.connection.error');
      const peer = new FakePeer(t.url, { accessKey: record.accessKey, password: 'letmein', protocol });
      assert.deepEqual(await outcome(peer), { code: 1008, reason: 'password below strength policy' });
      assert.equal(peer.cleartext.length, 0, 'refused before HELLO');
      assert.equal((await error).data.error, 'password below strength policy');
    }
  });

  it('lets it connect once the record allows it (clients set --allow-weak-password true)', async () => {
    const { record } = await t.data.store.addClient({ name: 'legacy-sat', password: 'abc' });
    const refused = new FakePeer(t.url, { accessKey: record.accessKey, password: 'abc', protocol: 'legacy' });
    assert.deepEqual(await outcome(refused), { code: 1008, reason: 'password below strength policy' });
    await clientsSet({ store: t.data.store, out: { write: () => true } }, String(record.id), {
      allowWeakPassword: true,
    });
    const peer = await FakePeer.open(t.url, {
      accessKey: record.accessKey,
      password: 'abc',
      protocol: 'legacy',
    });
    assert.equal(peer.protocolVersion, 2);
    await peer.close();
  });

  it('leaves clients with strong passwords alone', async () => {
    const c = await t.addClient();
    const peer = await FakePeer.open(t.url, { accessKey: c.accessKey, password: c.password });
    assert.equal(peer.protocolVersion, 3);
    await peer.close();
  });

  it('minPasswordBits: 0 turns the connect-time check off', async () => {
    const lax = await startHub({ limits: { minPasswordBits: 0 } });
    try {
      const { record } = await lax.data.store.addClient({ name: 'weak', password: 'a' });
      const peer = await FakePeer.open(lax.url, {
        accessKey: record.accessKey,
        password: 'a',
        protocol: 'legacy',
      });
      await peer.close();
    } finally {
      await lax.close();
    }
  });
});
