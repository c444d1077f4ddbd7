/**
 * Debounced `lastSeen` writes: the hub touches a client on every message, the batcher writes at most once per
 * interval, all pending touches in one transaction (no database write per message).
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { type Timers, unrefTimers } from '../timers.js';
import type { ClientStore } from './types.js';

/** Default flush interval of {@link LastSeenBatcher} (limit `lastSeenFlushMs`). */
export const DEFAULT_LAST_SEEN_INTERVAL_MS: number = LIMIT_DEFS.lastSeenFlushMs.default;

/** Timer functions, injectable for tests. */
export type LastSeenTimers = Timers;

export interface LastSeenBatcherInit {
  /** Where touches are written (`touchLastSeenMany`). */
  store: Pick<ClientStore, 'touchLastSeenMany'>;
  /** Shortest time between two writes. @default 10000 */
  intervalMs?: number;
  /** Clock for touches without a time. @default Date.now */
  now?: () => number;
  /** @default the global setTimeout/clearTimeout, with the timer unref'd */
  timers?: LastSeenTimers;
  /**
   * Called when a timed flush fails; the touches are kept and retried on the next flush.
   * @default emits a process warning
   */
  onError?: (err: unknown) => void;
}

/**
 * Collects `touch(id)` calls and writes them with one `touchLastSeenMany` per interval. The first touch after a
 * write arms one timer; touches until it fires only update memory (the latest time per client wins).
 *
 * ```
 * touch ─▶ pending (timer armed) ─timer─▶ flush: one transaction ─▶ idle
 *             ▲   touch: remember max(at)                            │ touch
 *             └──────────────────────────────────────────────────────┘
 * ```
 */
export class LastSeenBatcher {
  readonly #store: Pick<ClientStore, 'touchLastSeenMany'>;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #timers: LastSeenTimers;
  readonly #onError: (err: unknown) => void;
  #pending = new Map<number, number>();
  #timer: unknown = null;
  #flushing: Promise<void> | null = null;
  #stopped = false;

  constructor(init: LastSeenBatcherInit) {
    const intervalMs = init.intervalMs ?? DEFAULT_LAST_SEEN_INTERVAL_MS;
    if (!Number.isFinite(intervalMs) || intervalMs < 1) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'intervalMs must be at least 1');
    }
    this.#store = init.store;
    this.#intervalMs = intervalMs;
    this.#now = init.now ?? Date.now;
    this.#timers = init.timers ?? unrefTimers;
    this.#onError =
      init.onError ??
      ((err) => process.emitWarning(`hivelink: could not record last-seen times: ${(err as Error).message}`));
  }

  /** Touches pending a write. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Records that client `id` was seen at `at`; the write happens within one interval. Ignored once stopped. */
  touch(id: number, at: number = this.#now()): void {
    if (this.#stopped) return;
    const prev = this.#pending.get(id);
    if (prev === undefined || at > prev) this.#pending.set(id, at);
    this.#arm();
  }

  #arm(): void {
    if (this.#timer !== null || this.#stopped || this.#pending.size === 0) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.flush().catch(this.#onError);
    }, this.#intervalMs);
  }

  /**
   * Writes every pending touch now, in one transaction. On failure the touches are kept (merged with newer ones)
   * for the next flush, and the promise rejects.
   */
  async flush(): Promise<void> {
    if (this.#flushing !== null) await this.#flushing.catch(() => undefined);
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    const run = this.#store.touchLastSeenMany(batch);
    this.#flushing = run;
    try {
      await run;
    } catch (err) {
      for (const [id, at] of batch) {
        const newer = this.#pending.get(id);
        if (newer === undefined || at > newer) this.#pending.set(id, at);
      }
      this.#arm();
      throw err;
    } finally {
      if (this.#flushing === run) this.#flushing = null;
    }
  }

  /** Cancels the timer and writes what is pending. Later touches are ignored. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) {
      this.#timers.clearTimeout(this.#timer);
      this.#timer = null;
    }
    await this.flush();
  }
}
