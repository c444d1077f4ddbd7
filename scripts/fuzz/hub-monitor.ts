/**
 * The hub's watcher, in a worker thread of its own: `/healthz` every 250 ms, `/metrics` every second, RSS from
 * `/proc/<pid>/status` every 100 ms. On its own event loop, so that a busy fuzzing lane on the main thread (building
 * a 1 MiB input, opening a large frame) can never make a health check look late.
 *
 * @module
 */
import { availableParallelism, loadavg } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { procStatus } from './proc.js';

export interface MonitorInit {
  readonly port: number;
  readonly pid: number;
  /** A health check slower than this fails (ms; scaled by the load per core). */
  readonly healthLimitMs: number;
}

export type MonitorMessage =
  | { type: 'health'; ok: boolean; ms: number; error: string | null }
  | { type: 'metrics'; stalls: number; worstStallMs: number }
  | { type: 'rss'; rss: number; hwm: number };

const init = workerData as MonitorInit;
const port = parentPort!;

/** The 1-minute load average per core, at least 1 (a starved hub answers late without being stuck). */
function loadFactor(): number {
  return Math.max(1, loadavg()[0]! / availableParallelism());
}

async function health(): Promise<void> {
  const t0 = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${init.port}/healthz`, {
      signal: AbortSignal.timeout(Math.round(init.healthLimitMs * loadFactor())),
    });
    await res.arrayBuffer();
    const ms = performance.now() - t0;
    port.postMessage({
      type: 'health',
      ok: res.ok,
      ms,
      error: res.ok ? null : `/healthz answered ${res.status}`,
    } satisfies MonitorMessage);
  } catch (err) {
    port.postMessage({
      type: 'health',
      ok: false,
      ms: performance.now() - t0,
      error: (err as Error).message,
    } satisfies MonitorMessage);
  }
}

async function metrics(): Promise<void> {
  try {
    const res = await fetch(`http://127.0.0.1:${init.port}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return;
    const text = await res.text();
    const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    port.postMessage({
      type: 'metrics',
      stalls: read('hivelink_event_loop_stalls_total'),
      worstStallMs: read('hivelink_event_loop_stall_max_ms'),
    } satisfies MonitorMessage);
  } catch {
    // the health check reports an unresponsive hub; /metrics is only read for the stall numbers
  }
}

let healthBusy = false;
setInterval(() => {
  if (healthBusy) return;
  healthBusy = true;
  void health().finally(() => {
    healthBusy = false;
  });
}, 250);
setInterval(() => void metrics(), 1000);
setInterval(() => {
  port.postMessage({
    type: 'rss',
    rss: procStatus(init.pid, 'VmRSS'),
    hwm: procStatus(init.pid, 'VmHWM'),
  } satisfies MonitorMessage);
}, 100);
