/**
 * The client records and IP rules the policy stage enforces, cached between database changes: loaded once per
 * connection and refreshed when the database changes (`store.watch()`), so an admin's change reaches live
 * connections within a second.
 *
 * @module
 */
import { IpRuleSet } from '../../store/ip-rules.js';
import type { ClientRecord, ClientStore } from '../../store/types.js';

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
