/**
 * The OVOS `Message` operations as pure functions on {@link MessageData} (docs/PROTOCOL.md §B1.1, §B2.1):
 * build, derive (`forward`, `reply`, `response`, `publish`), parse and serialize.
 *
 * Unlike Python, every derived message owns its `data` and `context` (deep copies), so changing one message never
 * changes another; nothing on the wire depends on Python's shared context object.
 *
 * @example
 * ```ts
 * const utterance = createMessage('recognizer_loop:utterance', { utterances: ['hi'] }, { source: 'audio', destination: ['skills'] });
 * const answer = reply(utterance, 'speak', { utterance: 'hello' });
 * // answer.context: { source: ['skills'], destination: 'audio' }
 * ```
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { deepCopy } from './copy.js';
import type { MessageContext, MessageData, Route } from './types.js';

/** The session id OVOS reserves for the device itself (docs/PROTOCOL.md §B2.3). */
export const DEFAULT_SESSION_ID = 'default';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function has(obj: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(obj, key) && obj[key] !== undefined;
}

/**
 * Builds a message. `data` and `context` are deep-copied, so the caller may keep changing its own objects.
 *
 * @param data - @default `{}`
 * @param context - @default `{}`
 * @throws HiveLinkError `HL_ERR_INVALID_MESSAGE` when `type` is not a string or `data`/`context` is not an object.
 */
export function createMessage(
  type: string,
  data: Record<string, unknown> = {},
  context: MessageContext = {},
): MessageData {
  if (typeof type !== 'string')
    throw new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'message type must be a string');
  if (!isObject(data)) throw new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'message data must be an object');
  if (!isObject(context))
    throw new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'message context must be an object');
  return { type, data: deepCopy(data), context: deepCopy(context) };
}

/**
 * A new message of `type` in the same conversation turn: `data` is the new data only, the context is a copy of
 * `msg.context` (source and destination unchanged).
 *
 * @param data - @default `{}`
 */
export function forward(msg: MessageData, type: string, data: Record<string, unknown> = {}): MessageData {
  return createMessage(type, data, msg.context);
}

/**
 * An answer to `msg`: the context is a deep copy of `msg.context` with the keys of `context` laid over it. If
 * `data.destination` exists it first becomes `context.destination`; then, only when both `source` and
 * `destination` exist, they are swapped. (So `reply(m, t, {destination: X})` ends with `source = X`.)
 *
 * @param data - @default `{}`
 * @param context - @default `{}`
 */
export function reply(
  msg: MessageData,
  type: string,
  data: Record<string, unknown> = {},
  context: MessageContext = {},
): MessageData {
  const out = createMessage(type, data, { ...msg.context, ...context });
  const ctx = out.context;
  if (has(out.data, 'destination')) ctx.destination = deepCopy(out.data.destination) as Route;
  if (has(ctx, 'source') && has(ctx, 'destination')) {
    const source = ctx.source;
    ctx.source = ctx.destination;
    ctx.destination = source;
  }
  return out;
}

/**
 * The reply of type `<msg.type>.response` (a {@link reply}, so source and destination are swapped).
 *
 * @param data - @default `{}`
 * @param context - @default `{}`
 */
export function response(
  msg: MessageData,
  data: Record<string, unknown> = {},
  context: MessageContext = {},
): MessageData {
  return reply(msg, `${msg.type}.response`, data, context);
}

/**
 * A message of `type` that keeps `msg`'s routing: a copy of `msg.context` with `context` laid over it and the
 * `target` key removed; source and destination unchanged.
 *
 * @param context - @default `{}`
 */
export function publish(
  msg: MessageData,
  type: string,
  data: Record<string, unknown>,
  context: MessageContext = {},
): MessageData {
  const out = createMessage(type, data, { ...msg.context, ...context });
  delete out.context.target;
  return out;
}

/**
 * A deep copy of `message` with missing `data`/`context` as `{}`: what a bus hands on when a caller emits, so the
 * caller may go on changing its own object.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_MESSAGE` for a message without a string type or with non-object
 *   data/context.
 */
export function cloneMessage(message: MessageData): MessageData {
  return deepCopy(checkMessage(message));
}

/**
 * Checks a message about to be emitted: `type` must be a string; missing `data`/`context` become `{}`. Returns
 * the same objects, not copies.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_MESSAGE` otherwise.
 */
export function checkMessage(message: MessageData): MessageData {
  if (!isObject(message) || typeof message.type !== 'string') {
    throw new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'a bus message needs a string type');
  }
  return toMessage(message);
}

/**
 * Checks a parsed JSON value and returns it as a message, leniently like Python's `Message.deserialize`: missing
 * (or `null`) `data` and `context` become `{}`, a missing `type` becomes `''`. The value's objects are reused,
 * not copied.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_MESSAGE` when `value` is not an object, `type` is not a string, or
 *   `data`/`context` is not an object.
 */
export function toMessage(value: unknown): MessageData {
  if (!isObject(value))
    throw new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'a bus message must be a JSON object');
  const type = value.type ?? '';
  const data = value.data ?? {};
  const context = value.context ?? {};
  if (typeof type !== 'string')
    throw new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'message type must be a string');
  if (!isObject(data)) throw new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'message data must be an object');
  if (!isObject(context))
    throw new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'message context must be an object');
  return { type, data, context: context as MessageContext };
}

/**
 * Parses one bus frame (see {@link toMessage} for what is accepted).
 *
 * @throws HiveLinkError `HL_ERR_INVALID_JSON` when `text` is not JSON; `HL_ERR_INVALID_MESSAGE` when it is not
 *   a message.
 */
export function parseMessage(text: string): MessageData {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HiveLinkError('HL_ERR_INVALID_JSON', 'bus frame is not valid JSON', { cause: err });
  }
  return toMessage(value);
}

/**
 * The wire form of `msg`: compact JSON of exactly `type`, `data` and `context`.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_MESSAGE` when the message cannot be written as JSON (a cycle, a BigInt,
 *   nesting too deep for the JSON writer).
 */
export function serializeMessage(msg: MessageData): string {
  try {
    return JSON.stringify({ type: msg.type, data: msg.data ?? {}, context: msg.context ?? {} });
  } catch (err) {
    throw new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'bus message cannot be serialized as JSON', {
      cause: err,
    });
  }
}

/** True when `msg.context.destination` is `peer` or a list that contains it. */
export function destinationIncludes(msg: MessageData, peer: string): boolean {
  const destination: unknown = msg.context?.destination;
  if (typeof destination === 'string') return destination === peer;
  return Array.isArray(destination) && destination.includes(peer);
}

/**
 * The session id of `msg` (`context.session.session_id`); a message without one belongs to the device's own
 * session, {@link DEFAULT_SESSION_ID}, as in OVOS.
 */
export function sessionIdOf(msg: MessageData): string {
  const session: unknown = msg.context?.session;
  if (isObject(session) && typeof session.session_id === 'string') return session.session_id;
  return DEFAULT_SESSION_ID;
}
