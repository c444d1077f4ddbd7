/**
 * SHARED_BUS: a satellite mirroring its own bus to the hub. The hub only observes it (a debug log); it is never
 * routed anywhere.
 *
 * @module
 */
import type { JsonObject } from '../../protocol/json.js';
import type { HiveMessage } from '../../protocol/message.js';
import type { HubContext, HubPeer } from '../types.js';

export function handleSharedBus(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  const payload = message.payload as JsonObject;
  ctx.logger.debug({ peer: conn.peer, type: payload.type }, 'shared bus message observed');
}
