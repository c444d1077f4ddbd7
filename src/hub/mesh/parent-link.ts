/**
 * One upstream link of the mesh (docs/PROTOCOL.md §14): this hub connects to a parent hub as an ordinary client,
 * with the SDK's {@link HiveClient} — v3 when the parent offers it, the legacy password handshake otherwise (so a
 * Python hivemind-core parent takes it as any satellite) — and reconnects with jittered backoff from
 * `parentReconnectDelayMs`. The link's Noise key lives in the data dir, so the parent's pin of it survives restarts.
 *
 * What the link reports (`/healthz`, `hivelink mesh status`): its URL, its state, the protocol of the open session,
 * since when it is in that state, and its round-trip time: on every open it sends a bare PING and times the
 * parent's answer (a PING with the same `flood_id`, bare or in a PROPAGATE; a parent that does not answer PING
 * leaves it null).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
// The one hub file on the SDK: a parent link is an ordinary client of its parent (docs/PROTOCOL.md §14).
import {
  createHiveClient,
  FileIdentityStore,
  type HiveClient,
  type IdentityStore,
  type PinStore,
} from '../../client/index.js';
import type { ClientState, ClientStateType } from '../../client/types.js';
import { nodeBackend } from '../../crypto/backend.node.js';
import type { ErrorCode, HiveLinkError } from '../../errors.js';
import type { JsonObject } from '../../protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import type { ClientRecord } from '../../store/types.js';
import { withOffThreadArgon2id } from '../argon2-worker.js';
import type { ParentConfig } from '../config.js';
import { SessionNat } from '../session-nat.js';
import type { HubPeer, PeerSession } from '../types.js';

/** Where parent links keep their Noise key and the parents' pinned keys: a JSON file (`<data dir>/mesh-keys.json`). */
export function linkKeys(file: string): IdentityStore & PinStore {
  return new FileIdentityStore(file);
}

/** The longest reconnect delay of a parent link. */
const MAX_RECONNECT_DELAY_MS = 60_000;

/** What `/healthz` and `hivelink mesh status` show of one parent link. */
export interface ParentLinkStatus {
  readonly url: string;
  /** The SDK client's state: `connecting`, `handshaking`, `open`, `reconnecting`, `closed`, … */
  readonly state: ClientStateType;
  /** 2 (legacy) or 3 (Noise) while open, else null. */
  readonly protocol: number | null;
  /** When the link entered its state (ISO 8601). */
  readonly since: string;
  /** The last PING round trip to the parent in ms, or null (not measured yet, or the parent does not answer PING). */
  readonly rtt_ms: number | null;
  /** The code of the last failure (a refusal, a lost connection), or null. */
  readonly error: ErrorCode | null;
  /** Times the link opened. */
  readonly opens: number;
  /** While `reconnecting`: the delay before the next attempt, in ms; else null. */
  readonly retry_ms: number | null;
}

export interface ParentLinkInit {
  readonly parent: ParentConfig;
  /** The password (from the config, its file or the environment: never logged). */
  readonly password: string;
  /** This hub's name and site: the link's HELLO. */
  readonly name: string;
  readonly siteId: string | null;
  /** Where the link keeps its Noise key and the parent's pinned key. */
  readonly keys: IdentityStore & PinStore;
  /** `parentReconnectDelayMs` */
  readonly reconnectDelayMs: number;
  /** Serial of the link (its {@link LinkPeer} id is `-serial`). */
  readonly serial: number;
  readonly logger: Logger;
  readonly now: () => number;
}

/** A record for the parent as a sender on this hub (flood handlers need one): no rights, nothing allowed. */
function parentRecord(serial: number, url: string): ClientRecord {
  return {
    id: -serial,
    accessKey: `parent:${serial}`,
    name: `parent ${url}`,
    siteId: null,
    description: 'a parent hub of the mesh',
    isAdmin: false,
    canBroadcast: false,
    canEscalate: false,
    canPropagate: false,
    allowedTypes: [],
    blockedSkills: [],
    blockedIntents: [],
    minProtocol: null,
    rateLimitPerSecond: null,
    noisePubkey: null,
    intercomPubkey: null,
    allowWeakPassword: false,
    consent: 'deny',
    revoked: false,
    createdAt: 0,
    lastSeen: null,
  };
}

/**
 * The parent as this hub's handlers see a sender of what comes down (PROPAGATE, BROADCAST): not a connection of this
 * hub (never in its peer registry, so floods reach every local connection), and what a handler answers it (a PING
 * answer) goes up the link.
 */
export class LinkPeer implements HubPeer {
  readonly id: number;
  readonly peer: string;
  readonly useragent = 'hivelink-mesh';
  readonly ip = '';
  readonly rateKey: string;
  readonly record: ClientRecord;
  readonly protocolVersion = 0;
  readonly siteId = null;
  readonly pubkey = null;
  readonly nat: SessionNat;
  readonly session: PeerSession = { hello: null, latest: null };
  readonly #send: (message: HiveMessage) => boolean;

  constructor(serial: number, url: string, send: (message: HiveMessage) => boolean) {
    this.id = -serial;
    this.peer = `parent::${serial}::${url}`;
    this.rateKey = this.peer;
    this.record = parentRecord(serial, url);
    this.nat = new SessionNat(`parent${serial}`);
    this.#send = send;
  }

  send(message: HiveMessage): boolean {
    return this.#send(message);
  }

  deny(): void {
    // The parent is not policed by this hub: its own hub polices the link.
  }

  close(): void {
    // The link is closed by the mesh service, never by a handler.
  }

  applyHello(): void {
    // The parent sends this hub no HELLO to apply.
  }

  async rekey(): Promise<void> {
    // A parent never re-keys through this hub's handlers.
  }
}

/** One parent link; see the module documentation. */
export class ParentLink {
  readonly url: string;
  readonly client: HiveClient;
  readonly peer: LinkPeer;
  readonly #init: ParentLinkInit;
  #since: number;
  #rtt: number | null = null;
  #error: ErrorCode | null = null;
  #opens = 0;
  #wasOpen = false;
  #ping: { floodId: string; sentAt: number } | null = null;
  readonly #listeners = new Set<(message: HiveMessage) => void>();
  readonly #stateListeners = new Set<(open: boolean) => void>();
  #offs: (() => void)[] = [];
  /** Retries after a handshake timeout (the SDK takes it for a refusal), and the pending one. */
  #timeoutRetries = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(init: ParentLinkInit) {
    this.#init = init;
    this.url = init.parent.url;
    this.#since = init.now();
    this.client = createHiveClient({
      url: init.parent.url,
      accessKey: init.parent.key,
      password: init.password,
      useragent: 'hivelink-mesh',
      siteId: init.siteId ?? undefined,
      identityStore: init.keys,
      pinStore: init.keys,
      // The v3 PSK (argon2id, 64 MiB) in a worker: computed here it would stall every connection of this hub.
      backend: withOffThreadArgon2id(nodeBackend),
      reconnect: {
        enabled: true,
        initialDelayMs: init.reconnectDelayMs,
        maxDelayMs: Math.max(MAX_RECONNECT_DELAY_MS, init.reconnectDelayMs),
      },
    });
    this.peer = new LinkPeer(init.serial, init.parent.url, (message) => this.send(message));
  }

  /** True while the session to the parent is open. */
  get open(): boolean {
    return this.client.state.type === 'open';
  }

  /** Connects (and keeps reconnecting); failures show in the status and the log. */
  start(): void {
    this.#offs.push(this.client.onState((state) => this.#state(state)));
    this.#offs.push(this.client.onError((error) => this.#failed(error)));
    this.#offs.push(this.client.on('*', (message) => this.#message(message)));
    this.client.connect().catch(() => undefined); // a refusal is in the status; the client stops retrying then
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    for (const off of this.#offs) off();
    this.#offs = [];
    this.client.close();
  }

  /** Sends `message` up the link; false when it is not open or the send fails (the message is dropped). */
  send(message: HiveMessage): boolean {
    if (!this.open) return false;
    try {
      this.client.emit(message);
      return true;
    } catch (err) {
      this.#init.logger.debug({ url: this.url, err }, 'parent link: a message could not be sent');
      return false;
    }
  }

  /** Calls `listener` with every message the parent sends (but the answer to the link's own PING). */
  onMessage(listener: (message: HiveMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Calls `listener` on every state change, with true while the link is open (so `open` changes to false when an open
   * link goes down).
   */
  onOpenChange(listener: (open: boolean) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  status(): ParentLinkStatus {
    const state = this.client.state;
    return {
      url: this.url,
      state: state.type,
      protocol: state.type === 'open' ? state.protocolVersion : null,
      since: new Date(this.#since).toISOString(),
      rtt_ms: this.#rtt,
      error: this.#error,
      opens: this.#opens,
      retry_ms: state.type === 'reconnecting' ? Math.round(state.delayMs) : null,
    };
  }

  #state(state: ClientState): void {
    const log = this.#init.logger;
    this.#since = this.#init.now();
    if (state.type === 'open') {
      this.#timeoutRetries = 0;
      this.#opens += 1;
      this.#error = null;
      this.#wasOpen = true;
      log.info({ url: this.url, protocol: state.protocolVersion }, 'parent link open');
      this.#sendPing();
    } else {
      this.#wasOpen = false;
      if (state.type === 'reconnecting') {
        log.warn(
          { url: this.url, code: state.error.code, delayMs: Math.round(state.delayMs) },
          'parent link down; reconnecting',
        );
      } else if (state.type === 'closed' && state.reason === 'handshake timeout' && !this.#stopped) {
        this.#retryAfterTimeout();
      } else if (state.type === 'closed' && state.error !== null) {
        log.error({ url: this.url, code: state.error.code }, 'parent link refused; not retrying');
      }
    }
    for (const listener of this.#stateListeners) listener(this.#wasOpen);
  }

  /**
   * The parent closed the handshake for taking too long (1008 "handshake timeout": a busy parent, not a refusal of
   * this hub's credentials): connect again after the backoff delay, doubling up to the longest.
   */
  #retryAfterTimeout(): void {
    const base = this.#init.reconnectDelayMs * 2 ** Math.min(this.#timeoutRetries, 16);
    const delayMs = Math.min(base, Math.max(MAX_RECONNECT_DELAY_MS, this.#init.reconnectDelayMs));
    this.#timeoutRetries += 1;
    this.#init.logger.warn({ url: this.url, delayMs }, 'parent link handshake timed out; retrying');
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#stopped) this.client.connect().catch(() => undefined);
    }, delayMs);
    this.#retryTimer.unref?.();
  }

  #failed(error: HiveLinkError): void {
    this.#error = error.code;
  }

  /** A bare PING with a fresh `flood_id` (and no `peer`: the parent counts it against this connection). */
  #sendPing(): void {
    const floodId = randomUUID();
    const ping = createHiveMessage(HiveMessageType.PING, {
      flood_id: floodId,
      site_id: this.#init.siteId,
      timestamp: this.#init.now() / 1000,
    });
    if (this.send(ping)) this.#ping = { floodId, sentAt: this.#init.now() };
  }

  #message(message: HiveMessage): void {
    if (this.#isPingAnswer(message)) return;
    for (const listener of this.#listeners) {
      try {
        listener(message);
      } catch (err) {
        this.#init.logger.warn({ url: this.url, err }, 'parent link: a message handler failed');
      }
    }
  }

  /** The answer to the link's PING: a bare PING (what a hivelink parent answers a bare PING with) or a PROPAGATE(PING). */
  #isPingAnswer(message: HiveMessage): boolean {
    const ping = this.#ping;
    if (ping === null) return false;
    const inner = message.msg_type === HiveMessageType.PROPAGATE ? (message.payload as HiveMessage) : message;
    if (inner.msg_type !== HiveMessageType.PING) return false;
    if ((inner.payload as JsonObject).flood_id !== ping.floodId) return false;
    this.#rtt = Math.max(0, Math.round(this.#init.now() - ping.sentAt));
    this.#ping = null;
    return true;
  }
}
