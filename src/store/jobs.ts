/**
 * Jobs at rest (issue 15, docs/PROTOCOL.md "Files and jobs"): one row per job — its kind, parameters, input files,
 * state (`queued → running → done | failed | cancelled`), progress and message, result and output files, owner and
 * log — so a hub restart loses none. A new job is one write transaction that checks the owner's queue bound.
 *
 * @module
 */
import type { Kysely, Selectable } from 'kysely';
import { HiveLinkError } from '../errors.js';
import type { JsonValue } from '../protocol/json.js';
import { checkId, checkTime } from './sqlite-rows.js';
import type { Schema } from './sqlite-schema.js';

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
/** The states a job never leaves. */
export const FINAL_JOB_STATES: ReadonlySet<JobState> = new Set(['done', 'failed', 'cancelled']);
/** Log lines kept per job (the oldest are dropped). */
export const MAX_JOB_LOG_LINES = 200;

/** The `jobs` table (schema step 10). */
export interface JobsTable {
  id: string;
  owner_id: number;
  kind: string;
  /** JSON object. */
  params: string;
  /** JSON array of file ids. */
  inputs: string;
  state: JobState;
  progress: number;
  message: string;
  /** JSON value, or null. */
  result: string | null;
  /** JSON array of file ids. */
  outputs: string;
  error_code: string | null;
  error: string | null;
  /** JSON array of strings. */
  log: string;
  attempts: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

type Db = Kysely<Schema & { jobs: JobsTable }>;

export interface JobRecord {
  readonly id: string;
  readonly ownerId: number;
  readonly kind: string;
  readonly params: { readonly [key: string]: JsonValue };
  readonly inputs: readonly string[];
  readonly state: JobState;
  readonly progress: number;
  readonly message: string;
  readonly result: JsonValue | null;
  readonly outputs: readonly string[];
  readonly errorCode: string | null;
  readonly error: string | null;
  readonly log: readonly string[];
  /** How many times it started running (a re-queued job runs again). */
  readonly attempts: number;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

export type NewJob = Pick<JobRecord, 'id' | 'ownerId' | 'kind' | 'params' | 'inputs'>;

/** How a job ended. */
export interface JobEnd {
  readonly state: 'done' | 'failed' | 'cancelled';
  readonly result?: JsonValue | null;
  readonly outputs?: readonly string[];
  readonly errorCode?: string | null;
  readonly error?: string | null;
  readonly message?: string;
}

export interface JobStore {
  /** @throws HiveLinkError `HL_ERR_JOB_QUEUE_FULL` when the owner has `maxQueued` jobs queued or running */
  add(job: NewJob, maxQueued: number, at?: number): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | null>;
  /** The owner's jobs, newest first. */
  listFor(ownerId: number, limit?: number): Promise<JobRecord[]>;
  /** Jobs in `state`, oldest first. */
  inState(state: JobState): Promise<JobRecord[]>;
  /** queued → running; false when it was not queued. */
  start(id: string, at?: number): Promise<boolean>;
  /** Records progress (and, when given, log lines appended). */
  progress(id: string, progress: number, message: string, logLines?: readonly string[]): Promise<void>;
  /** Ends a queued or running job; null when it had ended already. */
  finish(id: string, end: JobEnd, at?: number): Promise<JobRecord | null>;
  /** running → queued (a kind that runs again after a restart). */
  requeue(id: string): Promise<void>;
  /** Removes the finished jobs that ended before `before`; returns them. */
  removeFinishedBefore(before: number): Promise<JobRecord[]>;
}

export interface JobStoreDeps {
  readonly db: Kysely<Schema>;
  guard<T>(what: string, fn: () => Promise<T>): Promise<T>;
  write<T>(fn: (db: Kysely<Schema>) => Promise<T>): Promise<T>;
  now(): number;
}

function parse<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toJob(row: Selectable<JobsTable>): JobRecord {
  return Object.freeze({
    id: row.id,
    ownerId: row.owner_id,
    kind: row.kind,
    params: parse(row.params, {}),
    inputs: parse<string[]>(row.inputs, []),
    state: row.state,
    progress: row.progress,
    message: row.message,
    result: parse<JsonValue | null>(row.result, null),
    outputs: parse<string[]>(row.outputs, []),
    errorCode: row.error_code,
    error: row.error,
    log: parse<string[]>(row.log, []),
    attempts: row.attempts,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  });
}

const LIVE: readonly JobState[] = ['queued', 'running'];

/** The SQLite {@link JobStore}, on the client store's connection (`store.jobs`). */
export function sqliteJobStore(deps: JobStoreDeps): JobStore {
  const db: Db = deps.db.withTables<{ jobs: JobsTable }>();
  const now = (at?: number) => checkTime(at ?? deps.now(), 'now()');
  const one = async (k: Db, id: string) =>
    (await k.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  return {
    add(job, maxQueued, at0) {
      checkId(job.ownerId, 'owner id');
      const at = now(at0);
      return deps.guard('add the job', () =>
        deps.write(async (k) => {
          const t = k.withTables<{ jobs: JobsTable }>();
          const { n } = await t
            .selectFrom('jobs')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('owner_id', '=', job.ownerId)
            .where('state', 'in', LIVE)
            .executeTakeFirstOrThrow();
          if (Number(n) >= maxQueued) {
            throw new HiveLinkError(
              'HL_ERR_JOB_QUEUE_FULL',
              `client ${job.ownerId} already has ${maxQueued} jobs queued or running (maxQueuedJobsPerClient)`,
            );
          }
          const row = await t
            .insertInto('jobs')
            .values({
              id: job.id,
              owner_id: job.ownerId,
              kind: job.kind,
              params: JSON.stringify(job.params),
              inputs: JSON.stringify(job.inputs),
              state: 'queued',
              progress: 0,
              message: '',
              result: null,
              outputs: '[]',
              error_code: null,
              error: null,
              log: '[]',
              attempts: 0,
              created_at: at,
              started_at: null,
              finished_at: null,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          return toJob(row);
        }),
      );
    },

    async get(id) {
      if (typeof id !== 'string' || id.length === 0 || id.length > 64) return null;
      return deps.guard('read the job', async () => {
        const row = await one(db, id);
        return row === null ? null : toJob(row);
      });
    },

    async listFor(ownerId, limit = 100) {
      checkId(ownerId, 'owner id');
      return deps.guard('list the jobs', async () => {
        const rows = await db
          .selectFrom('jobs')
          .selectAll()
          .where('owner_id', '=', ownerId)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .execute();
        return rows.map(toJob);
      });
    },

    async inState(state) {
      return deps.guard('list the jobs', async () => {
        const rows = await db
          .selectFrom('jobs')
          .selectAll()
          .where('state', '=', state)
          .orderBy('created_at')
          .orderBy('id')
          .execute();
        return rows.map(toJob);
      });
    },

    async start(id, at0) {
      const at = now(at0);
      return deps.guard('start the job', async () => {
        const r = await db
          .updateTable('jobs')
          .set((eb) => ({ state: 'running', started_at: at, attempts: eb('attempts', '+', 1) }))
          .where('id', '=', id)
          .where('state', '=', 'queued')
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      });
    },

    async progress(id, progress, message, logLines = []) {
      await deps.guard('record the job progress', () =>
        deps.write(async (k) => {
          const t = k.withTables<{ jobs: JobsTable }>();
          const row = await one(t, id);
          if (row === null || row.state !== 'running') return;
          const log = logLines.length === 0 ? row.log : appendLog(row.log, logLines);
          await t.updateTable('jobs').set({ progress, message, log }).where('id', '=', id).execute();
        }),
      );
    },

    async finish(id, end, at0) {
      const at = now(at0);
      return deps.guard('finish the job', () =>
        deps.write(async (k) => {
          const t = k.withTables<{ jobs: JobsTable }>();
          const row = await one(t, id);
          if (row === null || !LIVE.includes(row.state)) return null;
          const updated = await t
            .updateTable('jobs')
            .set({
              state: end.state,
              progress: end.state === 'done' ? 100 : row.progress,
              message: end.message ?? row.message,
              result: end.result === undefined || end.result === null ? null : JSON.stringify(end.result),
              outputs: JSON.stringify(end.outputs ?? []),
              error_code: end.errorCode ?? null,
              error: end.error ?? null,
              finished_at: at,
            })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirstOrThrow();
          return toJob(updated);
        }),
      );
    },

    async requeue(id) {
      await deps.guard('re-queue the job', () =>
        db
          .updateTable('jobs')
          .set({ state: 'queued', progress: 0, message: 'queued again after a hub restart' })
          .where('id', '=', id)
          .where('state', '=', 'running')
          .execute(),
      );
    },

    async removeFinishedBefore(before) {
      return deps.guard('remove old jobs', () =>
        deps.write(async (k) => {
          const t = k.withTables<{ jobs: JobsTable }>();
          const rows = await t
            .selectFrom('jobs')
            .selectAll()
            .where('finished_at', 'is not', null)
            .where('finished_at', '<=', before)
            .execute();
          if (rows.length > 0) {
            await t
              .deleteFrom('jobs')
              .where(
                'id',
                'in',
                rows.map((r) => r.id),
              )
              .execute();
          }
          return rows.map(toJob);
        }),
      );
    },
  };
}

function appendLog(stored: string, lines: readonly string[]): string {
  const log = [...parse<string[]>(stored, []), ...lines];
  return JSON.stringify(log.slice(-MAX_JOB_LOG_LINES));
}
