/**
 * One-shot alarms by key on injected timers and clock (`src/timers.ts`): the hub's timer service arms one per
 * stored timer, the tests drive them with `test/helpers/fake-timers.ts`. A wait longer than Node's 24.8-day timer
 * ceiling is split; a timer that runs early (the clock is not there yet) re-arms for the rest, so nothing fires
 * before its due time. A due time already past fires at once.
 *
 * @module
 */
import type { Timers } from '../../timers.js';

/** The longest single timer (2^31 − 1 ms): `setTimeout` fires at once for anything longer. */
export const MAX_TIMER_MS = 2_147_483_647;

export interface OneShotSchedulerInit<K> {
  timers: Timers;
  /** The clock, in ms since the epoch. */
  now: () => number;
  /** Called once per key when its due time has come. */
  onDue: (key: K) => void;
}

/** Keyed one-shot alarms; see the module documentation. */
export class OneShotScheduler<K> {
  readonly #init: OneShotSchedulerInit<K>;
  readonly #entries = new Map<K, { dueAt: number; handle: unknown }>();
  #stopped = false;

  constructor(init: OneShotSchedulerInit<K>) {
    this.#init = init;
  }

  /** How many keys are armed. */
  get size(): number {
    return this.#entries.size;
  }

  /** When `key` fires, or null when it is not armed. */
  dueAt(key: K): number | null {
    return this.#entries.get(key)?.dueAt ?? null;
  }

  /** Arms `key` for `dueAt` (replacing what it had). */
  set(key: K, dueAt: number): void {
    if (this.#stopped) return;
    this.delete(key);
    const entry = { dueAt, handle: null as unknown };
    this.#entries.set(key, entry);
    this.#arm(key, entry);
  }

  /** Disarms `key`; true when it was armed. */
  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    if (entry.handle !== null) this.#init.timers.clearTimeout(entry.handle);
    this.#entries.delete(key);
    return true;
  }

  /** Disarms everything; nothing is armed any more. */
  stop(): void {
    this.#stopped = true;
    for (const key of [...this.#entries.keys()]) this.delete(key);
  }

  #arm(key: K, entry: { dueAt: number; handle: unknown }): void {
    const wait = Math.min(Math.max(0, entry.dueAt - this.#init.now()), MAX_TIMER_MS);
    entry.handle = this.#init.timers.setTimeout(() => {
      if (this.#entries.get(key) !== entry) return;
      if (this.#init.now() < entry.dueAt) {
        this.#arm(key, entry);
        return;
      }
      this.#entries.delete(key);
      this.#init.onDue(key);
    }, wait);
  }
}
