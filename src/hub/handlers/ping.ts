/**
 * PING (docs/PROTOCOL.md §5.4): topology discovery, bare or inside PROPAGATE. There is no PONG: the hub answers once per
 * `flood_id` with its own PING carrying the same `flood_id` (wrapped in PROPAGATE), at most once per
 * `pingFloodIntervalMs` per originating peer, and emits `hive.ping.received` on the agent bus.
 *
 * @module
 */
import type { JsonObject } from '../../protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import type { HubContext, HubPeer } from '../types.js';

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function handlePing(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  const payload = message.payload as JsonObject;
  const floodId = str(payload.flood_id);
  if (floodId === null) {
    ctx.logger.debug({ peer: conn.peer }, 'ping without flood_id ignored');
    return;
  }
  if (ctx.pings.seen(floodId)) return;
  const origin = str(payload.peer) ?? conn.peer;
  ctx.bus.emit({
    type: 'hive.ping.received',
    data: {
      flood_id: floodId,
      peer: origin,
      site_id: str(payload.site_id),
      timestamp: typeof payload.timestamp === 'number' ? payload.timestamp : null,
      source_peer: conn.peer,
    },
    context: { source: conn.peer, peer: conn.peer },
  });
  if (!ctx.pingAnswerAllowed(origin)) return;
  const answer = createHiveMessage(HiveMessageType.PING, {
    flood_id: floodId,
    peer: ctx.config.name,
    site_id: ctx.config.siteId,
    timestamp: ctx.now() / 1000,
  });
  conn.send(
    createHiveMessage(HiveMessageType.PROPAGATE, answer, {
      route: [{ source: ctx.nodeId, targets: [conn.peer] }],
    }),
  );
}
