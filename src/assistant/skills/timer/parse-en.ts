/**
 * English durations and clock times for the timer skill: entity patterns (regex sources over normalized words, so
 * the intent engine only matches what can be parsed) and the parsers from those words to milliseconds and to an
 * hour and minute. Input is normalized text (lowercase, punctuation gone: "7:30" arrives as "7 30").
 *
 * @module
 */
import { NUMBER_PATTERN_EN, parseNumberEn } from '../math/numbers-en.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Unit words (singular, plural, short) → ms. */
const UNITS: Readonly<Record<string, number>> = {
  second: SECOND,
  seconds: SECOND,
  sec: SECOND,
  secs: SECOND,
  minute: MINUTE,
  minutes: MINUTE,
  min: MINUTE,
  mins: MINUTE,
  hour: HOUR,
  hours: HOUR,
  hr: HOUR,
  hrs: HOUR,
  day: DAY,
  days: DAY,
  week: 7 * DAY,
  weeks: 7 * DAY,
};

/** `5m`, `30s`, `1.5h`, `10min`: a number and a short unit in one word. */
const GLUED = /^(\d+(?:\.\d+)?)(s|secs?|m|mins?|h|hrs?|d)$/;
const GLUED_UNITS: Readonly<Record<string, number>> = {
  s: SECOND,
  sec: SECOND,
  secs: SECOND,
  m: MINUTE,
  min: MINUTE,
  mins: MINUTE,
  h: HOUR,
  hr: HOUR,
  hrs: HOUR,
  d: DAY,
};

const UNIT_PATTERN = '(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)';
const AMOUNT_PATTERN =
  `(?:(?:${NUMBER_PATTERN_EN})(?: and (?:a )?half)?|an?|half(?: an?)?|an? half|` +
  '(?:an? |three )?quarters?(?: of an?)?|(?:a )?couple of|a few)';
const PART_PATTERN = `(?:${AMOUNT_PATTERN} ${UNIT_PATTERN}(?: and (?:a )?half)?|\\d+(?:\\.\\d+)?(?:s|secs?|m|mins?|h|hrs?|d))`;

/** Regex source of a duration: `5 minutes`, `1 hour and 30 minutes`, `an hour and a half`, `90 s`, `2h 15m`. */
export const DURATION_PATTERN_EN = `${PART_PATTERN}(?: (?:and )?${PART_PATTERN})*`;

/** The amount before a unit (`a`, `half an`, `two and a half`, `a couple of`), or undefined. */
function amountOf(words: readonly string[]): number | undefined {
  let w = [...words];
  if (w.length === 0) return undefined;
  let extra = 0;
  // "two and a half (hours)", "two and half"
  const last3 = w.slice(-3).join(' ');
  if (w.length > 3 && last3 === 'and a half') {
    extra = 0.5;
    w = w.slice(0, -3);
  } else if (w.length > 2 && w.slice(-2).join(' ') === 'and half') {
    extra = 0.5;
    w = w.slice(0, -2);
  }
  const text = w.join(' ');
  const fixed: Readonly<Record<string, number>> = {
    a: 1,
    an: 1,
    half: 0.5,
    'half a': 0.5,
    'half an': 0.5,
    'a half': 0.5,
    'an half': 0.5,
    quarter: 0.25,
    'a quarter': 0.25,
    'quarter of a': 0.25,
    'quarter of an': 0.25,
    'a quarter of a': 0.25,
    'a quarter of an': 0.25,
    'three quarters': 0.75,
    'three quarters of a': 0.75,
    'three quarters of an': 0.75,
    'couple of': 2,
    'a couple of': 2,
    'a few': 3,
  };
  const known = fixed[text];
  if (known !== undefined) return known + extra;
  const n = parseNumberEn(text);
  return n === undefined ? undefined : n + extra;
}

/**
 * Milliseconds of a spoken duration (see {@link DURATION_PATTERN_EN}); undefined when it is not one, or not more
 * than zero.
 */
export function parseDurationEn(text: string): number | undefined {
  const tokens = text
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  let total = 0;
  let buffer: string[] = [];
  let lastUnit: number | undefined;
  let parts = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const glued = GLUED.exec(t);
    if (glued !== null && buffer.length === 0) {
      total += Number(glued[1]) * GLUED_UNITS[glued[2]!]!;
      lastUnit = GLUED_UNITS[glued[2]!];
      parts += 1;
      continue;
    }
    const unit = UNITS[t];
    if (unit !== undefined) {
      const amount = amountOf(buffer);
      if (amount === undefined) return undefined;
      total += amount * unit;
      lastUnit = unit;
      buffer = [];
      parts += 1;
      continue;
    }
    if (t === 'and' && buffer.length === 0) {
      // "an hour and a half", "a minute and half": half of the unit just said.
      const rest = tokens.slice(i + 1);
      const half = rest[0] === 'a' && rest[1] === 'half' ? 2 : rest[0] === 'half' ? 1 : 0;
      const afterHalf = rest[half];
      if (lastUnit !== undefined && half > 0 && (afterHalf === undefined || afterHalf === 'and')) {
        total += lastUnit / 2;
        i += half;
      }
      continue;
    }
    buffer.push(t);
  }
  if (buffer.length > 0 || parts === 0) return undefined;
  const ms = Math.round(total);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** An hour (0–23) and minute of a clock time, and whether "tomorrow" was said. */
export interface ClockTime {
  readonly hour: number;
  readonly minute: number;
}

const SMALL: readonly string[] = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS: Readonly<Record<string, number>> = { twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50 };
const HOUR_WORD = `(?:\\d{1,2}|${SMALL.slice(1, 13).join('|')})`;
const DIGIT_WORD = `(?:${SMALL.slice(1, 10).join('|')})`;
const MINUTE_WORD =
  `(?:\\d{1,2}|oh ${DIGIT_WORD}|${SMALL.slice(1).join('|')}|` +
  `(?:${Object.keys(TENS).join('|')})(?: ${DIGIT_WORD})?)`;
const DAYPART = '(?:am|pm|a m|p m|in the (?:morning|afternoon|evening)|at night|tonight)';

/** Regex source of a clock time: `7`, `7 30`, `7.30 pm`, `7am`, `0730`, `seven thirty`, `half past six`, `noon`. */
export const CLOCK_PATTERN_EN =
  `(?:noon|midday|midnight|(?:(?:half|quarter|a quarter|${MINUTE_WORD}(?: minutes?)?) (?:past|after|to|before) ` +
  `${HOUR_WORD}|${HOUR_WORD}(?: oclock|(?: |\\.)${MINUTE_WORD})?|\\d{1,2}\\.\\d{2}|\\d{3,4})(?: oclock)?(?: ${DAYPART})?|` +
  '\\d{1,2}(?:am|pm))';

/** A number 0–59 from digits or words (`oh five`, `forty five`); undefined otherwise. */
function smallNumber(words: readonly string[]): number | undefined {
  const w = words[0] === 'oh' ? words.slice(1) : words;
  if (w.length === 1 && /^\d{1,2}$/.test(w[0]!)) return Number(w[0]);
  if (w.length === 1) {
    const i = SMALL.indexOf(w[0]!);
    if (i >= 0) return i;
    return TENS[w[0]!];
  }
  if (w.length === 2) {
    const tens = TENS[w[0]!];
    const unit = SMALL.indexOf(w[1]!);
    if (tens !== undefined && unit >= 1 && unit <= 9) return tens + unit;
  }
  return undefined;
}

function valid(hour: number, minute: number): ClockTime | undefined {
  if (!Number.isInteger(hour) || !Number.isInteger(minute)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  return { hour, minute };
}

/** Applies am/pm ("7 pm" → 19, "12 am" → 0); undefined for an hour that cannot take it ("15 pm"). */
function withDaypart(hour: number, daypart: 'am' | 'pm' | null): number | undefined {
  if (daypart === null) return hour;
  if (hour < 1 || hour > 12) return undefined;
  if (daypart === 'am') return hour === 12 ? 0 : hour;
  return hour === 12 ? 12 : hour + 12;
}

/** The hour and minute of a spoken clock time (see {@link CLOCK_PATTERN_EN}); a bare hour is on a 24-hour clock. */
export function parseClockEn(text: string): ClockTime | undefined {
  let words = text
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  if (words.length === 0) return undefined;
  const joined = words.join(' ');
  if (joined === 'noon' || joined === 'midday') return { hour: 12, minute: 0 };
  if (joined === 'midnight') return { hour: 0, minute: 0 };
  let daypart: 'am' | 'pm' | null = null;
  const tail = (n: number) => words.slice(-n).join(' ');
  if (['am', 'pm'].includes(tail(1))) {
    daypart = tail(1) as 'am' | 'pm';
    words = words.slice(0, -1);
  } else if (['a m', 'p m'].includes(tail(2))) {
    daypart = tail(2) === 'a m' ? 'am' : 'pm';
    words = words.slice(0, -2);
  } else if (tail(3) === 'in the morning') {
    daypart = 'am';
    words = words.slice(0, -3);
  } else if (['in the afternoon', 'in the evening'].includes(tail(3))) {
    daypart = 'pm';
    words = words.slice(0, -3);
  } else if (tail(2) === 'at night' || tail(1) === 'tonight') {
    daypart = 'pm';
    words = words.slice(0, tail(1) === 'tonight' ? -1 : -2);
  }
  if (words.at(-1) === 'oclock') words = words.slice(0, -1);
  if (words.length === 0) return undefined;
  const single = words.length === 1 ? words[0]! : '';
  const glued = /^(\d{1,2})(am|pm)$/.exec(single);
  if (glued !== null) {
    const hour = withDaypart(Number(glued[1]), glued[2] as 'am' | 'pm');
    return hour === undefined ? undefined : valid(hour, 0);
  }
  // "half past 6", "quarter to seven", "10 past 9", "twenty minutes to eight"
  const rel = words.findIndex((w) => ['past', 'after', 'to', 'before'].includes(w));
  if (rel > 0) {
    let before = words.slice(0, rel);
    if (before.at(-1) === 'minute' || before.at(-1) === 'minutes') before = before.slice(0, -1);
    if (before[0] === 'a') before = before.slice(1);
    const minutes =
      before.join(' ') === 'half' ? 30 : before.join(' ') === 'quarter' ? 15 : smallNumber(before);
    const base = hourOf(words.slice(rel + 1));
    if (minutes === undefined || base === undefined || minutes < 1 || minutes > 59) return undefined;
    const forward = words[rel] === 'past' || words[rel] === 'after';
    let hour = withDaypart(base, daypart);
    if (hour === undefined) return undefined;
    if (forward) return valid(hour, minutes);
    hour = (hour + 23) % 24;
    return valid(hour, 60 - minutes);
  }
  // "7.30", "0730", "1945"
  const dotted = /^(\d{1,2})\.(\d{2})$/.exec(single);
  const compact = /^(\d{1,2})(\d{2})$/.exec(single);
  const digits = dotted ?? (single.length >= 3 ? compact : null);
  if (digits !== null) {
    const hour = withDaypart(Number(digits[1]), daypart);
    return hour === undefined ? undefined : valid(hour, Number(digits[2]));
  }
  // "7", "7 30", "seven thirty", "six forty five", "seven oh five"
  const base = hourOf(words.slice(0, 1));
  if (base === undefined) return undefined;
  const minute = words.length === 1 ? 0 : smallNumber(words.slice(1));
  if (minute === undefined) return undefined;
  const hour = withDaypart(base, daypart);
  return hour === undefined ? undefined : valid(hour, minute);
}

function hourOf(words: readonly string[]): number | undefined {
  if (words.length !== 1) return undefined;
  const w = words[0]!;
  if (/^\d{1,2}$/.test(w)) return Number(w) <= 23 ? Number(w) : undefined;
  const i = SMALL.indexOf(w);
  return i >= 1 && i <= 12 ? i : undefined;
}
