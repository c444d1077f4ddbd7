/**
 * Time and date, in the hub's time zone (the assistant's injectable clock). `session.time_format` `half` gives a
 * 12-hour clock, anything else a 24-hour clock, as OVOS's setting does.
 *
 * @module
 */
import { defineSkill, type SkillContext } from '../../skill.js';
import { en } from './locale/en.js';

/** Formats `date` for `lang`, in English when the runtime does not know the language tag. */
function format(lang: string, options: Intl.DateTimeFormatOptions, date: Date): string {
  try {
    return new Intl.DateTimeFormat(lang, options).format(date);
  } catch {
    return new Intl.DateTimeFormat('en-US', options).format(date);
  }
}

function speakTime(ctx: SkillContext): void {
  const half = ctx.session.time_format === 'half';
  const time = format(
    ctx.lang,
    { hour: 'numeric', minute: '2-digit', hourCycle: half ? 'h12' : 'h23', timeZone: ctx.timezone },
    ctx.now(),
  );
  ctx.speakDialog('time', { time });
}

function speakDate(ctx: SkillContext): void {
  const date = format(
    ctx.lang,
    { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: ctx.timezone },
    ctx.now(),
  );
  ctx.speakDialog('date', { date });
}

export const timeSkill = defineSkill({
  id: 'hivelink-time.hivelink',
  className: 'TimeSkill',
  locale: { en },
  intents: [
    { name: 'time.intent', handler: speakTime },
    { name: 'date.intent', handler: speakDate },
  ],
});
