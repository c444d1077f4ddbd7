/**
 * The names a cluster uses on NATS (docs/PROTOCOL.md is not concerned: clients never see them): the key-value
 * buckets of the nodes and of their connected peers, the lease bucket and each node's delivery subject, all under one
 * prefix (`hivelink` unless `cluster.prefix` says otherwise, so several hives, or tests, share one NATS).
 *
 * @module
 */
import { hostname } from 'node:os';

/** The default prefix of the buckets and subjects. */
export const DEFAULT_CLUSTER_PREFIX = 'hivelink';
/** How long a node's entries outlive its last heartbeat by default. */
export const DEFAULT_CLUSTER_TTL_MS = 15_000;

/** The buckets and subjects of one prefix. */
export interface ClusterNames {
  /** KV: node id → {@link NodeInfo}, refreshed every heartbeat, gone `ttlMs` after the last. */
  readonly nodes: string;
  /** KV: node id → the node's connected peers ({@link PeerEntry} list), refreshed with the heartbeat. */
  readonly peers: string;
  /** KV: one key per due item (admin command, timer) that one node claimed: the others leave it alone. */
  readonly leases: string;
  /** The subject on which `node` takes messages for its own connections. */
  deliver(node: string): string;
}

export function clusterNames(prefix: string = DEFAULT_CLUSTER_PREFIX): ClusterNames {
  return {
    nodes: `${prefix}-nodes`,
    peers: `${prefix}-peers`,
    leases: `${prefix}-leases`,
    deliver: (node) => `${prefix}.node.${node}.deliver`,
  };
}

/** Node ids and prefixes are NATS key and subject tokens: letters, digits, `_` and `-`. */
export const CLUSTER_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** A node id for this process when none is given: the host name and the process id, made a valid token. */
export function defaultNodeId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

/** What a node says of itself in the nodes bucket. */
export interface NodeInfo {
  readonly node: string;
  readonly version: string;
  /** Where clients reach it, when the hub knows (`ws://host:port`), else null. */
  readonly url: string | null;
  readonly pid: number;
  readonly startedAt: number;
  /** When this heartbeat was written (the node's clock). */
  readonly at: number;
  /** Open websocket connections. */
  readonly connections: number;
  /** Distinct clients among them. */
  readonly clients: number;
  /** Event-loop delay, p99 over the last heartbeat interval, in ms. */
  readonly lagMs: number;
  /** Resident set size in bytes. */
  readonly rssBytes: number;
}

/** One connected peer of a node, in the peers bucket. */
export interface PeerEntry {
  readonly peer: string;
  readonly clientId: number;
  readonly name: string;
  readonly useragent: string;
  readonly protocolVersion: number;
  /** The client's room (its record's site, else its HELLO's). */
  readonly siteId: string | null;
  readonly helloSiteId: string | null;
  readonly assistant: boolean;
  /** The session of its HELLO (language, site …), for the house's speech in its language. */
  readonly hello: Record<string, unknown> | null;
}

/** What a node's delivery subject carries. */
export type Delivery =
  /** A hive message to send as it is on the connection `to`. */
  | { readonly kind: 'hive'; readonly to: string; readonly message: unknown }
  /** An agent-bus message for `to`, routed by the node as its own router would (session mapped back). */
  | { readonly kind: 'agent'; readonly to: string; readonly message: unknown };
