/**
 * The connection state machine, one for both roles (hub and client): the ordered inbound queue, the handshake
 * gate, the serial send queue with backpressure, keepalive, the handshake timeout and the close. What differs
 * between the roles — which handshake runs, what happens to a message once the channel is open, which errors are
 * fatal — comes in through {@link SessionRole}.
 *
 * ```
 *  connecting ──begin(): cleartext opening sent──▶ handshaking ──role.handshake yields a channel──▶ open
 *      │                                               │            (role.established awaited)      │
 *      │ close(), fail()                               │ bad frame, timeout, fail()                  │ fail(), close()
 *      ▼                                               ▼                                             ▼
 *   closing ◀──────────────────────────────────────────┴─────────────────────────────────────────────┘
 *      │ socket closed (or cut after the grace time)
 *      ▼
 *   closed
 * ```
 * Any state goes straight to `closed` when the socket closes from the other side. Frames that arrive while
 * `connecting` wait in the inbound queue. Frames are processed one at a time, in order; a step that is asynchronous
 * (key derivation, a database write, a re-key) holds the queue, so no frame overtakes another. `onEnd` reports the
 * end once, at the first of: a local close or failure, or the socket closing; `closed` resolves when the socket
 * has closed.
 *
 * Before the channel exists only text frames no larger than `maxHandshakeFrameBytes` are read, each a cleartext
 * HiveMessage (docs/PROTOCOL.md §2); binary frames are a protocol violation.
 *
 * @module
 */
import { CLOSE_INTERNAL_ERROR, HiveLinkError, isHiveLinkError } from '../errors.js';
import { type HiveMessage, type ParseOptions, parseHiveMessage } from '../protocol/message.js';
import type { Timers } from '../timers.js';
import { messageJson } from './channel.js';
import type { FrameSocket } from './frame-socket.js';
import { Keepalive } from './keepalive.js';
import { SendQueue } from './send-queue.js';
import type { SecureChannel, WireFrame } from './types.js';

export type SessionState = 'connecting' | 'handshaking' | 'open' | 'closing' | 'closed';

/** What one handshake message led to. */
export interface HandshakeOutcome {
  /** Cleartext messages to send now, in order. */
  readonly send: readonly HiveMessage[];
  /** The channel, once the handshake is complete; null while it goes on. */
  readonly channel: SecureChannel | null;
}

/** The part of a connection that depends on its role. */
export interface SessionRole {
  /** One cleartext message during the handshake. A throw fails the connection. */
  handshake(message: HiveMessage): HandshakeOutcome | Promise<HandshakeOutcome>;
  /**
   * The channel exists and the last handshake reply has been sent; the session opens when this settles (pin a key
   * here). A throw fails the connection. @default nothing
   */
  established?(channel: SecureChannel): void | Promise<void>;
  /** The session is open: the first encrypted messages can go out. */
  opened(channel: SecureChannel): void;
  /** One decrypted message on the open session; a returned promise holds the inbound queue until it settles. */
  message(message: HiveMessage): void | Promise<void>;
  /**
   * A frame could not be processed. Return true to go on with the next frame (the role answered it, e.g. with a
   * policy error); false fails the connection with `error`. @default false: every error is fatal
   */
  recover?(error: HiveLinkError, state: SessionState): boolean;
  /** Maps an error that fails the connection to the close the socket is sent. @default its close code, else 1011 */
  closeFor?(error: HiveLinkError): { code: number; reason: string };
}

/** How a session ended. */
export interface SessionEnd {
  /** The state it was in when it ended. */
  readonly state: SessionState;
  /** True when the socket closed from the other side (or the network) first. */
  readonly remote: boolean;
  /** The close code: the one sent for a local end, the one received for a remote end. */
  readonly code: number;
  readonly reason: string;
  /** The failure that ended it; null for a plain close. */
  readonly error: HiveLinkError | null;
}

export interface SessionLimits {
  /** Time from construction to an open session. */
  readonly handshakeTimeoutMs: number;
  /** Largest cleartext frame before the channel exists. */
  readonly maxHandshakeFrameBytes: number;
  /** Frames waiting to be processed; one more fails the connection. */
  readonly inboundQueueMessages: number;
  /** Bytes the socket may hold unsent before sends wait in the send queue. */
  readonly maxBufferedBytes: number;
  /** Sends that may wait for the socket to drain; 0: a backed-up socket is an overflow. */
  readonly sendQueueMessages: number;
  /** Keepalive ping interval; 0 (or a socket that cannot ping): no keepalive. */
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  /** Time the peer gets to finish the closing handshake before the socket is cut. */
  readonly closeGraceMs: number;
  /** Nesting limits for the cleartext handshake messages. */
  readonly parse: ParseOptions;
}

export interface SessionMachineInit {
  socket: FrameSocket;
  role: SessionRole;
  limits: SessionLimits;
  timers: Timers;
  /** Reports the end, once. */
  onEnd?: (end: SessionEnd) => void;
  /** The send queue overflowed (the socket is backed up past its limits). @default HL_ERR_SEND_QUEUE_FULL */
  sendOverflow?: (queued: number) => HiveLinkError;
  /** More frames arrived than the inbound queue holds. @default HL_ERR_QUEUE_FULL "message queue full" */
  inboundOverflow?: (state: SessionState) => HiveLinkError;
  /** How a cleartext message is written (the hub writes Python's JSON spacing). @default compact JSON */
  serializeClear?: (message: HiveMessage) => string;
}

function asHiveLinkError(err: unknown): HiveLinkError {
  if (isHiveLinkError(err)) return err;
  return new HiveLinkError('HL_ERR_INTERNAL', 'internal error', { cause: err });
}

function defaultCloseFor(error: HiveLinkError): { code: number; reason: string } {
  return { code: error.closeCode ?? CLOSE_INTERNAL_ERROR, reason: error.message };
}

/** A close reason as the websocket protocol allows it: at most 123 bytes of UTF-8, cut on a character boundary. */
export function closeReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.byteLength <= 123) return reason;
  let cut = 123;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut -= 1;
  return new TextDecoder().decode(bytes.subarray(0, cut));
}

export class SessionMachine {
  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;
  readonly #socket: FrameSocket;
  readonly #role: SessionRole;
  readonly #limits: SessionLimits;
  readonly #timers: Timers;
  readonly #init: SessionMachineInit;
  readonly #keepalive: Keepalive | null;
  #state: SessionState = 'connecting';
  #channel: SecureChannel | null = null;
  #sendQueue: SendQueue | null = null;
  #inbound: WireFrame[] = [];
  #draining = false;
  #handshakeTimer: unknown = null;
  #killTimer: unknown = null;
  #end: SessionEnd | null = null;
  #resolveClosed!: () => void;

  constructor(init: SessionMachineInit) {
    this.#init = init;
    this.#socket = init.socket;
    this.#role = init.role;
    this.#limits = init.limits;
    this.#timers = init.timers;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    const socket = init.socket;
    this.#keepalive =
      socket.ping !== undefined && init.limits.pingIntervalMs > 0
        ? new Keepalive({
            intervalMs: init.limits.pingIntervalMs,
            timeoutMs: init.limits.pingTimeoutMs,
            timers: init.timers,
            ping: () => socket.ping?.(),
            onTimeout: () => this.#lost(new HiveLinkError('HL_ERR_PING_TIMEOUT', 'ping timeout')),
          })
        : null;
    socket.onFrame((frame) => this.#onFrame(frame));
    socket.onClose((code, reason) => this.#onSocketClose(code, reason));
    socket.onPong?.(() => this.#keepalive?.pong());
    this.#handshakeTimer = init.timers.setTimeout(() => {
      this.#handshakeTimer = null;
      this.fail(new HiveLinkError('HL_ERR_HANDSHAKE_TIMEOUT', 'handshake timeout', { stage: this.#state }));
    }, init.limits.handshakeTimeoutMs);
  }

  get state(): SessionState {
    return this.#state;
  }

  /** The secure channel once the handshake completed; null before (and after the end). */
  get channel(): SecureChannel | null {
    return this.#channel;
  }

  /** How the session ended, or null while it lives. */
  get end(): SessionEnd | null {
    return this.#end;
  }

  /** Sends in order, sealed or not, waiting in the send queue. */
  get queuedSends(): number {
    return this.#sendQueue?.queued ?? 0;
  }

  /** Frames received and not yet processed. */
  get queuedInbound(): number {
    return this.#inbound.length;
  }

  /** Bytes written to the socket and not yet sent by it. */
  get bufferedBytes(): number {
    return this.#socket.bufferedAmount;
  }

  /** Starts the handshake: sends `opening` in cleartext and processes what has arrived. */
  begin(opening: readonly HiveMessage[] = []): void {
    if (this.#state !== 'connecting') return;
    this.#state = 'handshaking';
    // One write per opening message: some HiveMind clients read one handshake frame per TCP read, and take a
    // HELLO and the HANDSHAKE request arriving in one segment as a broken handshake.
    opening.forEach((message, i) => {
      if (i > 0) this.#socket.flush?.();
      this.sendClear(message);
    });
    this.#drain();
  }

  /**
   * Seals `message` through the channel and sends it (or queues it while the socket is backed up).
   * @throws HiveLinkError `HL_ERR_NOT_CONNECTED` unless open; the overflow error; what sealing throws
   */
  send(message: HiveMessage): void {
    const channel = this.#channel;
    const queue = this.#sendQueue;
    if (this.#state !== 'open' || channel === null || queue === null) {
      throw new HiveLinkError('HL_ERR_NOT_CONNECTED', 'the connection is not open');
    }
    queue.send(() => channel.seal(message));
  }

  /** Sends one cleartext message (the opening, a handshake reply). Nothing after the end. */
  sendClear(message: HiveMessage): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#socket.send((this.#init.serializeClear ?? messageJson)(message));
  }

  /** Replaces the channel of an open session (a legacy re-key); later sends and frames use the new one. */
  replaceChannel(channel: SecureChannel): void {
    if (this.#state === 'open') this.#channel = channel;
  }

  /** Closes with `code` and `reason`; the end is reported as local with no error. */
  close(code = 1000, reason = 'closed'): void {
    this.#finish({ state: this.#state, remote: false, code, reason: closeReason(reason), error: null });
  }

  /** Ends the session because of `error`: the socket gets the role's close for it. */
  fail(error: HiveLinkError): void {
    if (this.#end !== null) return;
    const close = (this.#role.closeFor ?? defaultCloseFor)(error);
    this.#finish({
      state: this.#state,
      remote: false,
      code: close.code,
      reason: closeReason(close.reason),
      error,
    });
  }

  /** Cuts the socket at once (the end, if not yet reported, is a local close 1006). */
  terminate(): void {
    if (this.#end === null)
      this.#record({ state: this.#state, remote: false, code: 1006, reason: '', error: null });
    this.#cut();
  }

  // -- inbound

  #onFrame(frame: WireFrame): void {
    if (this.#end !== null) return;
    if (this.#inbound.length >= this.#limits.inboundQueueMessages) {
      this.fail(
        this.#init.inboundOverflow?.(this.#state) ??
          new HiveLinkError('HL_ERR_QUEUE_FULL', 'message queue full'),
      );
      return;
    }
    this.#inbound.push(frame);
    this.#drain();
  }

  /** Processes queued frames in order; stops at an asynchronous step and resumes when it is done. */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    while (this.#inbound.length > 0 && (this.#state === 'handshaking' || this.#state === 'open')) {
      const pending = this.#process(this.#inbound.shift()!);
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

  /** One frame; a promise only while an asynchronous step runs. Never rejects. */
  #process(frame: WireFrame): Promise<void> | undefined {
    const state = this.#state;
    try {
      const pending = state === 'handshaking' ? this.#handshakeFrame(frame) : this.#openFrame(frame);
      return pending?.catch((err: unknown) => this.#error(err, state));
    } catch (err) {
      this.#error(err, state);
      return undefined;
    }
  }

  #error(err: unknown, state: SessionState): void {
    if (this.#end !== null) return;
    const error = asHiveLinkError(err);
    if (this.#role.recover?.(error, state) === true) return;
    this.fail(error);
  }

  #handshakeFrame(frame: WireFrame): Promise<void> | undefined {
    if (frame.kind !== 'text') {
      throw new HiveLinkError('HL_ERR_HANDSHAKE_UNEXPECTED', 'binary frame before the handshake completed');
    }
    const max = this.#limits.maxHandshakeFrameBytes;
    if (frame.text.length > max) {
      throw new HiveLinkError('HL_ERR_FRAME_TOO_LARGE', `handshake frame exceeds ${max} bytes`);
    }
    const message = parseHiveMessage(frame.text, this.#limits.parse);
    const outcome = this.#role.handshake(message);
    if (outcome instanceof Promise) return outcome.then((o) => this.#apply(o));
    return this.#apply(outcome);
  }

  #apply(outcome: HandshakeOutcome): Promise<void> | undefined {
    if (this.#state !== 'handshaking') return undefined;
    for (const message of outcome.send) this.sendClear(message);
    const channel = outcome.channel;
    if (channel === null) return undefined;
    const established = this.#role.established?.(channel);
    if (established instanceof Promise) return established.then(() => this.#open(channel));
    this.#open(channel);
    return undefined;
  }

  #open(channel: SecureChannel): void {
    if (this.#state !== 'handshaking') return;
    this.#state = 'open';
    this.#channel = channel;
    this.#sendQueue = new SendQueue({
      socket: this.#socket,
      timers: this.#timers,
      maxBufferedBytes: this.#limits.maxBufferedBytes,
      maxQueuedMessages: this.#limits.sendQueueMessages,
      ...(this.#init.sendOverflow === undefined ? {} : { overflow: this.#init.sendOverflow }),
    });
    this.#clearHandshakeTimer();
    this.#keepalive?.start();
    this.#role.opened(channel);
  }

  #openFrame(frame: WireFrame): Promise<void> | undefined {
    const message = this.#channel!.open(frame);
    if (message === null) return undefined;
    const pending = this.#role.message(message);
    return pending instanceof Promise ? pending : undefined;
  }

  // -- the end

  #finish(end: SessionEnd): void {
    if (this.#end !== null) return;
    this.#record(end);
    this.#socket.close(end.code, end.reason);
    if (this.#state !== 'closed') {
      this.#killTimer = this.#timers.setTimeout(() => {
        this.#killTimer = null;
        this.#cut();
      }, this.#limits.closeGraceMs);
    }
  }

  /** The peer stopped answering: cut the socket, no closing handshake. */
  #lost(error: HiveLinkError): void {
    if (this.#end !== null) return;
    this.#record({ state: this.#state, remote: false, code: 1006, reason: error.message, error });
    this.#cut();
  }

  #cut(): void {
    if (this.#socket.terminate !== undefined) this.#socket.terminate();
    else this.#onSocketClose(1006, '');
  }

  #record(end: SessionEnd): void {
    this.#end = end;
    if (this.#state !== 'closed') this.#state = 'closing';
    this.#stop();
    this.#init.onEnd?.(end);
  }

  #stop(): void {
    this.#clearHandshakeTimer();
    this.#keepalive?.stop();
    this.#sendQueue?.stop();
    this.#inbound = [];
  }

  #clearHandshakeTimer(): void {
    if (this.#handshakeTimer !== null) this.#timers.clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = null;
  }

  #onSocketClose(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    const state = this.#state;
    this.#state = 'closed';
    if (this.#killTimer !== null) this.#timers.clearTimeout(this.#killTimer);
    this.#killTimer = null;
    if (this.#end === null) {
      this.#end = { state, remote: true, code, reason, error: null };
      this.#stop();
      this.#init.onEnd?.(this.#end);
    }
    this.#channel = null;
    this.#resolveClosed();
  }
}
