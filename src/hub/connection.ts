/**
 * One client connection on the hub: the opening (authentication is done by the hub, the handshake here), the
 * secure channel, the bounded inbound queue that keeps frames strictly in order, serial sends with backpressure,
 * keepalive, the rate limit and the close.
 *
 * ```
 *  CONNECTING ──authenticated: HELLO + HANDSHAKE request sent──▶ HANDSHAKING ──channel established──▶ OPEN
 *      │                                                              │                               │
 *      │ bad token, unknown key, IP denied, limits                    │ crypto error, timeout         │ revoked, tamper, cleartext,
 *      ▼                                                              ▼                               ▼ flood, close()
 *   CLOSING ◀─────────────────────────────────────────────────────────┴───────────────────────────────┘
 *      │ websocket closed
 *      ▼
 *   CLOSED
 * ```
 * Frames received while CONNECTING wait in the inbound queue. Frames are processed one at a time; a step that is
 * asynchronous (PBKDF2, argon2id, a database write) holds the queue, so no frame overtakes another.
 *
 * @module
 */
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { deepCopy } from '../bus/copy.js';
import type { SessionData } from '../bus/types.js';
import { CLOSE_INTERNAL_ERROR, HiveLinkError, isHiveLinkError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { JsonObject } from '../protocol/json.js';
import { type HiveMessage, parseHiveMessage, serializeHiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import type { HubHandshake, HubHandshakeStep } from '../session/hub-handshake.js';
import type { SecureChannel, WireFrame } from '../session/types.js';
import type { LoggedConnectionHandle } from '../store/connection-log.js';
import type { ClientRecord } from '../store/types.js';
import { unrefTimers } from '../timers.js';
import { closeReason, isObject, toFrame } from './frames.js';
import { dispatch } from './handlers/index.js';
import { Keepalive, type KeepaliveTimers } from './keepalive.js';
import { peerId } from './peers.js';
import { DenyCode } from './policy.js';
import { RateLimiter } from './rate-limit.js';
import { policyDenied } from './replies.js';
import type { SessionNat } from './session-nat.js';
import type { HubContext, HubPeer, PeerSession } from './types.js';

export type ConnectionState = 'CONNECTING' | 'HANDSHAKING' | 'OPEN' | 'CLOSING' | 'CLOSED';

/** What a connection needs from the hub. */
export interface ConnectionHost {
  readonly ctx: HubContext;
  readonly logger: Logger;
  /** The connection is open: register it, record it, announce it. */
  onOpen(conn: HubConnection): void;
  /** The connection wants a new peer id based on `base` (after a HELLO). */
  renamePeer(conn: HubConnection, base: string): void;
  /** The websocket closed. */
  onClosed(conn: HubConnection, code: number, reason: string): void;
  /** An error ends the connection: report it on the agent bus (`hive.client.connection.error`). */
  onFailure(conn: HubConnection, error: HiveLinkError): void;
  /** Pins the client's Noise static key (TOFU) after its first v3 handshake. */
  pinNoiseKey(clientId: number, publicKeyHex: string): Promise<void>;
  /** The client was seen (debounced last_seen). */
  touch(clientId: number): void;
}

/** The transport under the websocket, corked while one tick's frames are written (fewer system calls). */
export interface CorkableSocket {
  cork(): void;
  uncork(): void;
}

export interface HubConnectionInit {
  ws: WebSocket;
  /**
   * The socket the websocket writes to. When given, frames sent in the same tick (an answer and the end of its turn,
   * HELLO and the HANDSHAKE request) leave in one write. @default null
   */
  socket?: CorkableSocket | null;
  /** Connection serial number. */
  id: number;
  /** The remote address. */
  ip: string;
  /** The remote `ip:port`, the peer name until the client is known. */
  remote: string;
  host: ConnectionHost;
  limits: Limits;
  /** @default the global timers, unref'd */
  timers?: KeepaliveTimers;
}

/** What the hub learned when it authenticated the client. */
export interface ConnectionOpening {
  record: ClientRecord;
  useragent: string;
  /** The peer id announced in the hub HELLO. */
  peer: string;
  nat: SessionNat;
  handshake: HubHandshake;
}

export class HubConnection implements HubPeer {
  readonly id: number;
  readonly ip: string;
  readonly session: PeerSession = { hello: null, latest: null };
  /** Resolves when the websocket has closed. */
  readonly closed: Promise<void>;
  /** This connection in the hub's connection history (set when it opens). */
  history: LoggedConnectionHandle | null = null;
  readonly #ws: WebSocket;
  readonly #socket: CorkableSocket | null;
  #corked = false;
  readonly #uncork = (): void => {
    this.#corked = false;
    this.#socket?.uncork();
  };
  readonly #host: ConnectionHost;
  readonly #limits: Limits;
  readonly #timers: KeepaliveTimers;
  readonly #keepalive: Keepalive;
  #state: ConnectionState = 'CONNECTING';
  #peer: string;
  #useragent = '';
  #record: ClientRecord | null = null;
  #nat: SessionNat | null = null;
  #handshake: HubHandshake | null = null;
  #channel: SecureChannel | null = null;
  #rate: RateLimiter | null = null;
  #siteId: string | null = null;
  #pubkey: string | null = null;
  #pendingHello: JsonObject | null = null;
  #queue: WireFrame[] = [];
  #draining = false;
  #handshakeTimer: unknown;
  #killTimer: unknown = null;
  #closeCode: number | null = null;
  #closeReason = '';
  #resolveClosed!: () => void;

  constructor(init: HubConnectionInit) {
    this.id = init.id;
    this.ip = init.ip;
    this.#peer = init.remote;
    this.#ws = init.ws;
    this.#socket = init.socket ?? null;
    this.#host = init.host;
    this.#limits = init.limits;
    this.#timers = init.timers ?? unrefTimers;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#keepalive = new Keepalive({
      intervalMs: init.limits.pingIntervalMs,
      timeoutMs: init.limits.pingTimeoutMs,
      timers: this.#timers,
      ping: () => this.#ws.ping(),
      onTimeout: () => {
        this.#host.logger.info({ peer: this.#peer }, 'no pong: connection dropped');
        this.#closeCode = 1006;
        this.#closeReason = 'ping timeout';
        this.#state = 'CLOSING';
        this.#ws.terminate();
      },
    });
    this.#handshakeTimer = this.#timers.setTimeout(() => {
      this.fail(new HiveLinkError('HL_ERR_HANDSHAKE_TIMEOUT', 'handshake timeout'));
    }, init.limits.handshakeTimeoutMs);
    this.#ws.on('message', (data, isBinary) => this.#onFrame(toFrame(data, isBinary)));
    this.#ws.on('pong', () => this.#keepalive.pong());
    this.#ws.on('error', (err) =>
      this.#host.logger.debug({ peer: this.#peer, err: err.message }, 'socket error'),
    );
    this.#ws.on('close', (code, reason) => this.#onClose(code, reason.toString('utf8')));
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get peer(): string {
    return this.#peer;
  }

  get useragent(): string {
    return this.#useragent;
  }

  get record(): ClientRecord {
    if (this.#record === null) throw new HiveLinkError('HL_ERR_INTERNAL', 'connection not authenticated');
    return this.#record;
  }

  /** The client id, or null before authentication. */
  get clientId(): number | null {
    return this.#record?.id ?? null;
  }

  get nat(): SessionNat {
    if (this.#nat === null) throw new HiveLinkError('HL_ERR_INTERNAL', 'connection not authenticated');
    return this.#nat;
  }

  get protocolVersion(): number {
    return this.#channel?.protocolVersion ?? 0;
  }

  get channel(): SecureChannel | null {
    return this.#channel;
  }

  get siteId(): string | null {
    return this.#siteId;
  }

  get pubkey(): string | null {
    return this.#pubkey;
  }

  /** The session id the client declared (its own id, not NAT'ed), or `default`. */
  get declaredSessionId(): string {
    return this.session.latest?.session_id ?? this.session.hello?.session_id ?? 'default';
  }

  /** Sets the peer id (the hub keeps the registry in step). */
  assignPeer(peer: string): void {
    this.#peer = peer;
  }

  /** The client is authenticated: send HELLO and the HANDSHAKE request, then process what the client sent. */
  begin(opening: ConnectionOpening): void {
    if (this.#state !== 'CONNECTING') return;
    this.#record = opening.record;
    this.#useragent = opening.useragent;
    this.#peer = opening.peer;
    this.#nat = opening.nat;
    this.#handshake = opening.handshake;
    this.#siteId = opening.record.siteId;
    this.#rate = new RateLimiter(
      opening.record.rateLimitPerSecond ?? this.#limits.defaultRateLimitPerSecond,
      this.#host.ctx.now,
    );
    this.#state = 'HANDSHAKING';
    this.#sendClear(opening.handshake.helloMessage());
    this.#sendClear(opening.handshake.requestMessage());
    this.#drain();
  }

  /** A newer client record (admin change). */
  updateRecord(record: ClientRecord): void {
    this.#record = record;
    this.#rate?.setRate(record.rateLimitPerSecond ?? this.#limits.defaultRateLimitPerSecond);
  }

  send(message: HiveMessage): boolean {
    if (this.#state !== 'OPEN' || this.#channel === null) return false;
    let frames: WireFrame[];
    try {
      frames = this.#channel.seal(message);
    } catch (err) {
      if (isHiveLinkError(err) && err.closeCode !== undefined) {
        this.fail(err);
        return false;
      }
      if (!isHiveLinkError(err)) throw err;
      this.#host.logger.warn({ peer: this.#peer, code: err.code }, 'message could not be sealed; dropped');
      return false;
    }
    this.#corkForTick();
    for (const frame of frames) this.#ws.send(frame.kind === 'text' ? frame.text : frame.data);
    if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.fail(new HiveLinkError('HL_ERR_QUEUE_FULL', 'send buffer full: client too slow'));
    }
    return true;
  }

  deny(deniedType: string, code: string, reason: string): void {
    this.#host.logger.debug({ peer: this.#peer, deniedType, code }, 'policy denied');
    this.send(policyDenied(this.#peer, deniedType, code, reason));
  }

  close(error: HiveLinkError): void {
    this.closeWith(error.closeCode ?? CLOSE_INTERNAL_ERROR, error.message);
  }

  /** Reports `error` on the agent bus and closes with its close code and message. */
  fail(error: HiveLinkError): void {
    if (this.#state === 'CLOSING' || this.#state === 'CLOSED') return;
    this.#host.onFailure(this, error);
    this.close(error);
  }

  /** Closes with `code` and `reason` (cut to 123 bytes); the socket is cut if the peer does not answer in time. */
  closeWith(code: number, reason: string): void {
    if (this.#state === 'CLOSING' || this.#state === 'CLOSED') return;
    this.#state = 'CLOSING';
    this.#closeCode = code;
    this.#closeReason = closeReason(reason);
    this.#stopTimers();
    this.#queue = [];
    this.#ws.close(code, this.#closeReason);
    this.#killTimer = this.#timers.setTimeout(
      () => this.#ws.terminate(),
      Math.max(1000, this.#limits.shutdownGraceMs),
    );
  }

  /** Cuts the socket at once. */
  terminate(): void {
    this.#ws.terminate();
  }

  applyHello(payload: Record<string, unknown>): void {
    const session = isObject(payload.session) ? payload.session : null;
    if (typeof payload.pubkey === 'string' && payload.pubkey.length > 0) this.#pubkey = payload.pubkey;
    const site =
      typeof payload.site_id === 'string' && payload.site_id.length > 0
        ? payload.site_id
        : typeof session?.site_id === 'string' && session.site_id.length > 0
          ? session.site_id
          : null;
    if (site !== null) this.#siteId = site;
    const sessionId = session?.session_id;
    if (session === null || typeof sessionId !== 'string' || sessionId.length === 0) return;
    if (sessionId !== this.session.hello?.session_id) this.session.latest = null;
    this.session.hello = deepCopy(session) as SessionData;
    const record = this.record;
    this.#host.renamePeer(this, peerId(this.#useragent, record.id, record.name, sessionId));
  }

  async rekey(message: HiveMessage): Promise<void> {
    if (this.#handshake === null || this.protocolVersion === 3) {
      throw new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', 'handshake after the session was established');
    }
    const step = await this.#handshake.handle(message);
    if (this.#state !== 'OPEN') return;
    if (step.type === 'ignored') return;
    if (step.reply !== null) this.#sendClear(step.reply);
    if (step.type === 'established') this.#channel = step.channel;
  }

  // -- inbound

  #onFrame(frame: WireFrame): void {
    if (this.#state === 'CLOSING' || this.#state === 'CLOSED') return;
    if (this.#queue.length >= this.#limits.inboundQueueMessages) {
      this.fail(new HiveLinkError('HL_ERR_QUEUE_FULL', 'message queue full'));
      return;
    }
    this.#queue.push(frame);
    this.#drain();
  }

  /** Processes queued frames in order; stops at an asynchronous step and resumes when it is done. */
  #drain(): void {
    if (this.#draining || this.#state === 'CONNECTING') return;
    this.#draining = true;
    while (this.#queue.length > 0 && (this.#state === 'HANDSHAKING' || this.#state === 'OPEN')) {
      const pending = this.#process(this.#queue.shift()!);
      if (pending !== undefined) {
        void pending.then(() => {
          this.#draining = false;
          this.#drain();
        });
        return;
      }
    }
    this.#draining = false;
  }

  /** Processes one frame; returns a promise only when an asynchronous step is running. Never rejects. */
  #process(frame: WireFrame): Promise<void> | undefined {
    try {
      const pending =
        this.#state === 'HANDSHAKING' ? this.#processHandshake(frame) : this.#processOpen(frame);
      return pending?.catch((err: unknown) => this.#onError(err));
    } catch (err) {
      this.#onError(err);
      return undefined;
    }
  }

  #onError(err: unknown): void {
    if (this.#state === 'CLOSING' || this.#state === 'CLOSED') return;
    if (isHiveLinkError(err, 'HL_ERR_STORE_UNAVAILABLE') || isHiveLinkError(err, 'HL_ERR_PSK_DERIVATION')) {
      // Our failure, not the client's: 1011, so the client tries again later.
      this.#host.logger.error({ peer: this.#peer, err }, 'connection failed on the hub side');
      this.fail(new HiveLinkError('HL_ERR_INTERNAL', 'client database unavailable', { cause: err }));
      return;
    }
    if (isHiveLinkError(err)) {
      if (err.closeCode !== undefined) {
        this.fail(err);
      } else if (this.#state === 'HANDSHAKING') {
        this.fail(new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', err.message, { cause: err }));
      } else {
        this.deny('unknown', DenyCode.MALFORMED, err.message);
      }
      return;
    }
    this.#host.logger.error({ peer: this.#peer, err }, 'internal error on a connection');
    this.closeWith(CLOSE_INTERNAL_ERROR, 'internal error');
  }

  #processHandshake(frame: WireFrame): Promise<void> | undefined {
    if (frame.kind !== 'text') {
      throw new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', 'binary frame before the handshake completed');
    }
    if (frame.text.length > this.#limits.maxFrameBytes) {
      throw new HiveLinkError('HL_ERR_FRAME_TOO_LARGE', `frame exceeds ${this.#limits.maxFrameBytes} bytes`);
    }
    let message: HiveMessage;
    try {
      message = parseHiveMessage(frame.text);
    } catch (err) {
      const why = isHiveLinkError(err) ? err.message : 'unreadable';
      throw new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', `malformed handshake frame: ${why}`, {
        cause: err,
      });
    }
    if (message.msg_type === HiveMessageType.HELLO) {
      this.#pendingHello = message.payload as JsonObject;
      return undefined;
    }
    return this.#handshake!.handle(message).then((step) => this.#applyStep(step));
  }

  async #applyStep(step: HubHandshakeStep): Promise<void> {
    if (this.#state !== 'HANDSHAKING') return;
    if (step.type === 'ignored') return;
    if (step.reply !== null) this.#sendClear(step.reply);
    if (step.type !== 'established') return;
    this.#channel = step.channel;
    const record = this.record;
    if (step.clientNoiseKey !== null && record.noisePubkey === null) {
      const hex = Buffer.from(step.clientNoiseKey).toString('hex');
      await this.#host.pinNoiseKey(record.id, hex);
      this.#record = { ...record, noisePubkey: hex };
    }
    if (this.#state !== 'HANDSHAKING') return;
    this.#state = 'OPEN';
    this.#timers.clearTimeout(this.#handshakeTimer);
    this.#keepalive.start();
    this.#host.onOpen(this);
    const hello = this.#pendingHello;
    this.#pendingHello = null;
    if (hello !== null) this.applyHello(hello);
  }

  #processOpen(frame: WireFrame): Promise<void> | undefined {
    let message: HiveMessage | null;
    try {
      message = this.#channel!.open(frame);
    } catch (err) {
      if (isHiveLinkError(err) && err.closeCode === undefined) {
        this.deny('unknown', DenyCode.MALFORMED, err.message);
        return undefined;
      }
      throw err;
    }
    if (message === null) return undefined;
    this.#host.touch(this.record.id);
    const decision = this.#rate!.take();
    if (decision === 'deny') {
      this.deny(message.msg_type, DenyCode.RATE, 'message rate limit exceeded');
      return undefined;
    }
    if (decision === 'close') throw new HiveLinkError('HL_ERR_RATE_LIMITED', 'rate limit exceeded');
    const pending = dispatch(this.#host.ctx, this, message);
    return pending instanceof Promise ? pending : undefined;
  }

  // -- outbound and teardown

  #sendClear(message: HiveMessage): void {
    this.#corkForTick();
    this.#ws.send(serializeHiveMessage(message));
  }

  /** Holds this tick's writes in the socket and writes them together when the tick ends. */
  #corkForTick(): void {
    if (this.#corked || this.#socket === null) return;
    this.#corked = true;
    this.#socket.cork();
    process.nextTick(this.#uncork);
  }

  #stopTimers(): void {
    this.#timers.clearTimeout(this.#handshakeTimer);
    this.#keepalive.stop();
  }

  #onClose(code: number, reason: string): void {
    if (this.#state === 'CLOSED') return;
    this.#state = 'CLOSED';
    this.#stopTimers();
    if (this.#killTimer !== null) this.#timers.clearTimeout(this.#killTimer);
    this.#queue = [];
    this.#host.onClosed(this, this.#closeCode ?? code, this.#closeCode === null ? reason : this.#closeReason);
    this.#resolveClosed();
  }
}
