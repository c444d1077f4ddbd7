/**
 * One connection attempt of the client: a socket, a {@link ClientHandshake}, and the client's role in the shared
 * {@link SessionMachine} (states, ordered inbound queue, handshake gate, serial send queue with backpressure).
 * Nothing of it outlives the socket: a reconnect builds a new `Connection`, so no key, nonce or handshake state is
 * ever reused (the historical HiveMind reconnect bug, docs/PROTOCOL.md §10 item 1).
 *
 * ```
 *  connecting ──socket open──▶ handshaking ──HANDSHAKE done, HELLO sent──▶ open
 *       │                          │                                       │
 *       └──────────── socket closed / local failure / timeout ─────────────┴──▶ ended (onEnd, once)
 * ```
 *
 * @module
 */
import type { NoisePattern } from '../crypto/noise/index.js';
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import type { HiveMessage } from '../protocol/message.js';
import type { ClientHandshake, ClientHandshakeStep } from '../session/client-handshake.js';
import { webSocketFrames } from '../session/frame-socket.js';
import { type HandshakeOutcome, SessionMachine, type SessionState } from '../session/machine.js';
import type { Timers } from '../timers.js';
import type { ConnectionInfo, WebSocketConstructor } from './types.js';

/**
 * Frames the hub may send before the handshake completes: HELLO, the request and one response (plus old hubs'
 * repeats). More waiting at once means a misbehaving hub.
 */
export const MAX_PENDING_HANDSHAKE_FRAMES = 8;

export type ConnectionPhase = 'connecting' | 'handshaking' | 'open';

/** How a connection ended. */
export interface ConnectionEnd {
  /** The phase it was in when it ended. */
  phase: ConnectionPhase;
  /** True when the socket closed from the other side (or the network); false for a local failure. */
  remote: boolean;
  /** The close code the hub sent (1005 none, 1006 abnormal), or for a local failure the error's close code. */
  code: number;
  reason: string;
  /** The local failure that ended it (handshake, decryption, timeout…); null when the hub closed the socket. */
  error: HiveLinkError | null;
  /** The Noise pattern of the handshake attempted, if v3. */
  pattern: NoisePattern | null;
}

/** The end of a connection that failed before its socket opened (nothing reached the hub). */
export function failedToConnect(error: HiveLinkError): ConnectionEnd {
  return { phase: 'connecting', remote: false, code: 1000, reason: error.message, error, pattern: null };
}

/** The result of a handshake step that established a channel, handed to the owner before HELLO is sent. */
export type EstablishedStep = Extract<ClientHandshakeStep, { type: 'established' }>;

export interface ConnectionInit {
  connectUrl: string;
  WebSocket: WebSocketConstructor;
  handshake: ClientHandshake;
  timers: Timers;
  handshakeTimeoutMs: number;
  maxBufferedBytes: number;
  sendQueueMessages: number;
  maxFrameBytes: number;
  /** Nesting limits of the hub's cleartext handshake messages. @default the registry's */
  maxJsonDepth?: number;
  maxWrapperDepth?: number;
  /** The client HELLO to send first through the new channel. */
  hello: () => HiveMessage;
  /** The socket opened; the handshake begins. */
  onHandshaking: () => void;
  /** The handshake produced a channel (pin the hub key here); a throw fails the connection. */
  onEstablished: (step: EstablishedStep) => Promise<void>;
  onOpen: (info: ConnectionInfo) => void;
  onMessage: (message: HiveMessage) => void;
  /** Called once, when the connection ends for any reason but {@link Connection.close}. */
  onEnd: (end: ConnectionEnd) => void;
}

function phaseOf(state: SessionState): ConnectionPhase {
  return state === 'handshaking' || state === 'open' ? state : 'connecting';
}

export class Connection {
  readonly #init: ConnectionInit;
  #machine: SessionMachine | null = null;
  #established: EstablishedStep | null = null;
  #pattern: NoisePattern | null = null;
  #closedLocally = false;
  #ended = false;

  constructor(init: ConnectionInit) {
    this.#init = init;
  }

  get phase(): ConnectionPhase {
    return phaseOf(this.#machine?.state ?? 'connecting');
  }

  /** Opens the socket. Failures (even a constructor that throws) are reported through `onEnd`, never thrown. */
  start(): void {
    const init = this.#init;
    let ws: InstanceType<WebSocketConstructor>;
    try {
      ws = new init.WebSocket(init.connectUrl);
    } catch (cause) {
      const error = new HiveLinkError(
        'HL_ERR_CONNECT_FAILED',
        `cannot open the websocket: ${String(cause)}`,
        {
          cause,
        },
      );
      queueMicrotask(() => this.#report(failedToConnect(error)));
      return;
    }
    const socket = webSocketFrames(ws);
    const machine = new SessionMachine({
      socket,
      timers: init.timers,
      limits: {
        handshakeTimeoutMs: init.handshakeTimeoutMs,
        maxHandshakeFrameBytes: Math.min(init.maxFrameBytes, LIMIT_DEFS.maxHandshakeFrameBytes.default),
        inboundQueueMessages: MAX_PENDING_HANDSHAKE_FRAMES,
        maxBufferedBytes: init.maxBufferedBytes,
        sendQueueMessages: init.sendQueueMessages,
        pingIntervalMs: 0,
        pingTimeoutMs: 0,
        closeGraceMs: init.handshakeTimeoutMs,
        parse: {
          maxJsonDepth: init.maxJsonDepth ?? LIMIT_DEFS.maxJsonDepth.default,
          maxWrapperDepth: init.maxWrapperDepth ?? LIMIT_DEFS.maxWrapperDepth.default,
        },
      },
      role: {
        handshake: (message) => this.#handshake(message),
        established: () => init.onEstablished(this.#established!),
        opened: () => this.#opened(),
        message: (message) => init.onMessage(message),
        // Browsers only allow 1000 and 3000–4999 from script; the reason names the error code (< 123 bytes).
        closeFor: (error) => ({ code: 1000, reason: error.code }),
      },
      inboundOverflow: () =>
        new HiveLinkError(
          'HL_ERR_HANDSHAKE_UNEXPECTED',
          'the hub sent too many frames during the handshake',
          {
            stage: 'client-handshake',
          },
        ),
      onEnd: (end) => {
        if (this.#closedLocally) return;
        const error =
          end.error?.code === 'HL_ERR_HANDSHAKE_TIMEOUT'
            ? new HiveLinkError(
                'HL_ERR_HANDSHAKE_TIMEOUT',
                `no session within ${init.handshakeTimeoutMs} ms`,
                {
                  stage: `client.${phaseOf(end.state)}`,
                },
              )
            : end.error;
        this.#report({
          phase: phaseOf(end.state),
          remote: end.remote,
          code: error === null ? end.code : (error.closeCode ?? 1000),
          reason: error === null ? end.reason : error.message,
          error,
          pattern: this.#pattern,
        });
      },
    });
    this.#machine = machine;
    ws.addEventListener('open', () => {
      if (machine.state !== 'connecting') return;
      machine.begin();
      init.onHandshaking();
    });
  }

  /**
   * Seals and sends one message through the channel.
   * @throws HiveLinkError `HL_ERR_NOT_CONNECTED` when not open; `HL_ERR_SEND_QUEUE_FULL`; sealing errors
   */
  send(message: HiveMessage): void {
    if (this.#machine === null) throw new HiveLinkError('HL_ERR_NOT_CONNECTED', 'the connection is not open');
    this.#machine.send(message);
  }

  /** Closes the socket without reporting through `onEnd`. */
  close(code = 1000, reason = 'client closed'): void {
    if (this.#ended) return;
    this.#closedLocally = true;
    this.#ended = true;
    this.#machine?.close(code, reason);
  }

  #report(end: ConnectionEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#init.onEnd(end);
  }

  async #handshake(message: HiveMessage): Promise<HandshakeOutcome> {
    const step = await this.#init.handshake.handle(message);
    if (step.type === 'none') return { send: [], channel: null };
    if (step.type === 'send') {
      this.#pattern = patternOf(step.send) ?? this.#pattern;
      return { send: [step.send], channel: null };
    }
    this.#established = step;
    return { send: step.send === null ? [] : [step.send], channel: step.channel };
  }

  #opened(): void {
    const step = this.#established!;
    this.#machine!.send(this.#init.hello());
    const hello = this.#init.handshake.hubHello;
    this.#init.onOpen({
      protocolVersion: step.protocolVersion,
      cipher: step.channel.cipher,
      encoding: step.channel.encoding,
      pattern: step.pattern,
      peer: hello?.peer ?? '',
      nodeId: hello?.node_id ?? '',
    });
  }
}

function patternOf(message: HiveMessage): NoisePattern | null {
  const payload = message.payload as { noise?: { pattern?: unknown } };
  const pattern = payload.noise?.pattern;
  return pattern === 'XXpsk2' || pattern === 'KKpsk0' ? pattern : null;
}
