/**
 * Timer queries of the SQLite store (schema step 4): the timers, alarms and reminders the hub's timer service keeps
 * for each client, so they survive a hub restart. Argument checks happen here, before any query.
 *
 * @module
 */
import type { Kysely, Selectable } from 'kysely';
import { HiveLinkError } from '../errors.js';
import { checkId, checkTime } from './sqlite-rows.js';
import type { Schema, TimersTable } from './sqlite-schema.js';
import type { NewTimer, TimerKind, TimerRecord } from './types.js';

/** Longest timer name or reminder text kept. */
export const MAX_TIMER_NAME_CHARS = 200;
/** Longest spoken text of a timer. */
export const MAX_TIMER_UTTERANCE_CHARS = 1000;
/** Longest language tag and site id of a timer. */
const MAX_SHORT_TEXT = 255;
const KINDS: ReadonlySet<string> = new Set<TimerKind>(['timer', 'alarm', 'reminder']);

function invalid(message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INVALID_ARGUMENT', message);
}

function text(v: unknown, what: string, max: number, nullable: boolean): string | null {
  if ((v === null || v === undefined) && nullable) return null;
  if (typeof v !== 'string' || v.length === 0) throw invalid(`${what} must be a non-empty string`);
  if (v.length > max) throw invalid(`${what} is longer than ${max} characters`);
  return v;
}

/** A validated `timers` row to insert (`HL_ERR_INVALID_ARGUMENT` otherwise). */
export function checkTimer(t: NewTimer): Omit<TimersTable, 'id'> {
  if (typeof t !== 'object' || t === null) throw invalid('a timer must be an object');
  if (!KINDS.has(t.kind)) throw invalid('timer kind must be timer, alarm or reminder');
  const duration = t.durationMs;
  if (
    duration !== null &&
    (typeof duration !== 'number' || !Number.isSafeInteger(duration) || duration < 0)
  ) {
    throw invalid('durationMs must be a whole number of ms or null');
  }
  return {
    client_id: checkId(t.clientId),
    kind: t.kind,
    name: text(t.name, 'name', MAX_TIMER_NAME_CHARS, true),
    site_id: text(t.siteId, 'siteId', MAX_SHORT_TEXT, true),
    lang: text(t.lang, 'lang', MAX_SHORT_TEXT, false)!,
    utterance: text(t.utterance, 'utterance', MAX_TIMER_UTTERANCE_CHARS, false)!,
    room_utterance: text(t.roomUtterance, 'roomUtterance', MAX_TIMER_UTTERANCE_CHARS, true),
    due_at: checkTime(t.dueAt, 'dueAt'),
    duration_ms: duration,
    created_at: checkTime(t.createdAt, 'createdAt'),
    fired_at: null,
  };
}

/** A frozen {@link TimerRecord} from a row. */
export function toTimer(row: Selectable<TimersTable>): TimerRecord {
  return Object.freeze({
    id: row.id,
    clientId: row.client_id,
    kind: row.kind,
    name: row.name,
    siteId: row.site_id,
    lang: row.lang,
    utterance: row.utterance,
    roomUtterance: row.room_utterance,
    dueAt: row.due_at,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
    firedAt: row.fired_at,
  });
}

/**
 * Inserts `row` unless its client already has `maxPerClient` timers (`HL_ERR_TIMER_LIMIT`). Run inside a write
 * transaction, so two requests of one client never both pass the count.
 */
export async function insertTimer(
  db: Kysely<Schema>,
  row: Omit<TimersTable, 'id'>,
  maxPerClient: number,
): Promise<TimerRecord> {
  const { n } = await db
    .selectFrom('timers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('client_id', '=', row.client_id)
    .executeTakeFirstOrThrow();
  if (Number(n) >= maxPerClient) {
    throw new HiveLinkError(
      'HL_ERR_TIMER_LIMIT',
      `client ${row.client_id} already has ${maxPerClient} timers (maxTimersPerClient)`,
    );
  }
  const inserted = await db.insertInto('timers').values(row).returningAll().executeTakeFirstOrThrow();
  return toTimer(inserted);
}

/** The timers of `clientId` (or all), soonest first. */
export async function selectTimers(db: Kysely<Schema>, clientId: number | undefined): Promise<TimerRecord[]> {
  let q = db.selectFrom('timers').selectAll();
  if (clientId !== undefined) q = q.where('client_id', '=', clientId);
  const rows = await q.orderBy('due_at').orderBy('id').execute();
  return rows.map(toTimer);
}

/** Sets `fired_at` of one timer. */
export async function updateTimerFired(db: Kysely<Schema>, id: number, at: number): Promise<void> {
  await db.updateTable('timers').set({ fired_at: at }).where('id', '=', id).execute();
}

/** Deletes one timer; true when it existed. */
export async function deleteTimer(db: Kysely<Schema>, id: number): Promise<boolean> {
  const result = await db.deleteFrom('timers').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
