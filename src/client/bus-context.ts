/**
 * The client side of the BUS ↔ OVOS mapping (docs/PROTOCOL.md §6): what a client fills into the context of the bus
 * messages it sends, and how it reads the ones the hub sends back.
 *
 * @module
 */
import { deepCopy } from '../bus/copy.js';
import { toMessage } from '../bus/message.js';
import type { MessageContext, MessageData, SessionData } from '../bus/types.js';
import { isHiveLinkError } from '../errors.js';
import { isJsonObject } from '../protocol/json.js';
import type { HiveMessage } from '../protocol/message.js';
import { HiveMessageType, WRAPPER_TYPES } from '../protocol/message-types.js';

/** Where a client addresses its bus messages (the hub replaces it with the agent's destination). */
export const HUB_DESTINATION = 'HiveMind';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The context of an outgoing bus message: a copy of `context` with, only where missing, `source` and `platform`
 * = useragent, `destination` = `"HiveMind"`, and `session` = the client's current session (or, when a session is
 * given, its missing `session_id` / `site_id`).
 */
export function fillContext(
  context: MessageContext,
  useragent: string,
  session: SessionData,
  siteId: string,
): MessageContext {
  const out = deepCopy(context);
  out.source ??= useragent;
  out.platform ??= useragent;
  out.destination ??= HUB_DESTINATION;
  if (isObject(out.session)) {
    out.session.session_id ??= session.session_id;
    out.session.site_id ??= siteId;
  } else {
    out.session = deepCopy(session);
  }
  return out;
}

/** The bus message inside a BUS HiveMessage, or null when the payload is not one. */
export function busMessageOf(message: HiveMessage): MessageData | null {
  if (message.msg_type !== HiveMessageType.BUS || !isJsonObject(message.payload)) return null;
  try {
    return toMessage(message.payload);
  } catch (err) {
    if (isHiveLinkError(err)) return null;
    throw err;
  }
}

/** The bus message a wrapper (BROADCAST, PROPAGATE, ESCALATE, …) carries, at any depth; null when none. */
export function wrappedBusMessageOf(message: HiveMessage): MessageData | null {
  let current: HiveMessage = message;
  for (let depth = 0; depth < 16 && WRAPPER_TYPES.has(current.msg_type); depth += 1) {
    // A parsed wrapper's payload is the nested HiveMessage (validated by parseHiveMessage).
    const inner: unknown = current.payload;
    if (!isObject(inner) || typeof inner.msg_type !== 'string') return null;
    current = inner as unknown as HiveMessage;
  }
  return current === message ? null : busMessageOf(current);
}

/** The session of `message` when it belongs to `sessionId` (a deep copy), else null. */
export function ownSessionOf(message: MessageData, sessionId: string): SessionData | null {
  const session = message.context.session;
  if (!isObject(session) || session.session_id !== sessionId) return null;
  return deepCopy(session);
}

/** False when the message names a session other than `sessionId`; a message without a session is not excluded. */
export function isForSession(message: MessageData, sessionId: string): boolean {
  const session = message.context.session;
  if (!isObject(session) || typeof session.session_id !== 'string') return true;
  return session.session_id === sessionId;
}
