/**
 * Everything the timer skill reads or words differently per language: durations and clock times (patterns for the
 * intents, parsers for the handler), durations and time left as spoken, lists, a reminder turned to face the
 * listener, and the words that name a kind, "tomorrow", "all", "the second one" or "keep them". English keeps its
 * hand-written parsers and wording (parse-en.ts, format-en.ts); Portuguese and Spanish use the tables of
 * parse-words.ts and `Intl` for wording.
 *
 * @module
 */
import { intlList, perLanguage } from '../language.js';
import { facingListenerEn, formatDurationEn, formatRemainingEn, joinEn } from './format-en.js';
import { type ClockTime, parseClockEn, parseDurationEn } from './parse-en.js';
import { TIME_ES, TIME_PT } from './parse-words.js';

export type Kind = 'timer' | 'alarm' | 'reminder';

/** The timer skill's language-dependent reading and wording. */
export interface TimerLanguage {
  parseDuration(text: string): number | undefined;
  parseClock(text: string): ClockTime | undefined;
  formatDuration(ms: number): string;
  formatRemaining(ms: number): string;
  /** "a, b and c" in the language. */
  join(items: readonly string[]): string;
  /** A reminder's words as said back ("call my mum" → "call your mum"). */
  facingListener(text: string): string;
  /** The words (singular and plural, normalized) that name each kind. */
  readonly kinds: Readonly<Record<Kind, readonly string[]>>;
  /** Words that mean several timers in a cancel ("timers", "all"). */
  readonly several: readonly string[];
  /** True when the normalized utterance says the day is tomorrow. */
  tomorrow(text: string): boolean;
  /** An answer to "which one should I cancel?" that keeps them all. */
  readonly keep: RegExp;
  /** An answer that means every one of them. */
  readonly all: RegExp;
  /** Words dropped from an answer before it is read as a duration or a clock time. */
  readonly noise: RegExp;
  /** Articles and possessives dropped from the start of a name. */
  readonly articles: readonly string[];
  /** Ordinal words → index; and the words for the last one. */
  readonly ordinals: Readonly<Record<string, number>>;
  readonly last: readonly string[];
  /** Leading words of a spoken answer to "for how long?" / "for what time?" that carry nothing. */
  readonly lead: RegExp;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Time left rounded the way a person says it (see formatRemainingEn): seconds, minutes and seconds, minutes, … */
function roundRemaining(ms: number): number {
  const s = Math.max(1, Math.ceil(ms / SECOND));
  if (s < 600) return s * SECOND;
  if (s < 86_400) return Math.round(s / 60) * MINUTE;
  return Math.round(s / 3600) * HOUR;
}

/** Durations worded by `Intl` in `lang`: "1 hora e 30 minutos", "2 días y 3 horas". */
function intlDuration(lang: string): (ms: number) => string {
  const join = intlList(lang);
  const units = (
    [
      [DAY, 'day'],
      [HOUR, 'hour'],
      [MINUTE, 'minute'],
      [SECOND, 'second'],
    ] as const
  ).map(([size, unit]) => {
    const format = new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'long' });
    return [size, (n: number) => format.format(n)] as const;
  });
  return (ms) => {
    let rest = Math.max(0, Math.round(ms / SECOND)) * SECOND;
    const parts: string[] = [];
    for (const [size, format] of units) {
      const n = Math.floor(rest / size);
      rest -= n * size;
      if (n > 0) parts.push(format(n));
    }
    return parts.length === 0 ? units.at(-1)![1](0) : join(parts);
  };
}

function swapper(swap: Readonly<Record<string, string>>): (text: string) => string {
  return (text) =>
    text
      .split(' ')
      .map((w) => swap[w] ?? w)
      .join(' ');
}

const ENGLISH: TimerLanguage = {
  parseDuration: parseDurationEn,
  parseClock: parseClockEn,
  formatDuration: formatDurationEn,
  formatRemaining: formatRemainingEn,
  join: joinEn,
  facingListener: facingListenerEn,
  kinds: { timer: ['timer', 'timers'], alarm: ['alarm', 'alarms'], reminder: ['reminder', 'reminders'] },
  several: ['timers', 'alarms', 'reminders', 'all'],
  tomorrow: (text) => / tomorrow /.test(` ${text} `),
  keep: /\b(none|neither|nothing|never mind|nevermind|no|keep|leave)\b/i,
  all: / (all|both|every|everything|all of them) /,
  noise: /\b(timer|alarm|reminder|one|the|for|at|to)\b/g,
  articles: ['the', 'a', 'an', 'my', 'one'],
  ordinals: {
    first: 0,
    '1st': 0,
    second: 1,
    '2nd': 1,
    third: 2,
    '3rd': 2,
    fourth: 3,
    '4th': 3,
    fifth: 4,
    '5th': 4,
  },
  last: ['last'],
  lead: /^(?:for|about|make it|in|at)\s+/,
};

/** Portuguese or Spanish wording for `lang` (its `Intl` data), from the shared parts of each language. */
function romance(lang: string, base: Omit<TimerLanguage, 'formatDuration' | 'formatRemaining' | 'join'>) {
  const duration = intlDuration(lang);
  return {
    ...base,
    formatDuration: duration,
    formatRemaining: (ms: number) => duration(roundRemaining(ms)),
    join: intlList(lang),
  };
}

type Base = Omit<TimerLanguage, 'formatDuration' | 'formatRemaining' | 'join'>;

const PORTUGUESE: Base = {
  parseDuration: TIME_PT.parseDuration,
  parseClock: TIME_PT.parseClock,
  facingListener: swapper({
    meu: 'seu',
    minha: 'sua',
    meus: 'seus',
    minhas: 'suas',
    comigo: 'consigo',
    me: 'lhe',
    eu: 'você',
  }),
  kinds: {
    timer: ['temporizador', 'temporizadores', 'timer', 'timers', 'cronómetro', 'cronômetro'],
    alarm: ['alarme', 'alarmes', 'despertador', 'despertadores'],
    reminder: ['lembrete', 'lembretes'],
  },
  several: ['temporizadores', 'timers', 'alarmes', 'despertadores', 'lembretes', 'todos', 'todas'],
  tomorrow: (text) => / amanhã /.test(` ${text} `),
  keep: /(?<!\p{L})(nenhum|nenhuma|nada|não|deixa|deixe|mantém|mantenha|esquece|esqueça)(?!\p{L})/iu,
  all: / (todos|todas|ambos|ambas|os dois|as duas|tudo) /,
  noise:
    /(?<!\p{L})(temporizador|timer|alarme|despertador|lembrete|o|a|os|as|de|do|da|das|dos|para|às|um|uma)(?!\p{L})/gu,
  articles: ['o', 'a', 'os', 'as', 'um', 'uma', 'meu', 'minha'],
  ordinals: {
    primeiro: 0,
    primeira: 0,
    segundo: 1,
    segunda: 1,
    terceiro: 2,
    terceira: 2,
    quarto: 3,
    quarta: 3,
  },
  last: ['último', 'última', 'ultimo', 'ultima'],
  lead: /^(?:de|por|durante|para|em|daqui a|dentro de|às|as|para as|põe|mete)\s+/,
};

const SPANISH: Base = {
  parseDuration: TIME_ES.parseDuration,
  parseClock: TIME_ES.parseClock,
  facingListener: swapper({ mi: 'tu', mis: 'tus', me: 'te', conmigo: 'contigo', yo: 'tú' }),
  kinds: {
    timer: ['temporizador', 'temporizadores', 'cronómetro', 'cronometro'],
    alarm: ['alarma', 'alarmas', 'despertador', 'despertadores'],
    reminder: ['recordatorio', 'recordatorios'],
  },
  several: ['temporizadores', 'alarmas', 'despertadores', 'recordatorios', 'todos', 'todas'],
  // "mañana" alone is tomorrow; "de/por la mañana" is the morning.
  tomorrow: (text) => / mañana /.test(` ${text.replace(/(?:de|por) la mañana/g, ' ')} `),
  keep: /(?<!\p{L})(ninguno|ninguna|nada|no|deja|déjalos|déjalas|mantén|olvídalo)(?!\p{L})/iu,
  all: / (todos|todas|ambos|ambas|los dos|las dos|todo) /,
  noise:
    /(?<!\p{L})(temporizador|alarma|despertador|recordatorio|el|la|los|las|de|del|para|a|un|una)(?!\p{L})/gu,
  articles: ['el', 'la', 'los', 'las', 'un', 'una', 'mi'],
  ordinals: { primero: 0, primera: 0, segundo: 1, segunda: 1, tercero: 2, tercera: 2, cuarto: 3, cuarta: 3 },
  last: ['último', 'última', 'ultimo', 'ultima'],
  lead: /^(?:de|por|durante|para|en|dentro de|a las|a la|las|la)\s+/,
};

/** The timer wording for `lang` (Portuguese, Spanish, else English). */
export const timerLanguage: (lang: string) => TimerLanguage = perLanguage(
  { pt: (tag) => romance(tag, PORTUGUESE), es: (tag) => romance(tag, SPANISH) },
  ENGLISH,
);
