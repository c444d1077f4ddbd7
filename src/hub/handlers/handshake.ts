/**
 * HANDSHAKE after the session is established: a legacy client that re-sends its offer gets a new key (the
 * reference client re-sends after 5 s); on a v3 session it is a protocol violation and closes the connection.
 *
 * @module
 */
import type { HiveMessage } from '../../protocol/message.js';
import type { HubContext, HubPeer } from '../types.js';

export function handleHandshake(_ctx: HubContext, conn: HubPeer, message: HiveMessage): Promise<void> {
  return conn.rekey(message);
}
