/**
 * Consent ("is jarbas a friend?", docs/PROTOCOL.md §12.8, issue 11): a direct message from one client to another —
 * a relayed order or question from another room (`house.ts` tell/ask), an intercom line (`intercom-line.ts`) — needs
 * the recipient's consent the first time. The house asks this service before it delivers; the service decides per
 * recipient client, holds what must wait, asks the recipient, and settles the held messages when it answers.
 *
 * ```
 *  tell / ask / intercom ──gate()──▶ per recipient client: its setting, its room, its stored answer
 *     allow ──▶ delivered now                        deny ──▶ refused (sender: hive.house.consent.refused,
 *     ask   ──▶ held (bounded) + BUS speak "office wants to talk to you. Allow?" (expect_response) to the recipient
 *                 │ "yes"/"no" (voice skill or SDK: hive.house.consent) · hivelink consent allow|deny · clients set
 *                 │ --consent (store watch) · consentTimeoutMs
 *                 ▼
 *     yes: delivered, the sender hears it · no: dropped, the sender hears "refused", the recipient "tried to reach
 *     you" · timeout: dropped, the sender hears so — never lost silently
 * ```
 *
 * The rule: a recipient whose setting is `deny` refuses every direct message and `allow` takes every one; with `ask`
 * (the default) a sender in the recipient's own room needs no consent, another is asked about once and the answer is
 * remembered per (sender client, recipient client) in the store (`src/store/consent.ts`). Announcements are not
 * direct messages and never ask.
 *
 * @module
 */
import type { Logger } from 'pino';
import { type ErrorCode, HiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import { roomKey } from '../../store/house.js';
import type { ClientRecord, ClientStore } from '../../store/types.js';
import { type Timers, unrefTimers } from '../../timers.js';
import type { PeerRegistry } from '../peers.js';
import type { HubPeer } from '../types.js';
import type { Asker } from './asker.js';
import { siteRoom } from './rooms.js';
import { SingleFlight } from './single-flight.js';
import { isOpen, notifyOn, openConnections, speakOn } from './speak.js';

/** The bus request a recipient answers with: `{allow: boolean, sender?: client id | name}` (§12.8). */
export const CONSENT_TYPE = 'hive.house.consent';

/** BUS events of the consent service, sent to the connections concerned. */
export const ConsentEvent = {
  /** To the sender: the recipient allowed it; what was held was delivered. `{recipient, what}` */
  GRANTED: 'hive.house.consent.granted',
  /** To the sender (HiveMind's `connection.refused.warning`): `{recipient, what, code}`. */
  REFUSED: 'hive.house.consent.refused',
  /** To the recipient (HiveMind's `connection.attempt.warning`): `{sender, sender_id}`. */
  ATTEMPT: 'hive.house.consent.attempt',
} as const;

/** What a held message is, as the sender hears it ("your message was delivered"). */
export type DirectKind = 'message' | 'question' | 'intercom';

const WHAT: Readonly<Record<DirectKind, string>> = {
  message: 'your message',
  question: 'your question',
  intercom: 'the intercom',
};

/** How {@link ConsentService.gate} went for the recipients of one direct message. */
export interface Gated {
  /** Connections to deliver to now. */
  readonly now: HubPeer[];
  /** Names of the recipient clients that were asked (or are being asked) and hold the message. */
  readonly held: string[];
  /** Names of the recipient clients that refused. */
  readonly refused: string[];
  /** Names of the recipient clients whose held messages are at their bound. */
  readonly full: string[];
}

/** One direct message, as the house hands it to {@link ConsentService.gate}. */
export interface DirectMessage {
  readonly asker: Asker;
  /** The recipients' open connections. */
  readonly conns: readonly HubPeer[];
  readonly kind: DirectKind;
  /** How the sender hears the recipient ("the kitchen"). */
  readonly recipientLabel: string;
  /** Delivers the message to a recipient client's connections after it said yes (they are looked up again then). */
  readonly later: (conns: HubPeer[]) => void | Promise<void>;
  /** Called when a held message is dropped (refused, timed out, hub stopping). */
  readonly dropped?: (code: ErrorCode) => void;
}

interface Held {
  readonly senderConn: HubPeer;
  readonly kind: DirectKind;
  readonly recipientLabel: string;
  readonly later: DirectMessage['later'];
  readonly dropped: DirectMessage['dropped'];
}

/** The messages of one sender waiting for one recipient's answer. */
interface Pending {
  readonly senderId: number;
  readonly senderName: string;
  /** How the recipient hears the sender ("office"). */
  readonly label: string;
  readonly recipientId: number;
  readonly items: Held[];
  readonly timer: unknown;
}

export interface ConsentServiceInit {
  store: ClientStore;
  peers: PeerRegistry;
  limits: Pick<
    Limits,
    'consentTimeoutMs' | 'maxHeldMessages' | 'maxHeldMessagesPerClient' | 'policyRefreshMs'
  >;
  logger: Logger;
  /** @default the global timers, unref'd */
  timers?: Timers;
}

const pairKey = (senderId: number, recipientId: number) => `${senderId}:${recipientId}`;

/** True when both sites name the same room (folded as rooms are, §12.1). */
function sameRoom(a: string | null, b: string | null): boolean {
  const ra = siteRoom(a);
  const rb = siteRoom(b);
  return ra !== null && rb !== null && roomKey(ra) === roomKey(rb);
}

/** The consent service of one hub; see the module documentation. */
export class ConsentService {
  readonly #init: ConsentServiceInit;
  readonly #timers: Timers;
  /** Waiting pairs, oldest first (a Map keeps insertion order). */
  readonly #pending = new Map<string, Pending>();
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #rechecking = new SingleFlight(
    () => this.#applyRecheck(),
    (err) => this.#init.logger.warn({ err }, 'could not re-read the consent answers'),
    () => void this.recheck(),
  );
  #off: (() => void) | null = null;
  #running = false;

  constructor(init: ConsentServiceInit) {
    this.#init = init;
    this.#timers = init.timers ?? unrefTimers;
  }

  /** Follows the store: an answer from the admin CLI, or a changed setting, settles what waits for it. */
  start(): void {
    this.#running = true;
    this.#off = this.#init.store.watch(() => void this.recheck(), this.#init.limits.policyRefreshMs);
  }

  /** Drops what is held (the senders hear the hub is stopping) and stops following the store. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#off?.();
    this.#off = null;
    for (const pending of [...this.#pending.values()]) this.#settle(pending, 'shutdown');
    await this.#rechecking.running;
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  /** Messages held for consent, hub-wide. */
  get held(): number {
    let n = 0;
    for (const p of this.#pending.values()) n += p.items.length;
    return n;
  }

  /** Resolves once no delivery or re-read is in flight (tests wait on it instead of sleeping). */
  async settled(): Promise<void> {
    while (this.#inflight.size > 0 || this.#rechecking.running !== null) {
      await Promise.allSettled([...this.#inflight, this.#rechecking.running]);
    }
  }

  /**
   * Lets each recipient client of `m.conns` decide: its connections to deliver to now, and the clients that hold the
   * message (asked), refused it (the sender and recipient are warned) or had no room to hold it.
   */
  async gate(m: DirectMessage): Promise<Gated> {
    const sender = m.asker.peer;
    const out: Gated = { now: [], held: [], refused: [], full: [] };
    const byClient = new Map<number, HubPeer[]>();
    for (const conn of m.conns) {
      if (sender === null || conn.record.id === sender.record.id) out.now.push(conn);
      else byClient.set(conn.record.id, [...(byClient.get(conn.record.id) ?? []), conn]);
    }
    if (sender === null) return out;
    for (const conns of byClient.values()) {
      const recipient = conns[0]!.record;
      const decision = await this.#decide(sender, recipient, conns[0]!.siteId);
      if (decision === 'allow') out.now.push(...conns);
      else if (decision === 'deny') {
        out.refused.push(recipient.name);
        this.#warnRefused(
          sender,
          m.asker.label,
          recipient.id,
          m.recipientLabel,
          m.kind,
          'HL_ERR_CONSENT_DENIED',
        );
      } else if (this.#hold(m, recipient)) out.held.push(recipient.name);
      else out.full.push(recipient.name);
    }
    return out;
  }

  /** The rule of the module documentation, for one recipient client (whose connection is in `recipientSite`). */
  async #decide(
    sender: HubPeer,
    recipient: ClientRecord,
    recipientSite: string | null,
  ): Promise<'allow' | 'deny' | 'ask'> {
    if (recipient.consent === 'deny') return 'deny';
    if (recipient.consent === 'allow') return 'allow';
    if (sameRoom(sender.siteId, recipientSite)) return 'allow';
    const stored = await this.#init.store.consent.get(sender.record.id, recipient.id);
    if (stored === null) return 'ask';
    return stored.allow ? 'allow' : 'deny';
  }

  /** Holds `m` for `recipient` (asking it when nothing of this sender waits yet); false when at a bound. */
  #hold(m: DirectMessage, recipient: ClientRecord): boolean {
    const sender = m.asker.peer!;
    const { maxHeldMessages, maxHeldMessagesPerClient, consentTimeoutMs } = this.#init.limits;
    let forRecipient = 0;
    for (const p of this.#pending.values())
      if (p.recipientId === recipient.id) forRecipient += p.items.length;
    if (this.held >= maxHeldMessages || forRecipient >= maxHeldMessagesPerClient) return false;
    const item: Held = {
      senderConn: sender,
      kind: m.kind,
      recipientLabel: m.recipientLabel,
      later: m.later,
      dropped: m.dropped,
    };
    const key = pairKey(sender.record.id, recipient.id);
    const existing = this.#pending.get(key);
    if (existing !== undefined) {
      existing.items.push(item);
      return true;
    }
    const pending: Pending = {
      senderId: sender.record.id,
      senderName: sender.record.name,
      label: m.asker.label,
      recipientId: recipient.id,
      items: [item],
      timer: this.#timers.setTimeout(() => this.#settle(pending, 'timeout'), consentTimeoutMs),
    };
    this.#pending.set(key, pending);
    speakOn(
      openConnections(this.#init.peers, recipient.id),
      `${m.asker.label} wants to talk to you. Allow?`,
      'en-US',
      {
        data: { expect_response: true, consent: { sender: pending.senderName, sender_id: pending.senderId } },
      },
    );
    return true;
  }

  /**
   * The recipient `conn`'s client answers about `sender` (a client id, or a client name), or — with none — about the
   * sender that has waited longest for it. The answer is stored and settles what that sender holds.
   * @throws HiveLinkError `HL_ERR_CONSENT_NONE_PENDING`, `HL_ERR_NOT_FOUND` (no such sender),
   *   `HL_ERR_INVALID_ARGUMENT`
   */
  async answer(
    conn: HubPeer | null,
    sender: unknown,
    allow: unknown,
  ): Promise<{ sender: string; senderId: number; allow: boolean; released: number }> {
    if (conn === null) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'a consent answer needs a connected recipient');
    }
    if (typeof allow !== 'boolean')
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'allow: must be a boolean');
    const recipientId = conn.record.id;
    let senderId: number;
    let senderName: string;
    if (sender === null || sender === undefined || sender === '') {
      const oldest = [...this.#pending.values()].find((p) => p.recipientId === recipientId);
      if (oldest === undefined) {
        throw new HiveLinkError('HL_ERR_CONSENT_NONE_PENDING', 'nobody is waiting for your consent');
      }
      senderId = oldest.senderId;
      senderName = oldest.senderName;
    } else {
      if (typeof sender !== 'string' && typeof sender !== 'number') {
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'sender: must be a client id or name');
      }
      const record = await this.#findClient(sender);
      senderId = record.id;
      senderName = record.name;
    }
    await this.#init.store.consent.set(senderId, recipientId, allow);
    const pending = this.#pending.get(pairKey(senderId, recipientId));
    const released = pending?.items.length ?? 0;
    if (pending !== undefined) this.#settle(pending, allow ? 'allow' : 'deny');
    return { sender: senderName, senderId, allow, released };
  }

  async #findClient(spec: string | number): Promise<ClientRecord> {
    const text = String(spec).trim();
    const byId = /^\d+$/.test(text) ? await this.#init.store.getClient(Number(text)) : null;
    const record =
      byId ?? (await this.#init.store.listClients()).find((c) => !c.revoked && c.name === text) ?? null;
    if (record === null) throw new HiveLinkError('HL_ERR_NOT_FOUND', `no client called "${text}"`);
    return record;
  }

  /** Re-reads the settings and answers of what waits (the admin CLI changed the store). */
  recheck(): Promise<void> {
    if (!this.#running || this.#pending.size === 0) return Promise.resolve();
    return this.#rechecking.run();
  }

  async #applyRecheck(): Promise<void> {
    const { store } = this.#init;
    for (const pending of [...this.#pending.values()]) {
      const recipient = await store.getClient(pending.recipientId);
      let outcome: 'allow' | 'deny' | null;
      if (recipient === null || recipient.revoked || recipient.consent === 'deny') outcome = 'deny';
      else if (recipient.consent === 'allow') outcome = 'allow';
      else {
        const stored = await store.consent.get(pending.senderId, pending.recipientId);
        outcome = stored === null ? null : stored.allow ? 'allow' : 'deny';
      }
      if (outcome !== null && this.#pending.get(pairKey(pending.senderId, pending.recipientId)) === pending) {
        this.#settle(pending, outcome);
      }
    }
  }

  /** Ends a wait: delivers or drops what it holds, and tells the sender (and, on a refusal, the recipient). */
  #settle(pending: Pending, outcome: 'allow' | 'deny' | 'timeout' | 'shutdown'): void {
    const key = pairKey(pending.senderId, pending.recipientId);
    if (this.#pending.get(key) !== pending) return;
    this.#pending.delete(key);
    this.#timers.clearTimeout(pending.timer);
    const { peers, logger } = this.#init;
    if (outcome === 'allow') {
      for (const item of pending.items) this.#track(this.#deliver(pending, item));
      return;
    }
    const code: ErrorCode =
      outcome === 'deny'
        ? 'HL_ERR_CONSENT_DENIED'
        : outcome === 'timeout'
          ? 'HL_ERR_CONSENT_TIMEOUT'
          : 'HL_ERR_HUB_UNAVAILABLE';
    logger.info(
      { sender: pending.senderId, recipient: pending.recipientId, dropped: pending.items.length, code },
      'held direct messages dropped',
    );
    for (const item of pending.items) {
      item.dropped?.(code);
      if (!isOpen(peers, item.senderConn)) continue;
      const what = WHAT[item.kind];
      const line =
        outcome === 'deny'
          ? `${capital(item.recipientLabel)} refused ${what}.`
          : outcome === 'timeout'
            ? `${capital(item.recipientLabel)} did not answer, so ${what} was not delivered.`
            : `The hub is stopping, so ${what} to ${item.recipientLabel} was not delivered.`;
      speakOn([item.senderConn], line);
      notifyOn([item.senderConn], ConsentEvent.REFUSED, {
        recipient: item.recipientLabel,
        what: item.kind,
        code,
      });
    }
    if (outcome === 'deny') this.#warnAttempt(pending.recipientId, pending.label, pending.senderId);
  }

  async #deliver(pending: Pending, item: Held): Promise<void> {
    const { peers } = this.#init;
    await item.later(openConnections(peers, pending.recipientId));
    if (!isOpen(peers, item.senderConn)) return;
    speakOn(
      [item.senderConn],
      `${capital(item.recipientLabel)} accepted. ${capital(WHAT[item.kind])} went through.`,
    );
    notifyOn([item.senderConn], ConsentEvent.GRANTED, { recipient: item.recipientLabel, what: item.kind });
  }

  /** A refusal decided already (setting or stored answer): the sender gets the event, the recipient the warning. */
  #warnRefused(
    sender: HubPeer,
    label: string,
    recipientId: number,
    recipientLabel: string,
    kind: DirectKind,
    code: ErrorCode,
  ): void {
    notifyOn([sender], ConsentEvent.REFUSED, { recipient: recipientLabel, what: kind, code });
    this.#warnAttempt(recipientId, label, sender.record.id);
  }

  #warnAttempt(recipientId: number, label: string, senderId: number): void {
    const conns = openConnections(this.#init.peers, recipientId);
    speakOn(conns, `${label} tried to reach you.`);
    notifyOn(conns, ConsentEvent.ATTEMPT, { sender: label, sender_id: senderId });
  }

  #track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) => this.#init.logger.warn({ err }, 'held message not delivered'));
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The refusal for a direct message none of whose recipients takes it now, or null when some do: held →
 * `HL_ERR_CONSENT_PENDING`, else no room to hold → `HL_ERR_CONSENT_HELD_FULL`, else `HL_ERR_CONSENT_DENIED`.
 */
export function consentRefusal(gated: Gated, recipientLabel: string): HiveLinkError | null {
  if (gated.now.length > 0) return null;
  if (gated.held.length > 0) {
    return new HiveLinkError(
      'HL_ERR_CONSENT_PENDING',
      `${recipientLabel} was asked to allow it first; it waits for the answer`,
    );
  }
  if (gated.full.length > 0) {
    return new HiveLinkError(
      'HL_ERR_CONSENT_HELD_FULL',
      `too many messages wait for consent already (maxHeldMessages, maxHeldMessagesPerClient)`,
    );
  }
  return new HiveLinkError(
    'HL_ERR_CONSENT_DENIED',
    `${recipientLabel} does not accept direct messages from you`,
  );
}
