/**
 * What a job kind is (issue 15, docs/PROTOCOL.md "Files and jobs"): `defineJob({kind, params, run})`. The hub checks
 * a submitted job's parameters against `params` (a zod schema) before it queues the job, and runs `run(ctx)` in a
 * worker thread of its own (`worker.ts`), never on the hub's event loop. `ctx` reports progress, writes log lines,
 * tells whether the job was cancelled (`signal`), reads the input files and writes outputs; `ctx.exec` runs a child
 * process under the job's memory limit and kills it when the job is cancelled or runs out of time. What `run`
 * resolves with is the job's result (JSON).
 *
 * A skill or an embedder registers its own kind with `JobService.register(moduleUrl)`: the module's default export
 * is its definition (the worker imports the module itself, so a definition is code, never a closure passed across).
 *
 * @example
 * ```ts
 * export default defineJob({
 *   kind: 'shout',
 *   params: z.object({ text: z.string().min(1) }),
 *   async run(ctx) {
 *     ctx.progress(50, 'shouting');
 *     return { text: ctx.params.text.toUpperCase() };
 *   },
 * });
 * ```
 *
 * @module
 */
import type { z } from 'zod';
import type { JsonValue } from '../../protocol/json.js';

/** One input file of a job, on the hub's disk (read only). */
export interface JobInput {
  readonly fileId: string;
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mime: string | null;
}

/** What a child process run with {@link JobContext.exec} printed. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

export interface JobContext<P> {
  readonly jobId: string;
  readonly params: P;
  readonly inputs: readonly JobInput[];
  /** A directory of the job's own (removed when it ends). */
  readonly workDir: string;
  /** The job's memory limit (`jobMaxMemoryBytes`): what a child process started other than by {@link exec} keeps to. */
  readonly memoryBytes: number;
  /** Aborted when the job is cancelled or runs out of time. */
  readonly signal: AbortSignal;
  /** Reports progress, 0–100, with a message (the owner sees it as `hive.job.progress`). */
  progress(percent: number, message?: string): void;
  /** Appends a line to the job's log (`hivelink jobs logs`). */
  log(line: string): void;
  /** @throws the abort reason once the job was cancelled */
  throwIfCancelled(): void;
  /**
   * A path in the work dir to write an output file `name` to; the file becomes the owner's when the job is done.
   * @throws HiveLinkError `HL_ERR_FILE_BAD_NAME` for a name with a path
   */
  output(name: string, mime?: string): string;
  /**
   * Runs `command args` (no shell) under the job's memory limit (`ulimit -v`), with `input` on its stdin; killed when
   * the job ends. Rejects with `HL_ERR_JOB_FAILED` (its stderr) on a non-zero exit, `HL_ERR_JOB_MEMORY` when it ran
   * out of memory.
   */
  exec(
    command: string,
    args: readonly string[],
    options?: { input?: string | Uint8Array },
  ): Promise<ExecResult>;
}

/** What a kind does after a hub restart found one of its jobs running: run it again, or fail it. */
export type RestartPolicy = 'requeue' | 'fail';

export interface JobDefinition<P = unknown> {
  /** `speak`, `image`, …: letters, digits, `.`, `-` and `_`. */
  readonly kind: string;
  readonly params: z.ZodType<P>;
  /** @default 'fail' */
  readonly onRestart?: RestartPolicy;
  /** How many input files it takes. @default {min: 0, max: 16} */
  readonly inputs?: { readonly min?: number; readonly max?: number };
  run(ctx: JobContext<P>): Promise<JsonValue>;
}

/** A job kind (see the module documentation). */
export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(definition.kind)) {
    throw new TypeError(`job kind "${definition.kind}": letters, digits, ".", "-" and "_" only`);
  }
  return Object.freeze({ ...definition });
}
