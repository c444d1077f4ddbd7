/**
 * RENDEZVOUS (docs/PROTOCOL.md §5.5): the hub's mailbox for offline clients — `deposit`, `collect`, `ack` (and
 * hivelink's `lookup`) — served from the connection's own client record (`../mailbox.ts`). A hub without a mailbox
 * (handler tests) answers every request with `{status: 'error', reason: 'not_a_rendezvous_node'}`.
 *
 * @module
 */
import { createHiveMessage, type HiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import type { HubContext, HubPeer } from '../types.js';

export function handleRendezvous(ctx: HubContext, conn: HubPeer, message: HiveMessage): void | Promise<void> {
  if (ctx.mailbox !== undefined) return ctx.mailbox.handle(conn, message);
  conn.send(
    createHiveMessage(
      HiveMessageType.RENDEZVOUS,
      { status: 'error', reason: 'not_a_rendezvous_node', mailbox_node: null },
      { source_peer: conn.peer },
    ),
  );
}
