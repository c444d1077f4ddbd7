/**
 * ESCALATE (docs/PROTOCOL.md §5.2): a message for the hubs above this one. Needs `can_escalate`. Loops and repeats are
 * dropped; the message goes up only, through `hive.send.upstream` on the agent bus.
 *
 * @module
 */
import type { HiveMessage } from '../../protocol/message.js';
import type { HubContext, HubPeer } from '../types.js';
import { emitUpstream, floodKey, isLoop, withHop } from './routing.js';

export function handleEscalate(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  if (isLoop(ctx, message) || ctx.floods.seen(floodKey(conn, message))) {
    ctx.logger.debug({ peer: conn.peer }, 'escalate dropped: loop or already seen');
    return;
  }
  emitUpstream(ctx, conn, { ...message, route: withHop(ctx, message.route), source_peer: conn.peer });
}
