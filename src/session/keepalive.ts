/**
 * Websocket keepalive for one connection (the side that can ping: the hub): a ping every `intervalMs`; no pong within `timeoutMs` → the
 * connection is declared dead. Timers are injectable, so tests drive it without waiting.
 *
 * ```
 *  idle ──start()──▶ waiting ──interval──▶ ping sent ──pong──▶ waiting
 *                                              │ timeout
 *                                              ▼
 *                                           onTimeout()  (stopped)
 * ```
 *
 * @module
 */
import { type Timers, unrefTimers } from '../timers.js';

export interface KeepaliveInit {
  /** Time between pings (`pingIntervalMs`). */
  intervalMs: number;
  /** Time to wait for the pong (`pingTimeoutMs`). */
  timeoutMs: number;
  /** Sends one ping. */
  ping: () => void;
  /** Called once when a pong does not arrive in time. */
  onTimeout: () => void;
  /** @default the global timers, unref'd */
  timers?: Timers;
}

export class Keepalive {
  readonly #init: KeepaliveInit;
  readonly #timers: Timers;
  #next: unknown = null;
  #deadline: unknown = null;
  #running = false;

  constructor(init: KeepaliveInit) {
    this.#init = init;
    this.#timers = init.timers ?? unrefTimers;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  /** Records a pong: the peer is alive. */
  pong(): void {
    if (this.#deadline !== null) {
      this.#timers.clearTimeout(this.#deadline);
      this.#deadline = null;
      this.#schedule();
    }
  }

  stop(): void {
    this.#running = false;
    if (this.#next !== null) this.#timers.clearTimeout(this.#next);
    if (this.#deadline !== null) this.#timers.clearTimeout(this.#deadline);
    this.#next = null;
    this.#deadline = null;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#next = this.#timers.setTimeout(() => {
      this.#next = null;
      if (!this.#running) return;
      this.#deadline = this.#timers.setTimeout(() => {
        this.#deadline = null;
        if (!this.#running) return;
        this.stop();
        this.#init.onTimeout();
      }, this.#init.timeoutMs);
      this.#init.ping();
    }, this.#init.intervalMs);
  }
}
