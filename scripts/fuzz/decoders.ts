/**
 * The parent side of the in-process targets: splits each target's inputs into slices, deals them round-robin to
 * worker threads (so that with a time budget every target gets its share), and watches each worker's beacon. A
 * worker on one input for longer than the stall limit is stopped and reported as a hang of that input; a worker
 * that dies is reported as a throw of the input it was on; either way a new worker carries on after that input.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import type { Job, WorkerInit, WorkerMessage } from './decoder-worker.js';
import type { Finding } from './finding.js';
import { describeError } from './finding.js';
import { Rng } from './rng.js';
import { buildContext } from './target.js';
import { decoderTarget } from './targets.js';
import { spawnTsWorker } from './ts-worker.js';

export interface DecoderPlan {
  readonly target: string;
  readonly count: number;
}

export interface DecoderRunOptions {
  readonly seed: number;
  readonly plan: readonly DecoderPlan[];
  readonly workers: number;
  /** A slower input is a hang finding (ms). */
  readonly hangMs: number;
  /** A worker stuck this long on one input is stopped (ms). */
  readonly stallMs: number;
  /** `Date.now()` after which no input starts; 0 for none. */
  readonly deadline: number;
  readonly onFinding: (finding: Finding) => void;
  /** Filled in as the workers report (for progress lines). @default a fresh map */
  readonly tally?: Map<string, TargetTally>;
}

export interface TargetTally {
  inputs: number;
  ms: number;
}

/** Inputs per slice: small enough to interleave the targets, large enough that messages stay rare. */
const SLICE = 2000;

/** The jobs of each worker: every target's range cut in slices, dealt round-robin. */
export function dealJobs(plan: readonly DecoderPlan[], workers: number): Job[][] {
  const out: Job[][] = Array.from({ length: workers }, () => []);
  const next = plan.map(() => 0);
  let w = 0;
  for (let more = true; more; ) {
    more = false;
    plan.forEach((p, t) => {
      if (next[t]! >= p.count) return;
      const end = Math.min(p.count, next[t]! + SLICE);
      out[w]!.push({ target: p.target, start: next[t]!, end });
      w = (w + 1) % workers;
      next[t] = end;
      more = true;
    });
  }
  return out;
}

function spawnWorker(init: WorkerInit): Worker {
  return spawnTsWorker(new URL('./decoder-worker.ts', import.meta.url), init);
}

/** Runs the plan; resolves with inputs and time per target once every worker is done. */
export async function runDecoders(o: DecoderRunOptions): Promise<Map<string, TargetTally>> {
  const tally = o.tally ?? new Map<string, TargetTally>();
  for (const p of o.plan) tally.set(p.target, { inputs: 0, ms: 0 });
  const all = dealJobs(o.plan, Math.max(1, o.workers));
  await Promise.all(all.filter((jobs) => jobs.length > 0).map((jobs) => runWorker(o, jobs, tally)));
  return tally;
}

async function runWorker(
  o: DecoderRunOptions,
  jobs: readonly Job[],
  tally: Map<string, TargetTally>,
): Promise<void> {
  let remaining = jobs;
  while (remaining.length > 0) {
    remaining = await oneWorker(o, remaining, tally);
  }
}

/** Runs one worker until it finishes (resolves []) or is stopped or dies (resolves with the jobs left after). */
function oneWorker(
  o: DecoderRunOptions,
  jobs: readonly Job[],
  tally: Map<string, TargetTally>,
): Promise<Job[]> {
  const beacon = new SharedArrayBuffer(3 * 8);
  const view = new Float64Array(beacon);
  const worker = spawnWorker({ seed: o.seed, hangMs: o.hangMs, jobs, beacon, deadline: o.deadline });
  return new Promise((resolve) => {
    let settled = false;
    const after = (): Job[] => {
      const j = view[0]!;
      const index = view[1]!;
      const job = jobs[j]!;
      const rest = jobs.slice(j + 1);
      return index + 1 < job.end ? [{ ...job, start: index + 1 }, ...rest] : rest;
    };
    const current = () => ({ job: jobs[view[0]!]!, index: view[1]! });
    const finish = (left: Job[]) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      resolve(left);
    };
    const report = (kind: Finding['kind'], message: string, stack: string | null) => {
      const { job, index } = current();
      tally.get(job.target)!.inputs += 1;
      o.onFinding({
        target: job.target,
        kind,
        index,
        seed: o.seed,
        message,
        stack,
        input: rebuild(o.seed, job.target, index),
        ms: kind === 'hang' ? Date.now() - view[2]! : null,
      });
    };
    const watch = setInterval(() => {
      const since = view[2]!;
      if (since > 0 && Date.now() - since > o.stallMs) {
        report('hang', `never returned: the worker was stopped after ${o.stallMs} ms on this input`, null);
        const left = after();
        void worker.terminate().then(() => finish(left));
      }
    }, 200);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') {
        const t = tally.get(m.target)!;
        t.inputs += m.done;
        t.ms += m.ms;
      } else if (m.type === 'finding') {
        o.onFinding(m.finding);
      } else {
        finish([]);
      }
    });
    worker.on('error', (err) => {
      const { message, stack } = describeError(err);
      report('throw', `worker died: ${message}`, stack);
      finish(after());
    });
    worker.on('exit', (code) => {
      if (!settled && code !== 0) {
        report('throw', `worker exited with code ${code}`, null);
        finish(after());
      }
      finish([]);
    });
  });
}

/** The bytes of input `index` of `target`, built again (before running: the handshake targets add to it as they run). */
function rebuild(seed: number, target: string, index: number): Uint8Array | null {
  try {
    const t = decoderTarget(target)!;
    return t.make(buildContext(seed))(Rng.forInput(seed, target, index)).bytes;
  } catch {
    return null;
  }
}
