/**
 * Fires each keyed {@link Schedule} at its ticks, on injected timers and clock (`src/timers.ts`), so the tests move
 * time by hand (`test/helpers/fake-timers.ts`) and the hub uses unref'd timers that never keep the process alive.
 *
 * One timer per key, armed for the next tick only. A timer is never set longer than {@link MAX_TIMER_MS} (Node's
 * 24.8-day ceiling): it wakes up and re-arms. A timer that fires early (before the clock reaches the tick) re-arms
 * for the rest. After a tick the next one is the first after *now*, so a hub that was suspended (or stalled) past
 * several ticks fires once, not in a burst.
 *
 * @module
 */
import type { Timers } from '../../timers.js';
import { nextTick, type Schedule } from './schedule.js';

/** The longest single timer (2^31 − 1 ms): `setTimeout` fires at once for anything longer. */
export const MAX_TIMER_MS = 2_147_483_647;

export interface TickSchedulerInit {
  timers: Timers;
  /** The clock, in ms since the epoch. */
  now: () => number;
  /** Called at each tick with the key and the tick's time (its due time, not when the timer ran). */
  onTick: (key: string, tickAt: number) => void;
  /** IANA zone cron expressions are read in. @default the system's */
  timezone?: string;
}

interface Entry {
  readonly schedule: Schedule;
  readonly anchorMs: number;
  /** When the next tick is due, or null when the schedule never fires again. */
  dueAt: number | null;
  handle: unknown;
}

function sameSchedule(a: Schedule, b: Schedule): boolean {
  return a.kind === 'every' && b.kind === 'every'
    ? a.everyMs === b.everyMs
    : a.kind === 'cron' && b.kind === 'cron' && a.cron === b.cron;
}

/** Keyed schedules on injected timers; see the module documentation. */
export class TickScheduler {
  readonly #init: TickSchedulerInit;
  readonly #entries = new Map<string, Entry>();
  #stopped = false;

  constructor(init: TickSchedulerInit) {
    this.#init = init;
  }

  /** The keys scheduled. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /** When `key` ticks next, or null (unknown key, or it never fires again). */
  nextAt(key: string): number | null {
    return this.#entries.get(key)?.dueAt ?? null;
  }

  /**
   * Schedules `key` (replacing what it had). The same schedule and anchor again keeps the armed timer, so a
   * reload of unchanged subscriptions moves nothing.
   */
  set(key: string, schedule: Schedule, anchorMs: number): void {
    if (this.#stopped) return;
    const old = this.#entries.get(key);
    if (old !== undefined && old.anchorMs === anchorMs && sameSchedule(old.schedule, schedule)) return;
    this.delete(key);
    const entry: Entry = { schedule, anchorMs, dueAt: null, handle: null };
    this.#entries.set(key, entry);
    this.#arm(key, entry, nextTick(schedule, anchorMs, this.#init.now(), this.#init.timezone));
  }

  /** Stops scheduling `key`. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    if (entry.handle !== null) this.#init.timers.clearTimeout(entry.handle);
    this.#entries.delete(key);
  }

  /** Clears every timer; nothing is scheduled any more. */
  stop(): void {
    this.#stopped = true;
    for (const key of this.keys()) this.delete(key);
  }

  #arm(key: string, entry: Entry, dueAt: number | null): void {
    entry.dueAt = dueAt;
    entry.handle = null;
    if (dueAt === null) return;
    const wait = Math.min(Math.max(0, dueAt - this.#init.now()), MAX_TIMER_MS);
    entry.handle = this.#init.timers.setTimeout(() => this.#fire(key, entry), wait);
  }

  #fire(key: string, entry: Entry): void {
    if (this.#entries.get(key) !== entry || entry.dueAt === null) return;
    const dueAt = entry.dueAt;
    const now = this.#init.now();
    if (now < dueAt) {
      this.#arm(key, entry, dueAt);
      return;
    }
    this.#arm(key, entry, nextTick(entry.schedule, entry.anchorMs, now, this.#init.timezone));
    this.#init.onTick(key, dueAt);
  }
}
