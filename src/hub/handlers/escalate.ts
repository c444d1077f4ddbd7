/**
 * ESCALATE (docs/PROTOCOL.md §5.2): a message for the hubs above this one. Needs `can_escalate`. Loops and repeats are
 * dropped; the message goes up only, through `hive.send.upstream` on the agent bus.
 *
 * @module
 */
import type { HiveMessage } from '../../protocol/message.js';
import type { HubContext, HubPeer } from '../types.js';
import { emitUpstream, floodDropped, relayed } from './routing.js';

export function handleEscalate(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  if (floodDropped(ctx, conn, message, 'escalate')) return;
  emitUpstream(ctx, conn, relayed(ctx, conn, message));
}
