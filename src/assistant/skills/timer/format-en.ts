/**
 * English wording for the timer skill: durations as spoken ("1 hour and 30 minutes"), time left rounded the way a
 * person says it, lists ("a, b and c"), and a reminder's words turned to face the listener ("call my mum" →
 * "call your mum").
 *
 * @module
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function unit(n: number, singular: string): string {
  return `${n} ${singular}${n === 1 ? '' : 's'}`;
}

/** `a, b and c`; `a and b`; `a`. */
export function joinEn(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** A duration in days, hours, minutes and seconds, leaving out the zero parts (rounded to the second). */
export function formatDurationEn(ms: number): string {
  let rest = Math.max(0, Math.round(ms / SECOND)) * SECOND;
  const parts: string[] = [];
  for (const [size, name] of [
    [DAY, 'day'],
    [HOUR, 'hour'],
    [MINUTE, 'minute'],
    [SECOND, 'second'],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(unit(n, name));
  }
  return parts.length === 0 ? '0 seconds' : joinEn(parts);
}

/**
 * Time left as a person says it: seconds under a minute, minutes and seconds under ten minutes, minutes under an
 * hour, then hours and minutes (days and hours beyond a day); always at least "1 second".
 */
export function formatRemainingEn(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / SECOND));
  if (s < 60) return unit(s, 'second');
  if (s < 600) return formatDurationEn(s * SECOND);
  if (s < 3600) return unit(Math.round(s / 60), 'minute');
  if (s < 86_400) return formatDurationEn(Math.round(s / 60) * MINUTE);
  return formatDurationEn(Math.round(s / 3600) * HOUR);
}

const SWAP: Readonly<Record<string, string>> = {
  my: 'your',
  me: 'you',
  myself: 'yourself',
  mine: 'yours',
  i: 'you',
  am: 'are',
};

/** The reminder's words as said back to the person: first person becomes second ("my mum" → "your mum"). */
export function facingListenerEn(text: string): string {
  return text
    .split(' ')
    .map((w) => SWAP[w] ?? w)
    .join(' ');
}
