/**
 * The entry of a load-generator process (forked by the orchestrator with an IPC channel): runs the operations of
 * {@link BenchWorker} on request and answers with their reports. Exits when the orchestrator goes away.
 *
 * @module
 */
import { isHiveLinkError } from '../errors.js';
import type { WorkerOp, WorkerOps, WorkerRequest, WorkerResponse } from './pool.js';
import { BenchWorker } from './worker-ops.js';

const worker = new BenchWorker();

/** Each operation's handler; the table's type makes every operation answer with its own result type. */
const OPS: {
  [K in WorkerOp]: (args: WorkerOps[K]['args']) => WorkerOps[K]['result'] | Promise<WorkerOps[K]['result']>;
} = {
  open: (args) => worker.open(args),
  loop: (args) => worker.loop(args),
  each: ({ concurrency, roundTripTimeoutMs }) => worker.each(concurrency, roundTripTimeoutMs),
  handshakes: (args) => worker.handshakes(args),
  satellites: (args) => worker.satellites(args),
  storm: ({ deadline, askTimeoutMs }) => worker.storm(deadline, askTimeoutMs),
  halt: () => {
    worker.halt();
    return null;
  },
  ping: () => null,
  close: () => {
    worker.close();
    return null;
  },
};

async function run(req: WorkerRequest): Promise<unknown> {
  return (OPS[req.op] as (args: WorkerRequest['args']) => unknown)(req.args);
}

process.on('message', (req: WorkerRequest) => {
  run(req).then(
    (result) => process.send?.({ id: req.id, ok: true, result } satisfies WorkerResponse),
    (err: unknown) =>
      process.send?.({
        id: req.id,
        ok: false,
        error: {
          code: isHiveLinkError(err) ? err.code : 'HL_ERR_INTERNAL',
          message: err instanceof Error ? err.message : String(err),
        },
      } satisfies WorkerResponse),
  );
});

process.on('disconnect', () => {
  worker.close();
  process.exit(0);
});
