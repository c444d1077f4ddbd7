/**
 * A websocket client of an OVOS messagebus that behaves like Python's `MessageBusClient` (docs/PROTOCOL.md §B1.5, §B7
 * "Bus client"). Node only (uses `ws`).
 *
 * - `emit` only sends: handlers registered with `on`/`once` run when the bus echoes the message back, exactly as
 *   in Python, so a client sees its own messages too. Before the connection opens (and while reconnecting),
 *   emitted messages wait in a bounded queue and are sent in order once open.
 * - `emit` fills `context.session` with the client's session when it is missing.
 * - On open the client sends `ovos.session.sync`; `ovos.session.update_default` replaces the client's default
 *   session; every non-default session seen on the bus is remembered (bounded, least recently seen forgotten).
 * - A lost connection is retried after 5 s, doubling up to 60 s (both settable), with jitter.
 *
 * Client states:
 * ```
 *  idle ──connect()──▶ connecting ──open──▶ open
 *   ▲                     │   ▲               │ connection lost
 *   │ (reconnect: false)  │   │ timer         ▼
 *   └─────────────────────┴── reconnecting ◀──┘
 *  any state ──close()──▶ closed  (final)
 * ```
 *
 * @example
 * ```ts
 * const bus = new BusClient({ url: 'ws://127.0.0.1:8181/core' });
 * await bus.connect();
 * const answer = await bus.waitForResponse(createMessage('mycroft.intents.is_ready'));
 * ```
 *
 * @module
 */
import { WebSocket } from 'ws';
import { HiveLinkError } from '../errors.js';
import { resolveLimits } from '../limits.js';
import { deepCopy } from './copy.js';
import { type BusErrorHandler, Dispatcher } from './dispatcher.js';
import { DispatchingBus } from './dispatching-bus.js';
import { type BusLogger, lazyLogger } from './log.js';
import {
  checkMessage,
  createMessage,
  DEFAULT_SESSION_ID,
  parseMessage,
  serializeMessage,
} from './message.js';
import type { MessageData, SessionData } from './types.js';

export const DEFAULT_BUS_URL = 'ws://127.0.0.1:8181/core';
/** First reconnect delay, as in Python. */
export const DEFAULT_RECONNECT_DELAY_MS = 5000;
/** Largest reconnect delay, as in Python. */
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 60_000;
/** Share of each reconnect delay that is removed at random, so many clients do not reconnect in step. */
export const DEFAULT_RECONNECT_JITTER = 0.2;

export type BusClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What {@link BusClient.onState} listeners receive. */
export type BusClientEvent =
  | { type: 'open' }
  | { type: 'close'; code: number; reason: string }
  | { type: 'reconnecting'; attempt: number; delayMs: number }
  | { type: 'error'; error: Error };

export interface BusClientInit {
  /** The bus to connect to. @default 'ws://127.0.0.1:8181/core' */
  url?: string;
  /** The client's session, attached to every emitted message that has none. @default `{ session_id: 'default' }` */
  session?: SessionData;
  /** Retry after a failed or lost connection. @default true */
  reconnect?: boolean;
  /** First retry delay; each failure doubles it. @default 5000 */
  reconnectDelayMs?: number;
  /** Cap of the retry delay. @default 60000 */
  maxReconnectDelayMs?: number;
  /** Share (0..1) of each delay removed at random. @default 0.2 */
  reconnectJitter?: number;
  /** Send `ovos.session.sync` each time the connection opens. @default true */
  sessionSync?: boolean;
  /** Largest frame sent or accepted (`busMaxMessageBytes`). @default 10485760 */
  maxMessageBytes?: number;
  /** Bytes that may wait in the socket before `emit` refuses (`busMaxBufferedBytes`). @default 16777216 */
  maxBufferedBytes?: number;
  /** Messages queued while not connected, and received messages awaiting delivery (`busMaxPendingMessages`).
   * @default 10000 */
  maxPendingMessages?: number;
  /** Non-default sessions remembered (`busMaxKnownSessions`). @default 1024 */
  maxKnownSessions?: number;
  /** Where connection problems and dropped frames are logged. @default a pino logger on stderr */
  logger?: BusLogger;
  /** Receives exceptions of message handlers. @default logs them */
  onError?: BusErrorHandler;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkDelay(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${name} must be a finite number >= 0, got ${value}`);
  }
  return value;
}

/** An OVOS messagebus client over a websocket. */
export class BusClient extends DispatchingBus {
  readonly #url: string;
  readonly #reconnect: boolean;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #jitter: number;
  readonly #sessionSync: boolean;
  readonly #maxMessageBytes: number;
  readonly #maxBufferedBytes: number;
  readonly #maxPending: number;
  readonly #maxKnownSessions: number;
  readonly #log: BusLogger;
  protected readonly dispatcher: Dispatcher;
  readonly #listeners = new Set<(event: BusClientEvent) => void>();
  readonly #sessions = new Map<string, SessionData>();
  #session: SessionData;
  #state: BusClientState = 'idle';
  #ws: WebSocket | undefined;
  #outbox: string[] = [];
  #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #delayMs: number;
  #closed: Promise<void> | undefined;

  /** @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for a URL that is not ws:// or wss://, or a bad option. */
  constructor(init: BusClientInit = {}) {
    super();
    this.#url = init.url ?? DEFAULT_BUS_URL;
    let protocol: string;
    try {
      protocol = new URL(this.#url).protocol;
    } catch (err) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `bus url is not a URL: ${this.#url}`, {
        cause: err,
      });
    }
    if (protocol !== 'ws:' && protocol !== 'wss:') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `bus url must be ws:// or wss://, got ${this.#url}`);
    }
    this.#reconnect = init.reconnect ?? true;
    this.#baseDelayMs = checkDelay('reconnectDelayMs', init.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS);
    this.#maxDelayMs = checkDelay(
      'maxReconnectDelayMs',
      init.maxReconnectDelayMs ?? Math.max(DEFAULT_MAX_RECONNECT_DELAY_MS, this.#baseDelayMs),
    );
    this.#jitter = init.reconnectJitter ?? DEFAULT_RECONNECT_JITTER;
    if (!(this.#jitter >= 0 && this.#jitter <= 1)) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `reconnectJitter must be 0..1, got ${this.#jitter}`);
    }
    this.#delayMs = this.#baseDelayMs;
    this.#sessionSync = init.sessionSync ?? true;
    const limits = resolveLimits({
      busMaxMessageBytes: init.maxMessageBytes,
      busMaxBufferedBytes: init.maxBufferedBytes,
      busMaxPendingMessages: init.maxPendingMessages,
      busMaxKnownSessions: init.maxKnownSessions,
    });
    this.#maxMessageBytes = limits.busMaxMessageBytes;
    this.#maxBufferedBytes = limits.busMaxBufferedBytes;
    this.#maxPending = limits.busMaxPendingMessages;
    this.#maxKnownSessions = limits.busMaxKnownSessions;
    const session = init.session ?? { session_id: DEFAULT_SESSION_ID };
    if (!isObject(session) || typeof session.session_id !== 'string') {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        'session must be an object with a string session_id',
      );
    }
    this.#session = deepCopy(session);
    this.#log = lazyLogger('hivelink-bus-client', init.logger);
    this.dispatcher = new Dispatcher({
      onError: init.onError,
      logger: this.#log,
      maxPending: this.#maxPending,
    });
  }

  get state(): BusClientState {
    return this.#state;
  }

  get url(): string {
    return this.#url;
  }

  /**
   * A copy of the client's session: the default session (replaced by `ovos.session.update_default`), or the
   * session given as `session`, kept up to date from the latest message on the bus that carries its id.
   */
  get session(): SessionData {
    return deepCopy(this.#session);
  }

  /** A copy of the last session seen on the bus with this id (the client's own session for its own id). */
  getSession(sessionId: string): SessionData | undefined {
    if (sessionId === this.#session.session_id) return this.session;
    const known = this.#sessions.get(sessionId);
    return known === undefined ? undefined : deepCopy(known);
  }

  /** Messages emitted while not connected, waiting to be sent. */
  get queued(): number {
    return this.#outbox.length;
  }

  /** Calls `listener` on each state event; returns the unsubscribe function. */
  onState(listener: (event: BusClientEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Starts connecting (if not already) and resolves when the connection is open. With `reconnect` it keeps trying
   * until it opens or `close()` is called.
   *
   * @throws HiveLinkError `HL_ERR_BUS_CLOSED` after `close()`; `HL_ERR_BUS_CONNECT_FAILED` when the attempt
   *   fails and `reconnect` is false.
   */
  connect(): Promise<void> {
    if (this.#state === 'closed') {
      return Promise.reject(new HiveLinkError('HL_ERR_BUS_CLOSED', 'bus client is closed'));
    }
    if (this.#state === 'open') return Promise.resolve();
    const opened = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (this.#state === 'idle') this.#open();
    else if (this.#state === 'reconnecting') {
      clearTimeout(this.#timer);
      this.#open();
    }
    return opened;
  }

  /** Closes the connection for good (1000), drops queued messages, stops reconnecting. Safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#state = 'closed';
    clearTimeout(this.#timer);
    this.#outbox = [];
    this.#settleWaiters(new HiveLinkError('HL_ERR_BUS_CLOSED', 'bus client was closed'));
    const ws = this.#ws;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000);
    });
  }

  /**
   * Sends `message` to the bus (handlers here run when the bus echoes it). Fills `context.session` with the
   * client's session when missing. Queued while not connected.
   *
   * @throws HiveLinkError `HL_ERR_BUS_CLOSED` after `close()`; `HL_ERR_INVALID_MESSAGE` for a message that cannot
   *   be serialized; `HL_ERR_FRAME_TOO_LARGE` above `maxMessageBytes`; `HL_ERR_BUS_QUEUE_FULL` when
   *   `maxPendingMessages` are queued or `maxBufferedBytes` wait in the socket.
   */
  emit(message: MessageData): void {
    if (this.#state === 'closed') throw new HiveLinkError('HL_ERR_BUS_CLOSED', 'bus client is closed');
    const m = checkMessage(message);
    const session: unknown = m.context.session;
    const needsSession = !isObject(session) || Object.keys(session).length === 0;
    const context = needsSession ? { ...m.context, session: this.#session } : m.context;
    const text = serializeMessage({ type: m.type, data: m.data, context });
    const bytes = Buffer.byteLength(text);
    if (bytes > this.#maxMessageBytes) {
      throw new HiveLinkError(
        'HL_ERR_FRAME_TOO_LARGE',
        `bus message of ${bytes} bytes exceeds busMaxMessageBytes (${this.#maxMessageBytes})`,
      );
    }
    const ws = this.#ws;
    if (this.#state === 'open' && ws !== undefined) {
      if (ws.bufferedAmount > this.#maxBufferedBytes) {
        throw new HiveLinkError(
          'HL_ERR_BUS_QUEUE_FULL',
          `${ws.bufferedAmount} bytes wait to be sent to the bus (busMaxBufferedBytes)`,
        );
      }
      ws.send(text);
      return;
    }
    if (this.#outbox.length >= this.#maxPending) {
      throw new HiveLinkError(
        'HL_ERR_BUS_QUEUE_FULL',
        `${this.#outbox.length} bus messages wait for the connection (busMaxPendingMessages)`,
      );
    }
    this.#outbox.push(text);
  }

  #notify(event: BusClientEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.#log.error({ err, event: event.type }, 'bus client state listener threw');
      }
    }
  }

  #settleWaiters(error?: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      if (error === undefined) w.resolve();
      else w.reject(error);
    }
  }

  #open(): void {
    this.#state = 'connecting';
    const ws = new WebSocket(this.#url, { maxPayload: this.#maxMessageBytes, perMessageDeflate: false });
    this.#ws = ws;
    let opened = false;
    let failure: Error | undefined;
    ws.on('open', () => {
      if (this.#ws !== ws) return;
      opened = true;
      this.#onOpen(ws);
    });
    ws.on('message', (data, isBinary) => {
      if (this.#ws === ws) this.#onFrame(data, isBinary);
    });
    ws.on('error', (err) => {
      failure ??= err;
      this.#log.debug({ err, url: this.#url }, 'bus client socket error');
      if (this.#ws === ws && this.#state !== 'closed') this.#notify({ type: 'error', error: err });
    });
    ws.on('close', (code, reason) => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      if (opened) this.#notify({ type: 'close', code, reason: reason.toString('utf8') });
      if (this.#state === 'closed') return;
      if (this.#reconnect) {
        this.#scheduleReconnect();
        return;
      }
      this.#state = 'idle';
      if (!opened) {
        this.#settleWaiters(
          new HiveLinkError(
            'HL_ERR_BUS_CONNECT_FAILED',
            `cannot connect to ${this.#url}: ${failure?.message ?? code}`,
            {
              cause: failure,
            },
          ),
        );
      }
    });
  }

  #onOpen(ws: WebSocket): void {
    this.#state = 'open';
    this.#attempt = 0;
    this.#delayMs = this.#baseDelayMs;
    this.#log.debug({ url: this.#url }, 'bus client connected');
    const outbox = this.#outbox;
    this.#outbox = [];
    if (this.#sessionSync) {
      ws.send(serializeMessage(createMessage('ovos.session.sync', {}, { session: this.#session })));
    }
    for (const text of outbox) ws.send(text);
    this.#notify({ type: 'open' });
    this.#settleWaiters();
  }

  #scheduleReconnect(): void {
    this.#attempt++;
    const delayMs = Math.round(this.#delayMs * (1 - this.#jitter * Math.random()));
    this.#delayMs = Math.min(this.#delayMs * 2, this.#maxDelayMs);
    this.#state = 'reconnecting';
    this.#log.debug({ url: this.#url, attempt: this.#attempt, delayMs }, 'bus client reconnecting');
    this.#notify({ type: 'reconnecting', attempt: this.#attempt, delayMs });
    if (this.#state !== 'reconnecting') return; // a listener called close() or connect()
    this.#timer = setTimeout(() => {
      if (this.#state === 'reconnecting') this.#open();
    }, delayMs);
  }

  #onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) {
      this.#log.debug({ url: this.#url }, 'bus client dropped a binary frame');
      return;
    }
    const text = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data).toString('utf8');
    let message: MessageData;
    try {
      message = parseMessage(text);
    } catch (err) {
      this.#log.debug({ err, bytes: text.length }, 'bus client dropped a frame that is not a message');
      return;
    }
    this.#trackSession(message);
    try {
      this.dispatcher.deliver(message);
    } catch (err) {
      this.#log.error({ err, type: message.type }, 'bus client dropped a message: handlers are too slow');
    }
  }

  #trackSession(message: MessageData): void {
    if (message.type === 'ovos.session.update_default') {
      const data: unknown = message.data.session_data;
      if (isObject(data) && this.#session.session_id === DEFAULT_SESSION_ID) {
        this.#session = { ...deepCopy(data), session_id: DEFAULT_SESSION_ID };
      }
      return;
    }
    const session: unknown = message.context.session;
    if (!isObject(session) || typeof session.session_id !== 'string') return;
    const id = session.session_id;
    if (id === DEFAULT_SESSION_ID) return;
    if (id === this.#session.session_id) {
      this.#session = deepCopy(session as SessionData);
      return;
    }
    this.#sessions.delete(id);
    this.#sessions.set(id, deepCopy(session as SessionData));
    if (this.#sessions.size > this.#maxKnownSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
  }
}
