/**
 * The cluster's seams in one process (issue 16, Routing): the peer registry lists the other nodes' connections
 * beside its own and never shadows a local one; the router hands an agent message for a peer that is not here to the
 * cluster, while a delivery from another node (routeLocal) is never forwarded again; the admin queue leaves a command
 * another node claimed; the names are valid NATS tokens; the SDK resolves `urls` into endpoints tried in turn.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { MessageData } from '../../../src/bus/types.js';
import { resolveOptions } from '../../../src/client/options.js';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { CLUSTER_TOKEN, clusterNames, defaultNodeId } from '../../../src/hub/cluster/names.js';
import { AdminQueue } from '../../../src/hub/house/admin-queue.js';
import { PeerRegistry, type RemotePeers } from '../../../src/hub/peers.js';
import { routeAgentMessage, routeLocal } from '../../../src/hub/router.js';
import { SessionNat } from '../../../src/hub/session-nat.js';
import type { HubContext, HubPeer } from '../../../src/hub/types.js';
import type { HiveMessage } from '../../../src/protocol/message.js';
import type { ClientRecord } from '../../../src/store/types.js';
import { tempStore } from '../store/temp-db.js';

function peer(id: string, sent: HiveMessage[] = []): HubPeer {
  return {
    id: 1,
    peer: id,
    useragent: 'ua',
    ip: '127.0.0.1',
    rateKey: id,
    record: { id: 1, name: id, blockedSkills: [], blockedIntents: [] } as unknown as ClientRecord,
    protocolVersion: 2,
    siteId: null,
    pubkey: null,
    nat: new SessionNat('0123456789abcdef'),
    session: { hello: null, latest: null },
    send: (m) => {
      sent.push(m);
      return true;
    },
    deny: () => {},
    close: () => {},
    applyHello: () => {},
    rekey: () => Promise.resolve(),
  };
}

/** Another node holding `peers`; what is forwarded to it is recorded. */
function otherNode(peers: HubPeer[]): RemotePeers & { forwarded: [string, MessageData][] } {
  const forwarded: [string, MessageData][] = [];
  return {
    forwarded,
    values: () => peers.values(),
    get: (p) => peers.find((c) => c.peer === p),
    forward: (p, m) => {
      if (!peers.some((c) => c.peer === p)) return false;
      forwarded.push([p, m]);
      return true;
    },
  };
}

function context(peers: PeerRegistry): HubContext {
  return { peers, routeTaps: [], logger: pino({ level: 'silent' }) } as unknown as HubContext;
}

const answer = (destination: string): MessageData => ({
  type: 'speak',
  data: { utterance: 'hi' },
  context: { destination },
});

describe('cluster seams', () => {
  it('lists the other nodes beside this one, a local peer id first and only once', () => {
    const peers = new PeerRegistry();
    const here = peer('ua::1::kitchen::s');
    peers.add(here);
    const there = peer('ua::2::garage::s');
    const shadow = peer('ua::1::kitchen::s');
    assert.deepEqual([...peers.everywhere()], [here]);
    peers.setRemote(otherNode([there, shadow]));
    assert.deepEqual([...peers.everywhere()], [here, there]);
    assert.equal(peers.remote(there.peer), there);
    assert.equal(peers.remote(here.peer), undefined);
    assert.equal(peers.get(there.peer), undefined);
    peers.setRemote(null);
    assert.deepEqual([...peers.everywhere()], [here]);
  });

  it('forwards an agent message for a peer of another node; a delivery from another node goes no further', () => {
    const peers = new PeerRegistry();
    const sent: HiveMessage[] = [];
    const here = peer('ua::1::kitchen::s', sent);
    peers.add(here);
    const node = otherNode([peer('ua::2::garage::s')]);
    peers.setRemote(node);
    const ctx = context(peers);
    routeAgentMessage(ctx, answer('ua::2::garage::s'));
    assert.deepEqual(
      node.forwarded.map(([p]) => p),
      ['ua::2::garage::s'],
    );
    routeAgentMessage(ctx, answer('ua::1::kitchen::s'));
    assert.equal(sent.length, 1);
    assert.equal(node.forwarded.length, 1);
    // What another node delivered: routed here, or dropped, never forwarded.
    assert.equal(routeLocal(ctx, 'ua::2::garage::s', answer('ua::2::garage::s')), false);
    assert.equal(node.forwarded.length, 1);
    assert.equal(routeLocal(ctx, 'ua::1::kitchen::s', answer('ua::1::kitchen::s')), true);
    assert.equal(sent.length, 2);
  });

  it('names buckets and subjects per prefix, with node ids that are NATS tokens', () => {
    const names = clusterNames('hive-x');
    assert.deepEqual(
      [names.nodes, names.peers, names.leases],
      ['hive-x-nodes', 'hive-x-peers', 'hive-x-leases'],
    );
    assert.equal(names.deliver('a'), 'hive-x.node.a.deliver');
    assert.match(defaultNodeId(), CLUSTER_TOKEN);
  });

  it('resolves urls into the endpoints the client tries in turn', () => {
    const o = resolveOptions({
      url: 'ws://a.lan:5678',
      urls: ['ws://b.lan:5678', 'wss://c.lan:443'],
      accessKey: 'k',
      password: 'p',
      backend: nodeBackend,
      WebSocket: class {} as never,
    });
    assert.deepEqual(
      o.endpoints.map((e) => e.hostPort),
      ['a.lan:5678', 'b.lan:5678', 'c.lan:443'],
    );
    assert.equal(o.endpoint, o.endpoints[0]);
    assert.throws(
      () =>
        resolveOptions({
          url: 'ws://a.lan:5678',
          urls: [5] as never,
          accessKey: 'k',
          password: 'p',
          backend: nodeBackend,
          WebSocket: class {} as never,
        }),
      /urls: must be a list of hub URLs/,
    );
  });
});

describe('admin command queue in a cluster', () => {
  const db = tempStore('hl-cluster-queue-');

  it('runs what this node claims and leaves what another node claimed pending', async () => {
    const queue = new AdminQueue({
      store: db.store.house,
      ttlMs: 60_000,
      now: () => 1_000_000,
      logger: pino({ level: 'silent' }),
    });
    const ran: unknown[] = [];
    queue.register('echo', async (args) => {
      ran.push(args.n);
      return {};
    });
    const mine = await db.store.house.enqueueAdminCommand(
      'echo',
      { n: 1 },
      { maxPending: 10, now: 1_000_000 },
    );
    const theirs = await db.store.house.enqueueAdminCommand(
      'echo',
      { n: 2 },
      { maxPending: 10, now: 1_000_000 },
    );
    const asked: string[] = [];
    queue.setClaim(async (key) => {
      asked.push(key);
      return key === `admin.${mine.id}`;
    });
    await queue.drain();
    await queue.drain(); // a command left for another node is not asked about again
    assert.deepEqual(ran, [1]);
    assert.deepEqual(asked, [`admin.${mine.id}`, `admin.${theirs.id}`]);
    assert.equal((await db.store.house.getAdminCommand(mine.id))?.state, 'done');
    assert.equal((await db.store.house.getAdminCommand(theirs.id))?.state, 'pending');
    await queue.stop();
  });
});
