import type { Timers } from '../../src/timers.js';

/** Manual timers: nothing runs until `fire()` runs everything scheduled so far. */
export class FakeTimers implements Timers {
  readonly scheduled = new Map<number, { callback: () => void; ms: number }>();
  #next = 1;
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.scheduled.set(id, { callback, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.scheduled.delete(handle as number);
  }
  fire(): void {
    const due = [...this.scheduled.values()];
    this.scheduled.clear();
    for (const t of due) t.callback();
  }
}
