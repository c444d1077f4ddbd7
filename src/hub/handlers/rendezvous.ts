/**
 * RENDEZVOUS (docs/PROTOCOL.md §5.5): this hub keeps no mailbox, so every request gets
 * `{status: 'error', reason: 'not_a_rendezvous_node'}`.
 *
 * @module
 */
import { createHiveMessage, type HiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import type { HubContext, HubPeer } from '../types.js';

export function handleRendezvous(_ctx: HubContext, conn: HubPeer, _message: HiveMessage): void {
  conn.send(
    createHiveMessage(
      HiveMessageType.RENDEZVOUS,
      { status: 'error', reason: 'not_a_rendezvous_node', mailbox_node: null },
      { source_peer: conn.peer },
    ),
  );
}
