/**
 * Agent → clients (docs/PROTOCOL.md §6 "Replies"): every message on the agent bus is looked at once; each open
 * connection whose peer id is in `context.destination` receives it as BUS with `context.source = 'hive'`, its
 * session mapped back, and `source_peer` set. Nothing else reaches a client. Messages of an open QUERY/CASCADE are
 * turned into query responses instead (§5.5).
 *
 * @module
 */

import type { MessageData } from '../bus/types.js';
import { isHiveLinkError } from '../errors.js';
import type { JsonObject } from '../protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { clientMessageFrom } from './inject.js';
import type { QueryPath } from './queries.js';
import { hubBusMessage } from './replies.js';
import type { HubContext, HubPeer } from './types.js';

/** Bus types that carry an answer to speak. */
const SPEAK_TYPES: ReadonlySet<string> = new Set(['speak', 'ovos.utterance.speak']);
/** Bus types that end a conversation turn. */
const END_TYPES: ReadonlySet<string> = new Set(['ovos.utterance.handled']);

function destinations(message: MessageData): string[] {
  const destination: unknown = message.context?.destination;
  if (typeof destination === 'string') return [destination];
  if (Array.isArray(destination)) return destination.filter((d): d is string => typeof d === 'string');
  return [];
}

/** Ends a query: `hive.query.complete` when something answered, else `hive.query.timeout`. */
export function endQuery(ctx: HubContext, path: QueryPath): void {
  ctx.queries.finish(path);
  const peer = path.conn.peer;
  path.conn.send(
    path.answers > 0
      ? hubBusMessage(peer, 'hive.query.complete', { query_id: path.queryId, answers: path.answers })
      : hubBusMessage(peer, 'hive.query.timeout', { query_id: path.queryId, error: 'no_answer' }),
  );
}

/** True for the bus types that carry an answer to speak (`speak`, `ovos.utterance.speak`). */
export function isSpeak(message: MessageData): boolean {
  return SPEAK_TYPES.has(message.type);
}

/** The utterance and language of a `speak`. */
export function spoken(message: MessageData): { utterance: string; lang: string | null } {
  const data = message.data ?? {};
  return {
    utterance: typeof data.utterance === 'string' ? data.utterance : '',
    lang: typeof data.lang === 'string' ? data.lang : null,
  };
}

/**
 * One answer of a QUERY or CASCADE for `peer` (§5.5): the type wrapping BUS `speak {utterance, lang}`, its metadata
 * `{query_id, …metadata, is_response: true}`.
 */
export function queryAnswerMessage(
  msgType: 'query' | 'cascade',
  peer: string,
  queryId: string,
  answer: { utterance: string; lang: string | null },
  metadata: JsonObject,
): HiveMessage {
  const bus = createHiveMessage(HiveMessageType.BUS, {
    type: 'speak',
    data: { utterance: answer.utterance, lang: answer.lang },
    context: { query_id: queryId, source: 'hive', destination: peer },
  });
  return createHiveMessage(msgType === 'cascade' ? HiveMessageType.CASCADE : HiveMessageType.QUERY, bus, {
    metadata: { query_id: queryId, ...metadata, is_response: true },
    source_peer: peer,
  });
}

function answerQuery(ctx: HubContext, path: QueryPath, message: MessageData): void {
  if (isSpeak(message)) {
    path.answers += 1;
    path.conn.send(
      queryAnswerMessage(path.msgType, path.conn.peer, path.queryId, spoken(message), {
        originator_peer: path.originatorPeer,
        responder_peer: ctx.config.name,
      }),
    );
  } else if (END_TYPES.has(message.type)) {
    endQuery(ctx, path);
  }
}

function deliver(ctx: HubContext, conn: HubPeer, message: MessageData): void {
  const queryId = message.context?.query_id;
  if (typeof queryId === 'string') {
    const path = ctx.queries.find(conn, queryId);
    if (path !== undefined) {
      answerQuery(ctx, path, message);
      return;
    }
  }
  const out = clientMessageFrom(conn, message);
  conn.send(createHiveMessage(HiveMessageType.BUS, out as unknown as JsonObject, { source_peer: conn.peer }));
}

/** True when a feature's {@link RouteTap} took `message` for `conn` (the router then does not deliver it). */
function tapped(ctx: HubContext, conn: HubPeer, message: MessageData): boolean {
  const taps = ctx.routeTaps;
  if (taps === undefined || taps.length === 0) return false;
  for (const tap of taps) if (tap(conn, message)) return true;
  return false;
}

/**
 * Routes one agent-bus message to the connections it names; in a cluster, a named peer connected to another node gets
 * it through that node ({@link routeLocal} there).
 */
export function routeAgentMessage(ctx: HubContext, message: MessageData): void {
  for (const peer of new Set(destinations(message))) {
    if (!routeLocal(ctx, peer, message)) ctx.peers.forward(peer, message);
  }
}

/**
 * Routes `message` to `peer` if it is connected to this hub (its route taps first); false when it is not. The
 * cluster's deliveries from other nodes come here, so a forwarded message never goes on to another node.
 */
export function routeLocal(ctx: HubContext, peer: string, message: MessageData): boolean {
  const conn = ctx.peers.get(peer);
  if (conn === undefined) return false;
  if (tapped(ctx, conn, message)) return true;
  try {
    deliver(ctx, conn, message);
  } catch (err) {
    // A message JSON cannot carry (or a payload the protocol refuses) is dropped for this client only.
    if (!isHiveLinkError(err)) throw err;
    ctx.logger.warn({ peer, type: message.type, code: err.code }, 'agent message not deliverable');
  }
  return true;
}
