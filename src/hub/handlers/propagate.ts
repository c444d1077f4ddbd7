/**
 * PROPAGATE (docs/PROTOCOL.md §5.4): a flood in every direction. Needs `can_propagate`. The hub drops loops (its node id
 * already in the route) and floods it has seen, appends its hop, forwards the envelope unchanged otherwise to every
 * other client, and asks a parent link to send it upstream (`hive.send.upstream`). A wrapped PING is answered, or
 * gathered as an answer to a PING flood (`ping.ts`).
 *
 * @module
 */
import type { HiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import type { HubContext, HubPeer } from '../types.js';
import { handleWrappedPing } from './ping.js';
import { emitUpstream, floodDropped, floodOthers } from './routing.js';

export function handlePropagate(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  if (floodDropped(ctx, conn, message, 'propagate')) return;
  emitUpstream(ctx, conn, floodOthers(ctx, conn, message));
  if ((message.payload as HiveMessage).msg_type === HiveMessageType.PING)
    handleWrappedPing(ctx, conn, message);
}
