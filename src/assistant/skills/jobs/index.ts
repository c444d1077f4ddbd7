/**
 * Jobs by voice (issue 15): "transcribe the file I just sent", "how is my job doing", "cancel my job". The skill only
 * understands and words things: the jobs live in the hub's job service (`src/hub/jobs/service.ts`), reached with
 * `ctx.request` over `hive.job.recent_file`, `hive.job.submit`, `hive.job.wait`, `hive.job.list` and
 * `hive.job.cancel` (docs/PROTOCOL.md "Files and jobs"). The hub knows which client asks from the `context.peer` it
 * set when it injected the utterance, so a satellite hears about, and cancels, only its own jobs.
 *
 * @module
 */
import { defineSkill, type SkillContext } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';

export const JOBS_SKILL_ID = 'hivelink-jobs.hivelink';

/** How long "transcribe the file I just sent" waits for the text before it says the job runs on. */
export const TRANSCRIBE_WAIT_MS = 6000;

/** A job as the hub's answers carry it (the fields the skill speaks). */
interface SpokenJob {
  readonly id: string;
  readonly kind: string;
  readonly state: string;
  readonly progress: number;
  readonly message: string;
  readonly result: unknown;
  readonly error: { code: string; message: string } | null;
}

const BUILT_IN_KINDS = new Set(['speak', 'transcribe', 'image', 'archive']);

function jobOf(v: unknown): SpokenJob | null {
  if (typeof v !== 'object' || v === null) return null;
  const j = v as Record<string, unknown>;
  if (typeof j.id !== 'string' || typeof j.kind !== 'string' || typeof j.state !== 'string') return null;
  const error = j.error as { code?: unknown; message?: unknown } | null | undefined;
  return {
    id: j.id,
    kind: j.kind,
    state: j.state,
    progress: typeof j.progress === 'number' ? Math.round(j.progress) : 0,
    message: typeof j.message === 'string' ? j.message : '',
    result: j.result,
    error:
      error === null || error === undefined
        ? null
        : { code: String(error.code ?? ''), message: String(error.message ?? '') },
  };
}

/** The kind as the turn's language names it ("transcription", "transcrição"; a skill's own kind as it is). */
function kindName(ctx: SkillContext, kind: string): string {
  return BUILT_IN_KINDS.has(kind) ? ctx.dialog(`kind_${kind}`) : kind;
}

/** The words of a transcription result, or null when the result is not one. */
function transcript(job: SpokenJob): string | null {
  const text = (job.result as { text?: unknown } | null)?.text;
  return job.kind === 'transcribe' && typeof text === 'string' ? text.trim() : null;
}

/** Asks the hub; speaks the failure and returns null when it does not answer or refuses. */
async function ask(
  ctx: SkillContext,
  type: string,
  data: Record<string, unknown>,
  timeoutMs?: number,
): Promise<Record<string, unknown> | null> {
  const answer = await ctx.request(type, data, timeoutMs === undefined ? {} : { timeoutMs });
  if (answer === null) {
    ctx.speakDialog('unreachable');
    return null;
  }
  if (answer.ok === true) return answer;
  if (answer.code === 'HL_ERR_JOB_NOT_FOUND' && type === 'hive.job.cancel')
    ctx.speakDialog('nothing_to_cancel');
  else
    ctx.speakDialog('failed', { reason: typeof answer.error === 'string' ? answer.error : 'unknown error' });
  return null;
}

/** Says where `job` is: waiting, how far along, done (a transcription with its words), failed or cancelled. */
function speakStatus(ctx: SkillContext, job: SpokenJob): void {
  const kind = kindName(ctx, job.kind);
  switch (job.state) {
    case 'queued':
      ctx.speakDialog('status_queued', { kind });
      return;
    case 'running':
      if (job.message === '') ctx.speakDialog('status_running', { kind, progress: job.progress });
      else ctx.speakDialog('status_running_message', { kind, progress: job.progress, message: job.message });
      return;
    case 'done': {
      const text = transcript(job);
      if (text === null) ctx.speakDialog('status_done', { kind });
      else if (text === '') ctx.speakDialog('status_done_silent', { kind });
      else ctx.speakDialog('status_done_text', { kind, text });
      return;
    }
    case 'cancelled':
      ctx.speakDialog('status_cancelled', { kind });
      return;
    default:
      ctx.speakDialog('status_failed', { kind, reason: job.error?.message ?? job.message });
  }
}

export const jobsSkill = defineSkill({
  id: JOBS_SKILL_ID,
  className: 'JobsSkill',
  locale: { en, pt, es },
  intents: [
    {
      name: 'transcribe.intent',
      handler: async (ctx) => {
        const recent = await ask(ctx, 'hive.job.recent_file', { audio: true });
        if (recent === null) return;
        const file = recent.file as { file_id?: unknown; name?: unknown } | null;
        if (file === null || typeof file?.file_id !== 'string') {
          ctx.speakDialog('no_recording');
          return;
        }
        const name = typeof file.name === 'string' ? file.name : '';
        const submitted = await ask(ctx, 'hive.job.submit', {
          kind: 'transcribe',
          params: {},
          files: [file.file_id],
        });
        const job = jobOf(submitted?.job);
        if (job === null) return;
        const waited = await ask(
          ctx,
          'hive.job.wait',
          { id: job.id, timeout_ms: TRANSCRIBE_WAIT_MS },
          TRANSCRIBE_WAIT_MS + 2000,
        );
        const now = jobOf(waited?.job);
        if (now === null) return;
        if (now.state === 'done') {
          const text = transcript(now) ?? '';
          if (text === '') ctx.speakDialog('transcribed_silent', { name });
          else ctx.speakDialog('transcribed', { name, text });
        } else if (now.state === 'failed' || now.state === 'cancelled') speakStatus(ctx, now);
        else ctx.speakDialog('transcribing', { name });
      },
    },
    {
      name: 'status.intent',
      handler: async (ctx) => {
        const answer = await ask(ctx, 'hive.job.list', { limit: 20 });
        if (answer === null) return;
        const jobs = (Array.isArray(answer.jobs) ? answer.jobs : []).map(jobOf).filter((j) => j !== null);
        // The newest job still queued or running, else the newest one (the list is newest first).
        const job = jobs.find((j) => j.state === 'running' || j.state === 'queued') ?? jobs[0];
        if (job === undefined) ctx.speakDialog('no_jobs');
        else speakStatus(ctx, job);
      },
    },
    {
      name: 'cancel.intent',
      handler: async (ctx) => {
        const answer = await ask(ctx, 'hive.job.cancel', {});
        const job = jobOf(answer?.job);
        if (job !== null) ctx.speakDialog('cancelled', { kind: kindName(ctx, job.kind) });
      },
    },
  ],
});
