/**
 * A hub as one node of a cluster (`hivelink hub --cluster nats://…`, issue 16 "Routing"): the nodes share one
 * PostgreSQL store and meet on NATS with JetStream.
 *
 * ```
 *  every heartbeat (ttlMs / 3)      KV <prefix>-nodes   node → {version, url, connections, clients, lagMs, …}
 *  a connect / HELLO / disconnect   KV <prefix>-peers   node → [{peer, clientId, name, site, assistant, …}]
 *       (and every heartbeat)       both buckets keep an entry ttlMs: a node that dies is gone within ttlMs
 *  the other nodes' peers  ──watch──▶ stand-in connections (`remote-peer.ts`) in PeerRegistry.everywhere()
 *  a stand-in's send / an agent message for a peer not here ──▶ subject <prefix>.node.<id>.deliver
 *                                   ──▶ that node sends it on its own connection, never onwards (loop-safe)
 *  an admin command, a timer coming due ──▶ KV <prefix>-leases create(key): the one node that made the key runs it
 * ```
 *
 * Delivery over the subject is at-most-once (NATS core: a message for a node that just died is lost, as bus chatter
 * is on one hub). What must not be lost stays in the shared store: the mailbox, timers, subscription ticks, jobs.
 *
 * @module
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { MessageData } from '../../bus/types.js';
import { HiveLinkError } from '../../errors.js';
import { parseHiveMessage } from '../../protocol/message.js';
import type { ClientRecord, ClientStore } from '../../store/types.js';
import { REST_USERAGENT } from '../client-ask.js';
import type { RemotePeers } from '../peers.js';
import { routeLocal } from '../router.js';
import type { HubContext, HubPeer } from '../types.js';
import { type ClusterNames, clusterNames, type Delivery, type NodeInfo, type PeerEntry } from './names.js';
import { remotePeer } from './remote-peer.js';

export interface ClusterInit {
  /** `nats://host:port` (several separated by commas). */
  url: string;
  /** This node's id: a NATS token ({@link CLUSTER_TOKEN}). */
  nodeId: string;
  /** The prefix of the buckets and subjects. */
  prefix: string;
  /** How long a node's entries outlive its last heartbeat. */
  ttlMs: number;
  /** The hivelink version this node runs (`cluster status`). */
  version: string;
  ctx: HubContext;
  store: ClientStore;
  logger: Logger;
  /** Where clients reach this node, once it listens (for `cluster status`). */
  publicUrl?: () => string | null;
  onPeersChanged: (listener: (conn: HubPeer) => void) => () => void;
}

/** A connect / disconnect is published this long after it (several at once are one write). */
const PEERS_DEBOUNCE_MS = 50;

/** Opens (or binds to) the cluster's buckets on `nc`, each keeping an entry `ttlMs`. */
export async function openBuckets(
  nc: NatsConnection,
  names: ClusterNames,
  ttlMs: number,
): Promise<{ nodes: KV; peers: KV; leases: KV }> {
  const kvm = new Kvm(nc);
  const [nodes, peers, leases] = await Promise.all([
    kvm.create(names.nodes, { ttl: ttlMs, history: 1 }),
    kvm.create(names.peers, { ttl: ttlMs, history: 1 }),
    kvm.create(names.leases, { ttl: leaseMs(ttlMs), history: 1 }),
  ]);
  return { nodes, peers, leases };
}

/** How long a lease (an admin command's, a timer's) lives: a node that took one and died frees it then. */
export function leaseMs(ttlMs: number): number {
  return Math.max(ttlMs * 4, 60_000);
}

/** Connects to the NATS of `url`. @throws HiveLinkError `HL_ERR_CLUSTER_UNAVAILABLE` */
export async function connectCluster(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: url.split(',').map((s) => s.trim()),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 5000,
    });
  } catch (err) {
    throw new HiveLinkError('HL_ERR_CLUSTER_UNAVAILABLE', `cannot reach the cluster at ${url}`, {
      cause: err,
    });
  }
}

interface RemoteNode {
  /** When its peers were last heard of (this node's clock). */
  seenAt: number;
  peers: Map<string, HubPeer>;
}

export class ClusterNode implements RemotePeers {
  readonly #init: ClusterInit;
  readonly #names: ClusterNames;
  readonly #delay = monitorEventLoopDelay({ resolution: 20 });
  #nc: NatsConnection | null = null;
  #kv: { nodes: KV; peers: KV; leases: KV } | null = null;
  #sub: Subscription | null = null;
  readonly #remote = new Map<string, RemoteNode>();
  /** Peer id → the node holding it. */
  readonly #where = new Map<string, string>();
  #records = new Map<number, ClientRecord>();
  #raw = new Map<string, PeerEntry[]>();
  #heartbeat: NodeJS.Timeout | null = null;
  #debounce: NodeJS.Timeout | null = null;
  #offs: (() => void)[] = [];
  readonly #listeners = { left: new Set<(node: string) => void>(), changed: new Set<() => void>() };
  #startedAt = 0;
  #stopped = false;

  constructor(init: ClusterInit) {
    this.#init = init;
    this.#names = clusterNames(init.prefix);
  }

  get nodeId(): string {
    return this.#init.nodeId;
  }

  /** How long this cluster keeps a node's entries after its last heartbeat. */
  get ttlMs(): number {
    return this.#init.ttlMs;
  }

  /** Connects, opens the buckets, takes deliveries, announces the node and watches the others. */
  async start(): Promise<void> {
    const { nodeId, ttlMs, logger } = this.#init;
    this.#startedAt = Date.now();
    const nc = await connectCluster(this.#init.url, `hivelink-${nodeId}`);
    this.#nc = nc;
    try {
      this.#kv = await openBuckets(nc, this.#names, ttlMs);
    } catch (err) {
      await nc.close();
      throw new HiveLinkError('HL_ERR_CLUSTER_UNAVAILABLE', 'the cluster has no JetStream key-value store', {
        cause: err,
      });
    }
    this.#sub = nc.subscribe(this.#names.deliver(nodeId), {
      callback: (err, msg) => {
        if (err === null) this.#take(msg.data);
      },
    });
    this.#delay.enable();
    await this.#refreshRecords();
    await this.#watch(this.#kv.peers, (key, entry) => this.#peersOf(key, entry));
    await this.#watch(this.#kv.nodes, (key, entry) => {
      if (entry === null) this.#drop(key);
    });
    this.#init.ctx.peers.setRemote(this);
    this.#offs.push(this.#init.onPeersChanged(() => this.#changed()));
    this.#offs.push(this.#init.store.watch(() => void this.#refreshRecords(), 1000));
    await this.#beat();
    this.#heartbeat = setInterval(() => void this.#beat(), Math.max(100, Math.floor(ttlMs / 3)));
    this.#heartbeat.unref();
    logger.info({ node: nodeId, url: this.#init.url }, 'joined the cluster');
  }

  /** Leaves: removes this node's entries (the others drop its peers at once) and closes the connection. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const off of this.#offs) off();
    this.#offs = [];
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    if (this.#debounce !== null) clearTimeout(this.#debounce);
    this.#delay.disable();
    this.#init.ctx.peers.setRemote(null);
    this.#sub?.unsubscribe();
    const kv = this.#kv;
    const nodeId = this.#init.nodeId;
    if (kv !== null) {
      await Promise.allSettled([kv.peers.delete(nodeId), kv.nodes.delete(nodeId)]);
    }
    await this.#nc?.drain().catch(() => undefined);
  }

  /** Calls `listener` with the id of each node that leaves (stopped, or its TTL ran out). */
  onNodeLeft(listener: (node: string) => void): () => void {
    this.#listeners.left.add(listener);
    return () => this.#listeners.left.delete(listener);
  }

  /** Calls `listener` whenever the connections of another node change. */
  onElsewhereChanged(listener: () => void): () => void {
    this.#listeners.changed.add(listener);
    return () => this.#listeners.changed.delete(listener);
  }

  #notify(listeners: Iterable<() => void>): void {
    for (const listener of listeners) {
      try {
        listener();
      } catch (err) {
        this.#init.logger.warn({ err }, 'a cluster listener failed');
      }
    }
  }

  // -- RemotePeers

  *values(): IterableIterator<HubPeer> {
    for (const node of this.#remote.values()) yield* node.peers.values();
  }

  get(peer: string): HubPeer | undefined {
    const node = this.#where.get(peer);
    return node === undefined ? undefined : this.#remote.get(node)?.peers.get(peer);
  }

  forward(peer: string, message: MessageData): boolean {
    const node = this.#where.get(peer);
    if (node === undefined) return false;
    return this.#publish(node, { kind: 'agent', to: peer, message });
  }

  /**
   * True when this node may run the due item `key` (an admin command, a timer's firing): the first node to create
   * the lease runs it, the others do not. Without NATS the answer is true (run twice rather than never).
   */
  async claim(key: string): Promise<boolean> {
    const kv = this.#kv;
    if (kv === null) return true;
    try {
      await kv.leases.create(key.replace(/[^A-Za-z0-9_.=-]/g, '_'), this.#init.nodeId);
      return true;
    } catch (err) {
      if (this.#nc !== null && !this.#nc.isClosed() && /wrong last sequence|exists/i.test(String(err)))
        return false;
      this.#init.logger.warn({ err, key }, 'cluster lease not taken: running here');
      return true;
    }
  }

  // -- this node

  #local(): PeerEntry[] {
    const out: PeerEntry[] = [];
    for (const conn of this.#init.ctx.peers.values()) {
      if (conn.protocolVersion === 0 || conn.useragent === REST_USERAGENT) continue;
      out.push({
        peer: conn.peer,
        clientId: conn.record.id,
        name: conn.record.name,
        useragent: conn.useragent,
        protocolVersion: conn.protocolVersion,
        siteId: conn.siteId,
        helloSiteId: conn.helloSiteId ?? null,
        assistant: conn.isAssistant === true,
        hello: (conn.session.hello as Record<string, unknown> | null) ?? null,
      });
    }
    return out;
  }

  #changed(): void {
    if (this.#debounce !== null || this.#stopped) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = null;
      void this.#putPeers();
    }, PEERS_DEBOUNCE_MS);
    this.#debounce.unref();
  }

  async #putPeers(): Promise<void> {
    const kv = this.#kv;
    if (kv === null || this.#stopped) return;
    try {
      await kv.peers.put(this.#init.nodeId, JSON.stringify(this.#local()));
    } catch (err) {
      this.#init.logger.warn({ err }, 'could not publish this node’s peers');
    }
  }

  /** Writes this node's entries again (their TTL starts over) and forgets the nodes not heard of for ttlMs. */
  async #beat(): Promise<void> {
    const kv = this.#kv;
    if (kv === null || this.#stopped) return;
    const local = this.#local();
    const info: NodeInfo = {
      node: this.#init.nodeId,
      version: this.#init.version,
      url: this.#init.publicUrl?.() ?? null,
      pid: process.pid,
      startedAt: this.#startedAt,
      at: Date.now(),
      connections: local.length,
      clients: new Set(local.map((p) => p.clientId)).size,
      lagMs: Math.round(this.#delay.percentile(99) / 1e5) / 10,
      rssBytes: process.memoryUsage().rss,
    };
    this.#delay.reset();
    try {
      await Promise.all([
        kv.nodes.put(this.#init.nodeId, JSON.stringify(info)),
        kv.peers.put(this.#init.nodeId, JSON.stringify(local)),
      ]);
    } catch (err) {
      this.#init.logger.warn({ err }, 'cluster heartbeat failed');
    }
    const deadline = Date.now() - this.#init.ttlMs;
    for (const [node, r] of this.#remote) if (r.seenAt < deadline) this.#drop(node);
  }

  // -- the other nodes

  async #watch(kv: KV, on: (key: string, entry: string | null) => void): Promise<void> {
    const it = await kv.watch();
    void (async () => {
      try {
        for await (const e of it) {
          if (e.key === this.#init.nodeId) continue;
          on(e.key, e.operation === 'PUT' ? e.string() : null);
        }
      } catch (err) {
        if (!this.#stopped) this.#init.logger.warn({ err }, 'cluster watch ended');
      }
    })();
    this.#offs.push(() => it.stop());
  }

  #peersOf(node: string, text: string | null): void {
    if (text === null) {
      this.#drop(node);
      return;
    }
    let list: PeerEntry[];
    try {
      list = JSON.parse(text) as PeerEntry[];
    } catch {
      return;
    }
    this.#raw.set(node, list);
    this.#build(node, list, Date.now());
    this.#notify(this.#listeners.changed);
    if (list.some((p) => !this.#records.has(p.clientId))) void this.#refreshRecords();
  }

  /**
   * The stand-ins of `node`'s entry, heard of at `seenAt`. A peer id also in another node's entry belongs to the one
   * heard of last: a client that moved from a node that died is reached on its new node, not on the old entry that
   * lives on until its TTL.
   */
  #build(node: string, list: readonly PeerEntry[], seenAt: number): void {
    const old = this.#remote.get(node);
    for (const peer of old?.peers.keys() ?? []) if (this.#where.get(peer) === node) this.#where.delete(peer);
    const peers = new Map<string, HubPeer>();
    for (const entry of list) {
      const record = this.#records.get(entry.clientId);
      if (record === undefined || record.revoked) continue;
      const holder = this.#where.get(entry.peer);
      const other = holder === undefined || holder === node ? undefined : this.#remote.get(holder);
      if (other !== undefined) {
        if (other.seenAt > seenAt) continue;
        other.peers.delete(entry.peer);
      }
      peers.set(
        entry.peer,
        remotePeer(entry, record, (message) =>
          this.#publish(node, { kind: 'hive', to: entry.peer, message }),
        ),
      );
      this.#where.set(entry.peer, node);
    }
    this.#remote.set(node, { seenAt, peers });
  }

  #drop(node: string): void {
    const r = this.#remote.get(node);
    if (r === undefined) return;
    for (const peer of r.peers.keys()) if (this.#where.get(peer) === node) this.#where.delete(peer);
    this.#remote.delete(node);
    this.#raw.delete(node);
    this.#init.logger.info({ node }, 'a cluster node left');
    this.#notify([...this.#listeners.left].map((listener) => () => listener(node)));
  }

  /** The client records the stand-ins carry (names, rooms, blocked skills), read again when the store changes. */
  async #refreshRecords(): Promise<void> {
    try {
      const list = await this.#init.store.listClients();
      this.#records = new Map(list.map((r) => [r.id, r]));
    } catch (err) {
      this.#init.logger.warn({ err }, 'could not read the client records for the cluster');
      return;
    }
    // Oldest first, so a peer id in two entries stays with the one heard of last.
    const order = [...this.#raw].sort(
      ([a], [b]) => (this.#remote.get(a)?.seenAt ?? 0) - (this.#remote.get(b)?.seenAt ?? 0),
    );
    for (const [node, list] of order) this.#build(node, list, this.#remote.get(node)?.seenAt ?? Date.now());
  }

  // -- deliveries

  #publish(node: string, delivery: Delivery): boolean {
    const nc = this.#nc;
    if (nc === null || nc.isClosed() || this.#stopped) return false;
    try {
      nc.publish(this.#names.deliver(node), JSON.stringify(delivery));
      return true;
    } catch (err) {
      this.#init.logger.warn({ err, node }, 'cluster delivery not sent');
      return false;
    }
  }

  /** A delivery from another node: sent on this node's own connection, never forwarded again. */
  #take(data: Uint8Array): void {
    let delivery: Delivery;
    try {
      delivery = JSON.parse(new TextDecoder().decode(data)) as Delivery;
    } catch {
      return;
    }
    const { ctx, logger } = this.#init;
    try {
      if (delivery.kind === 'agent') {
        routeLocal(ctx, delivery.to, delivery.message as MessageData);
      } else if (delivery.kind === 'hive') {
        ctx.peers.get(delivery.to)?.send(parseHiveMessage(delivery.message));
      }
    } catch (err) {
      logger.warn({ err, to: delivery.to }, 'cluster delivery dropped');
    }
  }
}
