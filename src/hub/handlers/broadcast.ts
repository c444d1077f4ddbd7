/**
 * BROADCAST (docs/PROTOCOL.md §5.2, §5.4): an admin client with `can_broadcast` sends the inner message to every other
 * client, or only to the clients of `target_site_id`. A site-targeted BUS for the hub's own site is also injected
 * into the agent bus.
 *
 * @module
 */
import type { JsonObject } from '../../protocol/json.js';
import type { HiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import type { HubContext, HubPeer } from '../types.js';
import { injectBus } from './bus.js';
import { otherPeers, withHop } from './routing.js';

export function handleBroadcast(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  const inner = message.payload as HiveMessage;
  const site = message.target_site_id ?? inner.target_site_id;
  const targets = otherPeers(ctx, conn).filter((p) => site === null || p.siteId === site);
  const out: HiveMessage = {
    ...inner,
    route: withHop(ctx, [...message.route, ...inner.route]),
    source_peer: conn.peer,
  };
  for (const target of targets) target.send(out);
  if (inner.msg_type === HiveMessageType.BUS && site !== null && site === ctx.config.siteId) {
    injectBus(ctx, conn, inner.payload as JsonObject);
  }
}
