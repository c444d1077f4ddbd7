/**
 * When a subscription ticks: `--every DURATION` (`30s`, `15m`, `1h`, `1d`, `1h30m`) or `--cron "expr"` (five fields,
 * or six with seconds first; `@daily` and friends), parsed once and asked for the next tick after a time. Pure
 * functions on plain numbers (ms since the epoch), so the scheduler, the CLI and the store agree on one reading.
 *
 * An `every` schedule ticks at `anchor + k·every` (k ≥ 1), the anchor being when the subscription was created: a hub
 * restarted in between keeps the same beat instead of starting over. Cron expressions are read by croner in the
 * hub's time zone.
 *
 * @module
 */
import { Cron } from 'croner';
import { HiveLinkError } from '../../errors.js';

/** A parsed schedule: a fixed interval, or a cron expression. */
export type Schedule =
  | { readonly kind: 'every'; readonly everyMs: number }
  | { readonly kind: 'cron'; readonly cron: string };

/** The longest `--every` accepted: a year. Longer is almost certainly a typo. */
export const MAX_EVERY_MS = 366 * 24 * 3600 * 1000;
/** The longest cron expression accepted (characters). */
export const MAX_CRON_CHARS = 256;
/** Cron runs looked at to find a schedule's shortest interval. */
const INTERVAL_SAMPLES = 8;

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION = /^(?:\d{1,9}(?:ms|s|m|h|d|w))+$/;
const PART = /(\d{1,9})(ms|s|m|h|d|w)/g;

function badSchedule(message: string, cause?: unknown): HiveLinkError {
  return new HiveLinkError('HL_ERR_BAD_SCHEDULE', message, cause === undefined ? {} : { cause });
}

/**
 * `30s`, `15m`, `1h`, `1d`, `2w`, `500ms` or a sum of them (`1h30m`) in ms.
 *
 * @throws HiveLinkError `HL_ERR_BAD_SCHEDULE` for anything else, zero, or more than {@link MAX_EVERY_MS}
 */
export function parseDuration(text: string): number {
  const t = typeof text === 'string' ? text.trim().toLowerCase() : '';
  if (!DURATION.test(t)) {
    throw badSchedule(`"${String(text)}" is not a duration: use a number and a unit, e.g. 30s, 15m, 1h, 1d`);
  }
  let ms = 0;
  for (const [, n, unit] of t.matchAll(PART)) ms += Number(n) * UNIT_MS[unit!]!;
  if (ms < 1) throw badSchedule('a duration must be longer than zero');
  if (ms > MAX_EVERY_MS) throw badSchedule(`"${text}" is longer than a year`);
  return ms;
}

/** `ms` the short way: `1h30m`, `15m`, `45s`, `500ms`. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  if (rest <= 0) return '0s';
  let out = '';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  if (rest > 0) out += `${rest}ms`;
  return out;
}

function cronOf(expr: string, timezone: string | undefined): Cron {
  return new Cron(expr, { mode: '5-or-6-parts', ...(timezone === undefined ? {} : { timezone }) });
}

/**
 * Checks a cron expression (five fields, six with seconds first, or a nickname such as `@daily`) and returns it
 * trimmed.
 *
 * @throws HiveLinkError `HL_ERR_BAD_SCHEDULE` naming what croner refused, or when it never fires
 */
export function parseCron(expr: string, timezone?: string): string {
  const e = typeof expr === 'string' ? expr.trim().replace(/\s+/g, ' ') : '';
  if (e.length === 0 || e.length > MAX_CRON_CHARS) {
    throw badSchedule(`a cron expression must have 1 to ${MAX_CRON_CHARS} characters`);
  }
  let cron: Cron;
  try {
    cron = cronOf(e, timezone);
  } catch (err) {
    throw badSchedule(`"${e}" is not a cron expression: ${(err as Error).message}`, err);
  }
  if (cron.nextRun(new Date()) === null) throw badSchedule(`"${e}" never fires`);
  return e;
}

/** A schedule from the two CLI options, exactly one of which is given. */
export function scheduleOf(options: { every?: string | undefined; cron?: string | undefined }): Schedule {
  const { every, cron } = options;
  if ((every === undefined) === (cron === undefined)) {
    throw badSchedule('give exactly one of --every DURATION and --cron "EXPR"');
  }
  return every !== undefined
    ? { kind: 'every', everyMs: parseDuration(every) }
    : { kind: 'cron', cron: parseCron(cron!) };
}

/**
 * The first tick strictly after `afterMs`, or null when the schedule never fires again.
 *
 * @param anchorMs when an `every` schedule started (its ticks are `anchor + k·every`, k ≥ 1)
 * @param timezone IANA zone a cron expression is read in. @default the system's
 */
export function nextTick(
  schedule: Schedule,
  anchorMs: number,
  afterMs: number,
  timezone?: string,
): number | null {
  if (schedule.kind === 'every') {
    const k = afterMs < anchorMs ? 1 : Math.floor((afterMs - anchorMs) / schedule.everyMs) + 1;
    return anchorMs + k * schedule.everyMs;
  }
  const next = cronOf(schedule.cron, timezone).nextRun(new Date(afterMs));
  return next === null ? null : next.getTime();
}

/**
 * The shortest gap between two ticks: the interval of an `every` schedule; for cron, the least of the gaps between
 * its next few runs after `fromMs` (what `minSubscriptionIntervalMs` is checked against).
 */
export function shortestIntervalMs(schedule: Schedule, fromMs: number, timezone?: string): number {
  if (schedule.kind === 'every') return schedule.everyMs;
  const runs = cronOf(schedule.cron, timezone)
    .nextRuns(INTERVAL_SAMPLES, new Date(fromMs))
    .map((d) => d.getTime());
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < runs.length; i++) shortest = Math.min(shortest, runs[i]! - runs[i - 1]!);
  return shortest;
}

/**
 * Refuses a schedule that ticks more often than `minIntervalMs`.
 *
 * @throws HiveLinkError `HL_ERR_BAD_SCHEDULE`
 */
export function checkInterval(
  schedule: Schedule,
  minIntervalMs: number,
  fromMs: number,
  timezone?: string,
): void {
  const shortest = shortestIntervalMs(schedule, fromMs, timezone);
  if (shortest < minIntervalMs) {
    throw badSchedule(
      `${describeSchedule(schedule)} ticks every ${formatDuration(shortest)}; the shortest interval allowed is ` +
        `${formatDuration(minIntervalMs)} (limit minSubscriptionIntervalMs)`,
    );
  }
}

/** `every 15m` or `cron 0 7 * * *`, for lists and messages. */
export function describeSchedule(schedule: Schedule): string {
  return schedule.kind === 'every' ? `every ${formatDuration(schedule.everyMs)}` : `cron ${schedule.cron}`;
}
