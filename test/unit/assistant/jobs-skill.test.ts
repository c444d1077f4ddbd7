/**
 * Jobs by voice (issue 15): the skill turns "transcribe the file I just sent", "how is my job doing" and "cancel my
 * job" into the job service's requests (in the turn's context, so the hub knows who asks) and words the answers; it
 * keeps nothing itself. The hub's job service is a stand-in here that keeps one client's jobs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jobsSkill } from '../../../src/assistant/skills/jobs/index.js';
import { response } from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import { assertReplies, type Harness, PEER, spoken, startHarness } from './harness.js';

interface FakeJob {
  id: string;
  kind: string;
  state: string;
  progress: number;
  message: string;
  result: unknown;
  error: { code: string; message: string } | null;
}

/** A stand-in job service: `jobs` newest first, `files` the client's uploads, and what `transcribe` ends as. */
interface Service {
  jobs: FakeJob[];
  files: { file_id: string; name: string }[];
  /** What a submitted transcribe job is once waited on. */
  transcribed: Partial<FakeJob>;
  requests: MessageData[];
  /** Every request refused with this reason. */
  refuse?: string;
}

const TYPES = ['recent_file', 'submit', 'wait', 'list', 'cancel'];

function answer(s: Service, m: MessageData): Record<string, unknown> {
  if (s.refuse !== undefined) return { ok: false, code: 'HL_ERR_JOB_QUEUE_FULL', error: s.refuse };
  switch (m.type) {
    case 'hive.job.recent_file':
      return { ok: true, file: s.files[0] ?? null };
    case 'hive.job.submit': {
      const job: FakeJob = {
        id: `job-${s.jobs.length + 1}`,
        kind: String(m.data.kind),
        state: 'queued',
        progress: 0,
        message: '',
        result: null,
        error: null,
      };
      s.jobs.unshift(job);
      return { ok: true, job };
    }
    case 'hive.job.wait': {
      const job = s.jobs.find((j) => j.id === m.data.id)!;
      Object.assign(job, s.transcribed);
      return { ok: true, job, ended: job.state !== 'queued' && job.state !== 'running' };
    }
    case 'hive.job.list':
      return { ok: true, jobs: s.jobs };
    case 'hive.job.cancel': {
      const job = s.jobs.find((j) => j.state === 'queued' || j.state === 'running');
      if (job === undefined) {
        return { ok: false, code: 'HL_ERR_JOB_NOT_FOUND', error: 'this client has no job queued or running' };
      }
      job.state = 'cancelled';
      return { ok: true, job };
    }
    default:
      return { ok: false, code: 'HL_ERR_INVALID_ARGUMENT', error: m.type };
  }
}

async function withService(
  init: Partial<Service>,
  body: (h: Harness, s: Service) => Promise<void>,
): Promise<void> {
  const h = await startHarness({ skills: [jobsSkill] });
  const s: Service = { jobs: [], files: [], transcribed: {}, requests: [], ...init };
  for (const type of TYPES) {
    h.bus.on(`hive.job.${type}`, (m) => {
      s.requests.push(m);
      h.bus.emit(response(m, answer(s, m)));
    });
  }
  try {
    await body(h, s);
  } finally {
    h.close();
  }
}

function job(over: Partial<FakeJob>): FakeJob {
  return {
    id: 'j1',
    kind: 'transcribe',
    state: 'running',
    progress: 0,
    message: '',
    result: null,
    error: null,
    ...over,
  };
}

describe('jobs skill', () => {
  it('transcribes the newest recording the client sent and says its words', async () => {
    await withService(
      {
        files: [{ file_id: 'f-2', name: 'note.wav' }],
        transcribed: { state: 'done', progress: 100, result: { text: 'turn on the lights' } },
      },
      async (h, s) => {
        await assertReplies(h, 'transcribe the file I just sent', 'note.wav says: turn on the lights');
        assert.deepEqual(
          s.requests.map((m) => m.type),
          ['hive.job.recent_file', 'hive.job.submit', 'hive.job.wait'],
        );
        assert.deepEqual(s.requests[0]!.data, { audio: true });
        assert.deepEqual(s.requests[1]!.data, { kind: 'transcribe', params: {}, files: ['f-2'] });
        assert.equal(s.requests[2]!.data.id, 'job-1');
        for (const m of s.requests) assert.equal(m.context.peer, PEER, 'the hub-set peer names who asked');
      },
    );
  });

  it('says the job runs on when it is not done within the wait, and that there is nothing to transcribe', async () => {
    await withService(
      { files: [{ file_id: 'f-1', name: 'long.wav' }], transcribed: { state: 'running', progress: 30 } },
      async (h) => {
        await assertReplies(
          h,
          'transcribe my last recording',
          'I am transcribing long.wav. Ask me how your job is doing in a moment.',
        );
        await assertReplies(h, 'how is my job doing', 'Your transcription job is 30 percent done.');
      },
    );
    await withService({}, async (h, s) => {
      await assertReplies(
        h,
        'transcribe the recording I just sent',
        'You have not sent me a recording yet. Send a WAV file first.',
      );
      assert.deepEqual(
        s.requests.map((m) => m.type),
        ['hive.job.recent_file'],
      );
    });
  });

  it('says how the newest live job is doing, else how the newest one ended', async () => {
    await withService({}, async (h, s) => {
      await assertReplies(h, 'how is my job doing', 'You have no jobs.');
      s.jobs = [
        job({ id: 'old', kind: 'speak', state: 'done', progress: 100 }),
        job({ id: 'live', kind: 'image', state: 'running', progress: 42.4, message: 'resizing' }),
      ];
      await assertReplies(h, 'what is my job doing', 'Your image job is 42 percent done: resizing.');
      s.jobs = [job({ kind: 'archive', state: 'queued' })];
      await assertReplies(h, "what's the status of my job", 'Your archive job is waiting to start.');
      s.jobs = [job({ state: 'done', progress: 100, result: { text: 'hello world' } })];
      await assertReplies(h, 'is my job done yet', 'Your transcription job is done. It says: hello world');
      s.jobs = [job({ kind: 'shout', state: 'done', progress: 100 })];
      await assertReplies(h, 'how is my task going', 'Your shout job is done.');
      s.jobs = [
        job({
          kind: 'speak',
          state: 'failed',
          error: { code: 'HL_ERR_JOB_INTERRUPTED', message: 'the hub restarted while the job ran' },
        }),
      ];
      await assertReplies(
        h,
        'how are my jobs doing',
        'Your speech job failed: the hub restarted while the job ran',
      );
    });
  });

  it('cancels the newest live job, and says when there is none', async () => {
    await withService({ jobs: [job({ kind: 'image', state: 'running', progress: 10 })] }, async (h, s) => {
      await assertReplies(h, 'cancel my job', 'I have cancelled your image job.');
      assert.deepEqual(s.requests.at(-1)!.data, {});
      await assertReplies(h, 'stop my job', 'You have no job waiting or running to cancel.');
      await assertReplies(h, 'how is my job doing', 'Your image job was cancelled.');
    });
  });

  it('words a refusal of the hub', async () => {
    await withService({ refuse: 'too many jobs queued' }, async (h) => {
      await assertReplies(h, 'transcribe the audio', 'Sorry, that did not work: too many jobs queued');
    });
  });

  it('answers in Portuguese and Spanish', async () => {
    await withService(
      {
        files: [{ file_id: 'f-1', name: 'nota.wav' }],
        transcribed: { state: 'done', progress: 100, result: { text: 'hello' } },
      },
      async (h, s) => {
        const say = async (text: string, lang: string) => {
          return spoken(await h.say(text, { lang, sessionId: `s-${lang}-${text.length}` })).join(' ');
        };
        assert.equal(await say('Transcreve o ficheiro que acabei de enviar', 'pt-PT'), 'nota.wav diz: hello');
        assert.equal(
          await say('Como vai o meu trabalho?', 'pt-BR'),
          'O seu trabalho de transcrição está feito. Diz: hello',
        );
        assert.equal(await say('Transcribe el archivo que te acabo de enviar', 'es'), 'nota.wav dice: hello');
        s.jobs[0]!.state = 'running';
        s.jobs[0]!.progress = 50;
        assert.equal(
          await say('¿Cómo va mi trabajo?', 'es-MX'),
          'Tu trabajo de transcripción va por el 50 por ciento.',
        );
        assert.equal(await say('Cancela mi trabajo', 'es'), 'He cancelado tu trabajo de transcripción.');
        assert.equal(
          await say('Cancela o meu trabalho', 'pt'),
          'Não tem nenhum trabalho à espera ou a correr para cancelar.',
        );
      },
    );
  });
});
