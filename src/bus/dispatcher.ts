/**
 * The handler registry and delivery queue behind every hivelink bus (in-process bus, ws server's local view,
 * ws client). It gives them the same OVOS semantics:
 *
 * - handlers for a type and `'*'` handlers run in the order they were registered;
 * - messages are delivered asynchronously (a microtask), one at a time, in the order they were queued, so a
 *   handler that emits never re-enters: its message is delivered after the current one reached every handler;
 * - each handler gets its own deep copy, so one handler cannot change what another sees (a handler subscribed as
 *   `shared`, which only reads and keeps nothing, gets the message itself);
 * - a handler that throws (or whose promise rejects) is reported to `onError` and delivery goes on;
 * - after {@link DELIVERIES_PER_TURN} messages in a row the queue yields to the event loop (`setTimeout(0)`),
 *   so two handlers that answer each other forever cannot starve I/O.
 *
 * Browser-safe: no Node APIs.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { deepCopy } from './copy.js';
import type { BusLogger } from './log.js';
import type { MessageData, MessageHandler, SubscribeOptions } from './types.js';

/** Messages delivered back to back before the queue lets the event loop run. */
export const DELIVERIES_PER_TURN = 1000;

/** The type that subscribes to every message. */
export const WILDCARD = '*';

/** Receives a handler's exception (or rejection) and the message it was handling. */
export type BusErrorHandler = (error: unknown, message: MessageData) => void;

export interface DispatcherInit {
  /** Called when a handler throws or rejects. @default logs the error and the message type (never the body). */
  onError?: BusErrorHandler;
  /** Used by the default `onError`. @default `console` */
  logger?: BusLogger;
  /** Messages that may wait for delivery (`busMaxPendingMessages`). @default 10000 */
  maxPending?: number;
}

interface Subscription {
  readonly type: string;
  readonly handler: MessageHandler;
  readonly once: boolean;
  /** Gets the queued message itself, never a copy (see {@link SubscribeOptions.shared}). */
  readonly shared: boolean;
  readonly seq: number;
  active: boolean;
}

function consoleLogger(): BusLogger {
  const write = (obj: object, msg?: string) => console.error(`hivelink bus: ${msg ?? ''}`, obj);
  return { debug: () => {}, info: write, warn: write, error: write };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Handler registry plus an ordered, asynchronous, bounded delivery queue. */
export class Dispatcher {
  readonly #byType = new Map<string, Subscription[]>();
  readonly #onError: BusErrorHandler | undefined;
  readonly #logger: BusLogger;
  readonly #maxPending: number;
  #queue: (MessageData | undefined)[] = [];
  #head = 0;
  #scheduled = false;
  #seq = 0;

  constructor(init: DispatcherInit = {}) {
    this.#onError = init.onError;
    this.#logger = init.logger ?? consoleLogger();
    this.#maxPending = init.maxPending ?? LIMIT_DEFS.busMaxPendingMessages.default;
  }

  /** Messages queued and not yet delivered. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Active handlers for `type` (not counting `'*'` handlers), or for every type when omitted. */
  listenerCount(type?: string): number {
    if (type !== undefined) return this.#byType.get(type)?.length ?? 0;
    let n = 0;
    for (const subs of this.#byType.values()) n += subs.length;
    return n;
  }

  /** Calls `handler` for each message of `type` (`'*'`: every message). Returns the unsubscribe function. */
  on(type: string, handler: MessageHandler, options: SubscribeOptions = {}): () => void {
    return this.#add(type, handler, false, options.shared === true);
  }

  /** Like {@link on}, for the next matching message only. */
  once(type: string, handler: MessageHandler): () => void {
    return this.#add(type, handler, true, false);
  }

  /** Removes every registration of `handler` for `type`. A removed handler is not called again, even for a message
   * already being delivered. */
  off(type: string, handler: MessageHandler): void {
    const subs = this.#byType.get(type);
    if (subs === undefined) return;
    for (const sub of subs) if (sub.handler === handler) sub.active = false;
    this.#compact(type);
  }

  /** Removes every handler of `type`, or every handler when `type` is omitted. */
  removeAllListeners(type?: string): void {
    const types = type === undefined ? [...this.#byType.keys()] : [type];
    for (const t of types) {
      for (const sub of this.#byType.get(t) ?? []) sub.active = false;
      this.#byType.delete(t);
    }
  }

  /**
   * Queues `message` for delivery. The dispatcher takes ownership: the caller must not change it afterwards.
   *
   * @throws HiveLinkError `HL_ERR_BUS_QUEUE_FULL` when `maxPending` messages are already waiting.
   */
  deliver(message: MessageData): void {
    if (this.pending >= this.#maxPending) {
      throw new HiveLinkError(
        'HL_ERR_BUS_QUEUE_FULL',
        `${this.pending} bus messages are waiting for delivery (busMaxPendingMessages)`,
      );
    }
    this.#queue.push(message);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#drain());
    }
  }

  #add(type: string, handler: MessageHandler, once: boolean, shared: boolean): () => void {
    if (typeof type !== 'string' || typeof handler !== 'function') {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        'a bus subscription needs a string type and a function',
      );
    }
    const sub: Subscription = { type, handler, once, shared, seq: this.#seq++, active: true };
    let subs = this.#byType.get(type);
    if (subs === undefined) {
      subs = [];
      this.#byType.set(type, subs);
    }
    subs.push(sub);
    return () => {
      if (!sub.active) return;
      sub.active = false;
      this.#compact(type);
    };
  }

  #compact(type: string): void {
    const kept = (this.#byType.get(type) ?? []).filter((s) => s.active);
    if (kept.length === 0) this.#byType.delete(type);
    else this.#byType.set(type, kept);
  }

  /** The handlers for `type` and `'*'`, merged in registration order. */
  #handlersFor(type: string): Subscription[] {
    const exact = this.#byType.get(type) ?? [];
    const wild = type === WILDCARD ? [] : (this.#byType.get(WILDCARD) ?? []);
    if (wild.length === 0) return [...exact];
    if (exact.length === 0) return [...wild];
    const out: Subscription[] = [];
    let i = 0;
    let j = 0;
    while (i < exact.length || j < wild.length) {
      const a = exact[i];
      const b = wild[j];
      if (b === undefined || (a !== undefined && a.seq < b.seq)) {
        out.push(a!);
        i++;
      } else {
        out.push(b);
        j++;
      }
    }
    return out;
  }

  #drain(): void {
    for (let n = 0; n < DELIVERIES_PER_TURN; n++) {
      const message = this.#queue[this.#head];
      if (message === undefined) break;
      this.#queue[this.#head] = undefined;
      this.#head++;
      this.#dispatch(message);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
      this.#scheduled = false;
      return;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    setTimeout(() => this.#drain(), 0);
  }

  #dispatch(message: MessageData): void {
    const subs = this.#handlersFor(message.type);
    const last = subs.length - 1;
    for (let k = 0; k <= last; k++) {
      const sub = subs[k]!;
      if (!sub.active) continue;
      if (sub.once) {
        sub.active = false;
        this.#compact(sub.type);
      }
      // The last handler, and handlers that only read, get the message itself; the others their own copy.
      const copy = k === last || sub.shared ? message : deepCopy(message);
      try {
        const result: unknown = sub.handler(copy);
        if (isThenable(result)) result.then(undefined, (err: unknown) => this.#report(err, copy));
      } catch (err) {
        this.#report(err, copy);
      }
    }
  }

  #report(error: unknown, message: MessageData): void {
    if (this.#onError !== undefined) {
      try {
        this.#onError(error, message);
        return;
      } catch (err) {
        this.#logger.error({ err, type: message.type }, 'bus onError handler threw');
        return;
      }
    }
    this.#logger.error({ err: error, type: message.type }, 'bus handler failed');
  }
}
