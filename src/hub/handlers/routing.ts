/**
 * Helpers shared by the flood handlers (PROPAGATE, ESCALATE, CASCADE, BROADCAST): route hops, loop detection and
 * flood keys (docs/PROTOCOL.md §5.4).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type JsonObject } from '../../protocol/json.js';
import { type HiveMessage, hiveMessageToJson, type RouteHop } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import type { HubContext, HubPeer } from '../types.js';
import { readsBarePingOnly } from './ping.js';

/** True when this hub already handled the message (its node id is a hop source): a loop. */
export function isLoop(ctx: HubContext, message: HiveMessage): boolean {
  return message.route.some((hop) => hop.source === ctx.nodeId);
}

/**
 * The route with this hub's hop appended. The hop names this hub only: its `targets` stay empty, so a forwarded
 * flood never tells one client which other clients are connected (a relay reveals only itself).
 */
export function withHop(ctx: HubContext, route: readonly RouteHop[]): RouteHop[] {
  return [
    ...route.map((h) => ({ source: h.source, targets: [...h.targets] })),
    { source: ctx.nodeId, targets: [] },
  ];
}

/**
 * The de-duplication key of a flood: its type, its origin (the first hop, else the sending peer) and its id
 * (`flood_id` of a PING, `metadata.flood_id`/`query_id`, else a hash of the inner message).
 */
export function floodKey(conn: HubPeer, message: HiveMessage): string {
  const origin = message.route[0]?.source ?? conn.peer;
  const inner = message.payload as HiveMessage;
  let id: string | null = null;
  if (inner.msg_type === HiveMessageType.PING) {
    const floodId = (inner.payload as JsonObject).flood_id;
    if (typeof floodId === 'string') id = `ping:${floodId}`;
  }
  const meta = message.metadata.flood_id ?? message.metadata.query_id;
  if (id === null && typeof meta === 'string') id = `id:${meta}`;
  if (id === null) {
    id = `sha:${createHash('sha256')
      .update(canonicalJson(hiveMessageToJson(inner)))
      .digest('hex')}`;
  }
  return `${message.msg_type}|${origin}|${id}`;
}

/**
 * True when a flood must be dropped — a loop, a route of `maxMeshHops` hops already (docs/PROTOCOL.md §14), or a copy
 * already seen (which this call records as seen) — and then logs it at debug as `<label> dropped`, with `fields`
 * beside the peer.
 */
export function floodDropped(
  ctx: HubContext,
  conn: HubPeer,
  message: HiveMessage,
  label: string,
  fields: Record<string, unknown> = {},
): boolean {
  if (
    isLoop(ctx, message) ||
    message.route.length >= ctx.limits.maxMeshHops ||
    ctx.floods.seen(floodKey(conn, message))
  ) {
    ctx.logger.debug({ peer: conn.peer, ...fields }, `${label} dropped: loop, too many hops or already seen`);
    return true;
  }
  return false;
}

/** `message` as this hub relays it: its hop appended, `conn` as the source peer. */
export function relayed(ctx: HubContext, conn: HubPeer, message: HiveMessage): HiveMessage {
  return { ...message, route: withHop(ctx, message.route), source_peer: conn.peer };
}

/**
 * Relays `message` to every open connection but `conn` (and but those a PROPAGATE(PING) would break: old clients that
 * read only bare PINGs), and returns what was sent.
 */
export function floodOthers(ctx: HubContext, conn: HubPeer, message: HiveMessage): HiveMessage {
  const out = relayed(ctx, conn, message);
  const ping = (message.payload as HiveMessage).msg_type === HiveMessageType.PING;
  for (const target of otherPeers(ctx, conn)) if (!ping || !readsBarePingOnly(target)) target.send(out);
  return out;
}

/**
 * Every open connection but `conn`, in a cluster those of the other nodes too (their node sends them what they are
 * sent, and floods no further: a BROADCAST or PROPAGATE crosses the cluster once).
 */
export function otherPeers(ctx: HubContext, conn: HubPeer): HubPeer[] {
  const out: HubPeer[] = [];
  for (const p of ctx.peers.everywhere()) if (p !== conn) out.push(p);
  return out;
}

/**
 * Tells a parent link (the mesh, `src/hub/mesh/`) to send `message` upstream:
 * `hive.send.upstream {msg_type, payload, metadata, route, peer}`, `payload` being the wrapped message.
 */
export function emitUpstream(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  const json = hiveMessageToJson(message);
  ctx.bus.emit({
    type: 'hive.send.upstream',
    data: {
      msg_type: json.msg_type,
      payload: json.payload,
      metadata: json.metadata,
      route: json.route,
      peer: conn.peer,
    },
    context: { source: conn.peer, peer: conn.peer },
  });
}
