/**
 * Relay hops (issue 12, docs/PROTOCOL.md §13, "Relay hops"): sealed messages between clients of different hubs of the mesh
 * (§14). A hub forwards an envelope to the next hub untouched, and what it tells that hub names only itself (the
 * hop it came from) and a route token the next hub issued: never the sender, its client, its peer or its hub.
 *
 * Neighbours are the hubs one link away: this hub's parents ({@link ParentLink}s that answered `hello`) and its
 * children (connections that said `hello`). They talk BUS, `data.request_id` tying an answer to its request:
 *
 * | message | data | answer `<type>.response` |
 * |---|---|---|
 * | `hive.relay.hop.hello` | `{}` (a child, on every open of its link) | `{}` |
 * | `hive.relay.hop.directory` | `{query_id, query: {client, hub} \| {ed25519}, hops, wait_ms}` | `{clients: [{name, hub, hub_node, address, room, online, x25519, ed25519, fingerprint, route}]}` |
 * | `hive.relay.hop.send` | `{route, envelope, back?}` | `{ok, id, delivered, deposited?}` \| `{ok: false, code, error}` |
 * | `hive.relay.hop.reply` | `{back, envelope}` | as `send` |
 *
 * **Routes, as labels.** A directory answer names each remote client with a `route` token that the hub answering
 * issued to the neighbour it answers, standing for "my client N" or "the route token T of my neighbour M". Each hub
 * on the way back re-issues the entry under a token of its own, so the client asking gets a token of its own hub,
 * and a `send` walks the chain: every hub looks up the token it issued and sends the envelope on with the next
 * hub's token. An anonymous send carries `back`, built the same way in the other direction, so the recipient's hub
 * hands its client a reply handle whose reply walks back hop by hop to the sender's hub, which alone knows the
 * sender. Tokens are bound to the neighbour (or local client) they were issued to, one-time for `back`, bounded by
 * `maxRelayRoutes` (routes, living `replyHandleTtlMs`) and `maxReplyHandles` (back tokens, living
 * `replyHandleTtlMs`, or the mailbox's `mailboxExpiryMs` once the recipient's hub said `deposited`).
 *
 * A directory question floods the tree (never back to the hop it came from) within `maxMeshHops`, its `query_id`
 * de-duplicated in the hub's flood cache; each hub waits at most `wait_ms` (the first hub `relayHopTimeoutMs`, each
 * next a fraction of what is left) for its neighbours' answers. A `send` waits `relayHopTimeoutMs` for the next hub.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type ErrorCode, HiveLinkError, isHiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import { base64Decode } from '../../protocol/hex.node.js';
import type { JsonObject, JsonValue } from '../../protocol/json.js';
import { createHiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import { sameBytes } from '../../protocol/sealed.js';
import { nodeFingerprint } from '../mesh/node.js';
import type { ParentLink } from '../mesh/parent-link.js';
import { hubBusMessage } from '../replies.js';
import type { HubContext, HubPeer } from '../types.js';

/** The bus types hubs send each other (and their answers, `<type>.response`). */
export const HopType = {
  HELLO: 'hive.relay.hop.hello',
  DIRECTORY: 'hive.relay.hop.directory',
  SEND: 'hive.relay.hop.send',
  REPLY: 'hive.relay.hop.reply',
} as const;

const HOP_REQUESTS: readonly string[] = Object.values(HopType);
/** Every hop type, requests and answers. */
export const HOP_TYPES: ReadonlySet<string> = new Set([
  ...HOP_REQUESTS,
  ...HOP_REQUESTS.map((t) => `${t}.response`),
]);

/** The part of the wait a hub leaves the next one when it passes a directory question on. */
const NEXT_WAIT_SHARE = 0.7;
/** Below this a hub asks no further (its neighbours could not answer in time). */
const MIN_WAIT_MS = 50;

/** A hub one link away. */
export interface Neighbour {
  /** `parent:<serial>` or `child:<peer>`. */
  readonly key: string;
  /** Who it is in this hub's audit log: the child link's client id, or `-serial` for a parent. */
  readonly auditId: number;
  /** Its connection here (a child) or the parent's link peer: the sender consent sees. */
  readonly conn: HubPeer;
  readonly isParent: boolean;
  alive(): boolean;
  send(type: string, data: JsonObject): boolean;
}

/** What a mesh directory question asks. */
export type HopQuery = { readonly client: string; readonly hub: string } | { readonly ed25519: string };

/** One client of a directory, as the hub holding it shows it. */
export interface LocalEntry {
  readonly clientId: number;
  readonly name: string;
  readonly room: string | null;
  readonly online: boolean;
  readonly x25519: string;
  readonly ed25519: string;
  readonly fingerprint: string;
}

/** An envelope a hub checked (size, header) and relays as it came. */
export interface HopEnvelope {
  readonly text: string;
  readonly bytes: number;
  readonly id: string;
  readonly anonymous: boolean;
  readonly recipientKey: Uint8Array;
}

/** Where a token leads: a client of this hub, or a neighbour's token. */
export type HopTarget =
  | { readonly kind: 'local'; readonly clientId: number }
  | { readonly kind: 'hop'; readonly via: Neighbour; readonly token: string };

/** What the relay does for the hops: its directory, its checks and its local hand-over. */
export interface HopHost {
  localEntries(query: HopQuery): Promise<LocalEntry[]>;
  /** Parses and bounds `data.envelope`. @throws HiveLinkError as a local send */
  envelope(data: JsonObject): HopEnvelope;
  /** An envelope that came over the mesh for local client `clientId`: the recipient's checks, then delivered. */
  arrive(from: Neighbour, clientId: number, envelope: HopEnvelope, back: string | null): Promise<JsonObject>;
  /** A reply that came back over the mesh for local client `senderId`. */
  replyArrived(from: Neighbour, senderId: number, envelope: HopEnvelope): Promise<JsonObject>;
  /** Writes the audit row of a hop (`senderId`/`recipientId`: clients here, or the neighbours' audit ids). */
  audited(
    senderId: number,
    recipientId: number,
    mode: 'signed' | 'anonymous' | 'reply',
    envelope: HopEnvelope,
    work: () => Promise<JsonObject>,
  ): Promise<JsonObject>;
}

export interface RelayHopsInit {
  readonly ctx: Pick<HubContext, 'peers' | 'nodeId' | 'config' | 'floods'>;
  readonly limits: Pick<
    Limits,
    | 'relayHopTimeoutMs'
    | 'maxRelayRoutes'
    | 'maxReplyHandles'
    | 'replyHandleTtlMs'
    | 'mailboxExpiryMs'
    | 'maxMeshHops'
  >;
  readonly logger: Logger;
  readonly host: HopHost;
  readonly now: () => number;
}

interface Token<T> {
  readonly value: T;
  readonly issuedTo: string;
  expiresAt: number;
}

/** Tokens this hub issued: bounded, each bound to whom it was issued to, expiring. */
class TokenTable<T> {
  readonly #tokens = new Map<string, Token<T>>();
  readonly #max: () => number;
  readonly #now: () => number;

  constructor(max: () => number, now: () => number) {
    this.#max = max;
    this.#now = now;
  }

  get size(): number {
    return this.#tokens.size;
  }

  issue(value: T, issuedTo: string, ttlMs: number): string {
    const now = this.#now();
    for (const [key, t] of this.#tokens) {
      if (t.expiresAt >= now && this.#tokens.size < this.#max()) break;
      this.#tokens.delete(key);
    }
    const token = randomBytes(16).toString('base64url');
    this.#tokens.set(token, { value, issuedTo, expiresAt: now + ttlMs });
    return token;
  }

  /** The value of `token` when `issuedTo` holds it and it has not expired; `once` forgets it. */
  get(token: unknown, issuedTo: string, once = false): T | null {
    if (typeof token !== 'string') return null;
    const t = this.#tokens.get(token);
    if (t === undefined || t.issuedTo !== issuedTo || t.expiresAt < this.#now()) return null;
    if (once) this.#tokens.delete(token);
    return t.value;
  }

  extend(token: string, untilMs: number): void {
    const t = this.#tokens.get(token);
    if (t !== undefined && t.expiresAt < untilMs) t.expiresAt = untilMs;
  }
}

/** The key a local client holds route tokens under. */
export const clientKey = (clientId: number) => `client:${clientId}`;

function refusal(code: ErrorCode, error: string): HiveLinkError {
  return new HiveLinkError(code, error);
}

/** `name@hub` split at its last `@` (a name may hold one); null without one. */
export function splitAddress(text: string): { name: string; hub: string } | null {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return null;
  return { name: text.slice(0, at), hub: text.slice(at + 1) };
}

interface Pending {
  readonly via: string;
  readonly resolve: (data: JsonObject | null) => void;
}

/** The hop side of one hub's relay; see the module documentation. */
export class RelayHops {
  readonly #init: RelayHopsInit;
  readonly #routes: TokenTable<{ target: HopTarget; x25519: string }>;
  readonly #backs: TokenTable<HopTarget>;
  /** Client records whose connections said hello: child hubs. */
  readonly #children = new Set<number>();
  /** The neighbour of each client record that sent a hop message, and its latest connection. */
  readonly #byRecord = new Map<number, { current: HubPeer; neighbour: Neighbour }>();
  readonly #parents = new Map<ParentLink, Neighbour>();
  /** Parents that answered `hello`: hivelink hubs with relay hops. */
  readonly #capable = new Set<ParentLink>();
  readonly #pending = new Map<string, Pending>();
  #offs: (() => void)[] = [];
  /** This hub's name and node fingerprint: what the hub part of an address may say. */
  readonly name: string;
  readonly node: string;

  constructor(init: RelayHopsInit) {
    this.#init = init;
    this.#routes = new TokenTable(() => init.limits.maxRelayRoutes, init.now);
    this.#backs = new TokenTable(() => init.limits.maxReplyHandles, init.now);
    this.name = init.ctx.config.name;
    this.node = nodeFingerprint(init.ctx.nodeId);
  }

  /** Route tokens held now (tests and metrics). */
  get routes(): number {
    return this.#routes.size;
  }

  /** Follows the mesh's parent links: `hello` on every open, their messages. */
  attach(links: readonly ParentLink[]): void {
    links.forEach((link, i) => {
      const serial = i + 1;
      const neighbour: Neighbour = {
        key: `parent:${serial}`,
        auditId: link.peer.id,
        conn: link.peer,
        isParent: true,
        alive: () => link.open && this.#capable.has(link),
        send: (type, data) => link.send(createHiveMessage(HiveMessageType.BUS, { type, data, context: {} })),
      };
      this.#parents.set(link, neighbour);
      const opened = (open: boolean) => {
        this.#capable.delete(link);
        if (open)
          link.send(createHiveMessage(HiveMessageType.BUS, { type: HopType.HELLO, data: {}, context: {} }));
      };
      this.#offs.push(link.onOpenChange(opened));
      this.#offs.push(
        link.onMessage((message) => {
          if (message.msg_type !== HiveMessageType.BUS || message.route.length > 0) return;
          const payload = message.payload as JsonObject;
          const type = String(payload.type);
          if (!HOP_TYPES.has(type)) return;
          if (type === `${HopType.HELLO}.response`) {
            if (!this.#capable.has(link))
              this.#init.logger.info({ url: link.url }, 'relay hops open to the parent');
            this.#capable.add(link);
            return;
          }
          this.#received(neighbour, type, (payload.data ?? {}) as JsonObject);
        }),
      );
      if (link.open) opened(true);
    });
  }

  stop(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    for (const p of [...this.#pending.values()]) p.resolve(null);
  }

  /** A hop message from a connection of this hub (a child hub, or anything that talks like one). */
  fromConnection(conn: HubPeer, type: string, data: JsonObject): void {
    const neighbour = this.#childOf(conn);
    if (type === HopType.HELLO) {
      this.#children.add(conn.record.id);
      neighbour.send(`${HopType.HELLO}.response`, { request_id: data.request_id ?? null });
      return;
    }
    this.#received(neighbour, type, data);
  }

  /**
   * The neighbour a connection is: one per client record (a child hub's link), so its tokens outlive a reconnect of
   * the link; it talks on the record's latest connection that sent a hop message.
   */
  #childOf(conn: HubPeer): Neighbour {
    const peers = this.#init.ctx.peers;
    const known = this.#byRecord.get(conn.record.id);
    if (known !== undefined) {
      known.current = conn;
      return known.neighbour;
    }
    const entry = {
      current: conn,
      neighbour: {
        key: `child:${conn.record.id}`,
        auditId: conn.record.id,
        get conn() {
          return entry.current;
        },
        isParent: false,
        alive: () => peers.get(entry.current.peer) === entry.current,
        send: (type: string, data: JsonObject) =>
          entry.current.send(hubBusMessage(entry.current.peer, type, data)),
      } as Neighbour,
    };
    this.#byRecord.set(conn.record.id, entry);
    return entry.neighbour;
  }

  /** The neighbours a question goes to now: open relay-capable parents and connected children, but `except`. */
  #neighbours(except: string | null): Neighbour[] {
    const out: Neighbour[] = [];
    for (const n of this.#parents.values()) if (n.key !== except && n.alive()) out.push(n);
    for (const id of this.#children) {
      const n = this.#byRecord.get(id)?.neighbour;
      if (n !== undefined && n.key !== except && n.alive()) out.push(n);
    }
    return out;
  }

  #received(from: Neighbour, type: string, data: JsonObject): void {
    if (type.endsWith('.response')) {
      const id = data.request_id;
      const pending = typeof id === 'string' ? this.#pending.get(id) : undefined;
      if (pending !== undefined && pending.via === from.key) pending.resolve(data);
      return;
    }
    const requestId = data.request_id ?? null;
    const work =
      type === HopType.DIRECTORY
        ? this.#answerDirectory(from, data)
        : type === HopType.SEND
          ? this.#answerSend(from, data)
          : type === HopType.REPLY
            ? this.#answerReply(from, data)
            : Promise.resolve(null);
    void work
      .then(
        (answer) => answer,
        (err: unknown) => {
          const e = isHiveLinkError(err) ? err : refusal('HL_ERR_INTERNAL', 'the relay failed');
          if (!isHiveLinkError(err)) this.#init.logger.warn({ err, type }, 'relay hop failed');
          return { ok: false, code: e.code, error: e.message } as JsonObject;
        },
      )
      .then((answer) => {
        if (answer !== null) from.send(`${type}.response`, { ...answer, request_id: requestId });
      });
  }

  /** Sends a request to `to` and resolves with its answer, or null when none came within `waitMs`. */
  #ask(to: Neighbour, type: string, data: JsonObject, waitMs: number): Promise<JsonObject | null> {
    const requestId = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(null), waitMs);
      timer.unref?.();
      const finish = (answer: JsonObject | null) => {
        clearTimeout(timer);
        this.#pending.delete(requestId);
        resolve(answer);
      };
      this.#pending.set(requestId, { via: to.key, resolve: finish });
      if (!to.send(type, { ...data, request_id: requestId })) finish(null);
    });
  }

  // -- the directory

  /** True when the hub part of an address names this hub. */
  isHere(hub: string): boolean {
    return hub === this.name || hub === this.node;
  }

  /**
   * Asks the mesh for `query` (not this hub: the caller looked here) and returns the entries found, each with a
   * route token issued to `issuedTo` (a local client, {@link clientKey}).
   */
  async lookup(query: HopQuery, issuedTo: string): Promise<JsonObject[]> {
    const queryId = randomUUID();
    this.#init.ctx.floods.seen(`relay.directory|${queryId}`); // this hub answers its own question once
    return this.#askAround(query, queryId, 1, this.#init.limits.relayHopTimeoutMs, null, issuedTo);
  }

  async #askAround(
    query: HopQuery,
    queryId: string,
    hops: number,
    waitMs: number,
    except: string | null,
    issuedTo: string,
  ): Promise<JsonObject[]> {
    if (hops > this.#init.limits.maxMeshHops || waitMs < MIN_WAIT_MS) return [];
    const data: JsonObject = {
      query_id: queryId,
      query: query as unknown as JsonObject,
      hops,
      wait_ms: waitMs,
    };
    const answers = await Promise.all(
      this.#neighbours(except).map(async (n) => ({
        n,
        answer: await this.#ask(n, HopType.DIRECTORY, data, waitMs),
      })),
    );
    const out: JsonObject[] = [];
    for (const { n, answer } of answers) {
      const clients = Array.isArray(answer?.clients) ? answer.clients : [];
      for (const raw of clients) {
        const entry = readEntry(raw);
        if (entry === null) continue;
        const route = this.#routes.issue(
          { target: { kind: 'hop', via: n, token: entry.route }, x25519: entry.x25519 },
          issuedTo,
          this.#init.limits.replyHandleTtlMs,
        );
        out.push({ ...entry, route });
      }
    }
    return out;
  }

  async #answerDirectory(from: Neighbour, data: JsonObject): Promise<JsonObject> {
    const query = readQuery(data.query);
    const queryId = data.query_id;
    if (query === null || typeof queryId !== 'string' || queryId === '') {
      throw refusal('HL_ERR_INVALID_ARGUMENT', 'a directory question needs a query_id and a query');
    }
    if (this.#init.ctx.floods.seen(`relay.directory|${queryId}`)) return { clients: [] };
    const out: JsonObject[] = [];
    if (!('client' in query) || this.isHere(query.hub)) {
      for (const e of await this.#init.host.localEntries(query)) {
        const route = this.#routes.issue(
          { target: { kind: 'local', clientId: e.clientId }, x25519: e.x25519 },
          from.key,
          this.#init.limits.replyHandleTtlMs,
        );
        out.push({
          name: e.name,
          hub: this.name,
          hub_node: this.node,
          address: `${e.name}@${this.node}`,
          room: e.room,
          online: e.online,
          x25519: e.x25519,
          ed25519: e.ed25519,
          fingerprint: e.fingerprint,
          route,
        });
      }
    }
    const hops = Number(data.hops);
    const waitMs = Math.floor(Number(data.wait_ms) * NEXT_WAIT_SHARE);
    if (Number.isSafeInteger(hops) && hops >= 1 && Number.isFinite(waitMs)) {
      out.push(...(await this.#askAround(query, queryId, hops + 1, waitMs, from.key, from.key)));
    }
    return { clients: out };
  }

  // -- sending

  /** What the route token `route` issued to `issuedTo` leads to. @throws HiveLinkError `HL_ERR_RELAY_ROUTE` */
  route(route: unknown, issuedTo: string): { target: HopTarget; x25519: string } {
    const found = this.#routes.get(route, issuedTo);
    if (found === null || (found.target.kind === 'hop' && !found.target.via.alive())) {
      throw refusal(
        'HL_ERR_RELAY_ROUTE',
        'this route across the mesh is unknown, expired or its next hub is gone: look the recipient up again',
      );
    }
    return found;
  }

  /**
   * Sends `envelope` on to the hub `target` leads to, with a `back` token when it is anonymous (`replyTo`: where its
   * reply goes), and resolves with the recipient hub's answer. @throws HiveLinkError its refusal, or
   * `HL_ERR_RELAY_HOP_TIMEOUT`
   */
  async forward(
    target: { via: Neighbour; token: string },
    envelope: HopEnvelope,
    replyTo: HopTarget | null,
  ): Promise<JsonObject> {
    const { limits } = this.#init;
    const data: JsonObject = { route: target.token, envelope: envelope.text };
    let back: string | null = null;
    if (replyTo !== null) {
      back = this.#backs.issue(replyTo, target.via.key, limits.replyHandleTtlMs);
      data.back = back;
    }
    const answer = await this.#ask(target.via, HopType.SEND, data, limits.relayHopTimeoutMs);
    const result = hopResult(answer, limits.relayHopTimeoutMs);
    if (back !== null && result.deposited === true) {
      this.#backs.extend(back, this.#init.now() + limits.mailboxExpiryMs);
    }
    return result;
  }

  /** Sends a reply back along a `back` chain. @throws HiveLinkError as {@link forward} */
  async replyBack(target: { via: Neighbour; token: string }, envelope: HopEnvelope): Promise<JsonObject> {
    const wait = this.#init.limits.relayHopTimeoutMs;
    const answer = await this.#ask(
      target.via,
      HopType.REPLY,
      { back: target.token, envelope: envelope.text },
      wait,
    );
    return hopResult(answer, wait);
  }

  async #answerSend(from: Neighbour, data: JsonObject): Promise<JsonObject> {
    const { host } = this.#init;
    const envelope = host.envelope(data);
    const { target, x25519 } = this.route(data.route, from.key);
    if (!sameBytes(envelope.recipientKey, base64Decode('JSON-B64', x25519))) {
      throw refusal('HL_ERR_SEALED_WRONG_RECIPIENT', 'the envelope is not sealed to the key of this route');
    }
    const back = typeof data.back === 'string' && data.back !== '' ? data.back : null;
    const mode = envelope.anonymous ? 'anonymous' : 'signed';
    if (target.kind === 'local') {
      return { ok: true, ...(await host.arrive(from, target.clientId, envelope, back)) };
    }
    const replyTo: HopTarget | null =
      envelope.anonymous && back !== null ? { kind: 'hop', via: from, token: back } : null;
    return {
      ok: true,
      ...(await host.audited(from.auditId, target.via.auditId, mode, envelope, () =>
        this.forward(target, envelope, replyTo),
      )),
    };
  }

  async #answerReply(from: Neighbour, data: JsonObject): Promise<JsonObject> {
    const { host } = this.#init;
    const envelope = host.envelope(data);
    const target = this.#backs.get(data.back, from.key, true);
    if (target === null || (target.kind === 'hop' && !target.via.alive())) {
      throw refusal('HL_ERR_SEALED_REPLY_HANDLE', 'this reply handle is unknown, expired or used');
    }
    if (target.kind === 'local')
      return { ok: true, ...(await host.replyArrived(from, target.clientId, envelope)) };
    return {
      ok: true,
      ...(await host.audited(from.auditId, target.via.auditId, 'reply', envelope, () =>
        this.replyBack(target, envelope),
      )),
    };
  }

  /** A back token for a local sender (an anonymous message leaving this hub). */
  backTo(senderId: number): HopTarget {
    return { kind: 'local', clientId: senderId };
  }
}

/** What the next hub answered, as this hub answers its own asker. */
function hopResult(answer: JsonObject | null, waitMs: number): JsonObject {
  if (answer === null) {
    throw refusal('HL_ERR_RELAY_HOP_TIMEOUT', `the next hub did not answer within ${waitMs} ms`);
  }
  if (answer.ok !== true) {
    const code = typeof answer.code === 'string' ? (answer.code as ErrorCode) : 'HL_ERR_INTERNAL';
    throw new HiveLinkError(
      code,
      typeof answer.error === 'string' ? answer.error : 'refused by the next hub',
    );
  }
  const out: JsonObject = { id: String(answer.id), delivered: answer.delivered === true };
  if (answer.deposited === true) out.deposited = true;
  return out;
}

function readQuery(raw: unknown): HopQuery | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const q = raw as Record<string, unknown>;
  if (typeof q.ed25519 === 'string' && q.ed25519 !== '') return { ed25519: q.ed25519 };
  if (typeof q.client === 'string' && q.client !== '' && typeof q.hub === 'string' && q.hub !== '') {
    return { client: q.client, hub: q.hub };
  }
  return null;
}

const ENTRY_STRINGS = [
  'name',
  'hub',
  'hub_node',
  'address',
  'x25519',
  'ed25519',
  'fingerprint',
  'route',
] as const;

/** One entry of a neighbour's directory answer, its fields checked; null when it is not one. */
function readEntry(raw: unknown): (Record<(typeof ENTRY_STRINGS)[number], string> & JsonObject) | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const e = raw as Record<string, JsonValue>;
  const out: JsonObject = {};
  for (const key of ENTRY_STRINGS) {
    if (typeof e[key] !== 'string') return null;
    out[key] = e[key];
  }
  out.room = typeof e.room === 'string' ? e.room : null;
  out.online = e.online === true;
  return out as Record<(typeof ENTRY_STRINGS)[number], string> & JsonObject;
}
