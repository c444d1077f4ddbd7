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
import { emitUpstream, floodKey, isLoop, otherPeers, withHop } from './routing.js';

export function handlePropagate(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  if (isLoop(ctx, message) || ctx.floods.seen(floodKey(conn, message))) {
    ctx.logger.debug({ peer: conn.peer }, 'propagate dropped: loop or already seen');
    return;
  }
  const targets = otherPeers(ctx, conn);
  const out: HiveMessage = {
    ...message,
    route: withHop(ctx, message.route),
    source_peer: conn.peer,
  };
  for (const target of targets) target.send(out);
  emitUpstream(ctx, conn, out);
  const inner = message.payload as HiveMessage;
  if (inner.msg_type === HiveMessageType.PING) handlePing(ctx, conn, inner);
}
