/**
 * PING (docs/PROTOCOL.md §5.4, §14.5): topology discovery, bare or inside PROPAGATE. There is no PONG: the hub answers
 * once per `flood_id` with its own PING carrying the same `flood_id`, at most once per `pingFloodIntervalMs` per
 * originating peer, and emits `hive.ping.received` on the agent bus.
 *
 * The answer has the shape of what was sent: a PROPAGATE(PING) is answered with a PROPAGATE(PING) (the v3-era flood
 * form, with the mesh's `hivelink_mesh` fields), a bare PING with a bare PING — the only form an old client
 * (hivemind-bus-client 0.4.3) can read: a PROPAGATE makes its handler raise and reconnect (issue 17). A connection
 * that sent a bare PING over the legacy protocol is never sent PROPAGATE(PING) floods either ({@link readsBarePingOnly}).
 *
 * A PROPAGATE(PING) whose flood id this hub has handled already is an answer to a PING flood: the flood hooks see it
 * (the mesh map gathers them).
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

/** Connections that sent a bare PING over the legacy protocol (v1/v2): old clients. */
const barePingers = new WeakSet<HubPeer>();

/** True when `conn` showed it reads only bare PINGs (it sent one over the legacy protocol): no PROPAGATE(PING) for it. */
export function readsBarePingOnly(conn: HubPeer): boolean {
  return barePingers.has(conn);
}

/** The flood id of a PING payload, or null. */
export function pingFloodId(ping: HiveMessage): string | null {
  return str((ping.payload as JsonObject).flood_id);
}

/**
 * Answers the PING `message` from `conn` (see the module documentation). `wrapped` is the PROPAGATE it came in, or
 * null for a bare PING; `origin` is whom the answer limit counts it against (default: its `peer`, else `conn`).
 */
export function handlePing(
  ctx: HubContext,
  conn: HubPeer,
  message: HiveMessage,
  wrapped: HiveMessage | null = null,
  origin: string | null = null,
): void {
  const payload = message.payload as JsonObject;
  const floodId = str(payload.flood_id);
  if (floodId === null) {
    ctx.logger.debug({ peer: conn.peer }, 'ping without flood_id ignored');
    return;
  }
  if (wrapped === null && conn.protocolVersion > 0 && conn.protocolVersion < 3) barePingers.add(conn);
  if (ctx.pings.seen(floodId)) return;
  const from = origin ?? str(payload.peer) ?? conn.peer;
  ctx.bus.emit({
    type: 'hive.ping.received',
    data: {
      flood_id: floodId,
      peer: str(payload.peer) ?? conn.peer,
      site_id: str(payload.site_id),
      timestamp: typeof payload.timestamp === 'number' ? payload.timestamp : null,
      source_peer: conn.peer,
    },
    context: { source: conn.peer, peer: conn.peer },
  });
  if (!ctx.pingAnswerAllowed(from)) return;
  const fields: JsonObject = {
    flood_id: floodId,
    peer: ctx.config.name,
    site_id: ctx.config.siteId,
    timestamp: ctx.now() / 1000,
  };
  if (wrapped === null) {
    conn.send(createHiveMessage(HiveMessageType.PING, fields));
    return;
  }
  for (const hook of ctx.floodHooks ?? [])
    if (hook.pingFields !== undefined) Object.assign(fields, hook.pingFields());
  conn.send(
    createHiveMessage(HiveMessageType.PROPAGATE, createHiveMessage(HiveMessageType.PING, fields), {
      route: [{ source: ctx.nodeId, targets: [conn.peer] }],
    }),
  );
}

/**
 * The PING inside the PROPAGATE `outer` from `conn` (already relayed by the caller): answered, or — its flood id
 * handled here already — passed to the flood hooks as an answer to a PING flood. The answer limit counts it against
 * the flood's origin (its first hop, else its `peer`).
 */
export function handleWrappedPing(ctx: HubContext, conn: HubPeer, outer: HiveMessage): void {
  const inner = outer.payload as HiveMessage;
  const floodId = pingFloodId(inner);
  if (floodId !== null && ctx.pings.has(floodId)) {
    for (const hook of ctx.floodHooks ?? []) hook.pingAnswer?.(conn, outer);
    return;
  }
  handlePing(ctx, conn, inner, outer, outer.route[0]?.source ?? null);
}
