/**
 * The hub never holds a sealed message's plaintext (issue 12, "Done means"; docs/PROTOCOL.md §13). `hivelink hub`
 * runs as a child process (temp data dir, `--log-level trace` on stderr, Node's `--heapsnapshot-signal`), two SDK
 * clients in this process exchange a signed bus message, an anonymous text and its reply through the handle, each
 * holding one random marker; then a heap snapshot of the hub process, its whole log output and every file of its data
 * dir (the SQLite database, its WAL and shm, keys) are searched for the marker, and none holds it. The same search
 * finds what the hub does keep (the recipient's name) in each of them, so it is no search that finds nothing.
 *
 * With the hub running, the admin CLI agrees with it: `clients show` prints the fingerprint the SDK computes,
 * `clients set --accept-anonymous no` makes the running hub refuse the next anonymous message, and `relay audit`
 * lists the messages with their modes and outcomes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ShownClient } from '../../src/cli/commands/clients.js';
import type { RelayAuditRow } from '../../src/cli/commands/relay.js';
import * as sdk from '../../src/client/index.js';
import type { PrivateMessage } from '../../src/client/sealed.js';
import type { AddedClient, HubProcess } from './cli-process.js';
import { addClient, buildOnce, childEnv, run, startHub } from './cli-process.js';
import { failOnUnhandledRejection } from './hub-harness.js';
import { filesUnder, heapSnapshot, heapSnapshotOptions, holders, next } from './sealed-artifacts.js';

failOnUnhandledRejection();

describe('the hub process never holds a sealed message in clear', () => {
  const root = mkdtempSync(join(tmpdir(), 'hl-sealed-process-'));
  const dataDir = join(root, 'data');
  const snapshots = join(root, 'snapshots');
  const dd = ['--data-dir', dataDir];
  const env = childEnv({
    HIVELINK_CONFIG_DIR: join(root, 'config'),
    NODE_OPTIONS: heapSnapshotOptions(snapshots),
  });
  /** Only the CLI children: no heap snapshot signal for them. */
  const cliEnv = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config') });
  /** In no frame the hub can read: only inside sealed envelopes. */
  const MARKER = `sealed-marker-${randomBytes(12).toString('hex')}`;
  /** A name the hub keeps (its database, its client cache, its log): the search's control. */
  const KEPT = `bob-speaker-${randomBytes(6).toString('hex')}`;
  let hub: HubProcess;
  let alice: sdk.HiveClient;
  let bob: sdk.HiveClient;
  let bobRecord: AddedClient;

  async function cli(args: readonly string[]): Promise<string> {
    const r = await run([...args, ...dd], cliEnv);
    assert.equal(r.code, 0, `hivelink ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  before(async () => {
    buildOnce();
    mkdirSync(snapshots, { recursive: true });
    const added: AddedClient[] = [];
    for (const name of ['alice-phone', KEPT]) {
      const c = await addClient(dataDir, cliEnv, name);
      await cli(['clients', 'set', String(c.id), '--consent', 'allow']);
      added.push(c);
    }
    bobRecord = added[1]!;
    hub = await startHub(dataDir, env, ['--log-level', 'trace']);
    [alice, bob] = added.map((c) =>
      sdk.createHiveClient({
        url: hub.url,
        accessKey: c.accessKey,
        password: c.password,
        identityStore: new sdk.MemoryIdentityStore(),
        pinStore: new sdk.MemoryPinStore(),
        reconnect: { enabled: false },
      }),
    ) as [sdk.HiveClient, sdk.HiveClient];
    for (const c of [alice, bob]) {
      await c.connect();
      await c.sealed.publish();
    }
  });
  after(async () => {
    alice?.close();
    bob?.close();
    await hub?.proc.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('relays signed, anonymous and reply messages holding the marker, end to end', async () => {
    const signed = next<PrivateMessage>((l) => bob.onPrivate(l));
    await alice.sendPrivate(KEPT, { type: 'speak', data: { utterance: `${MARKER} signed` }, context: {} });
    const s = await signed;
    assert.deepEqual([s.sender?.name, s.bus?.data], ['alice-phone', { utterance: `${MARKER} signed` }]);

    const anonymous = next<PrivateMessage>((l) => bob.onPrivate(l));
    await alice.sendPrivate(KEPT, `${MARKER} anonymous`, { anonymous: true });
    const a = await anonymous;
    assert.deepEqual([a.anonymous, a.sender, a.text], [true, null, `${MARKER} anonymous`]);

    const reply = next<PrivateMessage>((l) => alice.onPrivate(l));
    await bob.replyPrivate(a, `${MARKER} reply`);
    const r = await reply;
    assert.deepEqual([r.isReply, r.text], [true, `${MARKER} reply`]);
  });

  it('the admin CLI agrees with the running hub: fingerprint, accept-anonymous, audit log', async () => {
    const shown = JSON.parse(await cli(['clients', 'show', String(bobRecord.id), '--json'])) as ShownClient;
    assert.equal(shown.relay.e2eKeys?.fingerprint, await bob.sealed.fingerprint());
    assert.match(
      await cli(['clients', 'show', String(bobRecord.id)]),
      new RegExp(`\\ne2e keys {9}${await bob.sealed.fingerprint()} `),
    );

    await cli(['clients', 'set', String(bobRecord.id), '--accept-anonymous', 'no']);
    await assert.rejects(alice.sendPrivate(KEPT, `${MARKER} refused`, { anonymous: true }), {
      code: 'HL_ERR_SEALED_ANONYMOUS_REFUSED',
    });
    await cli(['clients', 'set', String(bobRecord.id), '--accept-anonymous', 'yes']);

    const audit = await cli(['relay', 'audit', '--client', String(bobRecord.id), '--json']);
    assert.deepEqual(
      (JSON.parse(audit) as RelayAuditRow[]).map((e) => [e.senderName, e.recipientName, e.mode, e.outcome]),
      [
        ['alice-phone', KEPT, 'anonymous', 'HL_ERR_SEALED_ANONYMOUS_REFUSED'],
        [KEPT, 'alice-phone', 'reply', 'delivered'],
        ['alice-phone', KEPT, 'anonymous', 'delivered'],
        ['alice-phone', KEPT, 'signed', 'delivered'],
      ],
    );
    assert.ok(!audit.includes(MARKER), 'the audit log holds no contents');
    assert.ok(!(await cli(['relay', 'audit'])).includes(MARKER));
  });

  it("finds the marker in none of the hub's heap, log and data dir; finds the name it keeps in each", async () => {
    const heap = await heapSnapshot(hub, snapshots);
    const running = new Map<string, Buffer>([['heap snapshot', heap]]);
    for (const file of filesUnder(dataDir)) running.set(`${file} (hub running)`, readFileSync(file));
    assert.ok(
      [...running.keys()].some((f) => f.includes('hivelink.db-wal')),
      `the WAL is searched: ${[...running.keys()].join(', ')}`,
    );
    await hub.proc.stop();
    const stopped = new Map<string, Buffer>([
      ['hub log (stdout and stderr)', Buffer.from(hub.proc.stderr() + hub.proc.stdout())],
    ]);
    for (const file of filesUnder(dataDir)) stopped.set(`${file} (hub stopped)`, readFileSync(file));
    const artifacts = new Map([...running, ...stopped]);
    assert.ok(statSync(join(dataDir, 'hivelink.db')).size > 0);

    assert.deepEqual(holders(artifacts, MARKER), [], 'no artifact holds the plaintext marker');
    // The control: the same search finds what the hub keeps, in the heap, the log and the database.
    const keptIn = holders(artifacts, KEPT);
    for (const where of ['heap snapshot', 'hub log', 'hivelink.db']) {
      assert.ok(
        keptIn.some((name) => name.includes(where)),
        `${KEPT} found in the ${where}: ${keptIn.join(', ')}`,
      );
    }
    assert.ok(existsSync(join(dataDir, 'hivelink.db')));
  });
});
