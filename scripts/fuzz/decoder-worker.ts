/**
 * A decoder worker thread: runs its jobs (slices of targets' input ranges) in order, posting progress and findings
 * to the parent, and writing the input it is on into shared memory, so that the parent can name an input that never
 * returns, stop the worker and start another after it.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Finding } from './finding.js';
import { runRange } from './run-inputs.js';
import { buildContext } from './target.js';
import { decoderTarget } from './targets.js';

/** One slice of a target's inputs. */
export interface Job {
  readonly target: string;
  readonly start: number;
  readonly end: number;
}

export interface WorkerInit {
  readonly seed: number;
  readonly hangMs: number;
  readonly jobs: readonly Job[];
  /** Float64Array over it: [job index, input index, Date.now() when the input started, or 0 between inputs]. */
  readonly beacon: SharedArrayBuffer;
  /** Stop starting inputs after this time (`Date.now()`); 0 for no limit. */
  readonly deadline: number;
}

export type WorkerMessage =
  | { type: 'progress'; target: string; done: number; ms: number }
  | { type: 'finding'; finding: Finding }
  | { type: 'done' };

const init = workerData as WorkerInit;
const port = parentPort!;
const beacon = new Float64Array(init.beacon);
const ctx = buildContext(init.seed);
const shouldStop = () => init.deadline > 0 && Date.now() > init.deadline;

for (let j = 0; j < init.jobs.length && !shouldStop(); j++) {
  const job = init.jobs[j]!;
  const target = decoderTarget(job.target);
  if (target === undefined) throw new Error(`unknown target ${job.target}`);
  const t0 = performance.now();
  let reported = 0;
  let lastPost = t0;
  const post = (done: number) => {
    port.postMessage({
      type: 'progress',
      target: job.target,
      done: done - reported,
      ms: performance.now() - lastPost,
    } satisfies WorkerMessage);
    reported = done;
    lastPost = performance.now();
  };
  const done = await runRange({
    ctx,
    target,
    start: job.start,
    end: job.end,
    hangMs: init.hangMs,
    shouldStop,
    beacon: {
      enter(index) {
        beacon[0] = j;
        beacon[1] = index;
        beacon[2] = Date.now();
      },
      leave() {
        beacon[2] = 0;
      },
    },
    onFinding: (finding) => port.postMessage({ type: 'finding', finding } satisfies WorkerMessage),
    onProgress: (n) => {
      if (performance.now() - lastPost > 250) post(n);
    },
  });
  post(done);
}
port.postMessage({ type: 'done' } satisfies WorkerMessage);
