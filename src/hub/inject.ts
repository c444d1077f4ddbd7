/**
 * Client → agent: the bus message a client's BUS payload becomes on the agent bus (docs/PROTOCOL.md §6 "The hub
 * injects"), and agent → client: the copy a client receives (session un-NAT'ed, `source: 'hive'`).
 *
 * On the way in:
 * - `context.source = context.peer = <peer>`, `context.client_name`, `context.site_id`;
 * - `destination`: `['audio']` for `speak`, else the client's own value or `'skills'`; a client can never address
 *   another client through the agent bus (peer ids of connected clients are removed from its destination);
 * - `context.session`: the client's latest session (from the agent's last reply to it, else its HELLO), merged with
 *   the session the message carries (nulls dropped), the client record's blocked skills and intents added to
 *   `blacklisted_skills` / `blacklisted_intents`, and the id NAT'ed into the client's namespace.
 *
 * @module
 */
import { deepCopy } from '../bus/copy.js';
import { DEFAULT_SESSION_ID, toMessage } from '../bus/message.js';
import type { MessageData, Route, SessionData } from '../bus/types.js';
import type { JsonObject } from '../protocol/json.js';
import type { PeerRegistry } from './peers.js';
import type { HubPeer } from './types.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutNulls(session: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(session)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

function union(a: unknown, b: readonly string[]): string[] {
  const out = Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : [];
  for (const x of b) if (!out.includes(x)) out.push(x);
  return out;
}

/** The client's session for one message, in its own ids: latest (or HELLO) baseline merged with `declared`. */
export function clientSession(conn: HubPeer, declared: unknown): SessionData {
  const base = conn.session.latest ?? conn.session.hello;
  let merged: Record<string, unknown>;
  if (isObject(declared)) {
    const own = withoutNulls(declared);
    const sameSession = typeof own.session_id !== 'string' || own.session_id === base?.session_id;
    merged = sameSession
      ? Object.assign({}, base === null ? {} : deepCopy(base), deepCopy(own))
      : Object.assign({}, deepCopy(own));
  } else {
    merged = base === null ? {} : deepCopy(base);
  }
  if (typeof merged.session_id !== 'string' || merged.session_id.length === 0) {
    merged.session_id = base?.session_id ?? DEFAULT_SESSION_ID;
  }
  if (typeof merged.site_id !== 'string' && conn.siteId !== null) merged.site_id = conn.siteId;
  merged.blacklisted_skills = union(merged.blacklisted_skills, conn.record.blockedSkills);
  merged.blacklisted_intents = union(merged.blacklisted_intents, conn.record.blockedIntents);
  return merged as SessionData;
}

function sanitizeDestination(destination: unknown, peers: PeerRegistry): Route | undefined {
  const list =
    typeof destination === 'string' ? [destination] : Array.isArray(destination) ? destination : null;
  if (list === null) return undefined;
  const kept = list.filter((d): d is string => typeof d === 'string' && peers.get(d) === undefined);
  if (kept.length === 0) return undefined;
  return typeof destination === 'string' ? kept[0] : kept;
}

/**
 * The agent-bus message for a BUS payload from `conn`.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_MESSAGE` when the payload is not an OVOS message.
 */
export function agentMessageFrom(
  conn: HubPeer,
  payload: JsonObject,
  peers: PeerRegistry,
  extraContext: Record<string, unknown> = {},
): MessageData {
  // The payload is not changed: the message gets its own context (and session); `data` is shared with the payload
  // until the bus copies the message on emit.
  const msg = toMessage(payload);
  // Object.assign, not a spread: V8 makes an object spread from parsed JSON slow to add keys to (~50x).
  const ctx: MessageData['context'] = Object.assign({}, msg.context);
  msg.context = ctx;
  const destination = sanitizeDestination(ctx.destination, peers);
  if (msg.type === 'speak') ctx.destination = ['audio'];
  else if (destination === undefined) ctx.destination = 'skills';
  else ctx.destination = destination;
  ctx.source = conn.peer;
  ctx.peer = conn.peer;
  ctx.client_name = conn.record.name;
  if (conn.siteId !== null) ctx.site_id = conn.siteId;
  const session = clientSession(conn, ctx.session);
  session.session_id = conn.nat.toAgent(session.session_id);
  ctx.session = session;
  Object.assign(ctx, extraContext);
  return msg;
}

/**
 * The copy of an agent message that `conn` receives: `context.source = 'hive'`, the session id mapped back to the
 * client's own (a session of another namespace is removed). Remembers the session as the client's latest.
 */
export function clientMessageFrom(conn: HubPeer, message: MessageData): MessageData {
  // A new envelope, context and session; `data` and the session's values are shared with the bus message, which is
  // not changed (the copy is sealed at once, and the session kept as the client's latest is a deep copy).
  const ctx: MessageData['context'] = Object.assign({}, message.context);
  ctx.source = 'hive';
  const msg: MessageData = { type: message.type, data: message.data ?? {}, context: ctx };
  const agentSession: unknown = ctx.session;
  if (isObject(agentSession) && typeof agentSession.session_id === 'string') {
    const own = conn.nat.fromAgent(agentSession.session_id);
    if (own !== null) {
      const session = Object.assign({}, agentSession, { session_id: own }) as SessionData;
      ctx.session = session;
      conn.session.latest = deepCopy(session);
    } else if (agentSession.session_id !== DEFAULT_SESSION_ID) {
      delete ctx.session;
    }
  }
  return msg;
}
