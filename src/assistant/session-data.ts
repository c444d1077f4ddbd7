/**
 * Reading the language, session and time zone of an utterance, and writing the session back in OVOS's serialized
 * shape (docs/PROTOCOL.md §B2.3, §B3.1).
 *
 * @module
 */
import { deepCopy } from '../bus/copy.js';
import { DEFAULT_SESSION_ID } from '../bus/message.js';
import type { MessageData, SessionData } from '../bus/types.js';
import { normalizeLangTag } from './engine/lang/index.js';
import type { SessionState } from './session-store.js';

/** The pipeline a session gets when it names none (OVOS stage ids, in OVOS's order). */
export const DEFAULT_PIPELINE: readonly string[] = [
  'ovos-stop-pipeline-plugin-high',
  'ovos-converse-pipeline-plugin',
  'ovos-padatious-pipeline-plugin-high',
  'ovos-adapt-pipeline-plugin-high',
  'ovos-fallback-pipeline-plugin-high',
  'ovos-stop-pipeline-plugin-medium',
  'ovos-padatious-pipeline-plugin-medium',
  'ovos-adapt-pipeline-plugin-medium',
  'ovos-fallback-pipeline-plugin-medium',
  'ovos-fallback-pipeline-plugin-low',
];

/** `en-us` → `en-US`, `zh-hant-tw` → `zh-Hant-TW`; `''` when not a tag. */
export function formatLangTag(lang: unknown): string {
  const tag = normalizeLangTag(lang);
  if (tag === '') return '';
  return tag
    .split('-')
    .map((part, i) => {
      if (i === 0) return part;
      if (part.length === 2) return part.toUpperCase();
      if (part.length === 4) return part[0]!.toUpperCase() + part.slice(1);
      return part;
    })
    .join('-');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The session of `msg` (`context.session`), or the `default` session when it has none or it is malformed. */
export function sessionOf(msg: MessageData): SessionData {
  const s: unknown = msg.context.session;
  if (isObject(s) && typeof s.session_id === 'string' && s.session_id !== '') return s as SessionData;
  return { session_id: DEFAULT_SESSION_ID };
}

/**
 * The language of an utterance: a valid `stt_lang` / `request_lang` / `detected_lang` from the context, then
 * `data.lang`, `context.lang`, the session's lang, then `fallback`. A hint is valid when it is in
 * `context.valid_langs` or `known` has its primary language.
 */
export function resolveLang(
  msg: MessageData,
  session: SessionData,
  known: readonly string[],
  fallback: string,
): string {
  const ctx = msg.context;
  const valid = new Set<string>(known.map((l) => normalizeLangTag(l).split('-')[0]!));
  if (Array.isArray(ctx.valid_langs))
    for (const l of ctx.valid_langs) valid.add(normalizeLangTag(l).split('-')[0]!);
  for (const key of ['stt_lang', 'request_lang', 'detected_lang']) {
    const tag = formatLangTag(ctx[key]);
    if (tag !== '' && valid.has(tag.split('-')[0]!.toLowerCase())) return tag;
  }
  for (const candidate of [msg.data.lang, ctx.lang, session.lang]) {
    const tag = formatLangTag(candidate);
    if (tag !== '') return tag;
  }
  return formatLangTag(fallback) || 'en-US';
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

/** The skills and intents `session` blocks (`blacklisted_skills`, `blacklisted_intents`). */
export function blacklistsOf(session: SessionData): { skills: Set<string>; intents: Set<string> } {
  return {
    skills: new Set(stringList(session.blacklisted_skills)),
    intents: new Set(stringList(session.blacklisted_intents)),
  };
}

/**
 * The session as the core writes it into the messages of a turn: the client's fields, the resolved language, the
 * remembered active skills and open questions, and OVOS defaults for whatever is missing.
 */
export function serializeSession(
  incoming: SessionData,
  state: SessionState,
  lang: string,
  questions: readonly string[],
): SessionData {
  const utteranceStates: Record<string, 'intent' | 'response'> = {};
  for (const skillId of questions) utteranceStates[skillId] = 'response';
  const pipeline = stringList(incoming.pipeline);
  const copy = deepCopy(incoming);
  return {
    ...copy,
    session_id: incoming.session_id,
    lang,
    site_id: typeof incoming.site_id === 'string' ? incoming.site_id : 'unknown',
    active_skills: state.activeSkills.map(([id, ts]) => [id, ts] as [string, number]),
    utterance_states: utteranceStates,
    context: isObject(copy.context) ? copy.context : { frame_stack: [], timeout: 120 },
    pipeline: pipeline.length > 0 ? pipeline : [...DEFAULT_PIPELINE],
    system_unit: typeof incoming.system_unit === 'string' ? incoming.system_unit : 'metric',
    time_format: typeof incoming.time_format === 'string' ? incoming.time_format : 'full',
    date_format: typeof incoming.date_format === 'string' ? incoming.date_format : 'DMY',
    is_speaking: incoming.is_speaking === true,
    is_recording: incoming.is_recording === true,
    blacklisted_skills: stringList(incoming.blacklisted_skills),
    blacklisted_intents: stringList(incoming.blacklisted_intents),
  };
}

/** An IANA zone the runtime knows, else undefined. */
function knownZone(zone: unknown): string | undefined {
  if (typeof zone !== 'string' || zone === '') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/** The session's time zone (OVOS `location.timezone.code`, or a plain `timezone`), else `fallback` (the hub's). */
export function sessionTimezone(session: Record<string, unknown>, fallback: string): string {
  const location = session.location;
  if (typeof location === 'object' && location !== null) {
    const tz = (location as Record<string, unknown>).timezone;
    const code = typeof tz === 'object' && tz !== null ? (tz as Record<string, unknown>).code : tz;
    const zone = knownZone(code);
    if (zone !== undefined) return zone;
  }
  return knownZone(session.timezone) ?? fallback;
}
