/**
 * The hub's mailbox (RENDEZVOUS, docs/PROTOCOL.md §5.5): mail for a client that is offline — a HiveMind INTERCOM
 * (deposited with RENDEZVOUS `deposit`, or an INTERCOM whose recipient is not connected) or a hivelink sealed
 * message ({@link HubMailbox.deposit}, the relay's `offline` path) — kept in the store (`store.mailbox`) until the
 * recipient acknowledges it (`ack`) or it expires (`mailboxExpiryMs`). Delivery is at-least-once: a client gets its
 * pending mail as an unasked `collect` answer when its connection opens (and as soon as mail arrives while it is
 * connected), again on every `collect`, until it acknowledges it; it de-duplicates by `deposit_id`.
 *
 * The mailbox a request reads is always the connection's own client record: a request cannot name another.
 * Mail is ciphertext only, and never logged.
 *
 * @module
 */
import type { Logger } from 'pino';
import { type HiveLinkError, isHiveLinkError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { JsonObject, JsonValue } from '../protocol/json.js';
import {
  createHiveMessage,
  type HiveMessage,
  parseHiveMessage,
  serializeHiveMessage,
} from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { MAX_ACK_IDS, type MailboxStore, type MailItem, type MailKind } from '../store/mailbox.js';
import type { ClientStore } from '../store/types.js';
import type { PeerRegistry } from './peers.js';
import { checkIntercom, readIntercomKey } from './policy/intercom.js';
import type { HubPeer } from './types.js';

/** How often expired mail is purged from the store (it is never handed out once expired in any case). */
export const MAILBOX_PURGE_INTERVAL_MS = 3_600_000;

export interface HubMailboxInit {
  readonly store: Pick<ClientStore, 'mailbox' | 'getClient' | 'getClientByAccessKey' | 'listClients'>;
  readonly peers: PeerRegistry;
  readonly limits: Pick<
    Limits,
    'mailboxMaxMessages' | 'mailboxMaxBytes' | 'mailboxExpiryMs' | 'maxFrameBytes'
  >;
  readonly logger: Logger;
  /** The hub's node id (its RSA public key PEM): every answer's `mailbox_node`. */
  readonly nodeId: string;
  readonly onPeersChanged: (listener: (conn: HubPeer) => void) => () => void;
  /** The hub's clock in ms: deposits, expiry and the purge. */
  readonly now: () => number;
}

/** A RENDEZVOUS refusal's `reason`. */
export type RendezvousReason =
  | 'missing_fields'
  | 'payload_must_be_intercom'
  | 'malformed_intercom'
  | 'unknown_recipient'
  | 'mailbox_full'
  | 'unknown_cmd'
  | 'too_many_ids'
  | 'store_unavailable';

/** What a deposit came to. */
export type DepositOutcome =
  | { readonly ok: true; readonly item: MailItem }
  | { readonly ok: false; readonly reason: RendezvousReason; readonly error?: HiveLinkError };

export class HubMailbox {
  readonly #o: HubMailboxInit;
  readonly #store: MailboxStore;
  /** Connections already handed their pending mail on opening. */
  readonly #served = new WeakSet<HubPeer>();
  #unlisten: (() => void) | null = null;
  #purgeTimer: ReturnType<typeof setInterval> | null = null;

  constructor(init: HubMailboxInit) {
    this.#o = init;
    this.#store = init.store.mailbox;
  }

  async start(): Promise<void> {
    this.#unlisten = this.#o.onPeersChanged((conn) => this.#peerChanged(conn));
    await this.purge();
    this.#purgeTimer = setInterval(() => void this.purge(), MAILBOX_PURGE_INTERVAL_MS);
    this.#purgeTimer.unref?.();
  }

  async stop(): Promise<void> {
    this.#unlisten?.();
    this.#unlisten = null;
    if (this.#purgeTimer !== null) clearInterval(this.#purgeTimer);
    this.#purgeTimer = null;
  }

  /** Removes expired mail; returns how many. */
  async purge(): Promise<number> {
    try {
      const n = await this.#store.purgeExpired(this.#o.now());
      if (n > 0) this.#o.logger.debug({ purged: n }, 'expired mail purged');
      return n;
    } catch (err) {
      this.#o.logger.warn({ err }, 'could not purge expired mail');
      return 0;
    }
  }

  /**
   * Deposits `body` (ciphertext: an INTERCOM message's JSON, or a sealed envelope) for client `recipientId`, within
   * its bounds, and hands it to the recipient at once when it is connected.
   */
  async deposit(recipientId: number, kind: MailKind, body: string): Promise<DepositOutcome> {
    const limits = this.#o.limits;
    try {
      const item = await this.#store.deposit(
        { recipientId, kind, body },
        {
          maxMessages: limits.mailboxMaxMessages,
          maxBytes: limits.mailboxMaxBytes,
          expiryMs: limits.mailboxExpiryMs,
        },
        this.#o.now(),
      );
      for (const conn of this.#connectionsOf(recipientId)) this.#sendMail(conn, [item], false);
      return { ok: true, item };
    } catch (err) {
      if (isHiveLinkError(err, 'HL_ERR_MAILBOX_FULL'))
        return { ok: false, reason: 'mailbox_full', error: err };
      if (isHiveLinkError(err, 'HL_ERR_NOT_FOUND')) return { ok: false, reason: 'unknown_recipient' };
      this.#o.logger.warn({ err }, 'could not deposit mail');
      return { ok: false, reason: 'store_unavailable' };
    }
  }

  /**
   * An INTERCOM the policy stage accepted whose recipient is not connected: deposited for the client its
   * `target_pubkey` is pinned to. False when no client holds that key (the caller answers `no_route`).
   */
  async depositIntercom(conn: HubPeer, message: HiveMessage): Promise<boolean> {
    const key = readIntercomKey(message.target_pubkey ?? '');
    const recipientId =
      key === null ? null : await this.#store.recipientOfIntercomKey(key.id).catch(() => null);
    if (recipientId === null || recipientId === conn.record.id) return false;
    const outcome = await this.deposit(recipientId, 'intercom', serializeHiveMessage(message));
    if (!outcome.ok && outcome.reason === 'unknown_recipient') return false;
    this.#reply(conn, 'deposit', outcome.ok ? depositAnswer(outcome.item) : refusal(outcome.reason), null);
    return true;
  }

  /** A RENDEZVOUS request from an open connection: `deposit`, `collect`, `ack` or `lookup`. */
  async handle(conn: HubPeer, message: HiveMessage): Promise<void> {
    const p = (message.payload ?? {}) as JsonObject;
    const requestId = typeof p.request_id === 'string' ? p.request_id : null;
    const cmd = p.cmd;
    switch (cmd) {
      case 'deposit':
        this.#reply(conn, cmd, await this.#depositRequest(conn, p), requestId);
        return;
      case 'collect': {
        const items = await this.#store.pending(conn.record.id, this.#o.now()).catch(() => null);
        if (items === null) this.#reply(conn, cmd, refusal('store_unavailable'), requestId);
        else this.#sendMail(conn, items, true, requestId);
        return;
      }
      case 'ack': {
        const ids = p.deposit_ids;
        if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
          this.#reply(conn, cmd, refusal('missing_fields'), requestId);
          return;
        }
        if (ids.length > MAX_ACK_IDS) {
          this.#reply(conn, cmd, refusal('too_many_ids'), requestId);
          return;
        }
        const removed = await this.#store.ack(conn.record.id, ids as string[]).catch(() => null);
        this.#reply(
          conn,
          cmd,
          removed === null ? refusal('store_unavailable') : { status: 'ok', removed },
          requestId,
        );
        return;
      }
      case 'lookup':
        this.#reply(conn, cmd, await this.#lookup(p), requestId);
        return;
      default:
        this.#reply(conn, typeof cmd === 'string' ? cmd : null, refusal('unknown_cmd'), requestId);
    }
  }

  async #depositRequest(conn: HubPeer, p: JsonObject): Promise<JsonObject> {
    const target = p.target_pubkey ?? p.target_key;
    const raw = p.payload;
    if (typeof target !== 'string' || target.length === 0 || raw === undefined || raw === null) {
      return refusal('missing_fields');
    }
    let inner: HiveMessage;
    try {
      inner = parseHiveMessage(typeof raw === 'string' ? raw : raw);
    } catch {
      return refusal('payload_must_be_intercom');
    }
    if (inner.msg_type !== HiveMessageType.INTERCOM) return refusal('payload_must_be_intercom');
    const recipientId = await this.#recipientOf(target);
    if (recipientId === null) return refusal('unknown_recipient');
    // The hub cannot read it, but refuses what cannot be a valid INTERCOM (plaintext above all), as when relaying.
    const problem = checkIntercom(inner.target_pubkey ?? target, inner.payload, conn.pubkey);
    if (problem !== null) return refusal('malformed_intercom');
    const outcome = await this.deposit(recipientId, 'intercom', serializeHiveMessage(inner));
    return outcome.ok ? depositAnswer(outcome.item) : refusal(outcome.reason);
  }

  /** A deposit's recipient: the client an RSA key is pinned to, or the client of an access key. */
  async #recipientOf(target: string): Promise<number | null> {
    const key = readIntercomKey(target);
    if (key !== null) return this.#store.recipientOfIntercomKey(key.id).catch(() => null);
    const client = await this.#o.store.getClientByAccessKey(target).catch(() => null);
    return client?.id ?? null;
  }

  /** hivelink's directory of INTERCOM keys: `{name}` → its pinned key, `{pubkey}` → the name it is pinned to. */
  async #lookup(p: JsonObject): Promise<JsonObject> {
    try {
      if (typeof p.name === 'string' && p.name.length > 0) {
        const clients = await this.#o.store.listClients();
        const client = clients.find((c) => c.name === p.name && !c.revoked && c.intercomPubkey !== null);
        return {
          status: 'ok',
          name: p.name,
          pubkey: client === undefined ? null : spkiPem(client.intercomPubkey!),
        };
      }
      if (typeof p.pubkey === 'string') {
        const key = readIntercomKey(p.pubkey);
        const id = key === null ? null : await this.#store.recipientOfIntercomKey(key.id);
        const client = id === null ? null : await this.#o.store.getClient(id);
        return { status: 'ok', pubkey: p.pubkey, name: client?.name ?? null };
      }
    } catch {
      return refusal('store_unavailable');
    }
    return refusal('missing_fields');
  }

  #peerChanged(conn: HubPeer): void {
    if (this.#served.has(conn) || this.#o.peers.get(conn.peer) !== conn) return;
    this.#served.add(conn);
    this.#store.pending(conn.record.id, this.#o.now()).then(
      (items) => {
        if (items.length > 0) this.#sendMail(conn, items, false);
      },
      (err: unknown) => this.#o.logger.warn({ err, peer: conn.peer }, 'could not read the mailbox'),
    );
  }

  #connectionsOf(clientId: number): HubPeer[] {
    return [...this.#o.peers.values()].filter((c) => c.record.id === clientId);
  }

  /**
   * Sends mail as `collect` answers: as many entries per frame as fit in half a frame; with `oneFrame` (an asked
   * `collect`) only the first frame, and `more: true` when mail was left out (the client collects again after its
   * ack).
   */
  #sendMail(
    conn: HubPeer,
    items: readonly MailItem[],
    oneFrame: boolean,
    requestId: string | null = null,
  ): void {
    const budget = Math.floor(this.#o.limits.maxFrameBytes / 2);
    let batch: JsonObject[] = [];
    let bytes = 0;
    const flush = (more: boolean) => {
      this.#reply(conn, 'collect', { status: 'ok', messages: batch, more }, requestId);
      batch = [];
      bytes = 0;
    };
    for (let i = 0; i < items.length; i++) {
      const entry = mailEntry(items[i]!);
      const size = entry.payload.length + 200;
      if (batch.length > 0 && bytes + size > budget) {
        if (oneFrame) {
          flush(true);
          return;
        }
        flush(false);
      }
      batch.push(entry);
      bytes += size;
    }
    if (batch.length > 0 || oneFrame) flush(false);
  }

  #reply(conn: HubPeer, cmd: string | null, answer: JsonObject, requestId: string | null): void {
    const payload: JsonObject = { ...answer, cmd, mailbox_node: this.#o.nodeId };
    if (requestId !== null) payload.request_id = requestId;
    conn.send(createHiveMessage(HiveMessageType.RENDEZVOUS, payload, { source_peer: conn.peer }));
  }
}

function refusal(reason: RendezvousReason): JsonObject {
  return { status: 'error', reason };
}

function depositAnswer(item: MailItem): JsonObject {
  return { status: 'ok', deposit_id: item.depositId, expires_at: item.expiresAt / 1000 };
}

function mailEntry(item: MailItem): JsonObject & { payload: string } {
  return {
    deposit_id: item.depositId,
    kind: item.kind,
    payload: item.body,
    deposited_at: item.depositedAt / 1000,
    expires_at: item.expiresAt / 1000,
  } satisfies Record<string, JsonValue>;
}

/** The `PUBLIC KEY` PEM of a pinned key id (base64 SPKI DER). */
function spkiPem(id: string): string {
  return `-----BEGIN PUBLIC KEY-----\n${(id.match(/.{1,64}/g) ?? []).join('\n')}\n-----END PUBLIC KEY-----\n`;
}
