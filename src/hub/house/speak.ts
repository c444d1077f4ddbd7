/**
 * How the house says things on live connections (docs/PROTOCOL.md §12.3): BUS `speak` from the hub addressed to the
 * connection, which stock HiveMind satellites speak, and BUS events (`hive.house.*`) an SDK client can watch.
 *
 * @module
 */
import type { JsonObject } from '../../protocol/json.js';
import { clientSession } from '../inject.js';
import type { PeerRegistry } from '../peers.js';
import { hubBusMessage } from '../replies.js';
import type { HubPeer } from '../types.js';
import { HOUSE_SOURCE } from './asker.js';

/** What {@link speakOn} reached. */
export interface Spoken {
  /** Connections the text was sent to. */
  readonly delivered: number;
  /** Their client names, each once. */
  readonly clients: string[];
}

/**
 * Speaks `text` on `conns` as the hub, in each connection's language (else `fallbackLang`): `meta` joins the speak's
 * `meta {skill}`, `data` its data (`expect_response`, `consent`, …).
 */
export function speakOn(
  conns: Iterable<HubPeer>,
  text: string,
  fallbackLang = 'en-US',
  more: { meta?: JsonObject; data?: Record<string, unknown> } = {},
): Spoken {
  let delivered = 0;
  const clients = new Set<string>();
  for (const conn of conns) {
    const lang = clientSession(conn, null).lang ?? fallbackLang;
    const meta = { skill: HOUSE_SOURCE, ...more.meta };
    const data = { utterance: text, expect_response: false, lang, meta, ...more.data };
    if (conn.send(hubBusMessage(conn.peer, 'speak', data as unknown as JsonObject))) {
      delivered += 1;
      clients.add(conn.record.name);
    }
  }
  return { delivered, clients: [...clients] };
}

/** Sends the BUS event `type {data}` to each of `conns`. */
export function notifyOn(conns: Iterable<HubPeer>, type: string, data: Record<string, unknown>): void {
  for (const conn of conns) conn.send(hubBusMessage(conn.peer, type, data as unknown as JsonObject));
}

/**
 * The open websocket connections of client `clientId` (a REST ask's virtual connection is no place to speak), on this
 * node and, in a cluster, on the others (stand-ins that forward to their node).
 */
export function openConnections(peers: PeerRegistry, clientId: number): HubPeer[] {
  const out: HubPeer[] = [];
  for (const conn of peers.everywhere()) {
    if (conn.record.id === clientId && conn.protocolVersion > 0) out.push(conn);
  }
  return out;
}

/** True while `conn` is registered (open) in `peers`. */
export function isOpen(peers: PeerRegistry, conn: HubPeer): boolean {
  return peers.get(conn.peer) === conn || peers.remote(conn.peer) === conn;
}
