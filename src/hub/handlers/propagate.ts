/**
 * PROPAGATE (docs/PROTOCOL.md §5.4): a flood in every direction. Needs `can_propagate`. The hub drops loops (its node id
 * already in the route) and floods it has seen, appends its hop, forwards the envelope unchanged otherwise to every
 * other client, and asks a parent link to send it upstream (`hive.send.upstream`). A wrapped PING is answered.
 *
 * @module
 */
import type { HiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import type { HubContext, HubPeer } from '../types.js';
import { handlePing } from './ping.js';
import { emitUpstream, floodDropped, floodOthers } from './routing.js';

export function handlePropagate(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  if (floodDropped(ctx, conn, message, 'propagate')) return;
  emitUpstream(ctx, conn, floodOthers(ctx, conn, message));
  const inner = message.payload as HiveMessage;
  if (inner.msg_type === HiveMessageType.PING) handlePing(ctx, conn, inner);
}
