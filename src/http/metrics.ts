/**
 * `GET /metrics`: the hub's counters in the Prometheus text exposition format (version 0.0.4), for a scraper to
 * alert on. Values are read when scraped, so a metric costs nothing between scrapes. Today it carries the
 * event-loop watchdog (`src/hub/watchdog.ts`), which runs while the server listens:
 *
 * - `hivelink_event_loop_stalls_total` (counter): stalls longer than `eventLoopStallMs` since the server started;
 * - `hivelink_event_loop_stall_max_ms` (gauge): the longest of them, in ms;
 * - `hivelink_event_loop_stall_limit_ms` (gauge): `eventLoopStallMs` itself.
 *
 * and the pre-upgrade guard's (`upgrade-guard.ts`), for connections that never sent a complete request:
 *
 * - `hivelink_pre_upgrade_timeouts_total` (counter): closed after `upgradeTimeoutMs`;
 * - `hivelink_pre_upgrade_refused_total` (counter): closed at once by `maxPendingUpgrades` or
 *   `maxPendingUpgradesPerIp`;
 * - `hivelink_pre_upgrade_pending` (gauge): waiting now.
 *
 * @example
 * ```ts
 * const watchdog = registerMetrics(app, { eventLoopStallMs: limits.eventLoopStallMs, logger });
 * ```
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { createEventLoopWatchdog, type EventLoopWatchdog, type WatchdogLogger } from '../hub/watchdog.js';

/** One metric with a single value, read at scrape time. */
export interface Metric {
  /** `snake_case`, prefixed `hivelink_`; counters end in `_total`. */
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  value(): number;
}

/** The content type Prometheus expects for the text format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** `metrics` in the text exposition format: HELP, TYPE and the sample of each, one per line, newline-terminated. */
export function renderMetrics(metrics: readonly Metric[]): string {
  let out = '';
  for (const m of metrics) {
    const help = m.help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
    out += `# HELP ${m.name} ${help}\n# TYPE ${m.name} ${m.type}\n${m.name} ${m.value()}\n`;
  }
  return out;
}

/** The metrics of an event-loop watchdog (see the module doc). */
export function watchdogMetrics(watchdog: EventLoopWatchdog): Metric[] {
  return [
    {
      name: 'hivelink_event_loop_stalls_total',
      help: 'Event-loop stalls longer than eventLoopStallMs since the server started.',
      type: 'counter',
      value: () => watchdog.stalls,
    },
    {
      name: 'hivelink_event_loop_stall_max_ms',
      help: 'The longest event-loop stall seen, in milliseconds (0 before the first).',
      type: 'gauge',
      value: () => watchdog.worstStallMs,
    },
    {
      name: 'hivelink_event_loop_stall_limit_ms',
      help: 'eventLoopStallMs: event-loop lateness above which a stall is counted and logged.',
      type: 'gauge',
      value: () => watchdog.stallMs,
    },
  ];
}

export interface MetricsInit {
  /** The `eventLoopStallMs` limit. */
  readonly eventLoopStallMs: number;
  /** Where a stall is logged (a warning with `stallMs`). */
  readonly logger: WatchdogLogger;
  /** More metrics to serve after the watchdog's (the pre-upgrade guard's, `upgrade-guard.ts`). @default none */
  readonly metrics?: readonly Metric[];
}

/**
 * Registers `GET /metrics` on `app` and an event-loop watchdog that runs from the server's `listen` until its
 * `close` (a server that never listens never starts it). Returns the watchdog.
 */
export function registerMetrics(app: FastifyInstance, init: MetricsInit): EventLoopWatchdog {
  const watchdog = createEventLoopWatchdog({ stallMs: init.eventLoopStallMs, logger: init.logger });
  const metrics = [...watchdogMetrics(watchdog), ...(init.metrics ?? [])];
  app.get('/metrics', async (_req, reply) => {
    reply.type(METRICS_CONTENT_TYPE);
    return renderMetrics(metrics);
  });
  app.addHook('onListen', async () => watchdog.start());
  app.addHook('onClose', async () => watchdog.stop());
  return watchdog;
}
