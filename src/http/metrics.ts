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
 * and the policy stage's authentication counters (`src/hub/policy/auth-throttle.ts`, `replay-cache.ts`):
 *
 * - `hivelink_auth_attempts_total` (counter): handshake attempts charged to a failure budget;
 * - `hivelink_auth_proven_total` (counter): attempts refunded because the client proved the key;
 * - `hivelink_auth_throttled_total` (counter): connections refused by a spent budget (`HL_ERR_AUTH_THROTTLED`);
 * - `hivelink_auth_unknown_keys_total` (counter): connections with an unknown access key or invalid token;
 * - `hivelink_auth_replayed_total` (counter): legacy envelopes refused as replays (`HL_ERR_HANDSHAKE_REPLAYED`).
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

/** What {@link authMetrics} reads: the policy's counters (`Policy.authStats`). */
export interface AuthStatsSource {
  authStats(): {
    attempts: number;
    proven: number;
    throttled: number;
    unknownKeys: number;
    replayed: number;
  };
}

/** The authentication metrics of the policy stage (see the module doc). */
export function authMetrics(source: AuthStatsSource): Metric[] {
  const counter = (
    name: string,
    help: string,
    read: (s: ReturnType<AuthStatsSource['authStats']>) => number,
  ) => ({
    name,
    help,
    type: 'counter' as const,
    value: () => read(source.authStats()),
  });
  return [
    counter(
      'hivelink_auth_attempts_total',
      'Handshake attempts charged to a failure budget.',
      (s) => s.attempts,
    ),
    counter(
      'hivelink_auth_proven_total',
      'Handshake attempts refunded because the client proved the key.',
      (s) => s.proven,
    ),
    counter(
      'hivelink_auth_throttled_total',
      'Connections refused because a failure budget was spent (HL_ERR_AUTH_THROTTLED).',
      (s) => s.throttled,
    ),
    counter(
      'hivelink_auth_unknown_keys_total',
      'Connections with an unknown access key or an invalid token.',
      (s) => s.unknownKeys,
    ),
    counter(
      'hivelink_auth_replayed_total',
      'Legacy handshake envelopes refused as replays (HL_ERR_HANDSHAKE_REPLAYED).',
      (s) => s.replayed,
    ),
  ];
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
