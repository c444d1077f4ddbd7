/**
 * Wall-clock times in a time zone, for alarms and reminders set "at 7": the next moment a given hour and minute
 * happens in an IANA zone, across midnight and daylight-saving changes, with only `Intl` (no time zone data of our
 * own).
 *
 * @module
 */

/** An hour (0–23) and minute (0–59) on the wall clock; `tomorrow` skips today even when the time is still ahead. */
export interface WallClock {
  readonly hour: number;
  readonly minute: number;
  readonly tomorrow?: boolean;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= 64) formatters.delete(formatters.keys().next().value!);
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows `timeZone`. */
export function isTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    partsFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface Local {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The wall-clock reading of `ms` in `timeZone`. */
function localOf(ms: number, timeZone: string): Local {
  const parts = partsFormatter(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

/** Offset of `timeZone` from UTC at `ms`, in ms (positive east of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const l = localOf(ms, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - (ms - (ms % 1000));
}

/**
 * The instant the wall clock of `timeZone` shows `hour:minute` on the given calendar day. A time skipped by a
 * daylight-saving jump lands just after the jump; a time that happens twice is the first of the two.
 */
function instantOf(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Two rounds settle the offset (it can differ between the guess and the answer around a change).
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  const earlier = wall - offsetAt(guess - 3_600_000, timeZone);
  const l = localOf(earlier, timeZone);
  if (earlier < guess && l.hour === hour && l.minute === minute) return earlier;
  return guess;
}

/**
 * The next instant after `nowMs` at which the wall clock of `timeZone` shows `at.hour:at.minute` — today if that
 * is still ahead, else tomorrow; with `at.tomorrow`, on the day after today whatever the hour.
 */
export function nextWallClock(nowMs: number, at: WallClock, timeZone: string): number {
  const today = localOf(nowMs, timeZone);
  // Calendar arithmetic on a UTC date, so month and year ends roll over.
  const dayAfter = (offset: number) => {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    return instantOf(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), at.hour, at.minute, timeZone);
  };
  if (at.tomorrow === true) return dayAfter(1);
  const first = dayAfter(0);
  return first > nowMs ? first : dayAfter(1);
}
