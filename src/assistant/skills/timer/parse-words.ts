/**
 * Durations and clock times for the timer skill in Portuguese and Spanish, from one table per language: the entity
 * patterns (regex sources over normalized words) and the parsers. "5 minutos", "uma hora e meia", "meia hora",
 * "um quarto de hora", "dos horas y media"; "7", "7 30", "sete e meia", "oito menos um quarto", "meio dia",
 * "las siete y cuarto", "ocho de la tarde", "7h30".
 *
 * @module
 */
import { NUMBERS_ES, NUMBERS_PT, type SpokenNumbers } from '../math/numbers-words.js';
import type { ClockTime } from './parse-en.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The time words of one language. */
export interface TimeWords {
  readonly numbers: SpokenNumbers;
  /** The word joining parts ("e", "y"). */
  readonly join: string;
  /** Unit words → ms. */
  readonly units: Readonly<Record<string, number>>;
  /** Amounts said in words before a unit ("meia" hora, "um quarto de" hora, "três quartos de" hora). */
  readonly amounts: Readonly<Record<string, number>>;
  /** Words for half after a unit ("uma hora e meia"). */
  readonly half: readonly string[];
  /** Words for a quarter after an hour ("sete e um quarto", "siete y cuarto"). */
  readonly quarter: readonly string[];
  /** The word before minutes to the hour ("oito menos dez"). */
  readonly to: string;
  /** Noon and midnight words (normalized). */
  readonly noon: readonly string[];
  readonly midnight: readonly string[];
  /** Words after the hour that say nothing ("horas", "en punto"). */
  readonly oclock: readonly string[];
  /** Day parts after a time → whether they move it past noon. */
  readonly dayparts: Readonly<Record<string, 'am' | 'pm'>>;
}

/** The patterns and parsers of one language. */
export interface SpokenTime {
  readonly durationPattern: string;
  readonly clockPattern: string;
  parseDuration(text: string): number | undefined;
  parseClock(text: string): ClockTime | undefined;
}

function alternation(words: readonly string[]): string {
  return `(?:${[...words].sort((a, b) => b.length - a.length).join('|')})`;
}

const GLUED = /^(\d+(?:\.\d+)?)(s|seg|m|min|h|d)$/;
const GLUED_UNITS: Readonly<Record<string, number>> = {
  s: SECOND,
  seg: SECOND,
  m: MINUTE,
  min: MINUTE,
  h: HOUR,
  d: DAY,
};

/** The patterns and parsers for `w`. */
export function spokenTime(w: TimeWords): SpokenTime {
  const unit = alternation(Object.keys(w.units));
  const amount = `(?:${w.numbers.pattern}|${alternation(Object.keys(w.amounts))})`;
  const half = alternation(w.half);
  const part = `(?:${amount} ${unit}(?: ${w.join} ${half})?|\\d+(?:\\.\\d+)?(?:s|seg|m|min|h|d))`;
  const durationPattern = `${part}(?: (?:${w.join} )?${part})*`;
  const quarter = alternation(w.quarter);
  const oclock = alternation(w.oclock);
  const daypart = alternation(Object.keys(w.dayparts));
  const clockPattern =
    `(?:${alternation([...w.noon, ...w.midnight])}|\\d{1,2}h(?:\\d{2})?|\\d{1,2}\\.\\d{2}|\\d{3,4}|` +
    `(?:${w.numbers.pattern})(?: ${oclock})?(?: (?:${w.join} (?:${half}|${quarter}|${w.numbers.pattern})|` +
    `${w.to} (?:${quarter}|${w.numbers.pattern})|${w.numbers.pattern}))?)(?: ${oclock})?(?: ${daypart})?`;

  const amountOf = (words: readonly string[]): number | undefined => {
    const text = words.join(' ');
    return w.amounts[text] ?? w.numbers.parse(text);
  };

  const parseDuration = (text: string): number | undefined => {
    const tokens = text.split(' ').filter((t) => t !== '');
    let total = 0;
    let buffer: string[] = [];
    let last: number | undefined;
    let parts = 0;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      const glued = GLUED.exec(t);
      if (glued !== null && buffer.length === 0) {
        last = GLUED_UNITS[glued[2]!]!;
        total += Number(glued[1]) * last;
        parts++;
        continue;
      }
      const size = w.units[t];
      if (size !== undefined && buffer.length > 0) {
        const n = amountOf(buffer);
        if (n === undefined) return undefined;
        total += n * size;
        last = size;
        buffer = [];
        parts++;
        continue;
      }
      if (t === w.join && buffer.length === 0) {
        if (last !== undefined && w.half.includes(tokens[i + 1] ?? '')) {
          total += last / 2;
          i++;
        }
        continue;
      }
      buffer.push(t);
    }
    if (buffer.length > 0 || parts === 0) return undefined;
    const ms = Math.round(total);
    return Number.isFinite(ms) && ms > 0 ? ms : undefined;
  };

  const valid = (hour: number, minute: number): ClockTime | undefined =>
    Number.isInteger(hour) &&
    Number.isInteger(minute) &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59
      ? { hour, minute }
      : undefined;

  const parseClock = (text: string): ClockTime | undefined => {
    let words = text.split(' ').filter((t) => t !== '');
    let joined = words.join(' ');
    if (w.noon.includes(joined)) return { hour: 12, minute: 0 };
    if (w.midnight.includes(joined)) return { hour: 0, minute: 0 };
    let part: 'am' | 'pm' | undefined;
    for (const [phrase, which] of Object.entries(w.dayparts)) {
      if (joined.endsWith(` ${phrase}`)) {
        part = which;
        joined = joined.slice(0, -phrase.length - 1);
        break;
      }
    }
    for (const phrase of w.oclock) {
      joined = joined.replace(new RegExp(`(^| )${phrase}(?= |$)`, 'g'), '$1').trim();
    }
    words = joined.split(' ').filter((t) => t !== '');
    const withPart = (c: ClockTime | undefined): ClockTime | undefined => {
      if (c === undefined || part === undefined) return c;
      if (part === 'pm' && c.hour >= 1 && c.hour < 12) return { hour: c.hour + 12, minute: c.minute };
      if (part === 'am' && c.hour === 12) return { hour: 0, minute: c.minute };
      return c;
    };
    const single = words.length === 1 ? words[0]! : '';
    const glued = /^(\d{1,2})h(\d{2})?$/.exec(single);
    if (glued !== null) return withPart(valid(Number(glued[1]), Number(glued[2] ?? 0)));
    const dotted = /^(\d{1,2})\.(\d{2})$/.exec(single);
    if (dotted !== null) return withPart(valid(Number(dotted[1]), Number(dotted[2])));
    const compact = /^(\d{1,2})(\d{2})$/.exec(single);
    if (compact !== null && single.length >= 3)
      return withPart(valid(Number(compact[1]), Number(compact[2])));
    const minutesOf = (rest: readonly string[]): number | undefined => {
      const said = rest.join(' ');
      if (w.half.includes(said)) return 30;
      if (w.quarter.includes(said)) return 15;
      return w.numbers.parse(said);
    };
    // "sete e meia", "siete y cuarto", "oito menos dez", "7 30"; the hour is the longest number that leaves a
    // valid rest ("vinte e uma e trinta" is 21 and 30).
    for (let split = words.length; split >= 1; split--) {
      const hour = w.numbers.parse(words.slice(0, split).join(' '));
      if (hour === undefined || !Number.isInteger(hour) || hour > 23) continue;
      const rest = words.slice(split);
      if (rest.length === 0) return withPart(valid(hour, 0));
      if (rest[0] === w.join) {
        const m = minutesOf(rest.slice(1));
        if (m !== undefined) return withPart(valid(hour, m));
      } else if (rest[0] === w.to) {
        const m = minutesOf(rest.slice(1));
        if (m !== undefined && m >= 1 && m <= 59) {
          const c = withPart(valid(hour, 0));
          return c === undefined ? undefined : valid((c.hour + 23) % 24, 60 - m);
        }
      } else {
        const m = minutesOf(rest);
        if (m !== undefined) return withPart(valid(hour, m));
      }
    }
    return undefined;
  };

  return { durationPattern, clockPattern, parseDuration, parseClock };
}

const UNITS_COMMON: Readonly<Record<string, number>> = {
  segundo: SECOND,
  segundos: SECOND,
  seg: SECOND,
  minuto: MINUTE,
  minutos: MINUTE,
  min: MINUTE,
  hora: HOUR,
  horas: HOUR,
  semana: 7 * DAY,
  semanas: 7 * DAY,
};

/** Portuguese (Portugal and Brazil). */
export const TIME_PT: SpokenTime = spokenTime({
  numbers: NUMBERS_PT,
  join: 'e',
  units: { ...UNITS_COMMON, dia: DAY, dias: DAY },
  amounts: {
    meia: 0.5,
    meio: 0.5,
    'um quarto de': 0.25,
    'quarto de': 0.25,
    'três quartos de': 0.75,
    'tres quartos de': 0.75,
    'um par de': 2,
  },
  half: ['meia', 'meio'],
  quarter: ['um quarto', 'quarto'],
  to: 'menos',
  noon: ['meio dia', 'meiodia'],
  midnight: ['meia noite', 'meianoite'],
  oclock: ['horas', 'hora', 'em ponto'],
  dayparts: {
    'da manhã': 'am',
    'de manhã': 'am',
    'da madrugada': 'am',
    'da tarde': 'pm',
    'à tarde': 'pm',
    'de tarde': 'pm',
    'da noite': 'pm',
    'à noite': 'pm',
    'de noite': 'pm',
  },
});

/** Spanish. */
export const TIME_ES: SpokenTime = spokenTime({
  numbers: NUMBERS_ES,
  join: 'y',
  units: { ...UNITS_COMMON, día: DAY, días: DAY, dia: DAY, dias: DAY },
  amounts: {
    media: 0.5,
    medio: 0.5,
    'un cuarto de': 0.25,
    'cuarto de': 0.25,
    'tres cuartos de': 0.75,
    'un par de': 2,
  },
  half: ['media', 'medio'],
  quarter: ['cuarto'],
  to: 'menos',
  noon: ['mediodía', 'mediodia', 'medio día'],
  midnight: ['medianoche', 'media noche'],
  oclock: ['horas', 'en punto'],
  dayparts: {
    'de la mañana': 'am',
    'por la mañana': 'am',
    'de la madrugada': 'am',
    'de la tarde': 'pm',
    'por la tarde': 'pm',
    'de la noche': 'pm',
    'por la noche': 'pm',
  },
});
