/**
 * An event-loop stall watchdog: a hub whose main thread stops running JavaScript (a CPU-bound handler, a long GC, or
 * a native deadlock that later resolves) answers nobody, and without this nothing says so. A timer that should fire
 * every {@link EventLoopWatchdogOptions.checkEveryMs} measures how late it fired; lateness over `stallMs`
 * (`eventLoopStallMs` in `src/limits.ts`) is a stall: logged as a warning with its length and counted, for
 * `/metrics`. The timer is unref'd, so the watchdog never keeps a process alive.
 *
 * A main thread that never comes back (issue 10's futex deadlock) cannot report itself; that is what the stall
 * counter seen from outside (a scrape that stops answering) and the soak test are for.
 *
 * @example
 * ```ts
 * const watchdog = createEventLoopWatchdog({ stallMs: limits.eventLoopStallMs, logger });
 * watchdog.start();
 * // … later: watchdog.stalls, watchdog.worstStallMs; watchdog.stop();
 * ```
 *
 * @module
 */
import { type Timers, unrefTimers } from '../timers.js';

/** The part of a pino logger the watchdog writes to. */
export interface WatchdogLogger {
  warn(obj: object, msg: string): void;
}

export interface EventLoopWatchdogOptions {
  /** Lateness of the check timer, in ms, above which the loop counts as stalled (`eventLoopStallMs`). */
  readonly stallMs: number;
  readonly logger: WatchdogLogger;
  /**
   * How often the timer is due. @default a quarter of `stallMs`, between 10 and 250 ms: a stall of twice the limit
   * is always seen, and an idle hub wakes at most four times a second.
   */
  readonly checkEveryMs?: number;
  /** @default unref'd global timers */
  readonly timers?: Timers;
  /** @default `performance.now` */
  readonly now?: () => number;
}

export interface EventLoopWatchdog {
  /** Stalls seen since construction. */
  readonly stalls: number;
  /** The longest stall seen, in ms (0 before the first). */
  readonly worstStallMs: number;
  /** The limit it was built with, in ms. */
  readonly stallMs: number;
  /** Starts checking; a second call does nothing. */
  start(): void;
  /** Stops checking; safe to call twice or before `start`. */
  stop(): void;
}

/** The default check interval for a limit (see {@link EventLoopWatchdogOptions.checkEveryMs}). */
export function defaultCheckEveryMs(stallMs: number): number {
  return Math.min(250, Math.max(10, Math.floor(stallMs / 4)));
}

/** Builds a stopped watchdog; see the module doc. */
export function createEventLoopWatchdog(options: EventLoopWatchdogOptions): EventLoopWatchdog {
  const { stallMs, logger } = options;
  const every = options.checkEveryMs ?? defaultCheckEveryMs(stallMs);
  const timers = options.timers ?? unrefTimers;
  const now = options.now ?? (() => performance.now());
  let handle: unknown = null;
  let due = 0;
  let stalls = 0;
  let worst = 0;

  const schedule = (): void => {
    due = now() + every;
    handle = timers.setTimeout(check, every);
  };
  function check(): void {
    const lateMs = Math.round(now() - due);
    if (lateMs > stallMs) {
      stalls++;
      worst = Math.max(worst, lateMs);
      logger.warn(
        { stallMs: lateMs, limitMs: stallMs },
        `event loop stalled for ${lateMs} ms (limit eventLoopStallMs ${stallMs} ms)`,
      );
    }
    schedule();
  }

  return {
    get stalls() {
      return stalls;
    },
    get worstStallMs() {
      return worst;
    },
    stallMs,
    start() {
      if (handle === null) schedule();
    },
    stop() {
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
    },
  };
}
