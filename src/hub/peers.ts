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

export class PeerRegistry<P extends HubPeer = HubPeer> {
  readonly #byPeer = new Map<string, P>();

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
