/**
 * Starts a TypeScript worker thread through tsx: Node 20 does not pass the `--import` hooks of the parent on to
 * worker threads, so the worker first registers tsx, then imports its entry.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';

export function spawnTsWorker(entry: URL, workerData: unknown): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
