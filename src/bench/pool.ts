/**
 * The orchestrator's side of the load generator: forks the worker processes (`worker.ts`), sends them operations
 * over IPC and collects their reports. The workers never share an event loop with the hub or the orchestrator.
 *
 * @module
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ErrorCode } from '../errors.js';
import { HiveLinkError } from '../errors.js';
import type { OpenReport, RoundTripReport } from './types.js';
import type { HandshakeArgs, LoopArgs, OpenArgs, SatelliteArgs, StormReport } from './worker-ops.js';

/** The operations a worker runs, with their arguments and results. */
export interface WorkerOps {
  open: { args: OpenArgs; result: OpenReport };
  loop: { args: LoopArgs; result: RoundTripReport };
  each: { args: { concurrency: number; roundTripTimeoutMs: number }; result: RoundTripReport };
  handshakes: { args: HandshakeArgs; result: OpenReport };
  satellites: { args: SatelliteArgs; result: OpenReport };
  storm: { args: { deadline: number; askTimeoutMs: number }; result: StormReport };
  /** Ends running loops early. */
  halt: { args: Record<string, never>; result: null };
  /** Answers once every earlier request has started (requests are handled in order). */
  ping: { args: Record<string, never>; result: null };
  close: { args: Record<string, never>; result: null };
}

export type WorkerOp = keyof WorkerOps;

/** One request over IPC. */
export type WorkerRequest = { [K in WorkerOp]: { id: number; op: K; args: WorkerOps[K]['args'] } }[WorkerOp];

/** One answer over IPC. */
export type WorkerResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: string; message: string } };

/**
 * The Node flags a child needs to run this module's sibling files: the loader flags (tsx, when running from source)
 * without test-runner, profiler or inspector flags meant for this process only.
 */
export function childExecArgv(extra: readonly string[] = []): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--import' || a === '--require' || a === '--loader' || a === '--experimental-loader') {
      const next = argv[i + 1];
      if (next !== undefined) out.push(a, next);
      i++;
    } else if (/^--(import|require|loader|experimental-loader)=/.test(a)) {
      out.push(a);
    }
  }
  return [...out, ...extra];
}

/** The path of a sibling entry file (`.ts` when running from source, `.js` from the built package). */
export function siblingEntry(name: string): string {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`./${name}${ext}`, import.meta.url));
}

class WorkerProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #serial = 0;
  #exited: Error | null = null;

  constructor(execArgv: readonly string[]) {
    this.#child = fork(siblingEntry('worker'), [], {
      execArgv: childExecArgv(execArgv),
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (res: WorkerResponse) => {
      const pending = this.#pending.get(res.id);
      if (pending === undefined) return;
      this.#pending.delete(res.id);
      if (res.ok) pending.resolve(res.result);
      else pending.reject(new HiveLinkError(res.error.code as ErrorCode, res.error.message));
    });
    this.#child.on('exit', (code, signal) => {
      this.#exited = new HiveLinkError(
        'HL_ERR_INTERNAL',
        `a bench worker exited (${signal ?? `code ${String(code)}`})`,
      );
      for (const p of this.#pending.values()) p.reject(this.#exited);
      this.#pending.clear();
    });
  }

  call<K extends WorkerOp>(op: K, args: WorkerOps[K]['args']): Promise<WorkerOps[K]['result']> {
    if (this.#exited !== null) return Promise.reject(this.#exited);
    const id = ++this.#serial;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ id, op, args } as WorkerRequest);
    });
  }

  stop(): Promise<void> {
    if (this.#exited !== null || this.#child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.#child.once('exit', () => resolve());
      this.#child.disconnect();
    });
  }
}

/** A fixed set of worker processes. */
export class WorkerPool {
  readonly #workers: WorkerProcess[];

  /**
   * Forks `size` workers (at least one).
   * @param cpuProfDir - write each worker's V8 CPU profile into this directory (`node --cpu-prof`). @default null
   */
  constructor(size: number, cpuProfDir: string | null = null) {
    const execArgv = cpuProfDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
    this.#workers = Array.from({ length: Math.max(1, size) }, () => new WorkerProcess(execArgv));
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Runs `op` on every worker with `argsFor(workerIndex)` and returns the results in worker order. */
  all<K extends WorkerOp>(
    op: K,
    argsFor: (i: number) => WorkerOps[K]['args'],
  ): Promise<WorkerOps[K]['result'][]> {
    return Promise.all(this.#workers.map((w, i) => w.call(op, argsFor(i))));
  }

  /** Runs `op` on the first worker only. */
  one<K extends WorkerOp>(op: K, args: WorkerOps[K]['args']): Promise<WorkerOps[K]['result']> {
    return this.#workers[0]!.call(op, args);
  }

  /** Splits `total` as evenly as possible: the share of worker `i`. */
  share(total: number, i: number): number {
    const n = this.#workers.length;
    return Math.floor(total / n) + (i < total % n ? 1 : 0);
  }

  /** Disconnects every worker and waits for them to exit. */
  async stop(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.stop()));
  }
}
