/**
 * Messages the hub itself sends to a client: policy errors and query endings, as BUS messages with
 * `context {source: 'hivelink', destination: <peer>}`.
 *
 * @module
 */
import { isHiveLinkError } from '../errors.js';
import type { JsonObject } from '../protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';

/** The `context.source` of messages the hub itself writes. */
export const HUB_SOURCE = 'hivelink';

/** BUS `{type, data, context: {source: 'hivelink', destination: peer}}`. */
export function hubBusMessage(peer: string, type: string, data: JsonObject): HiveMessage {
  return createHiveMessage(
    HiveMessageType.BUS,
    { type, data, context: { source: HUB_SOURCE, destination: peer } },
    { source_peer: peer },
  );
}

/**
 * What a hub service answers a request with: `{ok: true, …}` from `run`, or `{ok: false, code, error}` when it
 * throws (a failure that is not a `HiveLinkError` is logged and answered `HL_ERR_INTERNAL`).
 */
export async function answerOf(
  run: () => Promise<JsonObject>,
  logger: { warn(obj: object, msg: string): void },
  what: string,
): Promise<JsonObject> {
  try {
    return { ok: true, ...(await run()) };
  } catch (err) {
    if (isHiveLinkError(err)) return { ok: false, code: err.code, error: err.message };
    logger.warn({ err }, `${what} failed`);
    return { ok: false, code: 'HL_ERR_INTERNAL', error: `${what} failed` };
  }
}

/** BUS `<type>.response` with `data`, answering a client's request (its `request_id` kept when it had one). */
export function hubAnswer(peer: string, type: string, data: JsonObject, requestId: unknown): HiveMessage {
  const context: JsonObject = { source: HUB_SOURCE, destination: peer };
  if (typeof requestId === 'string') context.request_id = requestId;
  return createHiveMessage(
    HiveMessageType.BUS,
    { type: `${type}.response`, data, context },
    { source_peer: peer },
  );
}

/** BUS `hive.policy.denied {denied_type, code, reason}`. */
export function policyDenied(peer: string, deniedType: string, code: string, reason: string): HiveMessage {
  return hubBusMessage(peer, 'hive.policy.denied', { denied_type: deniedType, code, reason });
}
