/**
 * The connections a bench worker drives. {@link HiveLoadConnection} speaks the real protocol through the client
 * SDK's connection attempt (`client/connection.ts`: socket, `ClientHandshake`, secure channel, serial sends), so it
 * works against any HiveMind hub, hivelink or not; {@link EchoLoadConnection} sends a frame of the same size to a
 * plain websocket echo server (the ceiling). Both expose one closed-loop step, `roundTrip()`.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { Connection, type ConnectionEnd } from '../client/connection.js';
import type { WebSocketConstructor } from '../client/types.js';
import { hubEndpoint } from '../client/url.js';
import type { CryptoBackend, X25519KeyPair } from '../crypto/backend.js';
import { nodeBackend } from '../crypto/backend.node.js';
import { derivePskArgon2id } from '../crypto/psk.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { decodeBytes } from '../protocol/encodings.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { ClientHandshake } from '../session/client-handshake.js';
import type { BenchCredentials, ConnectionProfile } from './types.js';

/** The round trip a load connection runs in a closed loop. */
export interface LoadConnection {
  /** Resolves when the answer arrived; rejects with a HiveLinkError when it cannot. One at a time. */
  roundTrip(): Promise<void>;
  /** Fails a round trip that has waited since before `before` (epoch ms). */
  expire(before: number, timeoutMs: number): void;
  readonly isOpen: boolean;
  close(): void;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across the processes of one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function hexBytes(hex: string): Uint8Array {
  return decodeBytes('JSON-HEX', hex);
}

/**
 * What the connections of one worker share: the v3 PSK (argon2id once per password and hub, not per connection, as
 * a client that reconnects keeps it), the hub keys pinned on first use, and the clients' Noise key pairs.
 */
export class BenchClientContext {
  readonly backend: CryptoBackend = nodeBackend;
  readonly #psks = new Map<string, Promise<Uint8Array>>();
  readonly #pins = new Map<string, Uint8Array>();
  readonly #keyPairs = new Map<string, X25519KeyPair>();

  derivePsk(password: string, nodeId: string): Promise<Uint8Array> {
    const key = `${nodeId}\u0000${password}`;
    let psk = this.#psks.get(key);
    if (psk === undefined) {
      psk = derivePskArgon2id(this.backend, password, nodeId);
      this.#psks.set(key, psk);
      psk.catch(() => this.#psks.delete(key));
    }
    return psk;
  }

  pin(hostPort: string): Uint8Array | null {
    return this.#pins.get(hostPort) ?? null;
  }

  setPin(hostPort: string, key: Uint8Array): void {
    if (!this.#pins.has(hostPort)) this.#pins.set(hostPort, key);
  }

  keyPair(privateKeyHex: string): X25519KeyPair {
    let pair = this.#keyPairs.get(privateKeyHex);
    if (pair === undefined) {
      pair = this.backend.x25519KeyPair(hexBytes(privateKeyHex));
      this.#keyPairs.set(privateKeyHex, pair);
    }
    return pair;
  }
}

/**
 * The error that explains how an attempt ended, naming what the hub refused: the access key (closed before its
 * HELLO), the password or the protocol (closed during the handshake), or nothing (unreachable, lost).
 *
 * @param sawHello - whether the hub's HELLO arrived before the end
 */
export function explainEnd(end: ConnectionEnd, sawHello: boolean): HiveLinkError {
  if (end.error !== null) {
    const e = end.error;
    switch (e.code) {
      case 'HL_ERR_HANDSHAKE_VERIFY_FAILED':
        return new HiveLinkError('HL_ERR_AUTH_REFUSED', `the hub refused the credentials: ${e.message}`);
      case 'HL_ERR_NOISE_HANDSHAKE_FAILED':
        return new HiveLinkError(
          'HL_ERR_AUTH_REFUSED',
          `the hub refused the credentials: ${e.message} (the v3 PSK differs: wrong password)`,
        );
      case 'HL_ERR_NEGOTIATION_FAILED':
        return new HiveLinkError('HL_ERR_NEGOTIATION_FAILED', `the hub refused the protocol: ${e.message}`);
      default:
        return e;
    }
  }
  const reason = end.reason === '' ? 'no reason given' : end.reason;
  if (end.code === 1008) {
    return new HiveLinkError(
      'HL_ERR_AUTH_REFUSED',
      sawHello
        ? `the hub refused the credentials (password) or the protocol (close 1008: ${reason})`
        : `the hub refused the credentials (access key) (close 1008: ${reason})`,
    );
  }
  if (end.phase === 'handshaking' && (end.code === 1000 || end.code === 1005)) {
    return new HiveLinkError(
      'HL_ERR_CONNECT_FAILED',
      `the hub closed the connection during the handshake (close ${end.code}: ${reason}); an old hub does this for an unknown access key or a protocol it does not speak`,
    );
  }
  if (end.phase === 'connecting') {
    return new HiveLinkError('HL_ERR_CONNECT_FAILED', `cannot reach the hub (close ${end.code}: ${reason})`);
  }
  return new HiveLinkError(
    'HL_ERR_CONNECTION_LOST',
    `connection ${end.phase === 'open' ? 'lost' : 'closed during the handshake'} (close ${end.code}: ${reason})`,
  );
}

/**
 * The one round trip a load connection has in flight and how the connection ended: the state both kinds of
 * connection keep the same way.
 */
class RoundTripSlot {
  #pending: { resolve: () => void; reject: (error: HiveLinkError) => void; since: number } | null = null;
  #ended: HiveLinkError | null = null;

  get isOpen(): boolean {
    return this.#ended === null;
  }

  /** Whether a round trip is waiting for its answer. */
  get busy(): boolean {
    return this.#pending !== null;
  }

  /** Starts a round trip by calling `send`; rejects at once with the end of a connection that ended. */
  start(send: () => void): Promise<void> {
    if (this.#ended !== null) return Promise.reject(this.#ended);
    return new Promise<void>((resolve, reject) => {
      this.#pending = { resolve, reject, since: nowMs() };
      send();
    });
  }

  /** Fails a round trip that has waited since before `before` (epoch ms): no `what` within `timeoutMs`. */
  expire(before: number, timeoutMs: number, what: string): void {
    if (this.#pending !== null && this.#pending.since < before) {
      this.settle(new HiveLinkError('HL_ERR_ASK_TIMEOUT', `no ${what} within ${timeoutMs} ms`));
    }
  }

  /** Ends the connection (the first end counts), failing the round trip in flight with `error`. */
  end(error: HiveLinkError): void {
    if (this.#ended !== null) return;
    this.#ended = error;
    this.settle(error);
  }

  /** Resolves (`null`) or fails the round trip in flight, if any. */
  settle(error: HiveLinkError | null): void {
    const pending = this.#pending;
    if (pending === null) return;
    this.#pending = null;
    if (error === null) pending.resolve();
    else pending.reject(error);
  }
}

/** Options of {@link HiveLoadConnection.open}. */
export interface HiveLoadInit {
  readonly context: BenchClientContext;
  readonly url: string;
  readonly credentials: BenchCredentials;
  readonly profile: ConnectionProfile;
  /** What to say in each round trip. */
  readonly utterance: string;
  /** The bus message type that ends a round trip. */
  readonly endType: string;
  /** @default LIMIT_DEFS.clientHandshakeTimeoutMs.default */
  readonly handshakeTimeoutMs?: number;
}

const timers = {
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One authenticated session with a HiveMind hub, sending `recognizer_loop:utterance` and awaiting its end. */
export class HiveLoadConnection implements LoadConnection {
  /** Socket creation to established session (ms). */
  readonly connectMs: number;
  /** The hub's node id (from its HELLO). */
  readonly nodeId: string;
  readonly #conn: Connection;
  readonly #message: HiveMessage;
  readonly #endType: string;
  readonly #trip = new RoundTripSlot();

  private constructor(
    conn: Connection,
    connectMs: number,
    nodeId: string,
    message: HiveMessage,
    endType: string,
  ) {
    this.#conn = conn;
    this.connectMs = connectMs;
    this.nodeId = nodeId;
    this.#message = message;
    this.#endType = endType;
  }

  /** Connects and completes the handshake; rejects with the explained error when the hub refuses. */
  static open(init: HiveLoadInit): Promise<HiveLoadConnection> {
    const { context, credentials, profile } = init;
    const endpoint = hubEndpoint(init.url, 'hivelink-bench', credentials.accessKey, 'raw');
    const sessionId = randomUUID();
    const message = createHiveMessage(HiveMessageType.BUS, {
      type: 'recognizer_loop:utterance',
      data: { utterances: [init.utterance], lang: 'en-US' },
      context: {
        source: 'hivelink-bench',
        destination: 'HiveMind',
        session: { session_id: sessionId, lang: 'en-US', site_id: 'bench' },
      },
    });
    const handshake = new ClientHandshake({
      backend: context.backend,
      password: credentials.password,
      derivePsk: (password, nodeId) => context.derivePsk(password, nodeId),
      protocol: profile.protocol,
      suites: [profile.suite],
      encodings: [profile.encoding],
      ciphers: [profile.cipher],
      binarize: profile.binarize,
      pinnedHubKey: context.pin(endpoint.hostPort),
      staticKeyPair: context.keyPair(credentials.noisePrivateKey),
    });
    const started = nowMs();
    return new Promise<HiveLoadConnection>((resolve, reject) => {
      let self: HiveLoadConnection | null = null;
      const conn: Connection = new Connection({
        connectUrl: endpoint.connectUrl,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        handshake,
        timers,
        handshakeTimeoutMs: init.handshakeTimeoutMs ?? LIMIT_DEFS.clientHandshakeTimeoutMs.default,
        maxBufferedBytes: LIMIT_DEFS.clientMaxBufferedBytes.default,
        sendQueueMessages: LIMIT_DEFS.clientSendQueueMessages.default,
        maxFrameBytes: LIMIT_DEFS.maxFrameBytes.default,
        hello: () =>
          createHiveMessage(HiveMessageType.HELLO, {
            pubkey: null,
            session: { session_id: sessionId, lang: 'en-US', site_id: 'bench' },
            site_id: 'bench',
          }),
        onHandshaking: () => {},
        onEstablished: async (step) => {
          if (step.hubNoiseKey !== null) context.setPin(endpoint.hostPort, step.hubNoiseKey);
        },
        onOpen: () => {
          const nodeId = handshake.hubHello?.node_id ?? '';
          self = new HiveLoadConnection(conn, nowMs() - started, nodeId, message, init.endType);
          resolve(self);
        },
        onMessage: (m) => {
          if (self !== null) self.#onMessage(m);
        },
        onEnd: (end) => {
          const error = explainEnd(end, handshake.hubHello !== null);
          if (self === null) reject(error);
          else self.#trip.end(error);
        },
      });
      conn.start();
    });
  }

  get isOpen(): boolean {
    return this.#trip.isOpen;
  }

  roundTrip(): Promise<void> {
    if (this.#trip.isOpen && this.#trip.busy) {
      return Promise.reject(new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'one round trip at a time'));
    }
    return this.#trip.start(() => {
      try {
        this.#conn.send(this.#message);
      } catch (err) {
        this.#trip.settle(isHiveLinkError(err) ? err : new HiveLinkError('HL_ERR_INTERNAL', String(err)));
      }
    });
  }

  expire(before: number, timeoutMs: number): void {
    this.#trip.expire(before, timeoutMs, this.#endType);
  }

  close(): void {
    this.#trip.end(new HiveLinkError('HL_ERR_CLIENT_CLOSED', 'closed by the bench'));
    this.#conn.close(1000, 'bench done');
  }

  #onMessage(message: HiveMessage): void {
    if (!this.#trip.busy || message.msg_type !== HiveMessageType.BUS) return;
    const payload = message.payload as { type?: unknown; data?: { reason?: unknown; code?: unknown } };
    if (payload.type === this.#endType) {
      this.#trip.settle(null);
    } else if (payload.type === 'hive.policy.denied') {
      const data = payload.data ?? {};
      this.#trip.settle(
        new HiveLinkError(
          'HL_ERR_POLICY_DENIED',
          `the hub refused the utterance: ${String(data.reason ?? '')} (${String(data.code ?? '')})`,
        ),
      );
    }
  }
}

/** A websocket to a plain echo server: each round trip sends one frame and waits for it to come back. */
export class EchoLoadConnection implements LoadConnection {
  readonly connectMs: number;
  readonly #ws: WebSocket;
  readonly #frame: string;
  readonly #trip = new RoundTripSlot();

  private constructor(ws: WebSocket, frame: string, connectMs: number) {
    this.#ws = ws;
    this.#frame = frame;
    this.connectMs = connectMs;
    ws.on('message', () => this.#trip.settle(null));
    ws.on('close', (code) => this.#trip.end(new HiveLinkError('HL_ERR_CONNECTION_LOST', `closed (${code})`)));
  }

  /** Opens a websocket to `url`; each round trip sends a text frame of `frameBytes` bytes. */
  static open(url: string, frameBytes: number): Promise<EchoLoadConnection> {
    const started = nowMs();
    const frame = 'x'.repeat(Math.max(1, frameBytes));
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once('open', () => resolve(new EchoLoadConnection(ws, frame, nowMs() - started)));
      ws.once('error', (err) =>
        reject(new HiveLinkError('HL_ERR_CONNECT_FAILED', `cannot reach the echo server: ${err.message}`)),
      );
    });
  }

  get isOpen(): boolean {
    return this.#trip.isOpen;
  }

  roundTrip(): Promise<void> {
    return this.#trip.start(() => this.#ws.send(this.#frame));
  }

  expire(before: number, timeoutMs: number): void {
    this.#trip.expire(before, timeoutMs, 'echo');
  }

  close(): void {
    this.#trip.end(new HiveLinkError('HL_ERR_CLIENT_CLOSED', 'closed by the bench'));
    this.#ws.close();
  }
}
