/**
 * The rules of the policy stage: the deny codes, the per-type authorizers (which message types a client may send
 * and what it may do with them) and the guards every message passes first (the rate limit).
 *
 * Deny codes (in `hive.policy.denied` `{denied_type, code, reason}`, docs/PROTOCOL.md §7):
 *
 * | code | when | raised by |
 * |---|---|---|
 * | `acl_disallowed_type` | a BUS message (or one inside any wrapper, at any depth, or BINARY) whose type is not in the client's `allowedTypes` | {@link authorizers} |
 * | `permission_denied` | BROADCAST without admin + can_broadcast; PROPAGATE/CASCADE without can_propagate; ESCALATE/QUERY without can_escalate; a non-admin's flood carrying `speak` | {@link authorizers} |
 * | `malformed_message` | a frame that decrypts but is not a valid HiveMessage, or a payload with the wrong shape (an INTERCOM that is not signed ciphertext in a reference shape; a HELLO `pubkey` that is not an RSA public key) | {@link authorizers}, `Policy.malformed`; the BUS injection (an OVOS message the bus refuses) |
 * | `rate_limited` | more messages than the client's rate limit | {@link rateGuard} |
 * | `no_route` | an INTERCOM whose `target_pubkey` no connected client announced | the INTERCOM handler (routing found no one) |
 * | `key_not_bound` | a HELLO `pubkey` pinned to another client record, or other than the key pinned to this one (it is not registered for INTERCOM); a hybrid INTERCOM whose signature does not verify against the sender's pinned key | `HubConnection.applyHello` (the HELLO); the INTERCOM authorizer in {@link authorizers} |
 * | `too_large` | an utterance (`recognizer_loop:utterance`, direct or inside QUERY/CASCADE) longer than `maxUtteranceChars` | {@link utteranceGuard} |
 * | `unsupported` | a type no rule allows (3rdparty, unknown types), or a flood carrying a type it cannot carry (HELLO, HANDSHAKE, …): deny by default | `Policy.check`, {@link authorizers} |
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';
import type { JsonObject } from '../../protocol/json.js';
import type { HiveMessage } from '../../protocol/message.js';
import { HiveMessageType, type HiveMessageTypeName } from '../../protocol/message-types.js';
import type { ClientRecord } from '../../store/types.js';
import type { HubPeer } from '../types.js';
import { checkIntercom } from './intercom.js';

export const DenyCode = {
  ACL: 'acl_disallowed_type',
  PERMISSION: 'permission_denied',
  MALFORMED: 'malformed_message',
  RATE: 'rate_limited',
  NO_ROUTE: 'no_route',
  KEY_NOT_BOUND: 'key_not_bound',
  UNSUPPORTED: 'unsupported',
  TOO_LARGE: 'too_large',
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

/** Bus types that make a device speak: a flood may carry them only from an admin client. */
const SPEAK_TYPES: ReadonlySet<string> = new Set(['speak']);

/** Wrapper types: their payload is another HiveMessage. */
const WRAPPERS: ReadonlySet<string> = new Set([
  HiveMessageType.BROADCAST,
  HiveMessageType.PROPAGATE,
  HiveMessageType.ESCALATE,
  HiveMessageType.QUERY,
  HiveMessageType.CASCADE,
]);

/**
 * What a flood carries, checked at every level as if the sender had sent it itself: a nested wrapper needs its own
 * permission, and a non-admin's BUS message must have a type in its `allowedTypes` (a flood is not a way around the
 * ACL) and is never `speak` (it would reach other clients' speakers as if the hub had said it). An admin's flood
 * carries what the admin chooses: announcing to every speaker is what BROADCAST is for.
 */
function carried(peer: HubPeer, outer: string, inner: HiveMessage): Verdict {
  const type = inner.msg_type;
  if (type === HiveMessageType.BUS) {
    if (peer.record.isAdmin) return ACCEPT;
    const busType = (inner.payload as JsonObject).type as string;
    if (SPEAK_TYPES.has(busType)) {
      return deny(outer, DenyCode.PERMISSION, `only an admin client may send "${busType}" to other clients`);
    }
    return busTypeAllowed(peer.record, busType);
  }
  if (type === HiveMessageType.PING) return ACCEPT;
  if (type === HiveMessageType.INTERCOM || type === HiveMessageType.BINARY) {
    return (authorizers[type] as Authorizer)(peer, inner);
  }
  if (WRAPPERS.has(type)) {
    return (authorizers[type] as Authorizer)(peer, inner);
  }
  return deny(outer, DenyCode.UNSUPPORTED, `${outer} cannot carry a ${type} message`);
}

/** A flood (BROADCAST, PROPAGATE, ESCALATE): its permission, then what it carries. */
const routing: Authorizer = (peer, message) =>
  routingPermission(peer.record, message.msg_type) ??
  carried(peer, message.msg_type, message.payload as HiveMessage);

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
  // Signed ciphertext in a reference shape, and signed by the sender's pinned key when it has one (intercom.ts).
  [HiveMessageType.INTERCOM]: (peer, message) => {
    const problem = checkIntercom(message.target_pubkey, message.payload, peer.record.intercomPubkey);
    if (problem === null) return ACCEPT;
    const code = problem.kind === 'malformed' ? DenyCode.MALFORMED : DenyCode.KEY_NOT_BOUND;
    return deny(message.msg_type, code, problem.reason);
  },
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
    if (decision === 'deny') {
      // Named like the other refusals: the bus message's own type, so an ask knows its utterance was refused.
      const bus = agentBusPayload(message);
      const type = typeof bus?.type === 'string' ? bus.type : message.msg_type;
      return deny(type, DenyCode.RATE, 'message rate limit exceeded');
    }
    return { kind: 'close', error: new HiveLinkError('HL_ERR_RATE_LIMITED', 'rate limit exceeded') };
  };
}

/** The bus message a BUS, QUERY or CASCADE carries to the agent; null for other types. */
function agentBusPayload(message: HiveMessage): JsonObject | null {
  if (message.msg_type === HiveMessageType.BUS) return message.payload as JsonObject;
  if (message.msg_type === HiveMessageType.QUERY || message.msg_type === HiveMessageType.CASCADE) {
    const inner = message.payload as HiveMessage;
    return inner.msg_type === HiveMessageType.BUS ? (inner.payload as JsonObject) : null;
  }
  return null;
}

/**
 * Utterances longer than `maxChars` in all are refused up front (`too_large`): the assistant answers with messages
 * that carry the utterance back (the intent message echoes its `data`), so an oversized one would come back as an
 * oversized answer and close the sender's connection for a full send buffer instead.
 */
export function utteranceGuard(maxChars: number): Guard {
  return (_peer, message) => {
    const bus = agentBusPayload(message);
    if (bus === null || bus.type !== 'recognizer_loop:utterance') return null;
    const utterances = (bus.data as JsonObject | undefined)?.utterances;
    if (!Array.isArray(utterances)) return null;
    let chars = 0;
    for (const u of utterances) if (typeof u === 'string') chars += u.length;
    return chars > maxChars
      ? deny(bus.type, DenyCode.TOO_LARGE, `utterances of ${chars} characters exceed ${maxChars}`)
      : null;
  };
}
