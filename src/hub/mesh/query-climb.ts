/**
 * QUERY climbs until a node answers (docs/PROTOCOL.md §14): when this hub's agent reports `complete_intent_failure` for
 * a QUERY (escalate not `never`, a parent link open, the route neither a loop nor `maxMeshHops` long), the QUERY goes
 * up with this hub's hop appended and the same `query_id`; the local end of the turn is held back, the parent's
 * answers (QUERY responses) are passed down the return path, and its `hive.query.complete` or `hive.query.timeout`
 * ends the query here too. The return path's own timer (`queryTimeoutMs`) still ends it when nothing comes: the first
 * node to run out of time answers `hive.query.timeout`, at the top or below.
 *
 * @module
 */
import type { MessageData } from '../../bus/types.js';
import type { JsonObject } from '../../protocol/json.js';
import { createHiveMessage, type HiveMessage, type RouteHop } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import { FAILURE_TYPE, HANDLED_TYPE, UTTERANCE_TYPE } from '../../session/turn.js';
import { withHop } from '../handlers/routing.js';
import type { QueryPath } from '../queries.js';
import { endQuery } from '../router.js';
import type { HubPeer } from '../types.js';
import { type ClimberHost, climbRefusal } from './climb.js';
import { isObject } from './node.js';
import type { ParentLink } from './parent-link.js';

/** A QUERY this hub is answering, as its agent bus showed it. */
interface Pending {
  readonly peer: string;
  readonly queryId: string;
  route: RouteHop[];
  /** The injected question (its data and session), once seen. */
  question: MessageData | null;
  /** The link it climbed up, or null while it is answered here. */
  link: ParentLink | null;
}

function routeOf(value: unknown): RouteHop[] {
  if (!Array.isArray(value)) return [];
  const out: RouteHop[] = [];
  for (const hop of value) {
    if (!isObject(hop) || typeof hop.source !== 'string' || !Array.isArray(hop.targets)) return [];
    out.push({ source: hop.source, targets: hop.targets.filter((t): t is string => typeof t === 'string') });
  }
  return out;
}

export class QueryClimber {
  readonly #host: ClimberHost;
  /** By `peer \0 query_id`. */
  readonly #pending = new Map<string, Pending>();

  constructor(host: ClimberHost) {
    this.#host = host;
  }

  /** Watches the agent bus for the QUERYs this hub receives (`hive.query.received`) and their questions. */
  agentMessage(message: MessageData): void {
    const context = message.context ?? {};
    if (message.type === 'hive.query.received') {
      const { query_id: queryId, peer } = message.data ?? {};
      if (typeof queryId !== 'string' || typeof peer !== 'string') return;
      const max = this.#host.limits.maxMeshTurns;
      while (this.#pending.size >= max) {
        const oldest = this.#pending.keys().next().value;
        if (oldest === undefined) break;
        this.#pending.delete(oldest);
      }
      this.#pending.set(`${peer}\u0000${queryId}`, {
        peer,
        queryId,
        route: routeOf(message.data?.route),
        question: null,
        link: null,
      });
    } else if (message.type === UTTERANCE_TYPE && typeof context.query_id === 'string') {
      const pending = this.#pending.get(`${String(context.peer)}\u0000${context.query_id}`);
      if (pending !== undefined && pending.question === null) pending.question = message;
    }
  }

  /** The route tap for QUERY turns: holds back the local end of a query that climbs. */
  readonly routeTap = (conn: HubPeer, message: MessageData): boolean => {
    const queryId = message.context?.query_id;
    if (typeof queryId !== 'string' || this.#pending.size === 0) return false;
    const key = `${conn.peer}\u0000${queryId}`;
    const pending = this.#pending.get(key);
    if (pending === undefined) return false;
    const path = this.#host.ctx.queries.find(conn, queryId);
    if (path === undefined) {
      this.#pending.delete(key);
      return false;
    }
    if (pending.link !== null) return message.type === HANDLED_TYPE || message.type === FAILURE_TYPE;
    if (message.type === FAILURE_TYPE) return this.#climb(pending, path);
    if (message.type === HANDLED_TYPE) this.#pending.delete(key);
    return false;
  };

  /** A message from `link`'s parent; true when it answered a QUERY that climbed from here. */
  fromParent(link: ParentLink, message: HiveMessage): boolean {
    const ctx = this.#host.ctx;
    if (message.msg_type === HiveMessageType.QUERY && message.metadata.is_response === true) {
      const found = this.#climbed(link, message.metadata.query_id);
      if (found === null) return false;
      const { path } = found;
      const inner = message.payload as HiveMessage;
      const bus = isObject(inner.payload) ? inner.payload : {};
      path.answers += 1;
      path.conn.send(
        createHiveMessage(
          HiveMessageType.QUERY,
          createHiveMessage(HiveMessageType.BUS, {
            type: typeof bus.type === 'string' ? bus.type : 'speak',
            data: isObject(bus.data) ? (bus.data as JsonObject) : {},
            context: { query_id: path.queryId, source: 'hive', destination: path.conn.peer },
          }),
          {
            metadata: { ...message.metadata, originator_peer: path.originatorPeer },
            source_peer: path.conn.peer,
          },
        ),
      );
      return true;
    }
    if (message.msg_type === HiveMessageType.BUS && isObject(message.payload)) {
      const { type, data } = message.payload;
      if (type !== 'hive.query.complete' && type !== 'hive.query.timeout') return false;
      const found = this.#climbed(link, isObject(data) ? data.query_id : undefined);
      if (found === null) return false;
      this.#pending.delete(found.key);
      endQuery(ctx, found.path);
      return true;
    }
    return false;
  }

  /** `link` went down: the queries that climbed it end with what they have. */
  linkDown(link: ParentLink): void {
    for (const [key, pending] of [...this.#pending]) {
      if (pending.link !== link) continue;
      this.#pending.delete(key);
      const conn = this.#host.ctx.peers.get(pending.peer);
      const path = conn === undefined ? undefined : this.#host.ctx.queries.find(conn, pending.queryId);
      if (path !== undefined) endQuery(this.#host.ctx, path);
    }
  }

  stop(): void {
    this.#pending.clear();
  }

  #climbed(link: ParentLink, queryId: unknown): { key: string; path: QueryPath } | null {
    if (typeof queryId !== 'string') return null;
    for (const [key, pending] of this.#pending) {
      if (pending.link !== link || pending.queryId !== queryId) continue;
      const conn = this.#host.ctx.peers.get(pending.peer);
      const path = conn === undefined ? undefined : this.#host.ctx.queries.find(conn, queryId);
      if (path === undefined) {
        this.#pending.delete(key);
        return null;
      }
      return { key, path };
    }
    return null;
  }

  #climb(pending: Pending, path: QueryPath): boolean {
    const host = this.#host;
    const question = pending.question;
    if (host.mode === 'never' || question === null) return false;
    if (
      climbRefusal(
        host.ctx,
        pending.route.map((hop) => hop.source),
      ) !== null
    )
      return false;
    const link = host.link();
    if (link === null) return false;
    const session: Record<string, unknown> = isObject(question.context.session)
      ? question.context.session
      : {};
    const up = createHiveMessage(
      HiveMessageType.QUERY,
      createHiveMessage(HiveMessageType.BUS, {
        type: UTTERANCE_TYPE,
        data: question.data as JsonObject,
        context: { session: { session_id: String(session.session_id ?? 'default') } },
      }),
      {
        metadata: { query_id: pending.queryId, originator_peer: path.originatorPeer },
        route: withHop(host.ctx, pending.route),
      },
    );
    if (!link.send(up)) return false;
    pending.link = link;
    host.logger.debug({ peer: pending.peer, url: link.url }, 'mesh: query climbed');
    return true;
  }
}
