/**
 * What an admin does to consent (docs/PROTOCOL.md §12.8) — list the answers, record one for a (sender, recipient)
 * pair as if the recipient had given it, forget one — with one set of checks and one answer shape whoever asks:
 * `hivelink consent …` on the store of a data dir (a running hub notices the change at its next store poll), and
 * the REST API (`/v1/consent`) in the hub's own process, where `changed` (the consent service's recheck) delivers or
 * drops what the pair holds before the answer is sent.
 *
 * Clients are named by id or access key. Refusals: `HL_ERR_NOT_FOUND` (no such client), `HL_ERR_INVALID_ARGUMENT`
 * (a client and itself).
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';
import type { ConsentDecision } from '../../store/consent.js';
import { requireClient } from '../../store/require-client.js';
import type { ClientRecord, ClientStore } from '../../store/types.js';

/** A client as the answers name it. */
export interface ConsentParty {
  readonly id: number;
  readonly name: string;
}

/** Every recorded answer, and the clients whose own setting is not the default `ask`. */
export interface ConsentListing {
  readonly answers: readonly {
    readonly sender: ConsentParty;
    readonly recipient: ConsentParty;
    readonly allow: boolean;
    readonly decidedAt: number;
  }[];
  readonly settings: readonly {
    readonly id: number;
    readonly name: string;
    readonly consent: 'allow' | 'deny';
  }[];
}

export interface ConsentAdminInit {
  store: Pick<ClientStore, 'consent' | 'getClient' | 'listClients'>;
  /** Called after each change: the running hub's recheck. @default nothing (the hub's store poll picks it up) */
  changed?: () => Promise<void>;
}

export class ConsentAdmin {
  readonly #init: ConsentAdminInit;

  constructor(init: ConsentAdminInit) {
    this.#init = init;
  }

  async list(): Promise<ConsentListing> {
    const { store } = this.#init;
    const [answers, clients] = await Promise.all([store.consent.list(), store.listClients()]);
    const byId = new Map(clients.map((c) => [c.id, c]));
    const who = (id: number): ConsentParty => ({ id, name: byId.get(id)?.name ?? '?' });
    return {
      answers: answers.map((d: ConsentDecision) => ({
        sender: who(d.senderId),
        recipient: who(d.recipientId),
        allow: d.allow,
        decidedAt: d.decidedAt,
      })),
      settings: clients
        .filter((c) => !c.revoked && c.consent !== 'ask')
        .map((c) => ({ id: c.id, name: c.name, consent: c.consent as 'allow' | 'deny' })),
    };
  }

  /** Records that `recipient` allows (or refuses) direct messages from `sender`. */
  async set(
    senderKey: string,
    recipientKey: string,
    allow: boolean,
  ): Promise<{ sender: ClientRecord; recipient: ClientRecord; decision: ConsentDecision }> {
    const [sender, recipient] = await this.#pair(senderKey, recipientKey);
    const decision = await this.#init.store.consent.set(sender.id, recipient.id, allow);
    await this.#init.changed?.();
    return { sender, recipient, decision };
  }

  /** Forgets what `recipient` answered about `sender`: it is asked again next time. */
  async forget(
    senderKey: string,
    recipientKey: string,
  ): Promise<{ sender: ClientRecord; recipient: ClientRecord; forgotten: boolean }> {
    const [sender, recipient] = await this.#pair(senderKey, recipientKey);
    const forgotten = await this.#init.store.consent.forget(sender.id, recipient.id);
    await this.#init.changed?.();
    return { sender, recipient, forgotten };
  }

  async #pair(senderKey: string, recipientKey: string): Promise<[ClientRecord, ClientRecord]> {
    const { store } = this.#init;
    const sender = await requireClient(store, senderKey);
    const recipient = await requireClient(store, recipientKey);
    if (sender.id === recipient.id) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'a client needs no consent to reach itself');
    }
    return [sender, recipient];
  }
}
