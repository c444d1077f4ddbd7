/**
 * BUS (docs/PROTOCOL.md §6): the client's OVOS message goes onto the agent bus (the policy stage has checked its
 * type against the client's `allowedTypes`), unless a feature's tap takes it first (`HubContext.busTaps`: a room's
 * answer to a relayed question, §12.3).
 *
 * @module
 */
import { isHiveLinkError } from '../../errors.js';
import type { JsonObject } from '../../protocol/json.js';
import type { HiveMessage } from '../../protocol/message.js';
import { agentMessageFrom } from '../inject.js';
import { DenyCode } from '../policy/index.js';
import type { HubContext, HubPeer } from '../types.js';

/**
 * Puts `payload` (an OVOS message from `conn`) on the agent bus with the hub's context; answers a policy error
 * instead when it is not a valid message or the bus refuses it. Returns true when it was emitted.
 */
export function injectBus(
  ctx: HubContext,
  conn: HubPeer,
  payload: JsonObject,
  extraContext: Record<string, unknown> = {},
): boolean {
  try {
    ctx.bus.emit(agentMessageFrom(conn, payload, ctx.peers, extraContext));
    return true;
  } catch (err) {
    if (!isHiveLinkError(err)) throw err;
    const type = typeof payload.type === 'string' ? payload.type : 'bus';
    conn.deny(type, DenyCode.MALFORMED, err.message);
    return false;
  }
}

export function handleBus(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  const payload = message.payload as JsonObject;
  // A feature's tap (the house's relayed answers, …) may take the message instead of the agent.
  for (const tap of ctx.busTaps ?? []) if (tap(conn, payload)) return;
  injectBus(ctx, conn, payload);
}
