/**
 * Relay mode on the hub (issue 12, docs/PROTOCOL.md §13): the directory of end-to-end keys and the relay of sealed
 * messages the hub cannot read. Clients reach it with four BUS requests, taken by a bus tap before the agent bus
 * (never injected) and accepted by the policy stage from any client (a rule in front of the BUS authorizer);
 * each is answered `<type>.response` with the request's `context.request_id`, `{ok: true, …}` or
 * `{ok: false, code, error}`:
 *
 * | request | data | answer when ok |
 * |---|---|---|
 * | `hive.relay.keys.publish` | `{x25519, ed25519}` (base64, 32 bytes each) | `{status: "pinned" \| "same", fingerprint}` |
 * | `hive.relay.directory` | `{}` \| `{room}` \| `{client}` (id or name) \| `{ed25519}` | `{clients: [{client_id, name, room, online, x25519, ed25519, fingerprint}]}` |
 * | `hive.relay.send` | `{to: <client id or name>, envelope}` (base64) | `{id, delivered: true \| false, deposited?}` |
 * | `hive.relay.reply` | `{handle, envelope}` | `{id, delivered, deposited?}` |
 *
 * What the hub checks of an envelope is only what its cleartext header says (`src/protocol/sealed.ts`): its size
 * (`maxSealedBytes`), that it is addressed to the recipient's pinned X25519 key, its timestamp (`sealedMaxSkewMs`)
 * and that its id is new for that recipient (`sealedReplayCacheSize`). Delivery is BUS `hive.relay.deliver
 * {envelope, reply_handle?}` from the hub (`context {source: "hivelink", destination: <recipient peer>}`) on every
 * open connection of the recipient: no field of it names the sender, in either mode. An anonymous envelope gets a
 * one-time reply handle (`maxReplyHandles`, `replyHandleTtlMs`) that only the hub can map back to its sender. Every
 * relayed message is one row of the audit log (who to whom, mode, id, size, outcome; `maxRelayAuditRows`).
 *
 * Consent (§12.8): a signed message to an online client goes through the house's consent service exactly like a
 * relayed order — delivered, held (`HL_ERR_CONSENT_PENDING`, delivered on yes) or refused. An anonymous message never
 * asks (asking would name the sender): the recipient's `accept-anonymous` setting decides, and a recipient whose
 * consent setting is `deny` refuses it too.
 *
 * **The seam for the mailbox** (and later relay hops): {@link SealedRelay.deliver}`(recipientId, envelope,
 * {replyHandle?})` hands an envelope to the recipient's open connections and says `delivered` or `offline`; it is
 * what the relay itself calls once a message passed its checks. When the recipient is offline the relay calls the
 * handler set with {@link SealedRelay.setOffline} (the mailbox deposits it and says `deposited`, or `refused`); with
 * none the sender gets `HL_ERR_SEALED_OFFLINE`. A mailbox that hands out mail on connect may call `deliver` itself.
 *
 * Nothing here reads, logs or stores a byte of what a message says: logs and the audit log name clients, ids and
 * sizes only.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { e2eFingerprint } from '../../crypto/sealed.js';
import { type ErrorCode, HiveLinkError, isHiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import { base64Decode } from '../../protocol/hex.node.js';
import type { JsonObject } from '../../protocol/json.js';
import { createHiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import { parseSealedHeader, type SealedHeader, sameBytes } from '../../protocol/sealed.js';
import { roomKey } from '../../store/house.js';
import type { RelayKeys, RelayMode } from '../../store/relay.js';
import type { ClientRecord, ClientStore } from '../../store/types.js';
import { askerOf } from '../house/asker.js';
import { type ConsentService, consentRefusal } from '../house/consent.js';
import { siteRoom } from '../house/rooms.js';
import { openConnections } from '../house/speak.js';
import type { Hub, HubService } from '../hub.js';
import { ACCEPT } from '../policy/index.js';
import { HUB_SOURCE, hubBusMessage } from '../replies.js';
import type { HubPeer } from '../types.js';

/** The bus types of relay mode. */
export const RelayType = {
  PUBLISH: 'hive.relay.keys.publish',
  DIRECTORY: 'hive.relay.directory',
  SEND: 'hive.relay.send',
  REPLY: 'hive.relay.reply',
  /** hub → recipient */
  DELIVER: 'hive.relay.deliver',
} as const;

const REQUESTS: ReadonlySet<string> = new Set([
  RelayType.PUBLISH,
  RelayType.DIRECTORY,
  RelayType.SEND,
  RelayType.REPLY,
]);

/** What {@link SealedRelay.deliver} came to. */
export type Delivery = 'delivered' | 'offline';

/** The mailbox's side of the seam: take an envelope for an offline recipient. */
export type OfflineHandler = (recipientId: number, envelope: string) => Promise<'deposited' | 'refused'>;

export interface SealedRelayInit {
  hub: Pick<Hub, 'ctx' | 'policy' | 'logger'>;
  store: Pick<ClientStore, 'relay' | 'getClient' | 'listClients'>;
  limits: Pick<
    Limits,
    | 'maxSealedBytes'
    | 'sealedMaxSkewMs'
    | 'sealedReplayCacheSize'
    | 'maxReplyHandles'
    | 'replyHandleTtlMs'
    | 'maxRelayAuditRows'
  >;
  /** The house's consent service: signed messages pass it like a relayed order. */
  consent?: ConsentService;
  /** @default the hub's clock */
  now?: () => number;
}

interface ReplyHandle {
  readonly senderId: number;
  readonly recipientId: number;
  readonly expiresAt: number;
}

function refusal(code: ErrorCode, error: string): HiveLinkError {
  return new HiveLinkError(code, error);
}

function keyOf(b64: string): Uint8Array {
  return base64Decode('JSON-B64', b64);
}

/** The relay of one hub; see the module documentation. */
export class SealedRelay implements HubService {
  readonly #init: SealedRelayInit;
  readonly #now: () => number;
  readonly #logger: Logger;
  /** Per recipient client: message id → timestamp, oldest first. */
  readonly #seen = new Map<number, Map<string, number>>();
  /** Reply handles, oldest first. */
  readonly #handles = new Map<string, ReplyHandle>();
  #offline: OfflineHandler | null = null;
  /** Requests run one at a time, in arrival order: a replay check never races its twin. */
  #chain: Promise<void> = Promise.resolve();

  constructor(init: SealedRelayInit) {
    this.#init = init;
    this.#now = init.now ?? (() => init.hub.ctx.now());
    this.#logger = init.hub.logger;
    // The relay requests are the relay's, not the agent's: accepted from any client whatever its allowed types.
    init.hub.policy.wrapAuthorizer(
      HiveMessageType.BUS,
      (inner) => (peer, message) =>
        REQUESTS.has(String((message.payload as JsonObject).type)) ? ACCEPT : inner(peer, message),
    );
    init.hub.ctx.busTaps?.push((conn, payload) => this.tap(conn, payload));
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.#chain;
  }

  /** Sets who takes envelopes for offline recipients (the mailbox). */
  setOffline(handler: OfflineHandler | null): void {
    this.#offline = handler;
  }

  /** Reply handles held now (tests and metrics). */
  get replyHandles(): number {
    return this.#handles.size;
  }

  /** The bus tap: takes the relay requests. */
  tap(conn: HubPeer, payload: JsonObject): boolean {
    const type = String(payload.type);
    if (!REQUESTS.has(type)) return false;
    const data = (payload.data ?? {}) as JsonObject;
    const context = (payload.context ?? {}) as JsonObject;
    const run = this.#chain.then(() => this.#answer(conn, type, data, context.request_id ?? null));
    this.#chain = run.catch(() => undefined);
    return true;
  }

  /**
   * Hands `envelope` (base64) to every open connection of client `recipientId` as `hive.relay.deliver`; `offline`
   * when it has none. The mailbox's seam (see the module documentation).
   */
  deliver(recipientId: number, envelope: string, options: { replyHandle?: string } = {}): Delivery {
    let delivered = false;
    for (const conn of openConnections(this.#init.hub.ctx.peers, recipientId)) {
      if (conn.send(this.#deliverMessage(conn, envelope, options.replyHandle))) delivered = true;
    }
    return delivered ? 'delivered' : 'offline';
  }

  #deliverMessage(conn: HubPeer, envelope: string, replyHandle: string | undefined) {
    const data: JsonObject =
      replyHandle === undefined ? { envelope } : { envelope, reply_handle: replyHandle };
    return hubBusMessage(conn.peer, RelayType.DELIVER, data);
  }

  async #answer(conn: HubPeer, type: string, data: JsonObject, requestId: unknown): Promise<void> {
    let answer: JsonObject;
    try {
      answer = { ok: true, ...(await this.#handle(conn, type, data)) };
    } catch (err) {
      const e = isHiveLinkError(err) ? err : new HiveLinkError('HL_ERR_INTERNAL', 'the relay failed');
      if (!isHiveLinkError(err)) this.#logger.warn({ err, peer: conn.peer, type }, 'relay request failed');
      answer = { ok: false, code: e.code, error: e.message };
    }
    const context: JsonObject = { source: HUB_SOURCE, destination: conn.peer };
    if (typeof requestId === 'string') context.request_id = requestId;
    conn.send(
      createHiveMessage(
        HiveMessageType.BUS,
        { type: `${type}.response`, data: answer, context },
        { source_peer: conn.peer },
      ),
    );
  }

  #handle(conn: HubPeer, type: string, data: JsonObject): Promise<JsonObject> {
    switch (type) {
      case RelayType.PUBLISH:
        return this.#publish(conn, data);
      case RelayType.DIRECTORY:
        return this.#directory(data);
      case RelayType.SEND:
        return this.#send(conn, data);
      default:
        return this.#reply(conn, data);
    }
  }

  async #publish(conn: HubPeer, data: JsonObject): Promise<JsonObject> {
    const { x25519, ed25519 } = data;
    if (typeof x25519 !== 'string' || typeof ed25519 !== 'string') {
      throw refusal('HL_ERR_INVALID_ARGUMENT', 'x25519 and ed25519 must be base64 strings');
    }
    const pin = await this.#init.store.relay.pinKeys(conn.record.id, x25519, ed25519);
    const fingerprint = e2eFingerprint(keyOf(x25519), keyOf(ed25519));
    if (pin === 'mismatch' || pin === 'taken') {
      this.#logger.warn(
        { peer: conn.peer, fingerprint, pin },
        'end-to-end keys refused: not the pinned ones',
      );
      throw refusal(
        'HL_ERR_RELAY_KEY_MISMATCH',
        pin === 'taken'
          ? 'these end-to-end keys belong to another client'
          : `other end-to-end keys are pinned to this client; an admin resets them (hivelink clients reset-relay-keys ${conn.record.id})`,
      );
    }
    return { status: pin, fingerprint };
  }

  async #directory(data: JsonObject): Promise<JsonObject> {
    const { store } = this.#init;
    const online = new Map<number, HubPeer>();
    for (const conn of this.#init.hub.ctx.peers.values())
      if (conn.protocolVersion > 0) online.set(conn.record.id, conn);
    let keys: RelayKeys[];
    if (typeof data.ed25519 === 'string') {
      const found = await store.relay.findByEd25519(data.ed25519);
      keys = found === null ? [] : [found];
    } else keys = await store.relay.listKeys();
    const clients = new Map((await store.listClients()).map((c) => [c.id, c]));
    const wantRoom = typeof data.room === 'string' ? roomKey(data.room) : null;
    const wantClient = data.client === undefined || data.client === null ? null : String(data.client);
    const out: JsonObject[] = [];
    for (const k of keys) {
      const record = clients.get(k.clientId);
      if (record === undefined || record.revoked) continue;
      const room = siteRoom(online.get(record.id)?.siteId ?? record.siteId);
      if (wantRoom !== null && (room === null || roomKey(room) !== wantRoom)) continue;
      if (wantClient !== null && wantClient !== String(record.id) && wantClient !== record.name) continue;
      out.push({
        client_id: record.id,
        name: record.name,
        room,
        online: online.has(record.id),
        x25519: k.x25519,
        ed25519: k.ed25519,
        fingerprint: e2eFingerprint(keyOf(k.x25519), keyOf(k.ed25519)),
      });
    }
    return { clients: out };
  }

  /** The envelope of a request: base64, within `maxSealedBytes`, with a header that reads. */
  #envelope(data: JsonObject): { text: string; bytes: number; header: SealedHeader } {
    const text = data.envelope;
    if (typeof text !== 'string' || text.length === 0) {
      throw refusal('HL_ERR_SEALED_BAD_ENVELOPE', 'envelope: must be a base64 string');
    }
    const max = this.#init.limits.maxSealedBytes;
    if (text.length > Math.ceil(max / 3) * 4) {
      throw refusal('HL_ERR_SEALED_TOO_LARGE', `sealed envelopes are at most ${max} bytes`);
    }
    let bytes: Uint8Array;
    try {
      bytes = base64Decode('JSON-B64', text);
    } catch {
      throw refusal('HL_ERR_SEALED_BAD_ENVELOPE', 'envelope: not base64');
    }
    if (bytes.length > max)
      throw refusal('HL_ERR_SEALED_TOO_LARGE', `sealed envelopes are at most ${max} bytes`);
    return { text, bytes: bytes.length, header: parseSealedHeader(bytes) };
  }

  async #recipient(to: unknown): Promise<ClientRecord> {
    const { store } = this.#init;
    let record: ClientRecord | null = null;
    if (typeof to === 'number' && Number.isSafeInteger(to) && to > 0)
      record = await store.getClient(String(to));
    else if (typeof to === 'string' && to.trim() !== '') {
      record = /^\d+$/.test(to) ? await store.getClient(to) : null;
      record ??= (await store.listClients()).find((c) => !c.revoked && c.name === to) ?? null;
    }
    if (record === null || record.revoked) {
      throw refusal('HL_ERR_SEALED_UNKNOWN_RECIPIENT', `no client ${JSON.stringify(to ?? null)} to seal to`);
    }
    return record;
  }

  /** The timestamp window and the per-recipient replay cache; records the id once it passes. */
  #fresh(recipientId: number, header: SealedHeader): void {
    const now = this.#now();
    const skew = this.#init.limits.sealedMaxSkewMs;
    if (Math.abs(now - header.timestamp) > skew) {
      throw refusal(
        'HL_ERR_SEALED_STALE',
        `the envelope's timestamp is more than ${skew} ms from the hub's clock`,
      );
    }
    let seen = this.#seen.get(recipientId);
    if (seen === undefined) {
      seen = new Map();
      this.#seen.set(recipientId, seen);
    }
    for (const [id, at] of seen) {
      if (Math.abs(now - at) <= skew) break;
      seen.delete(id); // out of the window: the timestamp check refuses it now
    }
    if (seen.has(header.id)) throw refusal('HL_ERR_SEALED_REPLAY', 'this sealed message was relayed already');
  }

  #remember(recipientId: number, header: SealedHeader): void {
    const seen = this.#seen.get(recipientId)!;
    seen.set(header.id, header.timestamp);
    while (seen.size > this.#init.limits.sealedReplayCacheSize) seen.delete(seen.keys().next().value!);
  }

  async #send(conn: HubPeer, data: JsonObject): Promise<JsonObject> {
    const envelope = this.#envelope(data);
    const recipient = await this.#recipient(data.to);
    const mode: RelayMode = envelope.header.anonymous ? 'anonymous' : 'signed';
    return this.#audited(conn.record.id, recipient.id, mode, envelope, async () => {
      const keys = await this.#init.store.relay.keys(recipient.id);
      if (keys === null)
        throw refusal('HL_ERR_SEALED_NO_KEY', `${recipient.name} has published no end-to-end keys`);
      if (!sameBytes(envelope.header.recipientKey, keyOf(keys.x25519))) {
        throw refusal(
          'HL_ERR_SEALED_WRONG_RECIPIENT',
          `the envelope is not sealed to ${recipient.name}'s key`,
        );
      }
      this.#fresh(recipient.id, envelope.header);
      if (mode === 'anonymous') {
        if (recipient.consent === 'deny' || !(await this.#init.store.relay.acceptsAnonymous(recipient.id))) {
          throw refusal('HL_ERR_SEALED_ANONYMOUS_REFUSED', `${recipient.name} accepts no anonymous messages`);
        }
        this.#remember(recipient.id, envelope.header);
        const handle = this.#newHandle(conn.record.id, recipient.id);
        return this.#handOver(recipient.id, envelope, handle);
      }
      const consent = this.#init.consent;
      const conns = openConnections(this.#init.hub.ctx.peers, recipient.id);
      if (consent === undefined || conns.length === 0) {
        if (recipient.consent === 'deny' && recipient.id !== conn.record.id) {
          throw refusal(
            'HL_ERR_CONSENT_DENIED',
            `${recipient.name} does not accept direct messages from you`,
          );
        }
        this.#remember(recipient.id, envelope.header);
        return this.#handOver(recipient.id, envelope, undefined);
      }
      const gated = await consent.gate({
        asker: askerOf(conn),
        conns,
        kind: 'message',
        recipientLabel: recipient.name,
        later: (later) => {
          for (const c of later) c.send(this.#deliverMessage(c, envelope.text, undefined));
        },
      });
      const refused = consentRefusal(gated, recipient.name);
      this.#remember(recipient.id, envelope.header);
      for (const c of gated.now) c.send(this.#deliverMessage(c, envelope.text, undefined));
      if (refused !== null) throw refused; // HL_ERR_CONSENT_PENDING: held, delivered when the recipient says yes
      return { id: envelope.header.id, delivered: true };
    });
  }

  async #reply(conn: HubPeer, data: JsonObject): Promise<JsonObject> {
    const envelope = this.#envelope(data);
    const handle = typeof data.handle === 'string' ? this.#handles.get(data.handle) : undefined;
    if (handle === undefined || handle.recipientId !== conn.record.id || handle.expiresAt < this.#now()) {
      throw refusal('HL_ERR_SEALED_REPLY_HANDLE', 'this reply handle is unknown, expired or used');
    }
    this.#handles.delete(data.handle as string); // one reply per handle, whatever becomes of it
    return this.#audited(conn.record.id, handle.senderId, 'reply', envelope, async () => {
      this.#fresh(handle.senderId, envelope.header);
      this.#remember(handle.senderId, envelope.header);
      return this.#handOver(handle.senderId, envelope, undefined);
    });
  }

  /** Delivers now, else to the offline handler (the mailbox), else refuses `HL_ERR_SEALED_OFFLINE`. */
  async #handOver(
    recipientId: number,
    envelope: { text: string; header: SealedHeader },
    replyHandle: string | undefined,
  ): Promise<JsonObject> {
    const id = envelope.header.id;
    if (
      this.deliver(recipientId, envelope.text, replyHandle === undefined ? {} : { replyHandle }) ===
      'delivered'
    ) {
      return { id, delivered: true };
    }
    if (this.#offline !== null && (await this.#offline(recipientId, envelope.text)) === 'deposited') {
      return { id, delivered: false, deposited: true };
    }
    throw refusal('HL_ERR_SEALED_OFFLINE', 'the recipient is offline and no mailbox took the message');
  }

  #newHandle(senderId: number, recipientId: number): string {
    const handle = randomBytes(16).toString('base64url');
    const { maxReplyHandles, replyHandleTtlMs } = this.#init.limits;
    const now = this.#now();
    for (const [key, h] of this.#handles) {
      if (h.expiresAt >= now && this.#handles.size < maxReplyHandles) break;
      this.#handles.delete(key);
    }
    this.#handles.set(handle, { senderId, recipientId, expiresAt: now + replyHandleTtlMs });
    return handle;
  }

  /** Runs `work` and writes its outcome (or refusal code) to the audit log: who to whom, never what. */
  async #audited(
    senderId: number,
    recipientId: number,
    mode: RelayMode,
    envelope: { bytes: number; header: SealedHeader },
    work: () => Promise<JsonObject>,
  ): Promise<JsonObject> {
    let outcome = 'failed';
    try {
      const result = await work();
      outcome = result.deposited === true ? 'deposited' : 'delivered';
      return result;
    } catch (err) {
      outcome = isHiveLinkError(err) ? err.code : 'HL_ERR_INTERNAL';
      throw err;
    } finally {
      const entry = {
        senderId,
        recipientId,
        mode,
        messageId: envelope.header.id,
        bytes: envelope.bytes,
        outcome,
      };
      this.#logger.debug(entry, 'sealed message relayed');
      await this.#init.store.relay
        .audit(entry, this.#init.limits.maxRelayAuditRows)
        .catch((err: unknown) => this.#logger.warn({ err }, 'could not write the relay audit log'));
    }
  }
}
