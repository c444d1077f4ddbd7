/**
 * Time and date, in the session's time zone (OVOS `location.timezone.code`, or `timezone`) when it names a valid
 * one — a room asked by the house (docs/PROTOCOL.md §12.3) brings its own — else the hub's (the assistant's
 * injectable clock). `session.time_format` `half` gives a 12-hour clock, anything else a 24-hour clock, as OVOS's
 * setting does.
 *
 * @module
 */
import { sessionTimezone } from '../../session-data.js';
import { defineSkill, type SkillContext } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';

/** Formatters by language, kind and time zone: building an `Intl.DateTimeFormat` costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Formatters kept at most (languages × zones × kinds a hub sees); the oldest is forgotten beyond it. */
const MAX_FORMATTERS = 256;

function formatter(lang: string, kind: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}\u0000${kind}\u0000${options.timeZone ?? ''}`;
  let made = formatters.get(key);
  if (made === undefined) {
    try {
      made = new Intl.DateTimeFormat(lang, options);
    } catch {
      // The runtime does not know the language tag (or the zone): English, in the zone if it can.
      made = new Intl.DateTimeFormat('en-US', options);
    }
    if (formatters.size >= MAX_FORMATTERS) formatters.delete(formatters.keys().next().value!);
    formatters.set(key, made);
  }
  return made;
}

/** Formats `date` for `lang`, in English when the runtime does not know the language tag. */
function format(lang: string, kind: string, options: Intl.DateTimeFormatOptions, date: Date): string {
  return formatter(lang, kind, options).format(date);
}

/** The session's time zone, else the hub's. */
function zoneOf(ctx: SkillContext): string {
  return sessionTimezone(ctx.session as Record<string, unknown>, ctx.timezone);
}

function speakTime(ctx: SkillContext): void {
  const half = ctx.session.time_format === 'half';
  const time = format(
    ctx.lang,
    half ? 'time12' : 'time24',
    { hour: 'numeric', minute: '2-digit', hourCycle: half ? 'h12' : 'h23', timeZone: zoneOf(ctx) },
    ctx.now(),
  );
  ctx.speakDialog('time', { time });
}

function speakDate(ctx: SkillContext): void {
  const date = format(
    ctx.lang,
    'date',
    { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: zoneOf(ctx) },
    ctx.now(),
  );
  ctx.speakDialog('date', { date });
}

export const timeSkill = defineSkill({
  id: 'hivelink-time.hivelink',
  className: 'TimeSkill',
  locale: { en, pt, es },
  intents: [
    { name: 'time.intent', handler: speakTime },
    { name: 'date.intent', handler: speakDate },
  ],
});
