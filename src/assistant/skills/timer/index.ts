/**
 * Timers, alarms and reminders ("set a timer for 5 minutes", "remind me to call mum in 2 hours", "wake me up at 7",
 * "what timers do I have", "cancel the timer"). The skill only understands and words things: the timers themselves
 * live in the hub's timer service (`src/hub/timers/`), reached with `ctx.request` over the bus messages
 * `hive.timer.set`, `hive.timer.list` and `hive.timer.cancel` (docs/PROTOCOL.md §12.6). The hub knows which client
 * asks from the message context it set, stores the timer, and speaks the text the skill wrote for it on that client
 * (or its room) when it fires — even after a hub restart.
 *
 * Clock times and days use the session's time zone (`session.location.timezone`, OVOS's shape, else
 * `session.timezone`), else the hub's; `session.time_format` `half` gives a 12-hour clock.
 *
 * @module
 */
import { sessionTimezone } from '../../session-data.js';
import { defineSkill, type SkillContext } from '../../skill.js';
import { type Kind, type TimerLanguage, timerLanguage } from './language.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';
import type { ClockTime } from './parse-en.js';

export const TIMER_SKILL_ID = 'hivelink-timer.hivelink';

/** A timer as the hub's service describes it (`hive.timer.*.response`). */
interface TimerInfo {
  readonly id: number;
  readonly kind: Kind;
  readonly name: string | null;
  readonly dueAt: number;
  readonly durationMs: number | null;
  readonly firedAt: number | null;
}

/** The service's answer, checked. */
interface Answer {
  readonly ok: boolean;
  readonly code: string | null;
  readonly data: Record<string, unknown>;
  readonly now: number;
}

const KINDS: ReadonlySet<string> = new Set(['timer', 'alarm', 'reminder']);

function timerOf(v: unknown): TimerInfo | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.id !== 'number' || typeof o.kind !== 'string' || !KINDS.has(o.kind)) return null;
  if (typeof o.due_at !== 'number') return null;
  return {
    id: o.id,
    kind: o.kind as Kind,
    name: typeof o.name === 'string' && o.name !== '' ? o.name : null,
    dueAt: o.due_at,
    durationMs: typeof o.duration_ms === 'number' ? o.duration_ms : null,
    firedAt: typeof o.fired_at === 'number' ? o.fired_at : null,
  };
}

function timersOf(v: unknown): TimerInfo[] {
  return Array.isArray(v) ? v.map(timerOf).filter((t): t is TimerInfo => t !== null) : [];
}

function zoneOf(ctx: SkillContext): string {
  return sessionTimezone(ctx.session as Record<string, unknown>, ctx.timezone);
}

function clockFormat(ctx: SkillContext, timeZone: string): Intl.DateTimeFormat {
  const half = ctx.session.time_format === 'half';
  const options: Intl.DateTimeFormatOptions = {
    hour: 'numeric',
    minute: '2-digit',
    hourCycle: half ? 'h12' : 'h23',
    timeZone,
  };
  try {
    return new Intl.DateTimeFormat(ctx.lang, options);
  } catch {
    return new Intl.DateTimeFormat('en-US', options);
  }
}

/** "07:30" (or "7:30 AM" on a 12-hour clock) for an hour and minute, whatever the day. */
function wallClock(ctx: SkillContext, t: ClockTime): string {
  return clockFormat(ctx, 'UTC').format(new Date(Date.UTC(2000, 0, 1, t.hour, t.minute)));
}

/** The local calendar day of `ms` in `timeZone`, as a comparable number. */
function dayNumber(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day')) / 86_400_000;
}

/** "today", "tomorrow" or "on Friday" for `dueAt` seen from `now` in the session's zone. */
function dayWord(ctx: SkillContext, dueAt: number, now: number): string {
  const tz = zoneOf(ctx);
  const diff = dayNumber(dueAt, tz) - dayNumber(now, tz);
  if (diff <= 0) return ctx.dialog('today');
  if (diff === 1) return ctx.dialog('tomorrow');
  let weekday: string;
  try {
    weekday = new Intl.DateTimeFormat(ctx.lang, { weekday: 'long', timeZone: tz }).format(new Date(dueAt));
  } catch {
    weekday = new Intl.DateTimeFormat('en-US', { weekday: 'long', timeZone: tz }).format(new Date(dueAt));
  }
  return ctx.dialog('on_day', { weekday });
}

function timeOf(ctx: SkillContext, ms: number): string {
  return clockFormat(ctx, zoneOf(ctx)).format(new Date(ms));
}

/** The reading and wording of the turn's language. */
function words(ctx: SkillContext): TimerLanguage {
  return timerLanguage(ctx.lang);
}

/** A name as said ("the pasta" → "pasta", "a massa" → "massa"); null when nothing is left. */
function cleanName(ctx: SkillContext, raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const articles = words(ctx).articles;
  const parts = raw
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  while (parts.length > 0 && articles.includes(parts[0]!)) parts.shift();
  const name = parts.join(' ');
  return name === '' ? null : name;
}

/** The utterance in lower case, words separated by single spaces. */
function normalized(ctx: SkillContext): string {
  return ctx.utterance
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function said(ctx: SkillContext, word: string): boolean {
  return ` ${normalized(ctx)} `.includes(` ${word} `);
}

/** The kind the utterance names ("alarms", "alarmes" → alarm), or null for all of them. */
function kindSaid(ctx: SkillContext): Kind | null {
  const kinds = words(ctx).kinds;
  const named = (['timer', 'alarm', 'reminder'] as const).filter((k) => kinds[k].some((w) => said(ctx, w)));
  return named.length === 1 ? named[0]! : null;
}

async function request(
  ctx: SkillContext,
  type: string,
  data: Record<string, unknown>,
): Promise<Answer | null> {
  const answer = await ctx.request(type, data);
  if (answer === null) return null;
  return {
    ok: answer.ok === true,
    code: typeof answer.code === 'string' ? answer.code : null,
    data: answer,
    now: typeof answer.now === 'number' ? answer.now : ctx.now().getTime(),
  };
}

/** Speaks why the service refused (or that there is none); true when it did. */
function refused(ctx: SkillContext, answer: Answer | null): boolean {
  if (answer === null || answer.code === 'HL_ERR_TIMER_NO_CLIENT') {
    ctx.speakDialog('unavailable');
    return true;
  }
  if (answer.ok) return false;
  if (answer.code === 'HL_ERR_TIMER_LIMIT') {
    ctx.speakDialog('too_many', { max: Number(answer.data.max ?? 0) });
  } else if (answer.code === 'HL_ERR_TIMER_TOO_LONG') {
    ctx.speakDialog('too_long', { max: words(ctx).formatDuration(Number(answer.data.max_ms ?? 0)) });
  } else {
    ctx.speakDialog('failed');
  }
  return true;
}

/** The duration of the turn, asking for it when the utterance had none; undefined (already answered) on failure. */
async function durationOf(ctx: SkillContext): Promise<number | undefined> {
  let text = ctx.entities.duration;
  if (text === undefined) {
    const reply = await ctx.ask(ctx.dialog('ask_duration'));
    if (reply === null) return undefined;
    text = reply.toLowerCase().replace(/[^\p{L}\p{N}.]+/gu, ' ');
    text = text.trim().replace(words(ctx).lead, '');
  }
  const ms = words(ctx).parseDuration(text);
  if (ms === undefined) ctx.speakDialog('duration_not_understood');
  return ms;
}

async function setTimer(ctx: SkillContext): Promise<void> {
  const ms = await durationOf(ctx);
  if (ms === undefined) return;
  const name = cleanName(ctx, ctx.entities.name);
  const duration = words(ctx).formatDuration(ms);
  const owner = ctx.client.name ?? 'someone';
  const label =
    name === null ? ctx.dialog('label_timer', { duration }) : ctx.dialog('label_timer_named', { name });
  const answer = await request(ctx, 'hive.timer.set', {
    kind: 'timer',
    duration_ms: ms,
    name,
    lang: ctx.lang,
    utterance:
      name === null ? ctx.dialog('timer_done', { duration }) : ctx.dialog('timer_done_named', { name }),
    room_utterance: ctx.dialog('timer_done_room', { owner, label }),
  });
  if (refused(ctx, answer)) return;
  if (name === null) ctx.speakDialog('timer_set', { duration });
  else ctx.speakDialog('timer_set_named', { name, duration });
}

/** `{at: {hour, minute, tomorrow}}` or `{duration_ms}` for an alarm or reminder; null when answered already. */
async function whenOf(
  ctx: SkillContext,
): Promise<{ at?: ClockTime & { tomorrow: boolean }; ms?: number } | null> {
  if (ctx.entities.duration !== undefined) {
    const ms = words(ctx).parseDuration(ctx.entities.duration);
    if (ms === undefined) {
      ctx.speakDialog('duration_not_understood');
      return null;
    }
    return { ms };
  }
  let text = ctx.entities.time;
  if (text === undefined) {
    const reply = await ctx.ask(ctx.dialog('ask_time'));
    if (reply === null) return null;
    text = reply
      .toLowerCase()
      .replace(/o'clock/g, 'oclock')
      .replace(/[^\p{L}\p{N}.]+/gu, ' ')
      .trim()
      .replace(words(ctx).lead, '');
  }
  const at = words(ctx).parseClock(text);
  if (at === undefined) {
    ctx.speakDialog('time_not_understood');
    return null;
  }
  return { at: { ...at, tomorrow: words(ctx).tomorrow(normalized(ctx)) } };
}

async function setAlarm(ctx: SkillContext, wake: boolean): Promise<void> {
  const when = await whenOf(ctx);
  if (when === null) return;
  const owner = ctx.client.name ?? 'someone';
  // The clock time said, or (for "in 8 hours") the time it will be, for what is spoken when it rings.
  const ringsAt =
    when.at !== undefined ? wallClock(ctx, when.at) : timeOf(ctx, ctx.now().getTime() + when.ms!);
  const answer = await request(ctx, 'hive.timer.set', {
    kind: 'alarm',
    ...(when.at === undefined ? { duration_ms: when.ms } : { at: when.at, timezone: zoneOf(ctx) }),
    name: null,
    lang: ctx.lang,
    utterance: ctx.dialog(wake ? 'wake_done' : 'alarm_done', { time: ringsAt }),
    room_utterance: ctx.dialog('alarm_done_room', { owner, time: ringsAt }),
  });
  if (refused(ctx, answer)) return;
  const timer = timerOf(answer!.data.timer);
  const dueAt = timer?.dueAt ?? answer!.now;
  const vars = { time: timeOf(ctx, dueAt), day: dayWord(ctx, dueAt, answer!.now) };
  ctx.speakDialog(wake ? 'wake_set' : 'alarm_set', vars);
}

async function remind(ctx: SkillContext): Promise<void> {
  let raw = cleanName(ctx, ctx.entities.what);
  if (raw === null) {
    const reply = await ctx.ask(ctx.dialog('ask_what'));
    if (reply === null) return;
    raw = cleanName(ctx, reply.toLowerCase().replace(/^(?:to|de|que)\s+/, ''));
  }
  const when = await whenOf(ctx);
  if (when === null) return;
  const what = raw === null ? null : words(ctx).facingListener(raw);
  const owner = ctx.client.name ?? 'someone';
  const answer = await request(ctx, 'hive.timer.set', {
    kind: 'reminder',
    ...(when.at === undefined ? { duration_ms: when.ms } : { at: when.at, timezone: zoneOf(ctx) }),
    name: what,
    lang: ctx.lang,
    utterance: what === null ? ctx.dialog('reminder_plain') : ctx.dialog('reminder_done', { what }),
    room_utterance:
      what === null
        ? ctx.dialog('reminder_plain_room', { owner })
        : ctx.dialog('reminder_done_room', { owner, what }),
  });
  if (refused(ctx, answer)) return;
  const shown = what ?? '';
  if (when.at === undefined) {
    ctx.speakDialog('reminder_set_in', { what: shown, duration: words(ctx).formatDuration(when.ms!) });
  } else {
    const dueAt = timerOf(answer!.data.timer)?.dueAt ?? answer!.now;
    ctx.speakDialog('reminder_set_at', {
      what: shown,
      time: timeOf(ctx, dueAt),
      day: dayWord(ctx, dueAt, answer!.now),
    });
  }
}

/** One timer as listed ("the pasta timer with 3 minutes left"). */
function describe(ctx: SkillContext, t: TimerInfo, now: number): string {
  const w = words(ctx);
  const remaining = w.formatRemaining(t.dueAt - now);
  let item: string;
  if (t.kind === 'timer') {
    item =
      t.name === null
        ? ctx.dialog('item_timer', { duration: w.formatDuration(t.durationMs ?? t.dueAt - now), remaining })
        : ctx.dialog('item_timer_named', { name: t.name, remaining });
  } else if (t.kind === 'alarm') {
    item = ctx.dialog('item_alarm', { time: timeOf(ctx, t.dueAt), day: dayWord(ctx, t.dueAt, now) });
  } else if (t.durationMs !== null) {
    item = ctx.dialog('item_reminder_in', { what: t.name ?? '', remaining });
  } else {
    item = ctx.dialog('item_reminder_at', {
      what: t.name ?? '',
      time: timeOf(ctx, t.dueAt),
      day: dayWord(ctx, t.dueAt, now),
    });
  }
  return t.firedAt === null ? item : ctx.dialog('item_fired', { item });
}

/** How a timer is named when cancelled ("timer for 5 minutes", "pasta timer", "alarm for 07:00"). */
function label(ctx: SkillContext, t: TimerInfo): string {
  if (t.kind === 'timer') {
    return t.name === null
      ? ctx.dialog('label_timer', { duration: words(ctx).formatDuration(t.durationMs ?? 0) })
      : ctx.dialog('label_timer_named', { name: t.name });
  }
  if (t.kind === 'alarm') return ctx.dialog('label_alarm', { time: timeOf(ctx, t.dueAt) });
  return ctx.dialog('label_reminder', { what: t.name ?? '' });
}

function things(ctx: SkillContext, kind: Kind | null): string {
  return ctx.dialog(kind === null ? 'things_all' : `things_${kind}`);
}

async function listTimers(
  ctx: SkillContext,
  kind: Kind | null,
): Promise<{ timers: TimerInfo[]; now: number } | null> {
  const answer = await request(ctx, 'hive.timer.list', kind === null ? {} : { kind });
  if (refused(ctx, answer)) return null;
  return { timers: timersOf(answer!.data.timers), now: answer!.now };
}

/**
 * The timers of the kind the utterance names (any kind if none), for list and cancel alike; when there are none it
 * says so and resolves with null, as it does when the hub refused.
 */
async function timersSaid(
  ctx: SkillContext,
): Promise<{ kind: Kind | null; timers: TimerInfo[]; now: number } | null> {
  const kind = kindSaid(ctx);
  const found = await listTimers(ctx, kind);
  if (found === null) return null;
  if (found.timers.length === 0) {
    ctx.speakDialog(kind === null ? 'none' : `none_${kind}`);
    return null;
  }
  return { kind, ...found };
}

async function list(ctx: SkillContext): Promise<void> {
  const found = await timersSaid(ctx);
  if (found === null) return;
  const { kind, timers, now } = found;
  const items = words(ctx).join(timers.map((t) => describe(ctx, t, now)));
  if (timers.length === 1) ctx.speakDialog('list_one', { items });
  else ctx.speakDialog('list_many', { count: timers.length, things: things(ctx, kind), items });
}

/** The timers `words` picks out of `timers`: by name, by duration ("the 5 minute one"), by clock time, by ordinal. */
function pick(ctx: SkillContext, timers: readonly TimerInfo[], answer: string): TimerInfo[] {
  const w = words(ctx);
  const text = ` ${answer
    .toLowerCase()
    .replace(/[^\p{L}\p{N}.]+/gu, ' ')
    .trim()} `;
  if (w.all.test(text)) return [...timers];
  const byName = timers.filter((t) => t.name !== null && text.includes(` ${t.name.toLowerCase()} `));
  if (byName.length > 0) return byName;
  const named = cleanName(ctx, text.trim().replace(w.noise, ' ').replace(/\s+/g, ' ').trim());
  if (named !== null) {
    const ms = w.parseDuration(named.replace(/\bminute\b/g, 'minutes').replace(/\bhour\b/g, 'hours'));
    if (ms !== undefined) {
      const byDuration = timers.filter((t) => t.durationMs === ms);
      if (byDuration.length > 0) return byDuration;
    }
    const clock = w.parseClock(named);
    if (clock !== undefined) {
      const shown = wallClock(ctx, clock);
      const byTime = timers.filter((t) => t.kind !== 'timer' && timeOf(ctx, t.dueAt) === shown);
      if (byTime.length > 0) return byTime;
    }
    const partial = timers.filter((t) => t.name?.toLowerCase().includes(named) === true);
    if (partial.length > 0) return partial;
  }
  for (const [word, index] of Object.entries(w.ordinals)) {
    if (text.includes(` ${word} `) && timers[index] !== undefined) return [timers[index]!];
  }
  if (w.last.some((l) => text.includes(` ${l} `)) && timers.length > 0) return [timers.at(-1)!];
  return [];
}

async function cancel(ctx: SkillContext): Promise<void> {
  const found = await timersSaid(ctx);
  if (found === null) return;
  const { kind, timers, now } = found;
  const w = words(ctx);
  const plural = w.several.some((word) => said(ctx, word));
  let chosen: TimerInfo[];
  const name = cleanName(ctx, ctx.entities.name);
  if (plural && name === null) chosen = [...timers];
  else if (name !== null) chosen = pick(ctx, timers, name);
  else if (timers.length === 1) chosen = [...timers];
  else {
    const items = w.join(timers.map((t) => describe(ctx, t, now)));
    const reply = await ctx.ask(
      ctx.dialog('which', { count: timers.length, things: things(ctx, kind), items }),
    );
    if (reply === null) return;
    if (w.keep.test(reply)) {
      ctx.speakDialog('kept');
      return;
    }
    chosen = pick(ctx, timers, reply);
  }
  if (chosen.length === 0) {
    ctx.speakDialog('no_match', { items: w.join(timers.map((t) => describe(ctx, t, now))) });
    return;
  }
  const answer = await request(ctx, 'hive.timer.cancel', { ids: chosen.map((t) => t.id) });
  if (answer !== null && answer.code === 'HL_ERR_TIMER_NOT_FOUND') {
    // It fired or was cancelled elsewhere since the list.
    ctx.speakDialog('no_match', { items: w.join(timers.map((t) => describe(ctx, t, now))) });
    return;
  }
  if (refused(ctx, answer)) return;
  const cancelled = timersOf(answer!.data.cancelled);
  if (cancelled.length === 0) {
    ctx.speakDialog('no_match', { items: w.join(timers.map((t) => describe(ctx, t, now))) });
  } else if (cancelled.length === 1) {
    ctx.speakDialog('cancelled', { label: label(ctx, cancelled[0]!) });
  } else {
    const kinds = new Set(cancelled.map((t) => t.kind));
    const only = kinds.size === 1 ? [...kinds][0]! : null;
    ctx.speakDialog('cancelled_many', { count: cancelled.length, things: things(ctx, only) });
  }
}

export const timerSkill = defineSkill({
  id: TIMER_SKILL_ID,
  className: 'TimerSkill',
  locale: { en, pt, es },
  intents: [
    { name: 'set_timer.intent', handler: setTimer },
    { name: 'set_alarm.intent', handler: (ctx) => setAlarm(ctx, false) },
    { name: 'wake_me.intent', handler: (ctx) => setAlarm(ctx, true) },
    { name: 'remind.intent', handler: remind },
    { name: 'list.intent', handler: list },
    { name: 'cancel.intent', handler: cancel },
  ],
});
