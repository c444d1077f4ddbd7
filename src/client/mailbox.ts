/**
 * The hub's mailbox as the SDK reads it (RENDEZVOUS, docs/PROTOCOL.md §5.5). The hub hands a client its waiting mail
 * — sealed messages (§13) and HiveMind INTERCOMs that came while it was offline — as `collect` answers: unasked when
 * a connection opens or mail arrives, and on every asked `collect`, again and again until the client acknowledges
 * each entry with `ack`. {@link MailboxReceiver} takes every such answer, one at a time in arrival order: an entry is
 * handed to the handler of its kind (the sealed or the INTERCOM side of the client), and the ones a handler took
 * are acknowledged, awaiting the hub's answer. Delivery is at-least-once, so entries are de-duplicated by
 * `deposit_id` (the last {@link MAX_SEEN_DEPOSITS}): one handed out twice is acknowledged again but handled once.
 * An entry of a kind nobody handles (no listener yet) is neither handled nor acknowledged: it stays in the mailbox
 * for a later `collect`. Browser-safe.
 *
 * @module
 */
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import type { JsonObject } from '../protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import type { ClientTimers } from './types.js';

/** One entry of a `collect` answer. */
export interface MailEntry {
  readonly depositId: string;
  /** `sealed` (a base64 sealed envelope) or `intercom` (an INTERCOM HiveMessage as JSON text). */
  readonly kind: string;
  readonly payload: string;
  /** When the hub took it, ms since the epoch (its clock). */
  readonly depositedAt: number;
  readonly expiresAt: number;
}

/**
 * Takes one entry: resolves true when the entry was dealt with (handed to a listener, or refused as unreadable,
 * which a later try cannot change), false when nobody could take it now.
 */
export type MailHandler = (entry: MailEntry) => Promise<boolean>;

/** What the receiver needs of a {@link HiveClient}. */
export interface MailboxHost {
  on(msgType: string, handler: (message: HiveMessage) => void): () => void;
  emit(message: HiveMessage): void;
}

export interface MailboxReceiverInit {
  readonly host: MailboxHost;
  readonly timers: ClientTimers;
  /** Handlers by entry kind. */
  readonly handlers: Readonly<Record<string, MailHandler>>;
}

/** What one `collect` answer came to. */
export interface CollectResult {
  /** Entries handled now (not seen before). */
  readonly taken: number;
  /** The hub left entries out of this answer (a further `collect` gets them). */
  readonly more: boolean;
}

/** The hub's refusal of a RENDEZVOUS request, as the error it names. */
function refusalOf(cmd: unknown, reason: unknown): HiveLinkError {
  const why = typeof reason === 'string' ? reason : 'unknown';
  return new HiveLinkError(
    why === 'mailbox_full' ? 'HL_ERR_MAILBOX_FULL' : 'HL_ERR_MAILBOX_REFUSED',
    `the hub refused RENDEZVOUS ${String(cmd)}: ${why}`,
  );
}

function entryOf(raw: unknown): MailEntry | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const e = raw as Record<string, unknown>;
  if (typeof e.deposit_id !== 'string' || typeof e.payload !== 'string' || typeof e.kind !== 'string') {
    return null;
  }
  return {
    depositId: e.deposit_id,
    kind: e.kind,
    payload: e.payload,
    depositedAt: Number(e.deposited_at) * 1000,
    expiresAt: Number(e.expires_at) * 1000,
  };
}

/** Deposit ids a client remembers as handled. */
export const MAX_SEEN_DEPOSITS = 1024;
/** How long the SDK waits for the hub's answer to a RENDEZVOUS request. */
export const MAILBOX_REQUEST_TIMEOUT_MS = 5000;
/** The most ids one `ack` may name (the hub refuses more: `too_many_ids`). */
export const MAX_ACK_BATCH = 512;

let requests = 0;

/** The mailbox side of one {@link HiveClient}; see the module documentation. */
export class MailboxReceiver {
  readonly #init: MailboxReceiverInit;
  readonly #seen = new Set<string>();
  #chain: Promise<unknown> = Promise.resolve();
  /** The processing of asked `collect` answers, by request id. */
  readonly #runs = new Map<string, Promise<number>>();

  constructor(init: MailboxReceiverInit) {
    this.#init = init;
    init.host.on(HiveMessageType.RENDEZVOUS, (m) => this.#onAnswer(m.payload as JsonObject));
  }

  /**
   * Sends RENDEZVOUS `payload` with a `request_id` and resolves with the answer's payload when it says `ok`.
   * @throws HiveLinkError `HL_ERR_MAILBOX_REFUSED` (the reason in its message), `HL_ERR_MAILBOX_FULL`,
   *   `HL_ERR_ASK_TIMEOUT` (no answer in time), what sending throws (`HL_ERR_NOT_CONNECTED`, …)
   */
  request(payload: JsonObject, requestId = `hl-rdv-${++requests}`): Promise<JsonObject> {
    const { host, timers } = this.#init;
    return new Promise<JsonObject>((resolve, reject) => {
      const finish = (error: HiveLinkError | null, answer?: JsonObject) => {
        off();
        timers.clearTimeout(timer);
        if (error === null) resolve(answer!);
        else reject(error);
      };
      const off = host.on(HiveMessageType.RENDEZVOUS, (m) => {
        const p = m.payload as JsonObject;
        if (p.request_id !== requestId) return;
        finish(p.status === 'ok' ? null : refusalOf(payload.cmd, p.reason), p);
      });
      const timer = timers.setTimeout(
        () =>
          finish(
            new HiveLinkError(
              'HL_ERR_ASK_TIMEOUT',
              `no answer to RENDEZVOUS ${String(payload.cmd)} within ${MAILBOX_REQUEST_TIMEOUT_MS} ms`,
            ),
          ),
        MAILBOX_REQUEST_TIMEOUT_MS,
      );
      try {
        host.emit(createHiveMessage(HiveMessageType.RENDEZVOUS, { ...payload, request_id: requestId }));
      } catch (err) {
        finish(isHiveLinkError(err) ? err : new HiveLinkError('HL_ERR_INTERNAL', String(err)));
      }
    });
  }

  /**
   * Asks the hub for the waiting mail (`collect`, again while it says `more`), hands each new entry to its handler
   * and acknowledges what was taken; resolves with how many entries were handled now.
   * @throws HiveLinkError as {@link request}
   */
  async collect(): Promise<number> {
    let taken = 0;
    for (;;) {
      const requestId = `hl-rdv-${++requests}`;
      try {
        const answer = await this.request({ cmd: 'collect' }, requestId);
        taken += (await this.#runs.get(requestId)) ?? 0;
        if (answer.more !== true) return taken;
      } finally {
        this.#runs.delete(requestId);
      }
    }
  }

  /** Resolves once every `collect` answer received so far is handled and acknowledged. */
  async settled(): Promise<void> {
    await this.#chain;
  }

  #onAnswer(p: JsonObject): void {
    if (p.cmd !== 'collect' || p.status !== 'ok' || !Array.isArray(p.messages)) return;
    const entries = p.messages.map(entryOf).filter((e): e is MailEntry => e !== null);
    const run = this.#chain.then(() => this.#take(entries));
    this.#chain = run.catch(() => undefined);
    if (typeof p.request_id === 'string') {
      this.#runs.set(p.request_id, run);
      run.catch(() => undefined); // the collect() that asked rethrows it
    }
  }

  /** Hands the entries over one at a time, then acknowledges what was taken; resolves with how many were new. */
  async #take(entries: readonly MailEntry[]): Promise<number> {
    const ack: string[] = [];
    let taken = 0;
    for (const entry of entries) {
      if (this.#seen.has(entry.depositId)) {
        ack.push(entry.depositId); // handed out again: its earlier ack was lost
        continue;
      }
      const handler = this.#init.handlers[entry.kind];
      if (handler === undefined || !(await handler(entry))) continue;
      taken += 1;
      this.#seen.add(entry.depositId);
      if (this.#seen.size > MAX_SEEN_DEPOSITS) this.#seen.delete(this.#seen.values().next().value!);
      ack.push(entry.depositId);
    }
    for (let i = 0; i < ack.length; i += MAX_ACK_BATCH) {
      await this.request({ cmd: 'ack', deposit_ids: ack.slice(i, i + MAX_ACK_BATCH) });
    }
    return taken;
  }
}
