/**
 * The one fake clock for tests: timers that fire only when the test moves time, in due order.
 *
 * @module
 */
import type { Timers } from '../../src/timers.js';

export interface FakeTimer {
  readonly callback: () => void;
  /** The delay it was scheduled with. */
  readonly ms: number;
  /** When it is due, on this clock. */
  readonly at: number;
}

/** Implements {@link Timers}; `now` starts at 0 and moves only by `advance`, `fire` and `fireNext`. */
export class FakeTimers implements Timers {
  now = 0;
  readonly #scheduled = new Map<number, FakeTimer>();
  #next = 1;

  /** Pending timers by handle, in scheduling order. */
  get scheduled(): ReadonlyMap<number, FakeTimer> {
    return this.#scheduled;
  }

  /** A `now()` function for code that takes an injected clock. */
  readonly clock = (): number => this.now;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#scheduled.set(id, { callback, ms, at: this.now + ms });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#scheduled.delete(handle as number);
  }

  /** Delays of the pending timers from now, soonest first. */
  pending(): number[] {
    return [...this.#scheduled.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing every timer that falls due (including ones scheduled meanwhile), in order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = this.#soonest();
      if (due === undefined || due[1].at > until) break;
      this.#run(due);
    }
    this.now = until;
  }

  /** Fires the soonest timer, moving time to it; returns the new time. Throws when nothing is pending. */
  fireNext(): number {
    const due = this.#soonest();
    if (due === undefined) throw new Error('FakeTimers.fireNext: no timer is pending');
    this.#run(due);
    return this.now;
  }

  /** Fires every timer scheduled so far (not ones they schedule), soonest first. */
  fire(): void {
    const due = [...this.#scheduled].sort((a, b) => a[1].at - b[1].at || a[0] - b[0]);
    for (const entry of due) if (this.#scheduled.has(entry[0])) this.#run(entry);
  }

  #soonest(): [number, FakeTimer] | undefined {
    let best: [number, FakeTimer] | undefined;
    for (const entry of this.#scheduled) if (best === undefined || entry[1].at < best[1].at) best = entry;
    return best;
  }

  #run([id, timer]: [number, FakeTimer]): void {
    this.#scheduled.delete(id);
    if (timer.at > this.now) this.now = timer.at;
    timer.callback();
  }
}
