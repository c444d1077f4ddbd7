/**
 * One client connection on the hub: the hub's role in the shared {@link SessionMachine} (which owns the states,
 * the ordered inbound queue, the handshake gate, serial sends with backpressure, keepalive and the close), plus
 * what the hub knows of the client — its record, peer id, session, site and NAT — and the path of each message:
 * the policy stage, then the handlers.
 *
 * The machine is `connecting` while the hub authenticates the client (frames wait), `handshaking` once HELLO and
 * the HANDSHAKE request are out, `open` once the channel exists (a first v3 key is pinned before). The hub
 * registers and announces the client ("client connected", `hive.client.connect`) once it has proven the key: at
 * once after XXpsk2 msg3, else with its first authentic frame (a replayed legacy or KKpsk0 first message completes
 * the handshake but cannot produce one), which must come within the handshake timeout.
 *
 * @module
 */
import type { Logger } from 'pino';
import { deepCopy } from '../bus/copy.js';
import type { SessionData } from '../bus/types.js';
import { CLOSE_INTERNAL_ERROR, HiveLinkError, isHiveLinkError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { JsonObject } from '../protocol/json.js';
import { type HiveMessage, serializeHiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import type { FrameSocket } from '../session/frame-socket.js';
import type { HubHandshake, HubHandshakeStep } from '../session/hub-handshake.js';
import { type HandshakeOutcome, SessionMachine, type SessionState } from '../session/machine.js';
import { UTTERANCE_TYPE } from '../session/turn.js';
import type { SecureChannel } from '../session/types.js';
import type { LoggedConnectionHandle } from '../store/connection-log.js';
import type { ClientRecord, IntercomKeyPin } from '../store/types.js';
import { type Timers, unrefTimers } from '../timers.js';
import { isObject } from './frames.js';
import { dispatch } from './handlers/index.js';
import type { HubMetrics, MetricsConnection, TurnClock } from './metrics.js';
import { peerId } from './peers.js';
import { DenyCode, type Policy } from './policy/index.js';
import { intercomKeyFingerprint, readIntercomKey } from './policy/intercom.js';
import { policyDenied } from './replies.js';
import type { SessionNat } from './session-nat.js';
import type { HubContext, HubPeer, PeerSession } from './types.js';

/** What a connection needs from the hub. */
export interface ConnectionHost {
  readonly ctx: HubContext;
  readonly logger: Logger;
  readonly policy: Policy;
  /** The hub's counters (`GET /metrics`). */
  readonly metrics: HubMetrics;
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
  /** Pins the RSA key a client's HELLO announced (TOFU, one client per key): `ClientStore.pinIntercomKey`. */
  pinIntercomKey(clientId: number, keyId: string): Promise<IntercomKeyPin>;
  /** The client was seen (debounced last_seen). */
  touch(clientId: number): void;
  /** The client's HELLO was applied (its site or assistant flag may have changed): the house's presence. */
  helloApplied?(conn: HubConnection): void;
}

export interface HubConnectionInit {
  socket: FrameSocket;
  /** Connection serial number. */
  id: number;
  /** The remote address. */
  ip: string;
  /** The remote `ip:port`, the peer name until the client is known. */
  remote: string;
  host: ConnectionHost;
  limits: Limits;
  /** @default the global timers, unref'd */
  timers?: Timers;
}

/** What the hub learned when it authenticated the client. */
export interface ConnectionOpening {
  record: ClientRecord;
  useragent: string;
  /** The peer id announced in the hub HELLO. */
  peer: string;
  nat: SessionNat;
  handshake: HubHandshake;
  /** Told once the client proves it holds the key (the policy's failure budget refunds it). @default none */
  auth?: { proven(): void };
}

/** Errors that are the hub's fault, not the client's: 1011, so the client tries again later. */
function isHubSide(err: HiveLinkError): boolean {
  return err.code === 'HL_ERR_STORE_UNAVAILABLE' || err.code === 'HL_ERR_PSK_DERIVATION';
}

export class HubConnection implements HubPeer, MetricsConnection {
  readonly id: number;
  readonly ip: string;
  readonly rateKey: string;
  readonly session: PeerSession = { hello: null, latest: null };
  /** Resolves when the websocket has closed. */
  readonly closed: Promise<void>;
  /** This connection in the hub's connection history (set when it opens). */
  history: LoggedConnectionHandle | null = null;
  readonly #host: ConnectionHost;
  readonly #machine: SessionMachine;
  readonly #timers: Timers;
  /** Time an open but unproven session has to send its first authentic frame. */
  readonly #proofTimeoutMs: number;
  #proofTimer: unknown = null;
  #peer: string;
  #useragent = '';
  #record: ClientRecord | null = null;
  #nat: SessionNat | null = null;
  #handshake: HubHandshake | null = null;
  /** The site the client's HELLO announced (`site_id`, else its session's), or null. */
  #helloSiteId: string | null = null;
  #assistant = false;
  #pubkey: string | null = null;
  #pendingHello: JsonObject | null = null;
  #clientNoiseKey: Uint8Array | null = null;
  #auth: { proven(): void } | null = null;
  /** True once the client proved the key: by the handshake (XXpsk2), else by its first authentic frame. */
  #keyProven = false;
  /** The client's turn, timed for `GET /metrics`. */
  readonly #turn: TurnClock = { startedAt: 0, answered: false };

  constructor(init: HubConnectionInit) {
    this.id = init.id;
    this.ip = init.ip;
    this.rateKey = `ws:${init.id}`;
    this.#peer = init.remote;
    this.#host = init.host;
    const limits = init.limits;
    this.#timers = init.timers ?? unrefTimers;
    this.#proofTimeoutMs = limits.handshakeTimeoutMs;
    this.#machine = new SessionMachine({
      socket: init.socket,
      timers: this.#timers,
      limits: {
        handshakeTimeoutMs: limits.handshakeTimeoutMs,
        maxHandshakeFrameBytes: Math.min(limits.maxHandshakeFrameBytes, limits.maxFrameBytes),
        inboundQueueMessages: limits.inboundQueueMessages,
        maxBufferedBytes: limits.maxBufferedBytes,
        sendQueueMessages: 0,
        pingIntervalMs: limits.pingIntervalMs,
        pingTimeoutMs: limits.pingTimeoutMs,
        closeGraceMs: Math.max(1000, limits.shutdownGraceMs),
        parse: { maxJsonDepth: limits.maxJsonDepth, maxWrapperDepth: limits.maxWrapperDepth },
      },
      serializeClear: serializeHiveMessage,
      sendOverflow: () => new HiveLinkError('HL_ERR_QUEUE_FULL', 'send buffer full: client too slow'),
      role: {
        handshake: (message) => this.#handshakeStep(message),
        established: () => this.#established(),
        opened: () => this.#opened(),
        message: (message) => this.#onMessage(message),
        recover: (error, state) => this.#recover(error, state),
        closeFor: (error) => ({ code: error.closeCode ?? CLOSE_INTERNAL_ERROR, reason: error.message }),
      },
      onEnd: (end) => {
        if (end.error === null) return;
        if (end.error.code === 'HL_ERR_PING_TIMEOUT') {
          this.#host.logger.info({ peer: this.#peer }, 'no pong: connection dropped');
          return;
        }
        this.#host.onFailure(this, end.error);
      },
    });
    this.closed = this.#machine.closed.then(() => {
      this.#clearProofTimer();
      const end = this.#machine.end!;
      this.#host.policy.forget(this);
      this.#host.onClosed(this, end.code, end.reason);
    });
  }

  get state(): SessionState {
    return this.#machine.state;
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
    return this.#machine.channel?.protocolVersion ?? 0;
  }

  get channel(): SecureChannel | null {
    return this.#machine.channel;
  }

  get inboundQueued(): number {
    return this.#machine.queuedInbound;
  }

  get bufferedBytes(): number {
    return this.#machine.bufferedBytes;
  }

  /**
   * The client's room: its record's site (set by the admin: `hivelink clients set ID --site kitchen`), else the site
   * its HELLO announced. The admin value wins, and an admin change applies from the next policy refresh.
   */
  get siteId(): string | null {
    return this.#record?.siteId ?? this.#helloSiteId;
  }

  /** The site the client's own HELLO announced, or null (the record's site may override it: {@link siteId}). */
  get helloSiteId(): string | null {
    return this.#helloSiteId;
  }

  /**
   * The client's HELLO said it is a full assistant (`"hivelink_assistant": true`): a relayed question for its room
   * is sent to it to answer rather than to the hub's assistant (docs/PROTOCOL.md §12.3).
   */
  get isAssistant(): boolean {
    return this.#assistant;
  }

  /** The INTERCOM key bound by a HELLO, while it is still the one pinned to the record (an admin reset unbinds it). */
  get pubkey(): string | null {
    return this.#pubkey !== null && this.#record?.intercomPubkey === this.#pubkey ? this.#pubkey : null;
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
    if (this.#machine.state !== 'connecting') return;
    this.#record = opening.record;
    this.#useragent = opening.useragent;
    this.#peer = opening.peer;
    this.#nat = opening.nat;
    this.#handshake = opening.handshake;
    this.#auth = opening.auth ?? null;
    this.#machine.begin([opening.handshake.helloMessage(), opening.handshake.requestMessage()]);
  }

  /** A newer client record (admin change). */
  updateRecord(record: ClientRecord): void {
    this.#record = record;
  }

  send(message: HiveMessage): boolean {
    if (this.#machine.state !== 'open') return false;
    try {
      this.#machine.send(message);
      const metrics = this.#host.metrics;
      metrics.sent(message.msg_type);
      if (this.#turn.startedAt !== 0 && message.msg_type === HiveMessageType.BUS) {
        metrics.answered(this.#turn, (message.payload as { type?: unknown } | null)?.type);
      }
      return true;
    } catch (err) {
      if (!isHiveLinkError(err)) throw err;
      if (err.closeCode !== undefined) {
        this.fail(err);
        return false;
      }
      this.#host.logger.warn({ peer: this.#peer, code: err.code }, 'message could not be sealed; dropped');
      return false;
    }
  }

  deny(deniedType: string, code: string, reason: string): void {
    this.#host.logger.debug({ peer: this.#peer, deniedType, code }, 'policy denied');
    this.#host.metrics.denied(code, {
      at: this.#host.ctx.now(),
      peer: this.#peer,
      clientId: this.#record?.id ?? null,
      clientName: this.#record?.name ?? null,
      ip: this.ip,
      deniedType,
      reason,
    });
    this.send(policyDenied(this.#peer, deniedType, code, reason));
  }

  close(error: HiveLinkError): void {
    this.closeWith(error.closeCode ?? CLOSE_INTERNAL_ERROR, error.message);
  }

  /** Reports `error` on the agent bus and closes with its close code and message. */
  fail(error: HiveLinkError): void {
    this.#machine.fail(error);
  }

  /** Closes with `code` and `reason` (cut to 123 bytes); the socket is cut if the peer does not answer in time. */
  closeWith(code: number, reason: string): void {
    this.#machine.close(code, reason);
  }

  /** Cuts the socket at once. */
  terminate(): void {
    this.#machine.terminate();
  }

  applyHello(payload: Record<string, unknown>): void | Promise<void> {
    const session = isObject(payload.session) ? payload.session : null;
    const announced = typeof payload.pubkey === 'string' && payload.pubkey.length > 0 ? payload.pubkey : null;
    this.#applyHelloSession(payload, session);
    // Holds the inbound queue until the key is pinned, so the client's next message sees it bound.
    return announced === null ? undefined : this.#bindPubkey(announced);
  }

  #applyHelloSession(payload: Record<string, unknown>, session: Record<string, unknown> | null): void {
    const site =
      typeof payload.site_id === 'string' && payload.site_id.length > 0
        ? payload.site_id
        : typeof session?.site_id === 'string' && session.site_id.length > 0
          ? session.site_id
          : null;
    if (site !== null) this.#helloSiteId = site;
    if (typeof payload.hivelink_assistant === 'boolean') this.#assistant = payload.hivelink_assistant;
    const sessionId = session?.session_id;
    if (session !== null && typeof sessionId === 'string' && sessionId.length > 0) {
      if (sessionId !== this.session.hello?.session_id) this.session.latest = null;
      this.session.hello = deepCopy(session) as SessionData;
      const record = this.record;
      this.#host.renamePeer(this, peerId(this.#useragent, record.id, record.name, sessionId));
    }
    this.#host.helloApplied?.(this);
  }

  /**
   * Binds a HELLO `pubkey` to this client (docs/PROTOCOL.md §2.2): the first key a client record announces is
   * pinned to it, and only a pinned key is an INTERCOM address. A key pinned to another record, or other than this
   * record's pin, is refused with `key_not_bound` and is not registered; the log names it by fingerprint only.
   */
  async #bindPubkey(announced: string): Promise<void> {
    const key = readIntercomKey(announced);
    if (key === null) {
      this.deny(
        HiveMessageType.HELLO,
        DenyCode.MALFORMED,
        'pubkey is not an RSA public key in PEM (2048 to 8192 bits); it is not used for INTERCOM',
      );
      return;
    }
    const clientId = this.record.id;
    const pin = await this.#host.pinIntercomKey(clientId, key.id);
    if (pin === 'pinned' || pin === 'same') {
      this.#record = { ...this.record, intercomPubkey: key.id };
      this.#pubkey = key.id;
      return;
    }
    this.#host.logger.warn(
      { peer: this.#peer, clientId, key: intercomKeyFingerprint(key.id), pin },
      pin === 'taken'
        ? 'HELLO pubkey refused: it is pinned to another client'
        : 'HELLO pubkey refused: this client has another key pinned',
    );
    this.deny(
      HiveMessageType.HELLO,
      DenyCode.KEY_NOT_BOUND,
      'pubkey is not the key pinned to this client, so it is not registered for INTERCOM ' +
        '(the hub admin can reset the pin: hivelink clients reset-intercom-pin)',
    );
  }

  async rekey(message: HiveMessage): Promise<void> {
    if (this.#handshake === null || this.protocolVersion === 3) {
      throw new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', 'handshake after the session was established');
    }
    const step = await this.#handshake.handle(message);
    if (this.#machine.state !== 'open' || step.type === 'ignored') return;
    if (step.reply !== null) this.#machine.sendClear(step.reply);
    if (step.type === 'established') this.#machine.replaceChannel(step.channel);
  }

  // -- the hub's role in the session machine

  #handshakeStep(message: HiveMessage): HandshakeOutcome | Promise<HandshakeOutcome> {
    if (message.msg_type === HiveMessageType.HELLO) {
      // Some clients send their HELLO before the handshake completes; it applies once the session is open.
      this.#pendingHello = message.payload as JsonObject;
      return { send: [], channel: null };
    }
    return this.#handshake!.handle(message).then((step) => {
      if (step.type === 'established') {
        this.#clientNoiseKey = step.clientNoiseKey;
        this.#keyProven = step.proven;
      }
      return outcomeOf(step);
    });
  }

  /** Pins the client's Noise key on its first v3 handshake, before the session opens. */
  async #established(): Promise<void> {
    const key = this.#clientNoiseKey;
    const record = this.record;
    if (key !== null && record.noisePubkey === null) {
      const hex = Buffer.from(key).toString('hex');
      await this.#host.pinNoiseKey(record.id, hex);
      this.#record = { ...record, noisePubkey: hex };
    }
  }

  /**
   * The channel is open. A client the handshake proved (XXpsk2) is announced now; a legacy or KKpsk0 client only
   * once its first authentic frame arrives (a replayed handshake message opens a channel nobody can use), within the
   * handshake timeout.
   */
  #opened(): void {
    if (this.#keyProven) {
      this.#announce();
      return;
    }
    this.#proofTimer = this.#timers.setTimeout(() => {
      this.#proofTimer = null;
      const why = 'handshake timeout: no authentic frame from the client';
      this.fail(new HiveLinkError('HL_ERR_HANDSHAKE_TIMEOUT', why, { stage: 'hub.proof' }));
    }, this.#proofTimeoutMs);
  }

  #clearProofTimer(): void {
    if (this.#proofTimer !== null) this.#timers.clearTimeout(this.#proofTimer);
    this.#proofTimer = null;
  }

  /** The client proved the key: its handshake attempts are refunded, and it is registered and announced. */
  #announce(): void {
    this.#clearProofTimer();
    this.#auth?.proven();
    this.#host.onOpen(this);
    const hello = this.#pendingHello;
    this.#pendingHello = null;
    if (hello !== null) {
      const applied = this.applyHello(hello);
      if (applied instanceof Promise) {
        applied.catch((err: unknown) => {
          this.#host.logger.error({ peer: this.#peer, err }, 'the early HELLO failed');
          this.closeWith(CLOSE_INTERNAL_ERROR, 'internal error');
        });
      }
    }
  }

  #onMessage(message: HiveMessage): void | Promise<void> {
    // Only a HANDSHAKE (a legacy re-key) can arrive in cleartext on an open session; anything else was
    // authenticated by the channel's key, which a replayed handshake cannot have.
    if (!this.#keyProven && message.msg_type !== HiveMessageType.HANDSHAKE) {
      this.#keyProven = true;
      this.#announce();
    }
    this.#host.touch(this.record.id);
    this.#host.metrics.received(message.msg_type);
    const verdict = this.#host.policy.check(this, message);
    if (verdict.kind === 'deny') {
      this.deny(verdict.deniedType, verdict.code, verdict.reason);
      return undefined;
    }
    if (verdict.kind === 'close') throw verdict.error;
    if (
      message.msg_type === HiveMessageType.BUS &&
      (message.payload as { type?: unknown } | null)?.type === UTTERANCE_TYPE
    ) {
      this.#host.metrics.utterance(this.#turn);
    }
    return dispatch(this.#host.ctx, this, message);
  }

  /** Which processing errors the connection survives: an unreadable message on an open session gets an answer. */
  #recover(error: HiveLinkError, state: SessionState): boolean {
    if (isHubSide(error)) {
      this.#host.logger.error({ peer: this.#peer, err: error }, 'connection failed on the hub side');
      this.fail(new HiveLinkError('HL_ERR_INTERNAL', 'client database unavailable', { cause: error }));
      return true;
    }
    if (error.code === 'HL_ERR_INTERNAL' && error.cause !== undefined && !isHiveLinkError(error.cause)) {
      this.#host.logger.error({ peer: this.#peer, err: error.cause }, 'internal error on a connection');
      this.closeWith(CLOSE_INTERNAL_ERROR, 'internal error');
      return true;
    }
    if (error.closeCode !== undefined) return false;
    if (state !== 'open') {
      const why = `malformed handshake frame: ${error.message}`;
      this.fail(new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', why, { cause: error }));
      return true;
    }
    const verdict = this.#host.policy.malformed(this, error.message);
    if (verdict.kind === 'close') return this.#failWith(verdict.error);
    if (verdict.kind === 'deny') this.deny(verdict.deniedType, verdict.code, verdict.reason);
    return true;
  }

  #failWith(error: HiveLinkError): true {
    this.fail(error);
    return true;
  }
}

function outcomeOf(step: HubHandshakeStep): HandshakeOutcome {
  if (step.type === 'ignored') return { send: [], channel: null };
  const send = step.reply === null ? [] : [step.reply];
  return { send, channel: step.type === 'established' ? step.channel : null };
}
