/**
 * `hivelink hub` with a probe, for `hivelink bench soak`: the same hub as `cli-process.ts`, plus a timer that sends
 * the parent (over the IPC channel) this process's memory and the event-loop delay it measured since the last
 * sample. The delay comes from `monitorEventLoopDelay`, which sees every stall, not only those that happen to
 * overlap a sample. Usage: `node hub-monitor.ts <sample-ms> hub [hub options]`.
 *
 * @module
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { HubSample } from './soak-stats.js';

const everyMs = Number(process.argv[2]);
process.argv.splice(2, 1);

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);

// Neither the channel nor the timer may keep the hub alive once it has stopped (SIGTERM).
process.channel?.unref();
setInterval(() => {
  const m = process.memoryUsage();
  const sample: HubSample = {
    atMs: performance.timeOrigin + performance.now(),
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    loopMaxMs: ms(delay.max),
    loopP99Ms: ms(delay.percentile(99)),
    loopMeanMs: ms(delay.mean),
  };
  delay.reset();
  process.send?.(sample);
}, everyMs).unref();

await import('./cli-process.js');
