/**
 * Jobs in the SDK (issue 15, docs/PROTOCOL.md "Files and jobs"): {@link JobClient.submit} sends the input files (a
 * path, bytes, or `{fileId}` of a file already on the hub), submits `hive.job.submit {kind, params, files}` and
 * returns a {@link JobHandle}: progress events (`hive.job.progress`, in order), `result()` once it ends, `cancel()`,
 * `saveOutputs(dir)`. The hub tells every open connection of the owner, so a handle keeps working across a
 * reconnect: on every open it asks the job's state again (`hive.job.get`) in case it ended meanwhile, and
 * {@link JobClient.attach} makes a handle for a job submitted earlier (another process, another connection).
 * Browser-safe.
 *
 * @module
 */
import type { MessageData } from '../bus/types.js';
import { ERROR_CODES, type ErrorCode, HiveLinkError } from '../errors.js';
import { JobMsg } from '../protocol/files.js';
import type { FileSource, FileTransfers } from './files.js';
import { Listeners } from './listeners.js';
import type { SealedHost } from './sealed.js';
import type { ClientState } from './types.js';

/** A job as the hub reports it. */
export interface JobInfo {
  readonly id: string;
  readonly kind: string;
  readonly state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  readonly progress: number;
  readonly message: string;
  readonly params: Record<string, unknown>;
  readonly inputs: readonly string[];
  readonly result: unknown;
  readonly outputs: readonly {
    file_id: string;
    name: string;
    size: number;
    sha256: string;
    mime: string | null;
  }[];
  readonly error: { code: string; message: string } | null;
  readonly created_at: number;
  readonly started_at: number | null;
  readonly finished_at: number | null;
}

/** An input of {@link JobClient.submit}: a path (Node), bytes, a source, or a file already on the hub. */
export type JobFile = string | Uint8Array | FileSource | { readonly fileId: string };

/** How long a job request waits for the hub. */
export const JOB_REQUEST_TIMEOUT_MS = 15_000;

/** Jobs whose early reports are kept. */
const EARLY_JOBS = 64;

const FINAL: ReadonlySet<string> = new Set(['done', 'failed', 'cancelled']);

/** What the jobs need of a {@link HiveClient}. */
export interface JobsHost extends SealedHost {
  readonly state: ClientState;
  onState(listener: (state: ClientState) => void): () => void;
  readonly files: FileTransfers;
}

function jobOf(data: Record<string, unknown>): JobInfo {
  return data.job as JobInfo;
}

/** The error a failed or cancelled job's `result()` rejects with. */
function jobError(job: JobInfo): HiveLinkError {
  if (job.state === 'cancelled')
    return new HiveLinkError('HL_ERR_JOB_CANCELLED', `job ${job.id} was cancelled`);
  const code = job.error?.code ?? 'HL_ERR_JOB_FAILED';
  return new HiveLinkError(
    (code in ERROR_CODES ? code : 'HL_ERR_JOB_FAILED') as ErrorCode,
    job.error?.message ?? `job ${job.id} failed`,
  );
}

/** One job of this client; see the module documentation. */
export class JobHandle {
  readonly id: string;
  #job: JobInfo;
  readonly #client: JobClient;
  readonly #progress = new Listeners<JobInfo>();
  readonly #done = new Listeners<JobInfo>();
  readonly #ended: Promise<JobInfo>;
  #resolve: (job: JobInfo) => void = () => undefined;

  constructor(client: JobClient, job: JobInfo) {
    this.id = job.id;
    this.#job = job;
    this.#client = client;
    this.#ended = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    if (FINAL.has(job.state)) this.#resolve(job);
  }

  /** The latest state the hub reported. */
  get job(): JobInfo {
    return this.#job;
  }

  /** Calls `listener` on every progress report (and state change), in order; returns an unsubscribe function. */
  on(event: 'progress' | 'done', listener: (job: JobInfo) => void): () => void {
    return (event === 'done' ? this.#done : this.#progress).add(listener);
  }

  /**
   * Resolves with the job once it is done.
   * @throws HiveLinkError the job's error code when it failed (`HL_ERR_JOB_TIMEOUT`, `HL_ERR_JOB_MEMORY`,
   *   `HL_ERR_JOB_FAILED`, `HL_ERR_JOB_INTERRUPTED`, …), `HL_ERR_JOB_CANCELLED` when it was cancelled
   */
  async result(): Promise<JobInfo> {
    const job = await this.#ended;
    if (job.state !== 'done') throw jobError(job);
    return job;
  }

  /** The job once it ended, whatever the end (never throws for a failed job). */
  ended(): Promise<JobInfo> {
    return this.#ended;
  }

  /** Asks the hub to cancel it; resolves with what the hub answered. @throws HiveLinkError `HL_ERR_JOB_FINISHED` */
  async cancel(): Promise<JobInfo> {
    const job = jobOf(await this.#client.ask(JobMsg.CANCEL, { id: this.id }));
    this.update(job, false);
    return job;
  }

  /** Its log lines. */
  async logs(): Promise<string[]> {
    const d = await this.#client.ask(JobMsg.LOGS, { id: this.id });
    return Array.isArray(d.lines) ? d.lines.map(String) : [];
  }

  /**
   * Fetches each output file into `dir` (Node: `save(name)` gives the path) or returns their bytes.
   * @throws HiveLinkError as {@link FileTransfers.download}
   */
  async saveOutputs(
    save?: (name: string) => string,
  ): Promise<{ name: string; path: string | null; bytes: Uint8Array | null }[]> {
    const out: { name: string; path: string | null; bytes: Uint8Array | null }[] = [];
    for (const o of this.#job.outputs) {
      const path = save?.(o.name) ?? null;
      const got = await this.#client.files.download(o.file_id, path === null ? {} : { to: path });
      out.push({ name: o.name, path, bytes: got.bytes });
    }
    return out;
  }

  /** @internal the client's dispatch: a report from the hub. */
  update(job: JobInfo, event: boolean): void {
    if (FINAL.has(this.#job.state)) return;
    this.#job = job;
    if (event || FINAL.has(job.state)) this.#progress.emit(job);
    if (FINAL.has(job.state)) {
      this.#done.emit(job);
      this.#resolve(job);
      this.#client.forget(this.id);
    }
  }
}

/** The job side of one client; see the module documentation. */
export class JobClient {
  readonly #host: JobsHost;
  readonly #handles = new Map<string, JobHandle>();
  /** Reports of jobs no handle knows yet (one may come before the submit's answer is read), the latest few. */
  readonly #early = new Map<string, JobInfo[]>();

  constructor(host: JobsHost) {
    this.#host = host;
    const report = (m: MessageData) => {
      const job = m.data?.job as JobInfo | undefined;
      if (job === undefined) return;
      const handle = this.#handles.get(job.id);
      if (handle !== undefined) return handle.update(job, true);
      this.#early.set(job.id, [...(this.#early.get(job.id) ?? []), job]);
      if (this.#early.size > EARLY_JOBS) this.#early.delete(this.#early.keys().next().value!);
    };
    host.onBus(JobMsg.PROGRESS, report);
    host.onBus(JobMsg.DONE, report);
    // Reattach: after a reconnect, each live handle asks where its job stands (it may have ended meanwhile).
    host.onState((s) => {
      if (s.type !== 'open') return;
      for (const handle of this.#handles.values()) {
        this.ask(JobMsg.GET, { id: handle.id }).then(
          (d) => handle.update(jobOf(d), false),
          () => undefined,
        );
      }
    });
  }

  /** The client's files (outputs are fetched with it). */
  get files(): FileTransfers {
    return this.#host.files;
  }

  /** @internal */
  ask(type: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.#host.request(type, data, { timeoutMs: JOB_REQUEST_TIMEOUT_MS });
  }

  /** @internal a handle whose job ended */
  forget(id: string): void {
    this.#handles.delete(id);
  }

  /**
   * Sends the files, submits the job and returns its handle.
   * @throws HiveLinkError `HL_ERR_JOB_UNKNOWN_KIND`, `HL_ERR_JOB_BAD_PARAMS`, `HL_ERR_JOB_QUEUE_FULL`, a file's
   *   refusal, `HL_ERR_POLICY_DENIED`
   */
  async submit(
    kind: string,
    params: Record<string, unknown> = {},
    options: { files?: readonly JobFile[] } = {},
  ): Promise<JobHandle> {
    const ids: string[] = [];
    for (const f of options.files ?? []) {
      if (typeof f === 'object' && 'fileId' in f) ids.push(f.fileId);
      else ids.push((await this.#host.files.send(f)).fileId);
    }
    const job = jobOf(await this.ask(JobMsg.SUBMIT, { kind, params, files: ids }));
    return this.#handle(job);
  }

  /** A handle for a job of this client submitted earlier. @throws HiveLinkError `HL_ERR_JOB_NOT_FOUND` */
  async attach(id: string): Promise<JobHandle> {
    return this.#handle(jobOf(await this.ask(JobMsg.GET, { id })));
  }

  /** This client's jobs, newest first. */
  async list(limit?: number): Promise<JobInfo[]> {
    const d = await this.ask(JobMsg.LIST, limit === undefined ? {} : { limit });
    return Array.isArray(d.jobs) ? (d.jobs as JobInfo[]) : [];
  }

  #handle(job: JobInfo): JobHandle {
    const known = this.#handles.get(job.id);
    if (known !== undefined) return known;
    const handle = new JobHandle(this, job);
    if (!FINAL.has(job.state)) this.#handles.set(job.id, handle);
    const early = this.#early.get(job.id) ?? [];
    this.#early.delete(job.id);
    // Deliver them once the caller had a chance to listen (after the turn that hands it the handle).
    if (early.length > 0) {
      globalThis.setTimeout(() => {
        for (const report of early) handle.update(report, true);
      }, 0);
    }
    return handle;
  }
}
