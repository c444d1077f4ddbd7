/**
 * Relay hops (issue 12, docs/PROTOCOL.md §13, "Relay hops"), in process: hubs built by `composeHub` linked into a
 * tree, SDK satellites writing sealed messages to satellites of other hubs — one hop up, two levels across the
 * common parent, anonymous with a reply back along the hops (also after the link on the way back reconnected), an
 * offline recipient's mail waiting at its own hub, the recipient's consent and accept-anonymous applied at its hub,
 * refusals for a recipient nobody knows — and what a middle hub sends the next one, seen by a fake child hub: the
 * route, the envelope, a back token; nothing that names the sender.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import type { PrivateMessage } from '../../src/client/sealed.js';
import { MemoryIdentityStore } from '../../src/client/stores.js';
import { e2eIdentity } from '../../src/crypto/sealed.js';
import { HiveLinkError } from '../../src/errors.js';
import type { JsonObject } from '../../src/protocol/json.js';
import { failOnUnhandledRejection } from './hub-harness.js';
import { linkCredentials, MeshNode } from './mesh-harness.js';
import { fakeChildHub, fakeEntry, sealedFor } from './relay-hop-helpers.js';
import { next } from './sealed-artifacts.js';

failOnUnhandledRejection();

/** Every string anywhere in `value`. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
}

describe('sealed messages across the mesh', () => {
  // house ← kitchen-hub ← (sat)   house ← garage-hub ← (sat): two children of one parent.
  let house: MeshNode;
  let kitchen: MeshNode;
  let garage: MeshNode;
  const clients: HiveClient[] = [];
  let garageLink = '';

  async function sat(node: MeshNode, name: string, extra: Record<string, unknown> = {}): Promise<HiveClient> {
    const c = await node.satellite({ name, consent: 'allow', ...extra });
    clients.push(c);
    await c.sealed.publish();
    return c;
  }

  before(async () => {
    [house, kitchen, garage] = await Promise.all([
      MeshNode.create('house-hub'),
      MeshNode.create('kitchen-hub'),
      MeshNode.create('garage-hub'),
    ]);
    const [k, g] = [linkCredentials(), linkCredentials()];
    garageLink = g.record.name;
    await house.addRecords([
      { ...k.record, isAdmin: false },
      { ...g.record, isAdmin: false },
    ]);
    await house.start();
    await Promise.all([
      kitchen.start({ parents: [house.parentEntry(k)] }),
      garage.start({ parents: [house.parentEntry(g)] }),
    ]);
    await Promise.all(
      [kitchen, garage].map((n) => n.logs.until(() => n.logs.count('relay hops open to the parent') > 0)),
    );
  });

  after(async () => {
    for (const c of clients) c.close();
    await Promise.all([kitchen, garage].map((n) => n.remove()));
    await house.remove();
  });

  it('one hop up: a satellite of the child writes to a satellite of the parent, signed', async () => {
    const alice = await sat(kitchen, 'alice');
    const bob = await sat(house, 'bob');
    // A plain name is a client of alice's own hub: names of two hubs never collide.
    assert.deepEqual(await alice.directory({ client: 'bob' }), []);
    const [entry] = await alice.directory({ client: 'bob@house-hub' });
    assert.ok(entry !== undefined, 'bob is found across the link');
    assert.deepEqual([entry.clientId, entry.name, entry.hub], [null, 'bob', 'house-hub']);
    assert.equal(entry.address, `bob@${entry.hubNode}`);
    assert.equal(entry.fingerprint, await bob.sealed.fingerprint());
    const got = next<PrivateMessage>((l) => bob.onPrivate(l));
    const sent = await alice.sendPrivate(entry, 'hello across one hop');
    assert.deepEqual([sent.delivered, sent.deposited], [true, false]);
    const m = await got;
    assert.equal(m.text, 'hello across one hop');
    // bob's hub looked alice's signing key up across the mesh: bob knows who wrote.
    assert.deepEqual([m.anonymous, m.sender?.name, m.sender?.hub], [false, 'alice', 'kitchen-hub']);
    // And down: bob writes back to alice by her address, the hub by name.
    const back = next<PrivateMessage>((l) => alice.onPrivate(l));
    await bob.sendPrivate('alice@kitchen-hub', 'hello down one hop');
    assert.equal((await back).sender?.name, 'bob');
  });

  it('two levels: from under one child to under its sibling, through the common parent', async () => {
    const carol = await sat(kitchen, 'carol');
    const dave = await sat(garage, 'dave');
    const got = next<PrivateMessage>((l) => dave.onPrivate(l));
    await carol.sendPrivate('dave@garage-hub', {
      type: 'speak',
      data: { utterance: 'two levels' },
      context: {},
    });
    const m = await got;
    assert.deepEqual(
      [m.bus?.data, m.sender?.name, m.sender?.hub],
      [{ utterance: 'two levels' }, 'carol', 'kitchen-hub'],
    );
  });

  it('anonymous across two levels: no sender, and the reply walks back the hops', async () => {
    const erin = await sat(kitchen, 'erin');
    const frank = await sat(garage, 'frank');
    const got = next<PrivateMessage>((l) => frank.onPrivate(l));
    await erin.sendPrivate('frank@garage-hub', 'who am i', { anonymous: true });
    const m = await got;
    assert.deepEqual([m.anonymous, m.sender, m.text], [true, null, 'who am i']);
    assert.ok(m.replyTo !== null, 'a reply handle came with it');
    const reply = next<PrivateMessage>((l) => erin.onPrivate(l));
    await frank.replyPrivate(m, 'a friend');
    const r = await reply;
    assert.deepEqual([r.isReply, r.text, r.sender?.name], [true, 'a friend', 'frank']);
    // One reply per handle, across the mesh too.
    await assert.rejects(frank.replyPrivate(m, 'again'), { code: 'HL_ERR_SEALED_REPLY_HANDLE' });
  });

  it('the reply handle outlives a reconnect of the link on its way back', async () => {
    const pat = await sat(kitchen, 'pat');
    const quinn = await sat(garage, 'quinn');
    const got = next<PrivateMessage>((l) => quinn.onPrivate(l));
    await pat.sendPrivate('quinn@garage-hub', 'before the drop', { anonymous: true });
    const m = await got;
    // The house drops the garage's link; the garage links again and says hello again.
    const opened = garage.logs.count('relay hops open to the parent');
    const hub = house.hub.hub;
    const link = [...hub.ctx.peers.values()].find(
      (p) => p.useragent === 'hivelink-mesh' && p.record.name === garageLink,
    );
    assert.ok(link !== undefined);
    link.close(new HiveLinkError('HL_ERR_INTERNAL', 'the test drops the link'));
    await garage.logs.until(() => garage.logs.count('relay hops open to the parent') > opened);
    const reply = next<PrivateMessage>((l) => pat.onPrivate(l));
    await quinn.replyPrivate(m, 'after the drop');
    assert.equal((await reply).text, 'after the drop');
  });

  it('an offline recipient across a hop gets its mail on connect, and can answer an anonymous one', async () => {
    const gina = await sat(kitchen, 'gina');
    const { record } = await house.hub.data.store.addClient({
      name: 'hank',
      password: 'mesh-hank-Zq9vLw3k-offline',
      consent: 'allow',
    });
    // hank connects once to publish his keys, then leaves; he comes back with the same keys.
    const keys = new MemoryIdentityStore();
    const hankClient = () =>
      createHiveClient({
        url: house.url,
        accessKey: record.accessKey,
        password: 'mesh-hank-Zq9vLw3k-offline',
        protocol: 'legacy',
        identityStore: keys,
        reconnect: { enabled: false },
      });
    const first = hankClient();
    await first.connect();
    await first.sealed.publish();
    const gone = new Promise<void>((resolve) => {
      const hub = house.hub.hub;
      const off = hub.onPeersChanged(() => {
        if ([...hub.ctx.peers.values()].some((p) => p.record.id === record.id)) return;
        off();
        resolve();
      });
    });
    first.close();
    await gone;
    const [entry] = await gina.directory({ client: 'hank@house-hub' });
    assert.ok(entry !== undefined);
    const sent = await gina.sendPrivate(entry, 'while you were out', { anonymous: true });
    assert.deepEqual([sent.delivered, sent.deposited], [false, true]);
    // The mail waits at his own hub and comes on connect.
    const hank = hankClient();
    clients.push(hank);
    const got = next<PrivateMessage>((l) => hank.onPrivate(l));
    await hank.connect();
    const m = await got;
    assert.deepEqual([m.text, m.anonymous], ['while you were out', true]);
    assert.ok(m.depositedAt !== null && m.replyTo !== null, 'mail with a reply handle');
    const reply = next<PrivateMessage>((l) => gina.onPrivate(l));
    await hank.replyPrivate(m, 'back now');
    assert.equal((await reply).text, 'back now');
  });

  it("the recipient's consent and accept-anonymous apply at its hub; unknown recipients are refused", async () => {
    const ivan = await sat(kitchen, 'ivan');
    await sat(house, 'judy', { consent: 'deny' });
    await assert.rejects(ivan.sendPrivate('judy@house-hub', 'hi'), { code: 'HL_ERR_CONSENT_DENIED' });
    await sat(house, 'ken');
    const kenRecord = (await house.hub.data.store.listClients()).find((c) => c.name === 'ken')!;
    await house.hub.data.store.relay.setAcceptAnonymous(kenRecord.id, false);
    await assert.rejects(ivan.sendPrivate('ken@house-hub', 'psst', { anonymous: true }), {
      code: 'HL_ERR_SEALED_ANONYMOUS_REFUSED',
    });
    // Nobody of that name anywhere: the directory is empty, a send by address is refused.
    assert.deepEqual(await ivan.directory({ client: 'nobody@garage-hub' }), []);
    await assert.rejects(ivan.sendPrivate('nobody@garage-hub', 'x'), { code: 'HL_ERR_SEALED_NO_KEY' });
    const envelope = await sealedFor(e2eIdentity().x25519.publicKey);
    await assert.rejects(ivan.sealed.sendEnvelope('hive.relay.send', { to: 'nobody@garage-hub', envelope }), {
      code: 'HL_ERR_SEALED_UNKNOWN_RECIPIENT',
    });
    await assert.rejects(
      ivan.sealed.sendEnvelope('hive.relay.send', { to: 'x@y', route: 'made-up', envelope }),
      { code: 'HL_ERR_RELAY_ROUTE' },
    );
    // A route to someone else's key: the envelope is refused before it leaves the hub.
    const [ken2] = await ivan.directory({ client: 'ken@house-hub' });
    await assert.rejects(
      ivan.sealed.sendEnvelope('hive.relay.send', { to: ken2!.address, route: ken2!.route, envelope }),
      { code: 'HL_ERR_SEALED_WRONG_RECIPIENT' },
    );
  });

  it('what a middle hub sends on names no sender: the route, the envelope, a back token', async () => {
    // A fake child hub of the house: says hello, answers the directory with a client of its own, records the rest.
    const creds = linkCredentials();
    await house.hub.data.store.addClient({ ...creds.record, name: 'fake-hub', isAdmin: false });
    const victor = e2eIdentity();
    const fake = await fakeChildHub(
      house.url,
      { accessKey: creds.key, password: creds.password },
      { entries: (name) => (name === 'victor' ? [fakeEntry('victor', victor, 'fake-route-1')] : []) },
    );
    clients.push(fake.client);
    const sendFrame = fake.nextSend();
    const frames = fake.frames;

    const mallory = await sat(kitchen, 'mallory-sender');
    const malloryRecord = (await kitchen.hub.data.store.listClients()).find(
      (c) => c.name === 'mallory-sender',
    )!;
    const sent = await mallory.sendPrivate('victor@fake-hub', 'for victor', { anonymous: true });
    assert.equal(sent.delivered, true);
    const frame = await sendFrame;
    const data = frame.data as JsonObject;
    assert.deepEqual(Object.keys(data).sort(), ['back', 'envelope', 'request_id', 'route']);
    assert.equal(data.route, 'fake-route-1');
    const context = frame.context as JsonObject;
    assert.equal(context.source, 'hivelink', 'the middle hub sends as itself');
    // Nothing in any frame the fake child got names the sender, its client id, its hub or its peer.
    const kitchenNode = kitchen.hub.hub.ctx.nodeId;
    for (const s of frames.flatMap(strings)) {
      for (const secret of ['mallory-sender', 'kitchen-hub', kitchenNode])
        assert.ok(!s.includes(secret), `${secret} in ${s}`);
    }
    assert.ok(!frames.some((f) => JSON.stringify(f).includes(`"client_id":${malloryRecord.id}`)));
  });
});
