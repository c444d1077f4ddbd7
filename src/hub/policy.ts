/**
 * Per-client policy: which message types a client may send and what it may do with them, plus the cached client
 * records and IP rules the hub checks on every message. The cache is loaded once per connection and refreshed when
 * the database changes (`store.watch()`), so an admin's change reaches live connections within a second.
 *
 * Denial codes (in `hive.policy.denied` `{denied_type, code, reason}`):
 *
 * | code | when |
 * |---|---|
 * | `acl_disallowed_type` | a BUS message type that is not in the client's `allowedTypes` |
 * | `permission_denied` | BROADCAST without admin + can_broadcast; PROPAGATE/CASCADE without can_propagate; ESCALATE/QUERY without can_escalate |
 * | `malformed_message` | a frame that decrypts but is not a valid HiveMessage, or a payload with the wrong shape |
 * | `rate_limited` | more messages than the client's rate limit |
 * | `no_route` | an INTERCOM whose `target_pubkey` no connected client announced |
 * | `unsupported` | a type this hub does not serve (RENDEZVOUS, `3rdparty`) |
 *
 * @module
 */

import { HiveMessageType, type HiveMessageTypeName } from '../protocol/message-types.js';
import { IpRuleSet } from '../store/ip-rules.js';
import type { ClientRecord, ClientStore } from '../store/types.js';

export const DenyCode = {
  ACL: 'acl_disallowed_type',
  PERMISSION: 'permission_denied',
  MALFORMED: 'malformed_message',
  RATE: 'rate_limited',
  NO_ROUTE: 'no_route',
  UNSUPPORTED: 'unsupported',
} as const;

/** A reason to refuse a message, or null to let it through. */
export interface Denial {
  readonly code: string;
  readonly reason: string;
}

/** True when `record` may put a bus message of `type` on the agent bus. */
export function allowsBusType(record: ClientRecord, type: string): boolean {
  return record.allowedTypes.includes(type);
}

/** The permission check of a routing type (hivemind.md §5.2, §7.1). */
export function checkRoutingPermission(record: ClientRecord, msgType: HiveMessageTypeName): Denial | null {
  switch (msgType) {
    case HiveMessageType.BROADCAST:
      return record.isAdmin && record.canBroadcast
        ? null
        : { code: DenyCode.PERMISSION, reason: 'broadcast needs an admin client with can_broadcast' };
    case HiveMessageType.PROPAGATE:
    case HiveMessageType.CASCADE:
      return record.canPropagate
        ? null
        : { code: DenyCode.PERMISSION, reason: `${msgType} needs can_propagate` };
    case HiveMessageType.ESCALATE:
    case HiveMessageType.QUERY:
      return record.canEscalate
        ? null
        : { code: DenyCode.PERMISSION, reason: `${msgType} needs can_escalate` };
    default:
      return null;
  }
}

/** The client records and IP rules the hub enforces, cached between database changes. */
export class PolicyCache {
  readonly #store: ClientStore;
  #ipRules = new IpRuleSet([]);

  constructor(store: ClientStore) {
    this.#store = store;
  }

  /** Reloads the IP rules. */
  async loadIpRules(): Promise<void> {
    this.#ipRules = new IpRuleSet(await this.#store.listIpRules());
  }

  /** True unless the IP rules (the client's, then the global ones) deny `ip`. */
  ipAllowed(ip: string, clientId: number | null): boolean {
    return this.#ipRules.evaluate(ip, clientId) !== 'deny';
  }

  /**
   * Reloads the IP rules and the records of `clientIds`. A client that was removed or revoked maps to null.
   */
  async reload(clientIds: Iterable<number>): Promise<Map<number, ClientRecord | null>> {
    await this.loadIpRules();
    const out = new Map<number, ClientRecord | null>();
    for (const id of new Set(clientIds)) {
      const record = await this.#store.getClient(id);
      out.set(id, record === null || record.revoked ? null : record);
    }
    return out;
  }
}
