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
 * | `hive.relay.directory` | `{}` \| `{room}` \| `{client}` (id, name or `name@hub`) \| `{ed25519}` | `{clients: [{client_id, name, room, online, x25519, ed25519, fingerprint}]}` (another hub's: `hub, hub_node, address, route`, no `client_id`) |
 * | `hive.relay.send` | `{to: <client id, name or address>, route?, envelope}` (base64) | `{id, delivered: true \| false, deposited?}` |
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
 * **Relay hops** (`hops.ts`): a client named `name@hub` (another hub), or a signing key not known here, is looked
 * for across the mesh; a send with a `route` goes on to the next hub, and what arrives from one is checked here as a
 * local send would be, the neighbour hub as its sender.
 *
 * **The seam for the mailbox**: {@link SealedRelay.deliver}`(recipientId, envelope,
 * {replyHandle?})` hands an envelope to the recipient's open connections and says `delivered` or `offline`; it is
 * what the relay itself calls once a message passed its checks. When the recipient is offline the relay calls the
 * handler set with {@link SealedRelay.setOffline} (the mailbox deposits it — with an anonymous message's reply handle,
 * which then lives as long as the mail — and says `deposited`, or `refused`); with
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
import {
  clientKey,
  HOP_TYPES,
  type HopEnvelope,
  type HopHost,
  type HopQuery,
  type LocalEntry,
  type Neighbour,
  RelayHops,
  splitAddress,
} from './hops.js';

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

/**
 * The mailbox's side of the seam: take the mail body of an envelope for an offline recipient — the envelope's base64,
 * then for an anonymous message one space and its reply handle (docs/PROTOCOL.md §13, mail that waited).
 */
export type OfflineHandler = (recipientId: number, body: string) => Promise<'deposited' | 'refused'>;

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
    | 'relayHopTimeoutMs'
    | 'maxRelayRoutes'
    | 'mailboxExpiryMs'
    | 'maxMeshHops'
  >;
  /** The house's consent service: signed messages pass it like a relayed order. */
  consent?: ConsentService;
  /** @default the hub's clock */
  now?: () => number;
}

interface ReplyHandle {
  /** The sender here, or the audit id of the neighbour hub the message came from ({@link via}). */
  readonly senderId: number;
  readonly recipientId: number;
  expiresAt: number;
  /** A message that came over the mesh: its reply goes back to that hub, with its back token. */
  readonly via?: { readonly via: Neighbour; readonly token: string };
}

function refusal(code: ErrorCode, error: string): HiveLinkError {
  return new HiveLinkError(code, error);
}

function keyOf(b64: string): Uint8Array {
  return base64Decode('JSON-B64', b64);
}

/** An envelope the relay read: its text, size and header. */
type ParsedEnvelope = HopEnvelope & { readonly header: SealedHeader };

/** A local directory entry as a client reads it. */
function localEntryJson(e: LocalEntry): JsonObject {
  return {
    client_id: e.clientId,
    name: e.name,
    room: e.room,
    online: e.online,
    x25519: e.x25519,
    ed25519: e.ed25519,
    fingerprint: e.fingerprint,
  };
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
  /** Local requests run one at a time, in arrival order: a replay check never races its twin. */
  #chain: Promise<void> = Promise.resolve();
  /** Requests that wait on another hub (never on the chain: a hop must not hold up local work). */
  readonly #inflight = new Set<Promise<void>>();
  /** Relay hops: sealed messages to and from clients of other hubs of the mesh. */
  readonly hops: RelayHops;

  constructor(init: SealedRelayInit) {
    this.#init = init;
    this.#now = init.now ?? (() => init.hub.ctx.now());
    this.#logger = init.hub.logger;
    // The relay requests are the relay's, not the agent's: accepted from any client whatever its allowed types.
    init.hub.policy.wrapAuthorizer(HiveMessageType.BUS, (inner) => (peer, message) => {
      const type = String((message.payload as JsonObject).type);
      return REQUESTS.has(type) || HOP_TYPES.has(type) ? ACCEPT : inner(peer, message);
    });
    init.hub.ctx.busTaps?.push((conn, payload) => this.tap(conn, payload));
    this.hops = new RelayHops({
      ctx: init.hub.ctx,
      limits: init.limits,
      logger: this.#logger,
      host: this.#hopHost(),
      now: this.#now,
    });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.hops.stop();
    await Promise.allSettled([...this.#inflight]);
    await this.#chain;
  }

  /** Relays across the mesh through these parent links (`hub.mesh.links`) and the children that say hello. */
  attachMesh(links: Parameters<RelayHops['attach']>[0]): void {
    this.hops.attach(links);
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
    const data = (payload.data ?? {}) as JsonObject;
    if (HOP_TYPES.has(type)) {
      this.hops.fromConnection(conn, type, data);
      return true;
    }
    if (!REQUESTS.has(type)) return false;
    const context = (payload.context ?? {}) as JsonObject;
    const answer = () => this.#answer(conn, type, data, context.request_id ?? null);
    if (this.#acrossMesh(type, data)) {
      const run = answer();
      this.#inflight.add(run);
      void run.finally(() => this.#inflight.delete(run));
      return true;
    }
    const run = this.#chain.then(answer);
    this.#chain = run.catch(() => undefined);
    return true;
  }

  /** A request that may wait on another hub: a directory question, a send to a remote address, a reply back. */
  #acrossMesh(type: string, data: JsonObject): boolean {
    if (type === RelayType.DIRECTORY) return true;
    if (type === RelayType.SEND) {
      return (
        typeof data.route === 'string' || (typeof data.to === 'string' && splitAddress(data.to) !== null)
      );
    }
    if (type === RelayType.REPLY) {
      return typeof data.handle === 'string' && this.#handles.get(data.handle)?.via !== undefined;
    }
    return false;
  }

  /** Runs `work` on the chain of local requests (replay checks and hand-overs, in arrival order). */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work);
    this.#chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
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
        return this.#directory(conn, data);
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

  /**
   * The directory: this hub's clients, and for `name@hub` (another hub) or a signing key not known here, the mesh's
   * (each entry with the route to it, issued to this client).
   */
  async #directory(conn: HubPeer, data: JsonObject): Promise<JsonObject> {
    let query = data;
    let remote: HopQuery | null = null;
    if (typeof data.client === 'string') {
      const address = splitAddress(data.client);
      if (address !== null && this.hops.isHere(address.hub)) query = { client: address.name };
      else if (address !== null) remote = { client: address.name, hub: address.hub };
    } else if (typeof data.ed25519 === 'string') remote = { ed25519: data.ed25519 };
    const local = await this.#local(query); // a name of this hub may hold an "@" too
    if (local.length > 0 || remote === null) return { clients: local.map(localEntryJson) };
    return { clients: await this.hops.lookup(remote, clientKey(conn.record.id)) };
  }

  async #local(data: JsonObject): Promise<LocalEntry[]> {
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
    const out: LocalEntry[] = [];
    for (const k of keys) {
      const record = clients.get(k.clientId);
      if (record === undefined || record.revoked) continue;
      const room = siteRoom(online.get(record.id)?.siteId ?? record.siteId);
      if (wantRoom !== null && (room === null || roomKey(room) !== wantRoom)) continue;
      if (wantClient !== null && wantClient !== String(record.id) && wantClient !== record.name) continue;
      out.push({
        clientId: record.id,
        name: record.name,
        room,
        online: online.has(record.id),
        x25519: k.x25519,
        ed25519: k.ed25519,
        fingerprint: e2eFingerprint(keyOf(k.x25519), keyOf(k.ed25519)),
      });
    }
    return out;
  }

  /** The envelope of a request: base64, within `maxSealedBytes`, with a header that reads. */
  #envelope(data: JsonObject): ParsedEnvelope {
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
    const header = parseSealedHeader(bytes);
    return {
      text,
      bytes: bytes.length,
      header,
      id: header.id,
      anonymous: header.anonymous,
      recipientKey: header.recipientKey,
    };
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
    this.#checkClock(header);
    const now = this.#now();
    const skew = this.#init.limits.sealedMaxSkewMs;
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

  /** The timestamp window alone (a hub that relays on to another hub: the recipient's hub keeps the replay cache). */
  #checkClock(header: SealedHeader): void {
    const skew = this.#init.limits.sealedMaxSkewMs;
    if (Math.abs(this.#now() - header.timestamp) > skew) {
      throw refusal(
        'HL_ERR_SEALED_STALE',
        `the envelope's timestamp is more than ${skew} ms from the hub's clock`,
      );
    }
  }

  #remember(recipientId: number, header: SealedHeader): void {
    const seen = this.#seen.get(recipientId)!;
    seen.set(header.id, header.timestamp);
    while (seen.size > this.#init.limits.sealedReplayCacheSize) seen.delete(seen.keys().next().value!);
  }

  async #send(conn: HubPeer, data: JsonObject): Promise<JsonObject> {
    const envelope = this.#envelope(data);
    let to = data.to;
    const address = typeof to === 'string' ? splitAddress(to) : null;
    if (address !== null && this.hops.isHere(address.hub)) to = address.name;
    else if (typeof data.route === 'string' || address !== null) {
      return this.#sendAcross(conn, envelope, await this.#routeOf(conn, data.route, address));
    }
    const recipient = await this.#recipient(to);
    return this.#checkedHandOver({ id: conn.record.id, conn, hop: false, via: null }, recipient, envelope);
  }

  /** The route a remote send takes: the one named, else the first the mesh's directory gives for `address`. */
  async #routeOf(
    conn: HubPeer,
    route: unknown,
    address: { name: string; hub: string } | null,
  ): Promise<ReturnType<RelayHops['route']>> {
    const holder = clientKey(conn.record.id);
    if (typeof route === 'string') return this.hops.route(route, holder);
    const [entry] = await this.hops.lookup({ client: address!.name, hub: address!.hub }, holder);
    if (entry === undefined) {
      throw refusal(
        'HL_ERR_SEALED_UNKNOWN_RECIPIENT',
        `no client ${JSON.stringify(`${address!.name}@${address!.hub}`)} across the mesh`,
      );
    }
    return this.hops.route(entry.route, holder);
  }

  /** A send to a client of another hub: checked as far as the route knows, then on to the next hub. */
  async #sendAcross(
    conn: HubPeer,
    envelope: ParsedEnvelope,
    route: ReturnType<RelayHops['route']>,
  ): Promise<JsonObject> {
    const { target, x25519 } = route;
    if (target.kind === 'local') {
      const recipient = await this.#recipient(target.clientId);
      return this.#checkedHandOver({ id: conn.record.id, conn, hop: false, via: null }, recipient, envelope);
    }
    const mode: RelayMode = envelope.anonymous ? 'anonymous' : 'signed';
    return this.#audited(conn.record.id, target.via.auditId, mode, envelope, async () => {
      if (!sameBytes(envelope.recipientKey, keyOf(x25519))) {
        throw refusal('HL_ERR_SEALED_WRONG_RECIPIENT', 'the envelope is not sealed to the key of this route');
      }
      this.#checkClock(envelope.header);
      return this.hops.forward(
        target,
        envelope,
        envelope.anonymous ? this.hops.backTo(conn.record.id) : null,
      );
    });
  }

  /**
   * The recipient's checks — its pinned key, the clock, the replay cache, accept-anonymous, consent — then the
   * hand-over; `sender` is a client here (`conn`), or the neighbour hub a message came from over the mesh (`via`: its
   * back token, for the reply handle of an anonymous message; `conn` null when that hub is this hub's parent, whose
   * messages consent takes as from this hub's own house).
   */
  #checkedHandOver(
    sender: { id: number; conn: HubPeer | null; hop: boolean; via: ReplyHandle['via'] | null },
    recipient: ClientRecord,
    envelope: ParsedEnvelope,
  ): Promise<JsonObject> {
    const mode: RelayMode = envelope.header.anonymous ? 'anonymous' : 'signed';
    return this.#audited(sender.id, recipient.id, mode, envelope, async () => {
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
        const handle =
          sender.hop && sender.via === null
            ? undefined // from the mesh without a way back
            : this.#newHandle(sender.id, recipient.id, sender.via ?? undefined);
        return this.#handOver(recipient.id, envelope, handle);
      }
      const deny = () =>
        refusal('HL_ERR_CONSENT_DENIED', `${recipient.name} does not accept direct messages from you`);
      const consent = this.#init.consent;
      const conns = openConnections(this.#init.hub.ctx.peers, recipient.id);
      if (sender.conn === null && recipient.consent === 'deny') throw deny();
      if (consent === undefined || conns.length === 0 || sender.conn === null) {
        if (recipient.consent === 'deny' && recipient.id !== sender.id) throw deny();
        this.#remember(recipient.id, envelope.header);
        return this.#handOver(recipient.id, envelope, undefined);
      }
      const gated = await consent.gate({
        asker: askerOf(sender.conn),
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
    const via = handle.via;
    if (via !== undefined) {
      return this.#audited(conn.record.id, handle.senderId, 'reply', envelope, async () => {
        this.#checkClock(envelope.header);
        return this.hops.replyBack(via, envelope);
      });
    }
    return this.#audited(conn.record.id, handle.senderId, 'reply', envelope, () =>
      this.#replyHere(handle.senderId, envelope),
    );
  }

  /** A reply handed to its sender, a client here. */
  async #replyHere(senderId: number, envelope: ParsedEnvelope): Promise<JsonObject> {
    this.#fresh(senderId, envelope.header);
    this.#remember(senderId, envelope.header);
    return this.#handOver(senderId, envelope, undefined);
  }

  /**
   * Delivers now, else to the offline handler (the mailbox: an anonymous message's reply handle then lives as long
   * as the mail, and rides in its body), else refuses `HL_ERR_SEALED_OFFLINE`.
   */
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
    const body = replyHandle === undefined ? envelope.text : `${envelope.text} ${replyHandle}`;
    if (this.#offline !== null && (await this.#offline(recipientId, body)) === 'deposited') {
      const handle = replyHandle === undefined ? undefined : this.#handles.get(replyHandle);
      if (handle !== undefined) {
        handle.expiresAt = Math.max(handle.expiresAt, this.#now() + this.#init.limits.mailboxExpiryMs);
      }
      return { id, delivered: false, deposited: true };
    }
    throw refusal('HL_ERR_SEALED_OFFLINE', 'the recipient is offline and no mailbox took the message');
  }

  #newHandle(senderId: number, recipientId: number, via?: ReplyHandle['via']): string {
    const handle = randomBytes(16).toString('base64url');
    const { maxReplyHandles, replyHandleTtlMs } = this.#init.limits;
    const now = this.#now();
    for (const [key, h] of this.#handles) {
      if (h.expiresAt >= now && this.#handles.size < maxReplyHandles) break;
      this.#handles.delete(key);
    }
    const expiresAt = now + replyHandleTtlMs;
    this.#handles.set(
      handle,
      via === undefined ? { senderId, recipientId, expiresAt } : { senderId, recipientId, expiresAt, via },
    );
    return handle;
  }

  /** What the hops need of this relay: its directory, its checks, its hand-over and its audit log. */
  #hopHost(): HopHost {
    return {
      localEntries: (query) =>
        this.#local('ed25519' in query ? { ed25519: query.ed25519 } : { client: query.client }),
      envelope: (data) => this.#envelope(data),
      arrive: async (from, clientId, envelope, back) => {
        const recipient = await this.#recipient(clientId);
        const sender = {
          id: from.auditId,
          conn: from.isParent ? null : from.conn,
          hop: true,
          via: back === null ? null : { via: from, token: back },
        };
        return this.#serial(() => this.#checkedHandOver(sender, recipient, envelope as ParsedEnvelope));
      },
      replyArrived: (from, senderId, envelope) =>
        this.#audited(from.auditId, senderId, 'reply', envelope, () =>
          this.#serial(() => this.#replyHere(senderId, envelope as ParsedEnvelope)),
        ),
      audited: (senderId, recipientId, mode, envelope, work) =>
        this.#audited(senderId, recipientId, mode, envelope, work),
    };
  }

  /** Runs `work` and writes its outcome (or refusal code) to the audit log: who to whom, never what. */
  async #audited(
    senderId: number,
    recipientId: number,
    mode: RelayMode,
    envelope: { bytes: number; id: string },
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
        messageId: envelope.id,
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
