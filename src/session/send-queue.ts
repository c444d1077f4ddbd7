/**
 * The serial send path of one connection: messages are sealed and written in call order (v3 counter nonces must
 * match the order frames reach the peer). While the socket's `bufferedAmount` is above the limit, sealed messages
 * wait in a bounded queue that drains as the socket empties; a send beyond the bound fails before anything is
 * sealed, so no nonce is spent on a message that is never sent.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import type { Timers } from '../timers.js';
import type { WireFrame } from './types.js';

/** How often a backed-up queue checks `bufferedAmount` (browsers have no drain event). */
export const DRAIN_POLL_MS = 20;

/** Where sealed frames go. */
export interface FrameSink {
  readonly bufferedAmount: number;
  send(data: string | Uint8Array): void;
}

export interface SendQueueInit {
  socket: FrameSink;
  timers: Timers;
  /** Bytes the socket may hold unsent before messages wait here. */
  maxBufferedBytes: number;
  /** Messages that may wait; 0 = none (a backed-up socket is an overflow at once). */
  maxQueuedMessages: number;
  /** The error an overflow throws. @default HL_ERR_SEND_QUEUE_FULL naming the queue size */
  overflow?: (queued: number) => HiveLinkError;
}

function defaultOverflow(queued: number): HiveLinkError {
  return new HiveLinkError(
    'HL_ERR_SEND_QUEUE_FULL',
    `${queued} messages are waiting for the socket to drain (limit clientSendQueueMessages)`,
  );
}

export class SendQueue {
  readonly #init: SendQueueInit;
  readonly #queue: WireFrame[][] = [];
  #timer: unknown = null;
  #stopped = false;

  constructor(init: SendQueueInit) {
    this.#init = init;
  }

  /** Messages waiting for the socket to drain. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Seals one message (by calling `seal`) and writes its frames now, or queues them while the socket is backed up.
   * @throws HiveLinkError the overflow error (nothing sealed) when the queue is full; `HL_ERR_NOT_CONNECTED`
   *   after {@link stop}; whatever `seal` throws
   */
  send(seal: () => WireFrame[]): void {
    if (this.#stopped) throw new HiveLinkError('HL_ERR_NOT_CONNECTED', 'the connection is closed');
    if (this.#queue.length === 0 && this.#init.socket.bufferedAmount <= this.#init.maxBufferedBytes) {
      this.#write(seal());
      return;
    }
    if (this.#queue.length >= this.#init.maxQueuedMessages) {
      throw (this.#init.overflow ?? defaultOverflow)(this.#queue.length);
    }
    this.#queue.push(seal());
    this.#schedule();
  }

  /** Drops queued messages and stops draining. Returns how many were dropped. */
  stop(): number {
    this.#stopped = true;
    if (this.#timer !== null) this.#init.timers.clearTimeout(this.#timer);
    this.#timer = null;
    const dropped = this.#queue.length;
    this.#queue.length = 0;
    return dropped;
  }

  #write(frames: WireFrame[]): void {
    for (const frame of frames) this.#init.socket.send(frame.kind === 'text' ? frame.text : frame.data);
  }

  #schedule(): void {
    if (this.#timer !== null || this.#stopped) return;
    this.#timer = this.#init.timers.setTimeout(() => {
      this.#timer = null;
      this.#drain();
    }, DRAIN_POLL_MS);
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#init.socket.bufferedAmount <= this.#init.maxBufferedBytes) {
      this.#write(this.#queue.shift()!);
    }
    if (this.#queue.length > 0) this.#schedule();
  }
}
