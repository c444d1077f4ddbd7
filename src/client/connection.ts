/**
 * One connection attempt: a socket, a {@link ClientHandshake} and, once established, a secure channel. Nothing of
 * it outlives the socket: a reconnect builds a new `Connection`, so no key, nonce or handshake state is ever
 * reused (the historical HiveMind reconnect bug, hivemind.md §10 item 1).
 *
 * ```
 *  connecting ──socket open──▶ handshaking ──HANDSHAKE done, HELLO sent──▶ open
 *       │                          │                                       │
 *       └──────────── socket closed / local failure / timeout ─────────────┴──▶ ended (onEnd, once)
 * ```
 * Inbound frames are handled strictly in order: during the handshake (which awaits key derivation) they wait in a
 * short queue; once open they are decrypted as they arrive.
 *
 * @module
 */
import type { NoisePattern } from '../crypto/noise/index.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { type HiveMessage, parseHiveMessage } from '../protocol/message.js';
import { messageJson } from '../session/channel.js';
import type { ClientHandshake, ClientHandshakeStep } from '../session/client-handshake.js';
import type { SecureChannel, WireFrame } from '../session/types.js';
import { SendQueue } from './send-queue.js';
import type {
  ClientTimers,
  ConnectionInfo,
  TimerHandle,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';

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

/** The result of a handshake step that established a channel, handed to the owner before HELLO is sent. */
export type EstablishedStep = Extract<ClientHandshakeStep, { type: 'established' }>;

export interface ConnectionInit {
  connectUrl: string;
  WebSocket: WebSocketConstructor;
  handshake: ClientHandshake;
  timers: ClientTimers;
  handshakeTimeoutMs: number;
  maxBufferedBytes: number;
  sendQueueMessages: number;
  maxFrameBytes: number;
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

function toFrame(data: unknown): WireFrame | null {
  if (typeof data === 'string') return { kind: 'text', text: data };
  if (data instanceof ArrayBuffer) return { kind: 'binary', data: new Uint8Array(data) };
  if (ArrayBuffer.isView(data))
    return { kind: 'binary', data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  return null;
}

function asHiveLinkError(err: unknown): HiveLinkError {
  if (isHiveLinkError(err)) return err;
  return new HiveLinkError('HL_ERR_INTERNAL', `unexpected failure: ${String(err)}`, { cause: err });
}

export class Connection {
  readonly #init: ConnectionInit;
  #socket: WebSocketLike | null = null;
  #phase: ConnectionPhase = 'connecting';
  #ended = false;
  #timer: TimerHandle | null = null;
  #channel: SecureChannel | null = null;
  #queue: SendQueue | null = null;
  #pattern: NoisePattern | null = null;
  #inbox: Promise<void> = Promise.resolve();
  #pending = 0;
  /** What the socket's last 'error' event said (Node's `ws` names the cause, e.g. ECONNREFUSED; browsers do not). */
  #socketError = '';

  constructor(init: ConnectionInit) {
    this.#init = init;
  }

  get phase(): ConnectionPhase {
    return this.#phase;
  }

  /** Opens the socket. Failures (even a constructor that throws) are reported through `onEnd`, never thrown. */
  start(): void {
    const init = this.#init;
    this.#timer = init.timers.setTimeout(() => {
      this.#timer = null;
      this.#fail(
        new HiveLinkError('HL_ERR_HANDSHAKE_TIMEOUT', `no session within ${init.handshakeTimeoutMs} ms`, {
          stage: `client.${this.#phase}`,
        }),
      );
    }, init.handshakeTimeoutMs);
    let socket: WebSocketLike;
    try {
      socket = new init.WebSocket(init.connectUrl);
      socket.binaryType = 'arraybuffer';
    } catch (cause) {
      const error = new HiveLinkError(
        'HL_ERR_CONNECT_FAILED',
        `cannot open the websocket: ${String(cause)}`,
        {
          cause,
        },
      );
      queueMicrotask(() => this.#fail(error));
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (this.#ended) return;
      this.#phase = 'handshaking';
      init.onHandshaking();
    });
    socket.addEventListener('message', (event) => this.#onFrame(event.data));
    socket.addEventListener('close', (event) => this.#onClose(event.code, event.reason));
    // A failed socket always closes afterwards, and the close is what ends the connection; the error's text (when
    // the runtime gives one) becomes the reason of an abnormal close.
    socket.addEventListener('error', (event) => {
      const message = (event as { message?: unknown } | null)?.message;
      if (typeof message === 'string') this.#socketError = message;
    });
  }

  /**
   * Seals and sends one message through the channel.
   * @throws HiveLinkError `HL_ERR_NOT_CONNECTED` when not open; `HL_ERR_SEND_QUEUE_FULL`; sealing errors
   */
  send(message: HiveMessage): void {
    const channel = this.#channel;
    const queue = this.#queue;
    if (this.#ended || this.#phase !== 'open' || channel === null || queue === null) {
      throw new HiveLinkError('HL_ERR_NOT_CONNECTED', 'the connection is not open');
    }
    queue.send(() => channel.seal(message));
  }

  /** Closes the socket without reporting through `onEnd`. */
  close(code = 1000, reason = 'client closed'): void {
    if (this.#ended) return;
    this.#end();
    this.#closeSocket(code, reason);
  }

  #onFrame(data: unknown): void {
    if (this.#ended) return;
    const frame = toFrame(data);
    if (frame === null) {
      this.#fail(new HiveLinkError('HL_ERR_INVALID_MESSAGE', 'received a frame of an unknown kind'));
      return;
    }
    if (this.#phase === 'open' && this.#pending === 0) {
      this.#guard(() => this.#openFrame(frame));
      return;
    }
    if (this.#pending >= MAX_PENDING_HANDSHAKE_FRAMES) {
      this.#fail(
        new HiveLinkError(
          'HL_ERR_HANDSHAKE_UNEXPECTED',
          'the hub sent too many frames during the handshake',
          {
            stage: 'client-handshake',
          },
        ),
      );
      return;
    }
    this.#pending += 1;
    this.#inbox = this.#inbox.then(async () => {
      try {
        if (!this.#ended) await this.#queuedFrame(frame);
      } catch (err) {
        this.#fail(asHiveLinkError(err));
      } finally {
        this.#pending -= 1;
      }
    });
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#fail(asHiveLinkError(err));
    }
  }

  async #queuedFrame(frame: WireFrame): Promise<void> {
    if (this.#channel !== null) {
      this.#openFrame(frame);
      return;
    }
    if (frame.kind !== 'text') {
      throw new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', 'binary frame before the handshake completed', {
        stage: 'client-handshake',
      });
    }
    if (frame.text.length > this.#init.maxFrameBytes) {
      throw new HiveLinkError('HL_ERR_FRAME_TOO_LARGE', `handshake frame of ${frame.text.length} bytes`);
    }
    const step = await this.#init.handshake.handle(parseHiveMessage(frame.text));
    if (this.#ended) return;
    if (step.type === 'none') return;
    if (step.type === 'send') {
      this.#pattern = patternOf(step.send) ?? this.#pattern;
      this.#sendClear(step.send);
      return;
    }
    if (step.send !== null) this.#sendClear(step.send);
    await this.#init.onEstablished(step);
    if (this.#ended) return;
    const socket = this.#socket!;
    this.#channel = step.channel;
    this.#queue = new SendQueue({
      socket,
      timers: this.#init.timers,
      maxBufferedBytes: this.#init.maxBufferedBytes,
      maxQueuedMessages: this.#init.sendQueueMessages,
    });
    this.#phase = 'open';
    this.send(this.#init.hello());
    if (this.#timer !== null) this.#init.timers.clearTimeout(this.#timer);
    this.#timer = null;
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

  #openFrame(frame: WireFrame): void {
    const message = this.#channel!.open(frame);
    if (message !== null) this.#init.onMessage(message);
  }

  #sendClear(message: HiveMessage): void {
    this.#socket!.send(messageJson(message));
  }

  #onClose(code: number, reason: string): void {
    if (this.#ended) return;
    const phase = this.#phase;
    this.#end();
    const why = reason === '' && code === 1006 ? this.#socketError : reason;
    this.#init.onEnd({ phase, remote: true, code, reason: why, error: null, pattern: this.#pattern });
  }

  #fail(error: HiveLinkError): void {
    if (this.#ended) return;
    const phase = this.#phase;
    this.#end();
    // Browsers only allow 1000 and 3000–4999 from script; the reason names the error code (always < 123 bytes).
    this.#closeSocket(1000, error.code);
    this.#init.onEnd({
      phase,
      remote: false,
      code: error.closeCode ?? 1000,
      reason: error.message,
      error,
      pattern: this.#pattern,
    });
  }

  #end(): void {
    this.#ended = true;
    if (this.#timer !== null) this.#init.timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#queue?.stop();
    this.#channel = null;
  }

  #closeSocket(code: number, reason: string): void {
    this.#socket?.close(code, reason);
  }
}

function patternOf(message: HiveMessage): NoisePattern | null {
  const payload = message.payload as { noise?: { pattern?: unknown } };
  const pattern = payload.noise?.pattern;
  return pattern === 'XXpsk2' || pattern === 'KKpsk0' ? pattern : null;
}
