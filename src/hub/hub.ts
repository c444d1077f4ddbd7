/**
 * The hub: accepts websocket connections (handed over by the HTTP server's `upgrade` event), authenticates
 * clients, runs their handshakes, and routes between them and the agent bus.
 *
 * @example
 * ```ts
 * const hub = new Hub({ config, store, identity, agent: inProcessAgent(new MemoryBus()) });
 * await hub.start();
 * server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
 * // …
 * await hub.stop();
 * ```
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { availableParallelism } from 'node:os';
import type { Duplex } from 'node:stream';
import pino, { type Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { MessageData } from '../bus/types.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { nodeBackend } from '../crypto/backend.node.js';
import { derivePskArgon2id } from '../crypto/psk.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { type HandshakeGuard, HubHandshake, hubHandshakeLimits } from '../session/hub-handshake.js';
import type { ProtocolVersion } from '../session/types.js';
import { ConnectionLog } from '../store/connection-log.js';
import type { HubIdentity } from '../store/identity.js';
import { LastSeenBatcher } from '../store/last-seen.js';
import type { ClientRecord, ClientStore, IntercomKeyPin } from '../store/types.js';
import type { Agent } from './agent.js';
import { withOffThreadArgon2id } from './argon2-worker.js';
import {
  type ClientAskOptions,
  type ClientAskRequest,
  type ClientAskResult,
  ClientAsks,
} from './client-ask.js';
import type { HubConfig } from './config.js';
import { HubConnection } from './connection.js';
import { FloodCache } from './flood.js';
import { KdfLimiter } from './kdf-limiter.js';
import { HubMailbox } from './mailbox.js';
import { HubMetrics } from './metrics.js';
import { PairingResponder, pairingUpgradeId } from './pairing.js';
import { PeerRegistry, peerId } from './peers.js';
import { type Authenticator, storeAuthenticator } from './policy/authenticate.js';
import { authThrottleLimits, Policy, utteranceGuard } from './policy/index.js';
import { QueryTracker } from './queries.js';
import { endQuery, routeAgentMessage } from './router.js';
import { SessionNat, sessionNamespace } from './session-nat.js';
import type { HubContext, HubPeer } from './types.js';
import { gatePreOpenFrames, preOpenMessageBytes, wsFrameSocket } from './ws-frame-socket.js';

/** A feature that lives as long as the hub (the house): started after the agent, stopped before connections close. */
export interface HubService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface HubInit {
  config: HubConfig;
  store: ClientStore;
  /** The hub's keys (`loadOrCreateHubIdentity`). */
  identity: Pick<HubIdentity, 'noiseStatic' | 'rsaPublicPem'>;
  agent: Agent;
  /** @default a silent logger */
  logger?: Logger;
  /** @default the node:crypto backend */
  backend?: CryptoBackend;
  /** Clock in ms. @default Date.now */
  now?: () => number;
  /** Who a websocket is. @default the access key in `store` ({@link storeAuthenticator}) */
  authenticate?: Authenticator;
}

/** One open connection as {@link Hub.liveConnections} lists it. */
export interface LiveConnection {
  /** The connection's serial number. */
  readonly id: number;
  readonly peer: string;
  readonly clientId: number;
  readonly clientName: string;
  /** 2 (legacy) or 3 (Noise). */
  readonly protocol: number;
  /** The legacy cipher or Noise suite, or null. */
  readonly cipher: string | null;
  /** The legacy binary-to-text encoding, or null. */
  readonly encoding: string | null;
  /** Its room (the record's site, else its HELLO's), or null. */
  readonly site: string | null;
  /** When its session opened, ms since the epoch. */
  readonly since: number | null;
  /** The remote address. */
  readonly ip: string;
}

/** Per-client rate limiters of REST asks kept beside the connections' own. */
const REST_RATE_LIMITERS = 4096;

function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** The address a socket reports, without the IPv4-mapped prefix. */
function remoteIp(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

export class Hub {
  readonly config: HubConfig;
  readonly ctx: HubContext;
  readonly logger: Logger;
  readonly #init: HubInit;
  readonly #backend: CryptoBackend;
  /** The backend for the PSK derivation: argon2id in a worker thread, never on the event loop. */
  readonly #kdfBackend: CryptoBackend;
  /** Admission control of the handshakes' legacy PBKDF2; each connection's backend goes through it as its own. */
  readonly #kdfLimiter: KdfLimiter;
  readonly #store: ClientStore;
  readonly policy: Policy;
  /** The counters and gauges of `GET /metrics`. */
  readonly metrics: HubMetrics;
  readonly #authenticate: Authenticator;
  readonly #now: () => number;
  readonly #peers = new PeerRegistry<HubConnection>();
  readonly #connections = new Set<HubConnection>();
  readonly #perIp = new Map<string, number>();
  readonly #pingAnswers = new Map<string, number>();
  readonly #pskInflight = new Map<number, Promise<Uint8Array>>();
  readonly #wss: WebSocketServer;
  readonly #lastSeen: LastSeenBatcher;
  readonly #asks: ClientAsks;
  /** Satellites joining with a pairing code (`pair:<id>`, docs/PROTOCOL.md §17). */
  readonly #pairing: PairingResponder;
  #serial = 0;
  #startedAt = 0;
  #state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  #unwatch: (() => void) | null = null;
  #unsubscribe: (() => void) | null = null;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  readonly #peerListeners = new Set<(conn: HubPeer) => void>();
  readonly #services: HubService[] = [];
  /** Connection history, written in batches. */
  readonly #history: ConnectionLog;
  /** More of `GET /healthz`: each entry's value under its key (the mesh's parent links). */
  readonly healthDetails = new Map<string, () => unknown>();

  constructor(init: HubInit) {
    this.#init = init;
    this.config = init.config;
    this.logger = init.logger ?? pino({ level: 'silent' });
    this.#backend = init.backend ?? nodeBackend;
    this.#kdfBackend = withOffThreadArgon2id(this.#backend);
    const kdfConcurrency = init.config.limits.legacyKdfConcurrency;
    this.#kdfLimiter = new KdfLimiter({
      concurrency: kdfConcurrency > 0 ? kdfConcurrency : Math.max(1, availableParallelism() - 1),
      maxWaitMs: init.config.limits.handshakeTimeoutMs / 2,
      perIp: init.config.limits.legacyKdfPerIp,
      perKey: init.config.limits.legacyKdfPerKey,
    });
    this.#store = init.store;
    this.#pairing = new PairingResponder({
      store: init.store,
      config: init.config,
      identity: init.identity,
      backend: this.#backend,
      kdfBackend: this.#kdfBackend,
      logger: this.logger,
    });
    const limits = init.config.limits;
    const now = init.now ?? Date.now;
    this.#now = now;
    this.policy = new Policy({
      store: init.store,
      defaultRatePerSecond: limits.defaultRateLimitPerSecond,
      maxRateLimiters: limits.maxConnections + REST_RATE_LIMITERS,
      now,
      minPasswordBits: limits.minPasswordBits,
      authThrottle: authThrottleLimits(limits),
      legacyEnvelopeCacheSize: limits.legacyEnvelopeCacheSize,
    });
    this.policy.addGuard(utteranceGuard(limits.maxUtteranceChars));
    this.metrics = new HubMetrics(() => this.#connections, { recentDenials: limits.recentDenials });
    this.#authenticate = this.policy.authenticator(
      init.authenticate ?? storeAuthenticator(init.store, this.policy),
    );
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: limits.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.#lastSeen = new LastSeenBatcher({
      store: init.store,
      intervalMs: limits.lastSeenFlushMs,
      now,
      onError: (err) => this.logger.warn({ err }, 'could not record last-seen times'),
    });
    this.#history = new ConnectionLog({
      store: init.store,
      intervalMs: limits.connectionLogFlushMs,
      maxPending: limits.connectionLogMaxPending,
      onError: (err) => this.logger.warn({ err }, 'could not record the connection history'),
    });
    const queries = new QueryTracker({
      maxEntries: limits.maxQueryReturnPaths,
      ttlMs: limits.queryReturnTtlMs,
      timeoutMs: limits.queryTimeoutMs,
      now,
      onTimeout: (path) => endQuery(this.ctx, path),
    });
    this.ctx = {
      config: init.config,
      limits,
      logger: this.logger,
      bus: init.agent.bus,
      nodeId: init.identity.rsaPublicPem,
      peers: this.#peers,
      floods: new FloodCache(limits.floodCacheSize),
      pings: new FloodCache(limits.floodCacheSize),
      queries,
      pingAnswerAllowed: (origin) => this.#pingAnswerAllowed(origin),
      now,
      busTaps: [],
      routeTaps: [],
      binaryTaps: [],
      floodHooks: [],
      mailbox: new HubMailbox({
        store: init.store,
        peers: this.#peers,
        limits,
        logger: this.logger,
        nodeId: init.identity.rsaPublicPem,
        onPeersChanged: (listener) => this.onPeersChanged(listener),
        now,
      }),
    };
    // The mailbox (RENDEZVOUS) purges expired mail while the hub runs and hands mail out as clients connect.
    this.#services.push(this.ctx.mailbox!);
    this.#asks = new ClientAsks({
      ctx: this.ctx,
      isRunning: () => this.#state === 'running',
      policy: this.policy,
      nat: (clientId) =>
        new SessionNat(sessionNamespace(this.#backend, init.identity.rsaPublicPem, clientId)),
      connectionCount: () => this.#connections.size,
      touch: (clientId) => this.#lastSeen.touch(clientId),
    });
  }

  /** Open websocket connections, authenticated or not. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Open, authenticated connections (registered peers). */
  get peerCount(): number {
    return this.#peers.size;
  }

  /** Seconds since `start()`. */
  get uptimeSeconds(): number {
    return this.#startedAt === 0 ? 0 : Math.floor((this.#now() - this.#startedAt) / 1000);
  }

  /** Adds a service the hub starts with itself (in order, after the agent) and stops first (in reverse order). */
  use(service: HubService): void {
    if (this.#state !== 'idle')
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'add services before start()');
    this.#services.push(service);
  }

  /**
   * Calls `listener` whenever a connection opens, closes, is renamed or applies a HELLO (its site may have
   * changed), with that connection; the house keeps its presence with it. Returns the unsubscribe.
   */
  onPeersChanged(listener: (conn: HubPeer) => void): () => void {
    this.#peerListeners.add(listener);
    return () => this.#peerListeners.delete(listener);
  }

  #peersChanged(conn: HubPeer): void {
    for (const listener of this.#peerListeners) {
      try {
        listener(conn);
      } catch (err) {
        this.logger.warn({ err }, 'a peer listener failed');
      }
    }
  }

  /** The open, authenticated connections now, oldest first (`GET /v1/admin/connections`, the admin page). */
  liveConnections(): LiveConnection[] {
    return [...this.#peers.values()].map((conn) => ({
      id: conn.id,
      peer: conn.peer,
      clientId: conn.record.id,
      clientName: conn.record.name,
      protocol: conn.protocolVersion,
      cipher: conn.channel?.cipher ?? null,
      encoding: conn.channel?.encoding ?? null,
      site: conn.siteId,
      since: conn.history?.connection.startedAt ?? null,
      ip: conn.ip,
    }));
  }

  /**
   * Closes every open connection of client `clientId` with `error` (a revoked client's, at once instead of at the
   * next policy refresh). Returns how many it closed.
   */
  dropClient(clientId: number, error: HiveLinkError): number {
    let dropped = 0;
    for (const conn of this.#connections) {
      if (conn.clientId !== clientId || conn.state === 'closing' || conn.state === 'closed') continue;
      conn.fail(error);
      dropped += 1;
    }
    return dropped;
  }

  /** The peer ids of the open connections. */
  peerIds(): string[] {
    return [...this.#peers.values()].map((c) => c.peer);
  }

  /**
   * Asks the agent as `client`, through a virtual connection (peer id `rest::<client_id>::<name>::<session_id>`)
   * that takes the same policy, injection and routing path as a websocket client: see `client-ask.ts`.
   */
  askAsClient(
    client: ClientRecord,
    request: ClientAskRequest,
    options?: ClientAskOptions,
  ): Promise<ClientAskResult> {
    return this.#asks.ask(client, request, options);
  }

  /** The non-revoked client a REST API bearer token belongs to, or null. */
  clientForToken(token: string): Promise<ClientRecord | null> {
    return this.#store.clientForToken(token);
  }

  /** Starts the agent, loads the IP rules and begins watching the database for admin changes. */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'hub already started');
    this.#state = 'running';
    this.#startedAt = this.#now();
    await this.policy.cache.loadIpRules();
    // The router only reads each message and keeps nothing of it: no copy per message.
    this.#unsubscribe = this.ctx.bus.on('*', (message) => routeAgentMessage(this.ctx, message), {
      shared: true,
    });
    this.#unwatch = this.#store.watch(() => this.#refreshPolicy(), this.config.limits.policyRefreshMs);
    await this.#init.agent.start();
    for (const service of this.#services) await service.start();
    this.logger.debug({ agent: this.#init.agent.kind }, 'hub started');
  }

  /**
   * Closes every connection with 1001, waits up to `shutdownGraceMs` for them, writes pending last-seen times and
   * stops the agent. The store stays open (it belongs to the caller).
   */
  async stop(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    this.#state = 'stopping';
    for (const service of [...this.#services].reverse()) {
      await service.stop().catch((err: unknown) => this.logger.warn({ err }, 'a hub service failed to stop'));
    }
    this.#asks.stop();
    await this.#pairing.stop();
    this.#unwatch?.();
    this.#unsubscribe?.();
    const closing = [...this.#connections].map((c) => c.closed);
    for (const conn of this.#connections) conn.closeWith(1001, 'hub shutting down');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.config.limits.shutdownGraceMs);
    });
    await Promise.race([Promise.all(closing), grace]);
    clearTimeout(timer);
    for (const conn of this.#connections) conn.terminate();
    await Promise.all(closing);
    this.ctx.queries.clear();
    await this.#refreshing?.catch(() => undefined);
    await this.#lastSeen.stop().catch((err: unknown) => this.logger.warn({ err }, 'last-seen flush failed'));
    await this.#history
      .stop()
      .catch((err: unknown) => this.logger.warn({ err }, 'connection history flush failed'));
    await this.#init.agent.stop();
    this.#wss.close();
    this.#state = 'stopped';
  }

  /** Takes over an HTTP upgrade request for the websocket endpoint. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const ip = remoteIp(req);
      const pairing = pairingUpgradeId(req.url ?? '/');
      if (pairing !== null) {
        this.#pairing.accept(ws, socket, ip, pairing, this.#state === 'running');
        return;
      }
      const conn = new HubConnection({
        socket: wsFrameSocket(ws, socket),
        id: ++this.#serial,
        ip,
        remote: `${ip}:${req.socket.remotePort ?? 0}`,
        host: this,
        limits: this.config.limits,
      });
      // ws reads up to maxFrameBytes per message; until the session opens, far less is allowed (issue 10).
      const maxPreOpen = preOpenMessageBytes(this.config.limits);
      gatePreOpenFrames(socket, {
        maxMessageBytes: maxPreOpen,
        isOpen: () => conn.state === 'open',
        onTooLarge: (bytes) =>
          conn.fail(
            new HiveLinkError(
              'HL_ERR_FRAME_TOO_LARGE',
              `message of ${bytes} bytes before the session opened (at most ${maxPreOpen})`,
            ),
          ),
      });
      this.#connections.add(conn);
      this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
      this.#admit(conn, req.url ?? '/');
    });
  }

  #admit(conn: HubConnection, url: string): void {
    const limits = this.config.limits;
    if (this.#state !== 'running') {
      conn.closeWith(1001, 'hub shutting down');
    } else if (this.#connections.size > limits.maxConnections) {
      conn.close(new HiveLinkError('HL_ERR_TOO_MANY_CONNECTIONS', 'too many connections'));
    } else if ((this.#perIp.get(conn.ip) ?? 0) > limits.maxConnectionsPerIp) {
      conn.close(new HiveLinkError('HL_ERR_TOO_MANY_CONNECTIONS', 'too many connections from this address'));
    } else {
      this.#open(conn, url).catch((err: unknown) => {
        if (isHiveLinkError(err) && err.closeCode !== undefined) {
          conn.fail(err);
        } else {
          this.logger.error({ err, peer: conn.peer }, 'cannot authenticate a connection');
          conn.fail(new HiveLinkError('HL_ERR_INTERNAL', 'client database unavailable', { cause: err }));
        }
      });
    }
  }

  /** Authenticates the connection (the policy's hook), then starts its handshake. */
  async #open(conn: HubConnection, url: string): Promise<void> {
    const { record, password, useragent } = await this.#authenticate({ url, ip: conn.ip });
    if (conn.state !== 'connecting') return;
    // Announced in the HELLO as HiveMind announces it, `…::default` (`…::default::xxxxxxxx` beside another
    // connection of this client): HiveMind tools expect that suffix to become their session at their HELLO.
    const peer = this.#peers.unique(peerId(useragent, record.id, record.name, 'default'));
    const auth = this.policy.connectionAuth(record, conn.ip);
    const handshake = this.#handshakeFor(record, password, peer, auth, conn.ip);
    const nat = new SessionNat(sessionNamespace(this.#backend, this.#init.identity.rsaPublicPem, record.id));
    // Start the (cached, off-thread) PSK derivation now: the client derives its copy at the same time, so a first
    // v3 connection waits for one argon2id instead of two in a row. Failures surface in the handshake itself.
    this.#psk(record.id, password).catch(() => undefined);
    conn.begin({ record, useragent, peer, nat, handshake, auth });
  }

  /** The handshake the hub offers `record`: its protocol floor, the ciphers, and KKpsk0 once its key is pinned. */
  #handshakeFor(
    record: ClientRecord,
    password: string,
    peer: string,
    guard: HandshakeGuard,
    ip: string,
  ): HubHandshake {
    const minProtocol = Math.max(this.config.minProtocol, record.minProtocol ?? 0, 1) as ProtocolVersion;
    if (minProtocol > 3) {
      throw new HiveLinkError('HL_ERR_PROTOCOL_VERSION', `minimum protocol v${minProtocol} is not available`);
    }
    const pinned = record.noisePubkey === null ? null : hexBytes(record.noisePubkey);
    const nodeId = this.ctx.nodeId;
    return new HubHandshake({
      backend: this.#kdfLimiter.wrap(this.#backend, { ip, key: record.accessKey }),
      hello: { pubkey: this.#init.identity.rsaPublicPem, peer, node_id: nodeId },
      offer: {
        minProtocol,
        maxProtocol: 3,
        binarize: this.config.binarize,
        encodings: this.config.allowedEncodings,
        ciphers: this.config.allowedCiphers,
        noise: {
          patterns:
            pinned === null
              ? this.config.noisePatterns.filter((p) => p !== 'KKpsk0')
              : this.config.noisePatterns,
          suites: this.config.noiseSuites,
        },
      },
      password,
      noiseStatic: this.#init.identity.noiseStatic,
      pinnedClientKey: pinned,
      psk: () => this.#psk(record.id, password),
      guard,
      limits: hubHandshakeLimits(this.config.limits),
    });
  }

  /** The client's v3 PSK: from the store's cache, derived (argon2id, off the event loop) only on a miss. */
  #psk(clientId: number, password: string): Promise<Uint8Array> {
    const inflight = this.#pskInflight.get(clientId);
    if (inflight !== undefined) return inflight;
    const nodeId = this.ctx.nodeId;
    const run = (async () => {
      const cached = await this.#store.getCachedPsk(clientId, nodeId);
      if (cached !== null) return cached;
      const psk = await derivePskArgon2id(this.#kdfBackend, password, nodeId);
      await this.#store.setCachedPsk(clientId, nodeId, psk);
      return psk;
    })();
    this.#pskInflight.set(clientId, run);
    return run.finally(() => this.#pskInflight.delete(clientId));
  }

  #pingAnswerAllowed(origin: string): boolean {
    const now = this.ctx.now();
    const last = this.#pingAnswers.get(origin);
    if (last !== undefined && now - last < this.config.limits.pingFloodIntervalMs) return false;
    this.#pingAnswers.delete(origin);
    this.#pingAnswers.set(origin, now);
    if (this.#pingAnswers.size > this.config.limits.floodCacheSize) {
      const oldest = this.#pingAnswers.keys().next().value;
      if (oldest !== undefined) this.#pingAnswers.delete(oldest);
    }
    return true;
  }

  #emit(message: MessageData): void {
    try {
      this.ctx.bus.emit(message);
    } catch (err) {
      this.logger.warn({ err, type: message.type }, 'agent bus refused a hub event');
    }
  }

  // -- ConnectionHost

  onOpen(conn: HubConnection): void {
    this.metrics.opened(conn.protocolVersion);
    conn.assignPeer(this.#peers.unique(conn.peer));
    this.#peers.add(conn);
    const record = conn.record;
    const channel = conn.channel;
    this.#lastSeen.touch(record.id);
    conn.history = this.#history.opened({
      clientId: record.id,
      ip: conn.ip,
      protocol: conn.protocolVersion,
      cipher: channel?.cipher ?? null,
      encoding: channel?.encoding ?? null,
      startedAt: this.#now(),
    });
    const sessionId = conn.nat.toAgent(conn.declaredSessionId);
    this.#emit({
      type: 'hive.client.connect',
      data: { key: conn.peer, session_id: sessionId },
      context: { source: conn.peer, session: { session_id: sessionId } },
    });
    this.logger.info(
      { peer: conn.peer, ip: conn.ip, protocol: conn.protocolVersion, cipher: channel?.cipher },
      'client connected',
    );
    this.#peersChanged(conn);
  }

  helloApplied(conn: HubConnection): void {
    if (this.#peers.get(conn.peer) === conn) this.#peersChanged(conn);
  }

  renamePeer(conn: HubConnection, base: string): void {
    if (conn.peer === base) return;
    const registered = this.#peers.get(conn.peer) === conn;
    if (registered) this.#peers.remove(conn);
    conn.assignPeer(this.#peers.unique(base));
    if (registered) {
      this.#peers.add(conn);
      this.#peersChanged(conn);
    }
  }

  onClosed(conn: HubConnection, code: number, reason: string): void {
    this.#connections.delete(conn);
    const count = (this.#perIp.get(conn.ip) ?? 1) - 1;
    if (count <= 0) this.#perIp.delete(conn.ip);
    else this.#perIp.set(conn.ip, count);
    this.ctx.queries.dropConnection(conn);
    const wasOpen = this.#peers.get(conn.peer) === conn;
    if (wasOpen) {
      this.#peers.remove(conn);
      this.#emit({
        type: 'hive.client.disconnect',
        data: { key: conn.peer },
        context: { source: conn.peer, session: { session_id: conn.nat.toAgent(conn.declaredSessionId) } },
      });
      this.logger.info({ peer: conn.peer, code, reason }, 'client disconnected');
      this.#peersChanged(conn);
    } else {
      this.logger.debug({ peer: conn.peer, code, reason }, 'connection closed before it opened');
    }
    if (conn.history !== null) {
      this.#history.closed(conn.history, { endedAt: this.#now(), closeCode: code, closeReason: reason });
    }
  }

  onFailure(conn: HubConnection, error: HiveLinkError): void {
    this.metrics.failed(error.code, conn.history !== null);
    this.logger.info(
      { peer: conn.peer, code: error.code, reason: error.message },
      'connection refused or failed',
    );
    this.#emit({
      type: 'hive.client.connection.error',
      data: { error: error.message, peer: conn.peer },
      context: { source: 'hivelink' },
    });
  }

  pinNoiseKey(clientId: number, publicKeyHex: string): Promise<void> {
    return this.#store.pinNoiseKey(clientId, publicKeyHex);
  }

  pinIntercomKey(clientId: number, keyId: string): Promise<IntercomKeyPin> {
    return this.#store.pinIntercomKey(clientId, keyId);
  }

  touch(clientId: number): void {
    this.#lastSeen.touch(clientId);
  }

  // -- policy refresh

  #refreshPolicy(): void {
    if (this.#refreshing !== null) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = this.#applyPolicy()
      .catch((err: unknown) => this.logger.warn({ err }, 'policy refresh failed'))
      .finally(() => {
        this.#refreshing = null;
        if (this.#refreshAgain && this.#state === 'running') {
          this.#refreshAgain = false;
          this.#refreshPolicy();
        }
      });
  }

  async #applyPolicy(): Promise<void> {
    const conns = [...this.#connections].filter((c) => c.clientId !== null);
    const records = await this.policy.cache.reload(conns.map((c) => c.clientId!));
    for (const conn of conns) {
      if (conn.state === 'closing' || conn.state === 'closed') continue;
      const record = records.get(conn.clientId!);
      if (record === null || record === undefined) {
        conn.fail(new HiveLinkError('HL_ERR_CLIENT_REVOKED', 'revoked'));
      } else if (!this.policy.cache.ipAllowed(conn.ip, record.id)) {
        conn.fail(new HiveLinkError('HL_ERR_IP_DENIED', 'ip denied'));
      } else {
        conn.updateRecord(record);
      }
    }
  }
}
