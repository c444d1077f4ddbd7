/**
 * Messages the hub itself sends to a client: policy errors and query endings, as BUS messages with
 * `context {source: 'hivelink', destination: <peer>}`.
 *
 * @module
 */
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
