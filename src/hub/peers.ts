/**
 * The registry of open connections by peer id, the key the agent router uses (`context.destination`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { MessageData } from '../bus/types.js';
import { type ErrorCode, HiveLinkError } from '../errors.js';
import type { HubPeer } from './types.js';

/** `<useragent>::<client_id>::<name>::<session_id>`, the HiveMind peer id. */
export function peerId(useragent: string, clientId: number, name: string, sessionId: string): string {
  return `${useragent}::${clientId}::${name}::${sessionId}`;
}

/** The connections of the other nodes of a cluster (`cluster/cluster.ts`): stand-ins whose `send` goes to the node. */
export interface RemotePeers {
  /** Every other node's open connection, none of them registered here. */
  values(): Iterable<HubPeer>;
  /** The other node's connection registered there as `peer`. */
  get(peer: string): HubPeer | undefined;
  /**
   * Hands an agent-bus message for `peer` (not connected here) to the node that holds it, which routes it to its own
   * connection only (never onwards: a forwarded message is not forwarded again). False when no node holds `peer`.
   */
  forward(peer: string, message: MessageData): boolean;
}

export class PeerRegistry<P extends HubPeer = HubPeer> {
  readonly #byPeer = new Map<string, P>();
  #remote: RemotePeers | null = null;

  /** Lets {@link everywhere} include the connections of the other nodes (the cluster); null takes them out. */
  setRemote(remote: RemotePeers | null): void {
    this.#remote = remote;
  }

  /**
   * The open connections of this node, then those of the other nodes of the cluster (stand-ins that forward what
   * they are sent; a peer id registered here is never also taken from another node). Without a cluster: `values()`.
   */
  *everywhere(): IterableIterator<HubPeer> {
    yield* this.#byPeer.values();
    if (this.#remote === null) return;
    for (const conn of this.#remote.values()) if (!this.#byPeer.has(conn.peer)) yield conn;
  }

  /** {@link RemotePeers.forward}: false without a cluster or when `peer` is connected here. */
  forward(peer: string, message: MessageData): boolean {
    if (this.#remote === null || this.#byPeer.has(peer)) return false;
    return this.#remote.forward(peer, message);
  }

  /** The other node's connection registered there as `peer` (never one of this node's). */
  remote(peer: string): HubPeer | undefined {
    if (this.#remote === null || this.#byPeer.has(peer)) return undefined;
    return this.#remote.get(peer);
  }

  get size(): number {
    return this.#byPeer.size;
  }

  /** The connection registered as `peer`. */
  get(peer: string): P | undefined {
    return this.#byPeer.get(peer);
  }

  /**
   * The open connection that sent `message`, a client's request the hub put on its bus: the one its `context.peer`
   * names (set by the hub, never by the client).
   *
   * @throws HiveLinkError `code` when it names no connected client
   */
  requester(message: MessageData, code: ErrorCode): P {
    const peer = message.context?.peer;
    const conn = typeof peer === 'string' ? this.#byPeer.get(peer) : undefined;
    if (conn === undefined)
      throw new HiveLinkError(code, 'the request names no connected client (context.peer)');
    return conn;
  }

  values(): IterableIterator<P> {
    return this.#byPeer.values();
  }

  /** A peer id based on `base` that no other connection uses: `base`, else `base::xxxxxxxx`. */
  unique(base: string): string {
    let candidate = base;
    while (this.#byPeer.has(candidate)) candidate = `${base}::${randomBytes(4).toString('hex')}`;
    return candidate;
  }

  /** Registers `conn` under its current peer id. */
  add(conn: P): void {
    this.#byPeer.set(conn.peer, conn);
  }

  /** Removes `conn` (by its registered id), if it is the registered one. */
  remove(conn: P, peer: string = conn.peer): void {
    if (this.#byPeer.get(peer) === conn) this.#byPeer.delete(peer);
  }

  /**
   * The open connection, other than `except`, whose HELLO announced the key `keyId` and had it bound to its client
   * record (INTERCOM). `keyId` is the canonical form (base64 SPKI DER, `readIntercomKey`), so a key is found however
   * its PEM was spelled, and only by the one client it is pinned to.
   */
  findByPubkey(keyId: string, except?: P): P | undefined {
    for (const conn of this.#byPeer.values()) {
      if (conn !== except && conn.pubkey !== null && conn.pubkey === keyId) return conn;
    }
    return undefined;
  }
}
