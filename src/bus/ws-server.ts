/**
 * An OVOS-compatible messagebus server (docs/PROTOCOL.md §B1.1–B1.3, §B7 "Bus server"): a dumb broadcast bus on
 * `ws://<host>:<port>/core`.
 *
 * - Only the path `/core` upgrades; any other path gets HTTP 404, a plain HTTP request gets 404 (426 on `/core`).
 * - Each new connection is greeted with {@link CONNECTED_GREETING}.
 * - Each text frame is parsed; invalid JSON and JSON that is not an object are dropped (the connection stays
 *   open); anything else is forwarded, **as the original text**, to every open connection, the sender included, in
 *   arrival order. Binary frames are dropped.
 * - A frame larger than `maxMessageBytes` closes its connection with 1009. A receiver with more than
 *   `maxBufferedBytes` waiting to be sent is closed with 1013 instead of buffering without bound.
 * - {@link BusServer.localBus} is an in-process client of the same broadcast: it sees every frame, its own
 *   emits included, in the same order as the sockets do.
 *
 * Server states:
 * ```
 *  idle ──start()──▶ starting ──listening──▶ listening ──stop()──▶ stopping ──▶ stopped
 *                        └──listen error──▶ stopped
 * ```
 *
 * @example
 * ```ts
 * const server = new BusServer({ port: 0 });
 * const { port } = await server.start();
 * server.localBus().on('speak', (m) => console.log(m.data.utterance));
 * ```
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { HiveLinkError } from '../errors.js';
import { resolveLimits } from '../limits.js';
import { type BusErrorHandler, Dispatcher } from './dispatcher.js';
import { DispatchingBus } from './dispatching-bus.js';
import { type BusLogger, lazyLogger } from './log.js';
import { checkMessage, serializeMessage, toMessage } from './message.js';
import type { MessageData } from './types.js';

export const DEFAULT_BUS_HOST = '127.0.0.1';
export const DEFAULT_BUS_PORT = 8181;
/** The one path the bus serves. */
export const BUS_ROUTE = '/core';
/** What ovos-messagebus sends to every new connection, byte for byte. */
export const CONNECTED_GREETING =
  '{"type": "connected", "data": {}, "context": {"session": {"session_id": "default"}}}';
/** Close code for a receiver that cannot keep up (RFC 6455 "try again later"). */
export const CLOSE_TOO_SLOW = 1013;
/** Close code sent to every connection when the server stops. */
export const CLOSE_GOING_AWAY = 1001;
/** How long `stop()` waits for clients to finish the close handshake before cutting them off. */
export const STOP_GRACE_MS = 1000;

export interface BusServerInit {
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one (see {@link BusServer.address}). @default 8181 */
  port?: number;
  /** Largest frame (`busMaxMessageBytes`); bigger frames close the connection with 1009. @default 10485760 */
  maxMessageBytes?: number;
  /** Bytes a connection may have waiting to be sent (`busMaxBufferedBytes`). @default 16777216 */
  maxBufferedBytes?: number;
  /** Messages the local view may hold before delivery (`busMaxPendingMessages`). @default 10000 */
  maxPendingMessages?: number;
  /** Send the `connected` greeting to new connections. @default true */
  greeting?: boolean;
  /** Where connection events and dropped frames are logged. @default a pino logger on stderr */
  logger?: BusLogger;
  /** Receives exceptions of local-view handlers. @default logs them */
  onError?: BusErrorHandler;
}

export interface BusServerAddress {
  host: string;
  port: number;
}

type ServerState = 'idle' | 'starting' | 'listening' | 'stopping' | 'stopped';

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function isJsonObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The in-process view of a {@link BusServer}: `emit` broadcasts to every socket and to this view's own handlers,
 * exactly as a frame from a socket would be.
 */
export class LocalBus extends DispatchingBus {
  protected readonly dispatcher: Dispatcher;
  readonly #emit: (message: MessageData) => void;

  /** @internal Created by {@link BusServer.localBus}. */
  constructor(dispatcher: Dispatcher, emit: (message: MessageData) => void) {
    super();
    this.dispatcher = dispatcher;
    this.#emit = emit;
  }

  /**
   * Broadcasts `message` to every connection and every local handler.
   *
   * @throws HiveLinkError `HL_ERR_INVALID_MESSAGE` when it is not a serializable message;
   *   `HL_ERR_FRAME_TOO_LARGE` when it is larger than `maxMessageBytes`.
   */
  emit(message: MessageData): void {
    this.#emit(message);
  }
}

/** The OVOS-compatible websocket messagebus. */
export class BusServer {
  readonly #host: string;
  readonly #port: number;
  readonly #maxMessageBytes: number;
  readonly #maxBufferedBytes: number;
  readonly #greeting: boolean;
  readonly #log: BusLogger;
  readonly #sockets = new Set<WebSocket>();
  readonly #wss: WebSocketServer;
  readonly #local: Dispatcher;
  readonly #localBus: LocalBus;
  #state: ServerState = 'idle';
  #http: Server | undefined;
  #address: BusServerAddress | undefined;
  #stopped: Promise<void> | undefined;
  #listening: Promise<void> | undefined;

  /** @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for a bad port or limit. */
  constructor(init: BusServerInit = {}) {
    this.#host = init.host ?? DEFAULT_BUS_HOST;
    this.#port = init.port ?? DEFAULT_BUS_PORT;
    if (!Number.isInteger(this.#port) || this.#port < 0 || this.#port > 65535) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `port must be 0..65535, got ${String(init.port)}`);
    }
    const limits = resolveLimits({
      busMaxMessageBytes: init.maxMessageBytes,
      busMaxBufferedBytes: init.maxBufferedBytes,
      busMaxPendingMessages: init.maxPendingMessages,
    });
    this.#maxMessageBytes = limits.busMaxMessageBytes;
    this.#maxBufferedBytes = limits.busMaxBufferedBytes;
    this.#greeting = init.greeting ?? true;
    this.#log = lazyLogger('hivelink-bus', init.logger);
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: this.#maxMessageBytes,
      perMessageDeflate: false,
    });
    this.#local = new Dispatcher({
      onError: init.onError,
      logger: this.#log,
      maxPending: limits.busMaxPendingMessages,
    });
    this.#localBus = new LocalBus(this.#local, (message) => this.#emitLocal(message));
  }

  /** Where the server listens, once `start()` has resolved; `undefined` before and after. */
  get address(): BusServerAddress | undefined {
    return this.#address === undefined ? undefined : { ...this.#address };
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#sockets.size;
  }

  /** The in-process client of this bus (always the same object). It works whether or not the server listens. */
  localBus(): LocalBus {
    return this.#localBus;
  }

  /**
   * Starts listening. Resolves with the address actually bound (the real port when `port` was 0).
   *
   * @throws HiveLinkError `HL_ERR_BUS_LISTEN_FAILED` when the address is in use or not permitted;
   *   `HL_ERR_INVALID_ARGUMENT` when the server was already started; `HL_ERR_BUS_CLOSED` when `stop()` was
   *   called before listening completed.
   */
  async start(): Promise<BusServerAddress> {
    if (this.#state !== 'idle') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `bus server cannot start: it is ${this.#state}`);
    }
    this.#state = 'starting';
    const http = createServer((req, res) => this.#onRequest(req, res));
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#onUpgrade(req, socket, head),
    );
    this.#http = http;
    this.#listening = new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.#port, this.#host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    try {
      await this.#listening;
    } catch (err) {
      this.#state = 'stopped';
      this.#http = undefined;
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new HiveLinkError(
        'HL_ERR_BUS_LISTEN_FAILED',
        `bus cannot listen on ${this.#host}:${this.#port}: ${code}`,
        { cause: err },
      );
    }
    if (this.#stopped !== undefined) {
      // stop() was called while listening was under way; it closes the server once listening settled.
      throw new HiveLinkError('HL_ERR_BUS_CLOSED', 'bus server was stopped while it started');
    }
    http.on('error', (err) => this.#log.error({ err }, 'bus http server error'));
    const bound = http.address() as AddressInfo;
    this.#address = { host: this.#host, port: bound.port };
    this.#state = 'listening';
    return { ...this.#address };
  }

  /**
   * Closes every connection (1001), stops listening and resolves when done. Clients that do not finish the
   * close handshake within {@link STOP_GRACE_MS} are cut off. Safe to call more than once.
   */
  stop(): Promise<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    this.#stopped = this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#state = 'stopping';
    // Closing a server whose listen() is still under way would leave it listening: let listen settle first.
    await this.#listening?.catch(() => undefined);
    const http = this.#http;
    const closing = [...this.#sockets].map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close(CLOSE_GOING_AWAY, 'bus stopping');
        }),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_GRACE_MS);
    });
    await Promise.race([Promise.all(closing), grace]);
    clearTimeout(timer);
    for (const ws of this.#sockets) ws.terminate();
    this.#sockets.clear();
    if (http?.listening === true) {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
    }
    this.#wss.close();
    this.#http = undefined;
    this.#address = undefined;
    this.#state = 'stopped';
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const onRoute = (req.url ?? '').split('?')[0] === BUS_ROUTE;
    const body = onRoute ? 'Upgrade Required\n' : 'Not Found\n';
    res.writeHead(onRoute ? 426 : 404, { 'content-type': 'text/plain', connection: 'close' });
    res.end(body);
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => this.#log.debug({ err }, 'bus upgrade socket error'));
    if ((req.url ?? '').split('?')[0] !== BUS_ROUTE) refuseUpgrade(socket, 404, 'Not Found');
    else if (this.#state !== 'listening') refuseUpgrade(socket, 503, 'Service Unavailable');
    else this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, req));
  }

  #onConnection(ws: WebSocket, req: IncomingMessage): void {
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    if (this.#state !== 'listening') {
      ws.close(CLOSE_GOING_AWAY, 'bus stopping');
      return;
    }
    ws.on('error', (err) => this.#log.debug({ err, remote }, 'bus connection error'));
    ws.on('close', (code) => {
      this.#sockets.delete(ws);
      this.#log.debug({ remote, code }, 'bus connection closed');
    });
    ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary, remote));
    if (this.#greeting) ws.send(CONNECTED_GREETING);
    this.#sockets.add(ws);
    this.#log.debug({ remote }, 'bus connection opened');
  }

  #onFrame(data: RawData, isBinary: boolean, remote: string): void {
    if (isBinary) {
      this.#log.debug({ remote }, 'bus dropped a binary frame');
      return;
    }
    const payload = rawToBuffer(data);
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#log.debug({ remote, bytes: payload.length }, 'bus dropped a frame that is not JSON');
      return;
    }
    if (!isJsonObject(value)) {
      this.#log.debug({ remote, bytes: payload.length }, 'bus dropped a frame that is not a JSON object');
      return;
    }
    this.#broadcast(payload, value);
  }

  #emitLocal(message: MessageData): void {
    const text = serializeMessage(checkMessage(message));
    const bytes = Buffer.byteLength(text);
    if (bytes > this.#maxMessageBytes) {
      throw new HiveLinkError(
        'HL_ERR_FRAME_TOO_LARGE',
        `bus message of ${bytes} bytes exceeds busMaxMessageBytes (${this.#maxMessageBytes})`,
      );
    }
    this.#broadcast(text, this.#local.listenerCount() > 0 ? JSON.parse(text) : undefined);
  }

  /** Sends `payload` (the original frame) to every open connection, then queues `value` for local handlers. */
  #broadcast(payload: Buffer | string, value: unknown): void {
    for (const ws of this.#sockets) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > this.#maxBufferedBytes) {
        this.#log.warn(
          { buffered: ws.bufferedAmount, limit: this.#maxBufferedBytes },
          'bus closing a receiver that does not keep up',
        );
        ws.close(CLOSE_TOO_SLOW, 'bus receiver too slow');
        continue;
      }
      ws.send(payload, { binary: false });
    }
    if (value === undefined || this.#local.listenerCount() === 0) return;
    let message: MessageData;
    try {
      message = toMessage(value);
    } catch (err) {
      this.#log.debug({ err }, 'bus frame is not a message; local handlers skip it');
      return;
    }
    try {
      this.#local.deliver(message);
    } catch (err) {
      this.#log.error({ err, type: message.type }, 'bus local view dropped a message');
    }
  }
}
