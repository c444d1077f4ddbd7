/**
 * The entry of a load-generator process (forked by the orchestrator with an IPC channel): runs the operations of
 * {@link BenchWorker} on request and answers with their reports. Exits when the orchestrator goes away.
 *
 * @module
 */
import { isHiveLinkError } from '../errors.js';
import type { WorkerRequest, WorkerResponse } from './pool.js';
import { BenchWorker } from './worker-ops.js';

const worker = new BenchWorker();

async function run(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'open':
      return worker.open(req.args);
    case 'loop':
      return worker.loop(req.args);
    case 'each':
      return worker.each(req.args.concurrency, req.args.roundTripTimeoutMs);
    case 'handshakes':
      return worker.handshakes(req.args);
    case 'satellites':
      return worker.satellites(req.args);
    case 'storm':
      return worker.storm(req.args.deadline, req.args.askTimeoutMs);
    case 'halt':
      worker.halt();
      return null;
    case 'ping':
      return null;
    case 'close':
      worker.close();
      return null;
  }
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
