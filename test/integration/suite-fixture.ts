/**
 * What a suite starts once for all its tests (a hub, a house) and closes after them, without each suite writing out
 * the same `let`, `before` and `after`.
 */
import { after, before } from 'node:test';

/**
 * Starts `start()` before the tests of the suite this is called in (ahead of the suite's own `before` hooks when
 * called first) and closes it after them. Returns the object the tests use: `start` resolves to a plain object
 * (startHub's, startHouse's), whose fields are copied onto it once it started.
 */
export function startedForSuite<T extends { close(): unknown }>(start: () => Promise<T>): T {
  const started = {} as T;
  before(async () => {
    Object.assign(started, await start());
  });
  after(async () => {
    // A start that failed left nothing to close.
    if (typeof started.close === 'function') await started.close();
  });
  return started;
}
