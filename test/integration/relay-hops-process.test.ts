/**
 * Relay hops with real `hivelink hub` processes (issue 12, docs/PROTOCOL.md §13 "Relay hops"):
 *
 * ```
 *            house   (the middle: Node's --heapsnapshot-signal, its log at debug)
 *           ▲     ▲
 *     kitchen     garage
 * ```
 *
 * SDK satellites of the children and of the house write to each other: signed one hop up, signed across two levels
 * (kitchen → house → garage), anonymous across two levels with the reply back through the handle, and to a garage
 * client that is offline, whose mail waits at the garage and comes on connect; a recipient nobody knows is refused.
 * Every message holds a random marker; then the house's heap snapshot, its log and every file of its data dir are
 * searched and hold none (and do hold a name the house keeps: the search finds what is there). A fake child hub of
 * the house reads every frame the house sends it: none names the sender, its client or its hub.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import type { PrivateMessage } from '../../src/client/sealed.js';
import { MemoryIdentityStore } from '../../src/client/stores.js';
import { e2eIdentity } from '../../src/crypto/sealed.js';
import type { JsonObject } from '../../src/protocol/json.js';
import { credentialFlags } from './cli-creds.js';
import { buildOnce, childEnv, run } from './cli-process.js';
import { failOnUnhandledRejection } from './hub-harness.js';
import { MeshHub, meshRoot, startAll } from './mesh-process-harness.js';
import { fakeChildHub, fakeEntry, sealedFor } from './relay-hop-helpers.js';
import { filesUnder, heapSnapshot, heapSnapshotOptions, holders, next } from './sealed-artifacts.js';

failOnUnhandledRejection();

const HOPS_OPEN = /"msg":"relay hops open to the parent"/;

describe('sealed messages across real hub processes', () => {
  const { root, remove } = meshRoot();
  const snapshots = join(root, 'snapshots');
  /** Only inside sealed envelopes. */
  const MARKER = `hop-marker-${randomBytes(12).toString('hex')}`;
  let house: MeshHub;
  let kitchen: MeshHub;
  let garage: MeshHub;
  const clients: HiveClient[] = [];
  /** The garage's dave (the first test). */
  let dave: HiveClient;
  let n = 0;

  /** A record on `hub` taking direct messages from anyone (consent allow). */
  async function record(hub: MeshHub, name: string): Promise<{ accessKey: string; password: string }> {
    n += 1;
    const password = `relay-hops-${n}-Zq9vLw3k-proc`;
    const { accessKey } = await hub.addRecord({ name, password, consent: 'allow' });
    return { accessKey, password };
  }

  /** A satellite of `hub` as `creds`, connected, its keys published. */
  async function connectAs(
    hub: MeshHub,
    creds: { accessKey: string; password: string },
    identityStore = new MemoryIdentityStore(),
  ): Promise<HiveClient> {
    const client = createHiveClient({
      url: hub.url,
      ...creds,
      protocol: 'legacy',
      identityStore,
      reconnect: { enabled: false },
    });
    clients.push(client);
    await client.connect();
    await client.sealed.publish();
    return client;
  }

  const sat = async (hub: MeshHub, name: string) => connectAs(hub, await record(hub, name));

  before(async () => {
    buildOnce();
    mkdirSync(snapshots, { recursive: true });
    house = await MeshHub.create(root, { name: 'house', agent: 'echo', logLevel: 'debug' });
    house.env.NODE_OPTIONS = heapSnapshotOptions(snapshots);
    kitchen = await MeshHub.create(root, { name: 'kitchen', agent: 'echo' });
    garage = await MeshHub.create(root, { name: 'garage', agent: 'echo' });
    await kitchen.linkTo(house);
    await garage.linkTo(house);
    await startAll([house, kitchen, garage]);
    await Promise.all([kitchen.waitLog(HOPS_OPEN), garage.waitLog(HOPS_OPEN)]);
  });

  after(async () => {
    for (const c of clients) c.close();
    await Promise.all([kitchen, garage, house].map((h) => h.stop()));
    remove();
  });

  it('signed, one hop up and across two levels, each to the right client', async () => {
    const alice = await sat(kitchen, 'alice');
    const bob = await sat(house, 'bob');
    dave = await sat(garage, 'dave');
    const up = next<PrivateMessage>((l) => bob.onPrivate(l));
    assert.equal((await alice.sendPrivate('bob@house', `${MARKER} up`)).delivered, true);
    const u = await up;
    assert.deepEqual([u.text, u.sender?.name, u.sender?.hub], [`${MARKER} up`, 'alice', 'kitchen']);
    const across = next<PrivateMessage>((l) => dave.onPrivate(l));
    const [entry] = await alice.directory({ client: `dave@${garage.node}` });
    assert.deepEqual([entry?.name, entry?.hub, entry?.hubNode], ['dave', 'garage', garage.node]);
    await alice.sendPrivate(entry!, { type: 'speak', data: { utterance: `${MARKER} across` }, context: {} });
    const a = await across;
    assert.deepEqual([a.bus?.data, a.sender?.name], [{ utterance: `${MARKER} across` }, 'alice']);
  });

  it('hivelink send writes to a client of another hub by its address', async () => {
    const creds = await record(kitchen, 'cli-sender');
    const got = next<PrivateMessage>((l) => dave.onPrivate(l));
    const r = await run(
      ['send', '--to', 'dave@garage', ...credentialFlags(kitchen.url, { id: 0, ...creds }), `${MARKER} cli`],
      childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config-cli-sender') }),
    );
    assert.deepEqual([r.code, r.stdout], [0, 'Delivered to dave.\n'], r.stderr);
    const m = await got;
    assert.deepEqual([m.text, m.sender?.name, m.sender?.hub], [`${MARKER} cli`, 'cli-sender', 'kitchen']);
  });

  it('anonymous across two levels, answered through the handle', async () => {
    const erin = await sat(kitchen, 'erin');
    const frank = await sat(garage, 'frank');
    const got = next<PrivateMessage>((l) => frank.onPrivate(l));
    await erin.sendPrivate('frank@garage', `${MARKER} anonymous`, { anonymous: true });
    const m = await got;
    assert.deepEqual([m.anonymous, m.sender, m.text], [true, null, `${MARKER} anonymous`]);
    const reply = next<PrivateMessage>((l) => erin.onPrivate(l));
    await frank.replyPrivate(m, `${MARKER} reply`);
    const r = await reply;
    assert.deepEqual([r.isReply, r.text, r.sender?.name], [true, `${MARKER} reply`, 'frank']);
  });

  it("an offline recipient's mail waits at its own hub and comes on connect", async () => {
    const gina = await sat(kitchen, 'gina');
    const keys = new MemoryIdentityStore();
    const creds = await record(garage, 'olga');
    const olga = await connectAs(garage, creds, keys);
    const from = garage.mark();
    olga.close();
    await garage.waitLog(/"msg":"client disconnected"/, from);
    const sent = await gina.sendPrivate('olga@garage', `${MARKER} offline`, { anonymous: true });
    assert.deepEqual([sent.delivered, sent.deposited], [false, true]);
    // olga again, with the same keys: listening before the connection opens, so the mail handed out on open is hers.
    const again = createHiveClient({
      url: garage.url,
      ...creds,
      protocol: 'legacy',
      identityStore: keys,
      reconnect: { enabled: false },
    });
    clients.push(again);
    const got = next<PrivateMessage>((l) => again.onPrivate(l));
    await again.connect();
    const m = await got;
    assert.deepEqual([m.text, m.depositedAt !== null], [`${MARKER} offline`, true]);
    const reply = next<PrivateMessage>((l) => gina.onPrivate(l));
    await again.replyPrivate(m, `${MARKER} later`);
    assert.equal((await reply).text, `${MARKER} later`);
  });

  it('a recipient no hub knows is refused', async () => {
    const ivan = await sat(kitchen, 'ivan');
    assert.deepEqual(await ivan.directory({ client: 'nobody@garage' }), []);
    await assert.rejects(ivan.sendPrivate('nobody@garage', 'x'), { code: 'HL_ERR_SEALED_NO_KEY' });
    const envelope = await sealedFor(e2eIdentity().x25519.publicKey);
    await assert.rejects(ivan.sealed.sendEnvelope('hive.relay.send', { to: 'nobody@garage', envelope }), {
      code: 'HL_ERR_SEALED_UNKNOWN_RECIPIENT',
    });
  });

  it('the frames the middle hub sends on name no sender', async () => {
    const password = 'relay-hops-fake-Zq9vLw3k-proc';
    const { accessKey } = await house.addRecord({ name: 'fake-hub', password });
    const victor = e2eIdentity();
    const fake = await fakeChildHub(
      house.url,
      { accessKey, password },
      { entries: (name) => (name === 'victor' ? [fakeEntry('victor', victor, 'fake-route')] : []) },
    );
    clients.push(fake.client);
    const mallory = await sat(kitchen, 'mallory-sender');
    const sendFrame = fake.nextSend();
    await mallory.sendPrivate('victor@fake-hub', `${MARKER} to the fake`, { anonymous: true });
    const frame = await sendFrame;
    assert.deepEqual(Object.keys(frame.data as JsonObject).sort(), [
      'back',
      'envelope',
      'request_id',
      'route',
    ]);
    const text = JSON.stringify(fake.frames);
    for (const secret of ['mallory-sender', 'kitchen', kitchen.node]) {
      assert.ok(!text.includes(secret), `a frame of the middle hub names ${secret}`);
    }
  });

  it("finds the marker in none of the middle hub's heap, log and data dir; finds a name it keeps", async () => {
    const artifacts = new Map<string, Buffer>([['heap snapshot', await heapSnapshot(house, snapshots)]]);
    const proc = house.proc;
    await house.stop();
    artifacts.set('hub log', Buffer.from(proc.stderr() + proc.stdout()));
    for (const file of filesUnder(house.dataDir)) artifacts.set(file, readFileSync(file));
    assert.deepEqual(holders(artifacts, MARKER), [], 'no artifact of the middle hub holds the plaintext');
    const kept = holders(artifacts, 'hub-kitchen'); // the kitchen link's record at the house
    assert.ok(kept.includes('heap snapshot') && kept.some((f) => f.endsWith('hivelink.db')), kept.join(', '));
  });
});
