/**
 * HELLO from a client (docs/PROTOCOL.md §2.2): `{pubkey, session, site_id}` sets the client's session, site and public
 * key, and its peer id `<useragent>::<client_id>::<name>::<session_id>`. Accepted at any time (session update).
 *
 * @module
 */
import type { JsonObject } from '../../protocol/json.js';
import type { HiveMessage } from '../../protocol/message.js';
import type { HubContext, HubPeer } from '../types.js';

export function handleHello(_ctx: HubContext, conn: HubPeer, message: HiveMessage): void | Promise<void> {
  return conn.applyHello(message.payload as JsonObject);
}
