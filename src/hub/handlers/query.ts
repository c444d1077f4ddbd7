/**
 * QUERY and CASCADE (docs/PROTOCOL.md §5.5): a question (a wrapped BUS, usually `recognizer_loop:utterance`) with
 * `metadata.query_id`. The hub records the connection as the only return path, injects the question into the agent
 * (with `context.query_id`), and the router streams the spoken answers back as QUERY/CASCADE responses, ending with
 * `hive.query.complete` (or `hive.query.timeout` when nothing answered). QUERY needs `can_escalate`; CASCADE needs
 * `can_propagate`, is also flooded to the other clients and up the parent links, and its answers are gathered for a
 * window and picked by a selector (the mesh, `mesh/cascade.ts`, docs/PROTOCOL.md §14.5).
 *
 * @module
 */
import type { JsonObject } from '../../protocol/json.js';
import type { HiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import type { HubContext, HubPeer } from '../types.js';
import { injectBus } from './bus.js';
import { emitUpstream, floodDropped, floodOthers } from './routing.js';

export function handleQuery(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  const msgType = message.msg_type === HiveMessageType.CASCADE ? 'cascade' : 'query';
  const inner = message.payload as HiveMessage;
  const queryId = message.metadata.query_id as string; // the policy stage checked the shape
  if (message.metadata.is_response === true) {
    // A CASCADE answer from a child hub goes back towards the asker (the mesh's gathering); anything else is ignored.
    if (msgType === 'cascade')
      for (const hook of ctx.floodHooks ?? []) if (hook.cascadeAnswer?.(conn, message)) return;
    ctx.logger.debug({ peer: conn.peer, queryId }, `${msgType} response from a client ignored`);
    return;
  }
  const payload = inner.payload as JsonObject;
  if (floodDropped(ctx, conn, message, msgType, { queryId })) return;
  if (msgType === 'cascade') {
    for (const hook of ctx.floodHooks ?? []) hook.cascade?.(conn, message);
    emitUpstream(ctx, conn, floodOthers(ctx, conn, message));
  }
  const originator = message.metadata.originator_peer;
  ctx.queries.open(conn, queryId, msgType, typeof originator === 'string' ? originator : conn.peer);
  ctx.bus.emit({
    type: `hive.${msgType}.received`,
    // The route lets a parent link climb it further without looping (docs/PROTOCOL.md §14).
    data: {
      query_id: queryId,
      peer: conn.peer,
      route: message.route.map((hop) => ({ source: hop.source, targets: [...hop.targets] })),
    },
    context: { source: conn.peer, peer: conn.peer },
  });
  injectBus(ctx, conn, payload, { query_id: queryId });
}
