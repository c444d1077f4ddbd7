/**
 * The rules of the policy stage: the deny codes, the per-type authorizers (which message types a client may send
 * and what it may do with them) and the guards every message passes first (the rate limit).
 *
 * Deny codes (in `hive.policy.denied` `{denied_type, code, reason}`, docs/PROTOCOL.md §7):
 *
 * | code | when | raised by |
 * |---|---|---|
 * | `acl_disallowed_type` | a BUS message (or the bus message inside QUERY/CASCADE, or BINARY) whose type is not in the client's `allowedTypes` | {@link authorizers} |
 * | `permission_denied` | BROADCAST without admin + can_broadcast; PROPAGATE/CASCADE without can_propagate; ESCALATE/QUERY without can_escalate | {@link authorizers} |
 * | `malformed_message` | a frame that decrypts but is not a valid HiveMessage, or a payload with the wrong shape | {@link authorizers}, `Policy.malformed`; the BUS injection (an OVOS message the bus refuses) |
 * | `rate_limited` | more messages than the client's rate limit | {@link rateGuard} |
 * | `no_route` | an INTERCOM whose `target_pubkey` no connected client announced | the INTERCOM handler (routing found no one) |
 * | `unsupported` | a type no rule allows (3rdparty, unknown types): deny by default | `Policy.check` |
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';
import type { JsonObject } from '../../protocol/json.js';
import type { HiveMessage } from '../../protocol/message.js';
import { HiveMessageType, type HiveMessageTypeName } from '../../protocol/message-types.js';
import type { ClientRecord } from '../../store/types.js';
import type { HubPeer } from '../types.js';

export const DenyCode = {
  ACL: 'acl_disallowed_type',
  PERMISSION: 'permission_denied',
  MALFORMED: 'malformed_message',
  RATE: 'rate_limited',
  NO_ROUTE: 'no_route',
  UNSUPPORTED: 'unsupported',
} as const;

export type DenyCodeName = (typeof DenyCode)[keyof typeof DenyCode];

/** What the policy says of one message. */
export type Verdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'deny'; readonly deniedType: string; readonly code: string; readonly reason: string }
  | { readonly kind: 'close'; readonly error: HiveLinkError };

export const ACCEPT: Verdict = Object.freeze({ kind: 'accept' });

export function deny(deniedType: string, code: string, reason: string): Verdict {
  return { kind: 'deny', deniedType, code, reason };
}

/**
 * A rule every message passes before its type's authorizer: a verdict to stop there (deny or close), or null to
 * go on. Later features (consent, rooms, relays, quotas) add guards.
 */
export type Guard = (peer: HubPeer, message: HiveMessage) => Verdict | null;

/** Decides one message type: only an authorizer that returns `accept` lets a message through. */
export type Authorizer = (peer: HubPeer, message: HiveMessage) => Verdict;

/** The bus type binary messages become; also the `allowedTypes` entry that lets a client send them. */
export const BINARY_BUS_TYPE = 'hive.binary.received';

/** True when `record` may put a bus message of `type` on the agent bus. */
export function allowsBusType(record: ClientRecord, type: string): boolean {
  return record.allowedTypes.includes(type);
}

function busTypeAllowed(record: ClientRecord, type: string): Verdict {
  return allowsBusType(record, type)
    ? ACCEPT
    : deny(type, DenyCode.ACL, `message type "${type}" is not allowed for this client`);
}

/** The permission a routing type needs (docs/PROTOCOL.md §5.2, §7.1); null when it needs none. */
export function routingPermission(record: ClientRecord, msgType: HiveMessageTypeName): Verdict | null {
  switch (msgType) {
    case HiveMessageType.BROADCAST:
      return record.isAdmin && record.canBroadcast
        ? null
        : deny(msgType, DenyCode.PERMISSION, 'broadcast needs an admin client with can_broadcast');
    case HiveMessageType.PROPAGATE:
    case HiveMessageType.CASCADE:
      return record.canPropagate
        ? null
        : deny(msgType, DenyCode.PERMISSION, `${msgType} needs can_propagate`);
    case HiveMessageType.ESCALATE:
    case HiveMessageType.QUERY:
      return record.canEscalate ? null : deny(msgType, DenyCode.PERMISSION, `${msgType} needs can_escalate`);
    default:
      return null;
  }
}

/** A routing type: its permission, nothing more. */
const routing: Authorizer = (peer, message) => routingPermission(peer.record, message.msg_type) ?? ACCEPT;

/** QUERY / CASCADE: the permission, a wrapped bus message with `metadata.query_id`, and that bus type's ACL. */
const question: Authorizer = (peer, message) => {
  const msgType = message.msg_type;
  const permission = routingPermission(peer.record, msgType);
  if (permission !== null) return permission;
  const inner = message.payload as HiveMessage;
  const queryId = message.metadata.query_id;
  if (inner.msg_type !== HiveMessageType.BUS || typeof queryId !== 'string' || queryId.length === 0) {
    return deny(msgType, DenyCode.MALFORMED, `${msgType} needs a wrapped bus message and metadata.query_id`);
  }
  if (message.metadata.is_response === true) return ACCEPT; // the handler ignores it; nothing reaches the agent
  return busTypeAllowed(peer.record, (inner.payload as JsonObject).type as string);
};

/** The authorizer of each message type the hub serves. A type without one is denied (`unsupported`). */
export const authorizers: Readonly<Partial<Record<HiveMessageTypeName, Authorizer>>> = {
  [HiveMessageType.BUS]: (peer, message) =>
    busTypeAllowed(peer.record, (message.payload as JsonObject).type as string),
  // Observed only: the hub logs it and passes nothing on.
  [HiveMessageType.SHARED_BUS]: () => ACCEPT,
  [HiveMessageType.BROADCAST]: routing,
  [HiveMessageType.PROPAGATE]: routing,
  [HiveMessageType.ESCALATE]: routing,
  [HiveMessageType.QUERY]: question,
  [HiveMessageType.CASCADE]: question,
  [HiveMessageType.PING]: () => ACCEPT,
  [HiveMessageType.INTERCOM]: (_peer, message) =>
    message.target_pubkey === null || message.target_pubkey.length === 0
      ? deny(message.msg_type, DenyCode.MALFORMED, 'intercom needs target_pubkey')
      : ACCEPT,
  [HiveMessageType.BINARY]: (peer, message) =>
    allowsBusType(peer.record, BINARY_BUS_TYPE)
      ? ACCEPT
      : deny(message.msg_type, DenyCode.ACL, `binary messages need "${BINARY_BUS_TYPE}" in allowed types`),
  [HiveMessageType.HELLO]: () => ACCEPT,
  [HiveMessageType.HANDSHAKE]: () => ACCEPT,
  // Answered with "not a rendezvous node".
  [HiveMessageType.RENDEZVOUS]: () => ACCEPT,
};

/** What the rate guard needs: one limiter per peer. */
export interface RateSource {
  take(peer: HubPeer): 'accept' | 'deny' | 'close';
}

/** The rate limit as a guard: over the rate → `rate_limited`; a sustained flood → close (1008). */
export function rateGuard(rates: RateSource): Guard {
  return (peer, message) => {
    const decision = rates.take(peer);
    if (decision === 'accept') return null;
    if (decision === 'deny') return deny(message.msg_type, DenyCode.RATE, 'message rate limit exceeded');
    return { kind: 'close', error: new HiveLinkError('HL_ERR_RATE_LIMITED', 'rate limit exceeded') };
  };
}
