/**
 * Jobs on the hub (issue 15, docs/PROTOCOL.md "Files and jobs"): a client submits `hive.job.submit {kind, params,
 * files}` (on the agent bus, so the assistant's skills ask the same requests), the hub checks the kind, its
 * parameters and that the input files are the client's, stores the job `queued` and runs it when the kind's and the
 * client's concurrency allow (`jobConcurrency`, `jobConcurrencyPerClient`), each in a worker thread of its own
 * (`worker.ts`) with a heap limit and every child process under an address-space limit (`jobMaxMemoryBytes`) and a
 * time limit (`jobTimeoutMs`). Progress and the end go to the owner's open connections as `hive.job.progress` and
 * `hive.job.done`, and to in-process listeners (REST's server-sent events). Output files become the owner's files.
 * A hub that stops leaves its running jobs `running` in the store; the next start re-queues them or fails them
 * (`HL_ERR_JOB_INTERRUPTED`), as their kind says.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { response } from '../../bus/message.js';
import type { MessageBus, MessageData } from '../../bus/types.js';
import { ERROR_CODES, type ErrorCode, HiveLinkError, isHiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import { JobMsg } from '../../protocol/files.js';
import type { JsonObject, JsonValue } from '../../protocol/json.js';
import type { HubFileRecord, HubFileStore } from '../../store/hub-files.js';
import { FINAL_JOB_STATES, type JobRecord, type JobStore } from '../../store/jobs.js';
import type { ClientRecord } from '../../store/types.js';
import { type FileService, fileJson } from '../files/service.js';
import { openConnections } from '../house/speak.js';
import type { HubService } from '../hub.js';
import type { PeerRegistry } from '../peers.js';
import { answerOf, hubBusMessage } from '../replies.js';
import type { JobDefinition, JobInput } from './define.js';
import type { JobHubMessage, JobWorkerData, JobWorkerMessage } from './worker.js';

/** `.ts` under tsx (tests, `npm run bench`), `.js` when built: the worker and the built-in kinds load the same way. */
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const WORKER_URL = new URL(`./worker${EXT}`, import.meta.url);
/** From source (tests): the worker registers tsx's loader, then imports the TypeScript worker. */
const TS_BOOTSTRAP = `(async () => {
  const { register } = await import('tsx/esm/api');
  register();
  await import(${JSON.stringify(WORKER_URL.href)});
})();`;
/** The built-in kinds, by module. */
export const BUILT_IN_KINDS: readonly string[] = ['speak', 'transcribe', 'image', 'archive'];
/** How long a cancelled job's worker may take to stop before it is terminated. */
const CANCEL_GRACE_MS = 1000;
/** How often finished jobs past their expiry are removed. */
const PURGE_INTERVAL_MS = 3_600_000;

/**
 * `{id, timeout_ms?}` → `{job, ended}`: answered once the asker's job `id` has ended, or after `timeout_ms` (at most
 * {@link MAX_WAIT_MS}) with the job as it is then. The voice skill waits on it to say a short job's result.
 */
export const JOB_WAIT_TYPE = 'hive.job.wait';
/**
 * `{audio?: boolean}` → `{file}`: the newest whole file the asker sent the hub (with `audio`, the newest WAV by its
 * MIME type or name), or `file: null`: "transcribe the file I just sent".
 */
export const JOB_RECENT_FILE_TYPE = 'hive.job.recent_file';
/** Longest {@link JOB_WAIT_TYPE} wait. */
export const MAX_WAIT_MS = 60_000;

/** True when a file looks like a WAV recording (its MIME type, else its name). */
export function isWavFile(file: Pick<HubFileRecord, 'name' | 'mime'>): boolean {
  if (file.mime !== null && /^audio\/(?:x-)?(?:wav|wave|vnd\.wave)$/i.test(file.mime)) return true;
  return /\.wave?$/i.test(file.name);
}

/** A job as requests and events answer it. */
export interface JobJson extends JsonObject {
  id: string;
  kind: string;
  state: string;
  progress: number;
  message: string;
  params: JsonObject;
  inputs: string[];
  result: JsonValue;
  outputs: JsonObject[];
  error: JsonObject | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

interface Running {
  readonly job: JobRecord;
  readonly worker: Worker;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly outputs: { name: string; path: string; mime: string | null }[];
  /** Why it is being stopped (cancel, time limit), once it is. */
  ending: { state: 'cancelled' | 'failed'; code: ErrorCode | null; error: string } | null;
  logs: string[];
  finished: boolean;
}

/** An event of one job, for in-process listeners (REST's server-sent events). */
export interface JobEvent {
  readonly type: 'progress' | 'done';
  readonly job: JobJson;
}

export interface JobServiceInit {
  bus: MessageBus;
  peers: PeerRegistry;
  /** The jobs, and the files whose newest upload {@link JOB_RECENT_FILE_TYPE} answers (none: it answers null). */
  store: { jobs: JobStore; files?: Pick<HubFileStore, 'listFor'> };
  files: Pick<FileService, 'readable' | 'adopt' | 'pathOf'>;
  fileRecord: (id: string) => Promise<HubFileRecord | null>;
  dataDir: string;
  limits: Pick<
    Limits,
    | 'jobConcurrency'
    | 'jobConcurrencyPerClient'
    | 'maxQueuedJobsPerClient'
    | 'jobTimeoutMs'
    | 'jobMaxMemoryBytes'
    | 'fileExpiryMs'
  >;
  logger: Logger;
  /** Modules of more job kinds (their default export is a {@link defineJob}), registered before the first start. */
  kinds?: readonly (string | URL)[];
  /** @default Date.now */
  now?: () => number;
}

function failure(code: ErrorCode, message: string): HiveLinkError {
  return new HiveLinkError(code, message);
}

/** The job service of one hub; see the module documentation. */
export class JobService implements HubService {
  readonly #init: JobServiceInit;
  readonly #kinds = new Map<string, { definition: JobDefinition; moduleUrl: string }>();
  readonly #running = new Map<string, Running>();
  readonly #registered = new Set<string>();
  readonly #listeners = new Set<(event: JobEvent) => void>();
  readonly #offs: (() => void)[] = [];
  readonly #workDir: string;
  readonly #now: () => number;
  #scheduling: Promise<void> = Promise.resolve();
  #purgeTimer: ReturnType<typeof setInterval> | null = null;
  #state: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(init: JobServiceInit) {
    this.#init = init;
    this.#workDir = join(init.dataDir, 'jobs');
    this.#now = init.now ?? Date.now;
  }

  /**
   * Registers the job kind the module at `moduleUrl` defines (its default export, {@link defineJob}); the worker
   * imports the same module to run it.
   * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` when it defines no job or its kind is taken
   */
  async register(moduleUrl: string | URL): Promise<string> {
    const url = String(moduleUrl);
    const module = (await import(url)) as { default?: JobDefinition };
    const definition = module.default;
    if (definition === undefined || typeof definition.run !== 'function') {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        `${url} has no job definition as its default export`,
      );
    }
    if (this.#kinds.has(definition.kind)) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `job kind ${definition.kind} is registered already`);
    }
    this.#kinds.set(definition.kind, { definition, moduleUrl: url });
    this.#registered.add(url);
    return definition.kind;
  }

  /** The kinds registered. */
  get kinds(): string[] {
    return [...this.#kinds.keys()];
  }

  /** Jobs running now (tests, metrics). */
  get runningCount(): number {
    return this.#running.size;
  }

  /** Calls `listener` with every job's progress and end; returns the unsubscribe. */
  onEvent(listener: (event: JobEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    for (const kind of BUILT_IN_KINDS) {
      if (!this.#kinds.has(kind)) await this.register(new URL(`./kinds/${kind}${EXT}`, import.meta.url));
    }
    for (const url of this.#init.kinds ?? []) {
      if (!this.#registered.has(String(url))) await this.register(url);
    }
    mkdirSync(this.#workDir, { recursive: true, mode: 0o700 });
    this.#state = 'running';
    const { jobs } = this.#init.store;
    // Running when the last hub stopped: run again or failed by the restart, as the kind says.
    for (const job of await jobs.inState('running')) {
      const policy = this.#kinds.get(job.kind)?.definition.onRestart ?? 'fail';
      if (policy === 'requeue') await jobs.requeue(job.id);
      else {
        await jobs.finish(
          job.id,
          {
            state: 'failed',
            errorCode: 'HL_ERR_JOB_INTERRUPTED',
            error: 'the hub restarted while the job ran',
          },
          this.#now(),
        );
      }
      await rm(join(this.#workDir, job.id), { recursive: true, force: true });
    }
    const types = [JobMsg.SUBMIT, JobMsg.GET, JobMsg.LIST, JobMsg.CANCEL, JobMsg.LOGS];
    for (const type of [...types, JOB_WAIT_TYPE, JOB_RECENT_FILE_TYPE]) {
      this.#offs.push(this.#init.bus.on(type, (m) => void this.#request(m), { shared: true }));
    }
    this.#purgeTimer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    this.#purgeTimer.unref();
    this.#schedule();
    await this.#scheduling;
  }

  /** Stops the workers; their jobs stay `running` in the store, for the next start to settle by their kind. */
  async stop(): Promise<void> {
    this.#state = 'stopped';
    for (const off of this.#offs.splice(0)) off();
    if (this.#purgeTimer !== null) clearInterval(this.#purgeTimer);
    await this.#scheduling.catch(() => undefined);
    const stopping = [...this.#running.values()].map(async (run) => {
      run.finished = true;
      clearTimeout(run.timer);
      await run.worker.terminate();
    });
    await Promise.all(stopping);
    this.#running.clear();
  }

  /** Removes the jobs that ended more than `fileExpiryMs` ago. */
  async purge(): Promise<number> {
    try {
      const removed = await this.#init.store.jobs.removeFinishedBefore(
        this.#now() - this.#init.limits.fileExpiryMs,
      );
      return removed.length;
    } catch (err) {
      this.#init.logger.warn({ err }, 'could not purge old jobs');
      return 0;
    }
  }

  // -- what clients (and REST, and skills) ask

  /**
   * Queues a job of `client`.
   * @throws HiveLinkError `HL_ERR_JOB_UNKNOWN_KIND`, `HL_ERR_JOB_BAD_PARAMS`, `HL_ERR_FILE_UNKNOWN` (an input that is
   *   not the client's), `HL_ERR_JOB_QUEUE_FULL`
   */
  async submit(client: ClientRecord, kind: unknown, params: unknown, files: unknown): Promise<JobJson> {
    const entry = typeof kind === 'string' ? this.#kinds.get(kind) : undefined;
    if (entry === undefined) {
      throw failure(
        'HL_ERR_JOB_UNKNOWN_KIND',
        `no job kind ${JSON.stringify(kind)} (kinds: ${this.kinds.join(', ')})`,
      );
    }
    const parsed = entry.definition.params.safeParse(params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where =
        issue === undefined || issue.path.length === 0 ? 'params' : `params.${issue.path.join('.')}`;
      throw failure('HL_ERR_JOB_BAD_PARAMS', `${where}: ${issue?.message ?? 'invalid'}`);
    }
    const ids = files === undefined || files === null ? [] : files;
    if (!Array.isArray(ids) || !ids.every((f) => typeof f === 'string')) {
      throw failure('HL_ERR_JOB_BAD_PARAMS', 'files must be a list of file ids');
    }
    const { min = 0, max = 16 } = entry.definition.inputs ?? {};
    if (ids.length < min || ids.length > max) {
      throw failure(
        'HL_ERR_JOB_BAD_PARAMS',
        `a ${kind} job takes ${min === max ? min : `${min} to ${max}`} input files`,
      );
    }
    for (const id of ids) await this.#init.files.readable(id, client.id);
    const job = await this.#init.store.jobs.add(
      {
        id: randomUUID(),
        ownerId: client.id,
        kind: entry.definition.kind,
        params: parsed.data as { [key: string]: JsonValue },
        inputs: ids,
      },
      this.#init.limits.maxQueuedJobsPerClient,
      this.#now(),
    );
    this.#schedule();
    return this.json(job);
  }

  /** @throws HiveLinkError `HL_ERR_JOB_NOT_FOUND` unless `client` owns it */
  async get(client: ClientRecord, id: unknown): Promise<JobRecord> {
    const job = typeof id === 'string' ? await this.#init.store.jobs.get(id) : null;
    if (job === null || job.ownerId !== client.id)
      throw failure('HL_ERR_JOB_NOT_FOUND', `no job ${String(id)} of this client`);
    return job;
  }

  async list(client: ClientRecord, limit = 100): Promise<JobRecord[]> {
    return this.#init.store.jobs.listFor(client.id, limit);
  }

  /**
   * Cancels a job of `client` (without an id: its newest queued or running one).
   * @throws HiveLinkError `HL_ERR_JOB_NOT_FOUND`, `HL_ERR_JOB_FINISHED`
   */
  async cancel(client: ClientRecord, id: unknown): Promise<JobJson> {
    let job: JobRecord | undefined;
    if (id === undefined || id === null) {
      job = (await this.list(client)).find((j) => !FINAL_JOB_STATES.has(j.state));
      if (job === undefined)
        throw failure('HL_ERR_JOB_NOT_FOUND', 'this client has no job queued or running');
    } else job = await this.get(client, id);
    if (FINAL_JOB_STATES.has(job.state))
      throw failure('HL_ERR_JOB_FINISHED', `job ${job.id} is ${job.state} already`);
    const run = this.#running.get(job.id);
    if (run !== undefined) {
      this.#stopRun(run, { state: 'cancelled', code: null, error: 'cancelled by its owner' });
      return this.json(run.job, { state: 'running', message: 'cancelling' });
    }
    const ended = await this.#init.store.jobs.finish(
      job.id,
      { state: 'cancelled', message: 'cancelled' },
      this.#now(),
    );
    if (ended === null) return this.cancel(client, job.id); // it started meanwhile
    await this.#announce(ended, 'done');
    return this.json(ended);
  }

  /**
   * The job `id` of `client` once it has ended, or as it is after `timeoutMs`; `ended` says which.
   * @throws HiveLinkError `HL_ERR_JOB_NOT_FOUND` unless `client` owns it
   */
  async wait(
    client: ClientRecord,
    id: unknown,
    timeoutMs: number,
  ): Promise<{ job: JobJson; ended: boolean }> {
    const job = await this.get(client, id);
    if (FINAL_JOB_STATES.has(job.state)) return { job: await this.json(job), ended: true };
    let off = (): void => undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await new Promise<JobJson | null>((resolve) => {
      off = this.onEvent((event) => {
        if (event.type === 'done' && event.job.id === job.id) resolve(event.job);
      });
      timer = setTimeout(() => resolve(null), Math.max(0, Math.min(timeoutMs, MAX_WAIT_MS)));
      timer.unref();
      // It may have ended between the read and the listener.
      void this.#init.store.jobs.get(job.id).then(async (now) => {
        if (now !== null && FINAL_JOB_STATES.has(now.state)) resolve(await this.json(now));
      });
    }).finally(() => {
      off();
      clearTimeout(timer);
    });
    if (ended !== null) return { job: ended, ended: true };
    return { job: await this.json(await this.get(client, job.id)), ended: false };
  }

  /** The newest whole file `client` sent (with `audio`, the newest WAV), or null. */
  async recentFile(client: ClientRecord, audio: boolean): Promise<HubFileRecord | null> {
    const files = (await this.#init.store.files?.listFor(client.id)) ?? [];
    const sent = files.filter(
      (f) =>
        f.ownerId === client.id && f.state === 'complete' && f.origin !== 'job' && (!audio || isWavFile(f)),
    );
    return sent.reduce<HubFileRecord | null>(
      (a, f) => (a === null || f.createdAt > a.createdAt ? f : a),
      null,
    );
  }

  /** A job as the wire shows it, its outputs with their file records. */
  async json(job: JobRecord, over: Partial<Pick<JobRecord, 'state' | 'message'>> = {}): Promise<JobJson> {
    const outputs: JsonObject[] = [];
    for (const id of job.outputs) {
      const record = await this.#init.fileRecord(id).catch(() => null);
      if (record !== null) outputs.push(fileJson(record));
    }
    return {
      id: job.id,
      kind: job.kind,
      state: over.state ?? job.state,
      progress: job.progress,
      message: over.message ?? job.message,
      params: job.params as JsonObject,
      inputs: [...job.inputs],
      result: job.result,
      outputs,
      error: job.errorCode === null ? null : { code: job.errorCode, message: job.error ?? '' },
      created_at: job.createdAt,
      started_at: job.startedAt,
      finished_at: job.finishedAt,
    };
  }

  async #request(message: MessageData): Promise<void> {
    if (this.#state !== 'running') return;
    const data = await answerOf(
      () => this.#handle(message),
      this.#init.logger,
      `job request ${message.type}`,
    );
    try {
      this.#init.bus.emit(response(message, data));
    } catch (err) {
      this.#init.logger.warn({ err, type: message.type }, 'could not answer a job request');
    }
  }

  async #handle(message: MessageData): Promise<JsonObject> {
    const peer = message.context?.peer;
    const conn = typeof peer === 'string' ? this.#init.peers.get(peer) : undefined;
    if (conn === undefined) throw failure('HL_ERR_NOT_FOUND', 'a job request needs the connection that asks');
    const client = conn.record;
    const d = (message.data ?? {}) as JsonObject;
    switch (message.type) {
      case JobMsg.SUBMIT:
        return { job: await this.submit(client, d.kind, d.params, d.files) };
      case JobMsg.GET:
        return { job: await this.json(await this.get(client, d.id)) };
      case JobMsg.LIST: {
        const limit = typeof d.limit === 'number' && d.limit > 0 ? Math.min(d.limit, 500) : 100;
        const jobs = await this.list(client, limit);
        return { jobs: await Promise.all(jobs.map((j) => this.json(j))) };
      }
      case JobMsg.CANCEL:
        return { job: await this.cancel(client, d.id) };
      case JobMsg.LOGS: {
        const job = await this.get(client, d.id);
        return { id: job.id, lines: [...job.log] };
      }
      case JOB_WAIT_TYPE: {
        const timeoutMs = typeof d.timeout_ms === 'number' ? d.timeout_ms : MAX_WAIT_MS;
        return await this.wait(client, d.id, timeoutMs);
      }
      case JOB_RECENT_FILE_TYPE: {
        const file = await this.recentFile(client, d.audio === true);
        return { file: file === null ? null : fileJson(file) };
      }
      default:
        throw failure('HL_ERR_INVALID_ARGUMENT', `unknown job request ${message.type}`);
    }
  }

  // -- running

  /** Starts what may start now (one pass at a time). */
  #schedule(): void {
    this.#scheduling = this.#scheduling
      .then(() => this.#schedulePass())
      .catch((err) => this.#init.logger.warn({ err }, 'job scheduling failed'));
  }

  async #schedulePass(): Promise<void> {
    if (this.#state !== 'running') return;
    const { jobConcurrency, jobConcurrencyPerClient } = this.#init.limits;
    const byKind = new Map<string, number>();
    const byClient = new Map<number, number>();
    for (const run of this.#running.values()) {
      byKind.set(run.job.kind, (byKind.get(run.job.kind) ?? 0) + 1);
      byClient.set(run.job.ownerId, (byClient.get(run.job.ownerId) ?? 0) + 1);
    }
    for (const job of await this.#init.store.jobs.inState('queued')) {
      if ((byKind.get(job.kind) ?? 0) >= jobConcurrency) continue;
      if ((byClient.get(job.ownerId) ?? 0) >= jobConcurrencyPerClient) continue;
      const entry = this.#kinds.get(job.kind);
      if (entry === undefined) {
        await this.#init.store.jobs.finish(
          job.id,
          {
            state: 'failed',
            errorCode: 'HL_ERR_JOB_UNKNOWN_KIND',
            error: `no job kind ${job.kind} on this hub`,
          },
          this.#now(),
        );
        continue;
      }
      if (!(await this.#init.store.jobs.start(job.id, this.#now()))) continue;
      byKind.set(job.kind, (byKind.get(job.kind) ?? 0) + 1);
      byClient.set(job.ownerId, (byClient.get(job.ownerId) ?? 0) + 1);
      const started = (await this.#init.store.jobs.get(job.id)) ?? job;
      await this.#run(started, entry.moduleUrl);
    }
  }

  async #run(job: JobRecord, moduleUrl: string): Promise<void> {
    const inputs: JobInput[] = [];
    try {
      for (const id of job.inputs) {
        const record = await this.#init.files.readable(id, job.ownerId);
        inputs.push({
          fileId: id,
          name: record.name,
          path: this.#init.files.pathOf(id),
          size: record.size,
          mime: record.mime,
        });
      }
    } catch (err) {
      const e = isHiveLinkError(err) ? err : failure('HL_ERR_FILE_UNKNOWN', 'an input file is gone');
      await this.#end(job, { state: 'failed', errorCode: e.code, error: e.message });
      return;
    }
    const workDir = join(this.#workDir, job.id);
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    const { jobMaxMemoryBytes, jobTimeoutMs } = this.#init.limits;
    const data: JobWorkerData = {
      moduleUrl: moduleUrl.startsWith('file:') ? moduleUrl : pathToFileURL(moduleUrl).href,
      jobId: job.id,
      params: job.params,
      inputs,
      workDir,
      memoryBytes: jobMaxMemoryBytes,
    };
    const worker = new Worker(EXT === '.ts' ? TS_BOOTSTRAP : WORKER_URL, {
      eval: EXT === '.ts',
      workerData: data,
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: Math.max(16, Math.floor(jobMaxMemoryBytes / (1024 * 1024))) },
      stdout: false,
      stderr: false,
    });
    const run: Running = {
      job,
      worker,
      outputs: [],
      ending: null,
      logs: [],
      finished: false,
      timer: setTimeout(
        () =>
          this.#stopRun(run, {
            state: 'failed',
            code: 'HL_ERR_JOB_TIMEOUT',
            error: `ran longer than jobTimeoutMs ${jobTimeoutMs} ms`,
          }),
        jobTimeoutMs,
      ),
    };
    this.#running.set(job.id, run);
    await this.#announce(job, 'progress');
    worker.on('message', (m: JobWorkerMessage) => void this.#message(run, m));
    worker.on('error', (err: Error & { code?: string }) => {
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      void this.#settle(run, {
        state: 'failed',
        errorCode: memory ? 'HL_ERR_JOB_MEMORY' : 'HL_ERR_JOB_FAILED',
        error: memory ? `needed more than jobMaxMemoryBytes ${jobMaxMemoryBytes}` : err.message,
      });
    });
    worker.on('exit', () => {
      if (run.ending !== null) {
        void this.#settle(run, {
          state: run.ending.state,
          errorCode: run.ending.code,
          error: run.ending.error,
          message: run.ending.error,
        });
      } else
        void this.#settle(run, {
          state: 'failed',
          errorCode: 'HL_ERR_JOB_FAILED',
          error: 'the job stopped without a result',
        });
    });
  }

  async #message(run: Running, m: JobWorkerMessage): Promise<void> {
    if (run.finished) return;
    switch (m.t) {
      case 'progress': {
        const job = { ...run.job, progress: m.percent, message: m.message };
        (run as { job: JobRecord }).job = job;
        const lines = run.logs.splice(0);
        await this.#init.store.jobs.progress(job.id, m.percent, m.message, lines).catch(() => undefined);
        await this.#announce(job, 'progress');
        return;
      }
      case 'log':
        run.logs.push(m.line);
        return;
      case 'output':
        run.outputs.push({ name: m.name, path: m.path, mime: m.mime });
        return;
      case 'done': {
        if (run.ending !== null) return;
        const outputs: string[] = [];
        try {
          for (const o of run.outputs)
            outputs.push((await this.#init.files.adopt(run.job.ownerId, o.path, o.name, o.mime)).id);
        } catch (err) {
          const e = isHiveLinkError(err) ? err : failure('HL_ERR_JOB_FAILED', 'an output could not be kept');
          return this.#settle(run, { state: 'failed', errorCode: e.code, error: e.message, outputs });
        }
        return this.#settle(run, { state: 'done', result: m.result as JsonValue, outputs, message: 'done' });
      }
      case 'fail':
        if (run.ending !== null) return; // the cancel or time limit says why
        return this.#settle(run, {
          state: 'failed',
          errorCode: (m.code in ERROR_CODE_SET ? m.code : 'HL_ERR_JOB_FAILED') as ErrorCode,
          error: m.message,
        });
    }
  }

  /** Cancel or time limit: tell the worker, then terminate it if it does not end within the grace. */
  #stopRun(run: Running, ending: NonNullable<Running['ending']>): void {
    if (run.ending !== null || run.finished) return;
    run.ending = ending;
    run.worker.postMessage({ t: 'cancel' } satisfies JobHubMessage);
    setTimeout(() => void run.worker.terminate(), CANCEL_GRACE_MS).unref();
  }

  async #settle(run: Running, end: Parameters<JobStore['finish']>[1]): Promise<void> {
    if (run.finished) return;
    run.finished = true;
    clearTimeout(run.timer);
    this.#running.delete(run.job.id);
    void run.worker.terminate();
    if (run.logs.length > 0) {
      await this.#init.store.jobs
        .progress(run.job.id, run.job.progress, run.job.message, run.logs)
        .catch(() => undefined);
    }
    await this.#end(run.job, end);
    await rm(join(this.#workDir, run.job.id), { recursive: true, force: true }).catch(() => undefined);
    this.#schedule();
  }

  async #end(job: JobRecord, end: Parameters<JobStore['finish']>[1]): Promise<void> {
    if (this.#state === 'stopped') return;
    const ended = await this.#init.store.jobs.finish(job.id, end, this.#now()).catch((err) => {
      this.#init.logger.warn({ err, job: job.id }, 'could not record the end of a job');
      return null;
    });
    if (ended !== null) await this.#announce(ended, 'done');
  }

  /** Tells the owner's open connections and the listeners. */
  async #announce(job: JobRecord, type: 'progress' | 'done'): Promise<void> {
    const json = await this.json(job);
    for (const conn of openConnections(this.#init.peers, job.ownerId)) {
      conn.send(hubBusMessage(conn.peer, type === 'done' ? JobMsg.DONE : JobMsg.PROGRESS, { job: json }));
    }
    for (const listener of this.#listeners) {
      try {
        listener({ type, job: json });
      } catch (err) {
        this.#init.logger.warn({ err }, 'a job listener failed');
      }
    }
  }
}

const ERROR_CODE_SET: Readonly<Record<string, unknown>> = ERROR_CODES;
