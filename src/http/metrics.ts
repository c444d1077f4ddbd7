/**
 * `GET /metrics`: the hub's metrics in the Prometheus text exposition format (version 0.0.4, rendered by
 * prom-client), for a scraper to alert on; optionally behind a bearer token (`metricsTokenFile`). The hub's own
 * (connections, handshakes, messages, denials, turn latency, queues, process: `src/hub/metrics.ts`) come first;
 * then the ones below, read when scraped, so they cost nothing between scrapes. The event-loop watchdog
 * (`src/hub/watchdog.ts`), which runs while the server listens:
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
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry, register } from 'prom-client';
import { HiveLinkError } from '../errors.js';
import type { HubMetrics } from '../hub/metrics.js';
import type { AuthStats } from '../hub/policy/index.js';
import { createEventLoopWatchdog, type EventLoopWatchdog, type WatchdogLogger } from '../hub/watchdog.js';
import { readNamedFile } from '../store/files.js';

/** One metric with a single value, read at scrape time. */
export interface Metric {
  /** `snake_case`, prefixed `hivelink_`; counters end in `_total`. */
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  value(): number;
}

/** The content type of the text exposition format (prom-client's: version 0.0.4). */
export const METRICS_CONTENT_TYPE = register.contentType;

/**
 * Adds read-at-scrape `metrics` to `registry` as prom-client metrics whose value is read from the source at each
 * scrape.
 */
export function addScrapeMetrics(registry: Registry, metrics: readonly Metric[]): void {
  for (const m of metrics) {
    const base = { name: m.name, help: m.help, registers: [registry] };
    if (m.type === 'gauge') {
      new Gauge({
        ...base,
        collect() {
          this.set(m.value());
        },
      });
    } else {
      new Counter({
        ...base,
        collect() {
          this.reset();
          this.inc(m.value());
        },
      });
    }
  }
}

/** What {@link authMetrics} reads: the policy's counters (`Policy.authStats`). */
export interface AuthStatsSource {
  authStats(): AuthStats;
}

/** The authentication counters, each the `authStats()` count it serves (see the module doc). */
const AUTH_COUNTERS: readonly { name: string; stat: keyof AuthStats; help: string }[] = [
  {
    name: 'hivelink_auth_attempts_total',
    stat: 'attempts',
    help: 'Handshake attempts charged to a failure budget.',
  },
  {
    name: 'hivelink_auth_proven_total',
    stat: 'proven',
    help: 'Handshake attempts refunded because the client proved the key.',
  },
  {
    name: 'hivelink_auth_throttled_total',
    stat: 'throttled',
    help: 'Connections refused because a failure budget was spent (HL_ERR_AUTH_THROTTLED).',
  },
  {
    name: 'hivelink_auth_unknown_keys_total',
    stat: 'unknownKeys',
    help: 'Connections with an unknown access key or an invalid token.',
  },
  {
    name: 'hivelink_auth_replayed_total',
    stat: 'replayed',
    help: 'Legacy handshake envelopes refused as replays (HL_ERR_HANDSHAKE_REPLAYED).',
  },
];

/** The authentication metrics of the policy stage (see the module doc). */
export function authMetrics(source: AuthStatsSource): Metric[] {
  return AUTH_COUNTERS.map(({ name, stat, help }) => ({
    name,
    help,
    type: 'counter',
    value: () => source.authStats()[stat],
  }));
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
  /** The hub's metrics: its registry gets the server's read-at-scrape ones, and renders them all. */
  readonly hub: HubMetrics;
  /** The `eventLoopStallMs` limit. */
  readonly eventLoopStallMs: number;
  /** Where a stall is logged (a warning with `stallMs`). */
  readonly logger: WatchdogLogger;
  /** More metrics to serve after the watchdog's (the pre-upgrade guard's, `upgrade-guard.ts`). @default none */
  readonly metrics?: readonly Metric[];
  /**
   * A bearer token a scraper must send (`Authorization: Bearer <token>`, the hub's `metricsTokenFile`); without
   * it, or with another, `GET /metrics` answers 401 `HL_ERR_TOKEN_INVALID`. @default none: open
   */
  readonly token?: string | null;
}

/**
 * Registers `GET /metrics` on `app` and an event-loop watchdog that runs from the server's `listen` until its
 * `close` (a server that never listens never starts it). Returns the watchdog.
 */
export function registerMetrics(app: FastifyInstance, init: MetricsInit): EventLoopWatchdog {
  const watchdog = createEventLoopWatchdog({ stallMs: init.eventLoopStallMs, logger: init.logger });
  addScrapeMetrics(init.hub.registry, [...watchdogMetrics(watchdog), ...(init.metrics ?? [])]);
  const expected =
    init.token === undefined || init.token === null ? null : Buffer.from(`Bearer ${init.token}`);
  app.get('/metrics', async (req, reply) => {
    if (expected !== null && !sameSecret(req.headers.authorization, expected)) {
      reply.code(401).header('www-authenticate', 'Bearer');
      return {
        error: { code: 'HL_ERR_TOKEN_INVALID', message: 'GET /metrics needs the metrics bearer token' },
      };
    }
    reply.type(METRICS_CONTENT_TYPE);
    return init.hub.render();
  });
  app.addHook('onListen', async () => watchdog.start());
  app.addHook('onClose', async () => watchdog.stop());
  return watchdog;
}

/**
 * The bearer token of `GET /metrics` from `file` (`metricsTokenFile`): its first line, trimmed.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` when the file cannot be read or holds no token
 */
export function readMetricsToken(file: string): string {
  const text = readNamedFile(file, 'metrics token file');
  const token = text.split('\n', 1)[0]?.trim() ?? '';
  if (token === '')
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `the metrics token file ${file} is empty`);
  return token;
}

/** Constant-time comparison of a header with the expected value. */
function sameSecret(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined) return false;
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
