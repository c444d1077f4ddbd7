/**
 * `GET /healthz`: liveness and a little state, `{status: 'ok', version, connections, peers, uptime_s, memory, cpu}`.
 * `memory` is the hub process's `process.memoryUsage()` in bytes (what `hivelink bench` divides by the number of
 * connections to report memory per connection); `cpu` its CPU time so far (`process.cpuUsage()`, microseconds),
 * from which the bench derives the hub's CPU time per round trip.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

/** What the health route reads from the hub. */
export interface HealthSource {
  /** Open websocket connections, authenticated or not. */
  readonly connectionCount: number;
  /** Open, authenticated connections. */
  readonly peerCount: number;
  readonly uptimeSeconds: number;
  /** More of the body, each value under its key (the mesh's `parents`); read on every request. */
  readonly healthDetails?: ReadonlyMap<string, () => unknown>;
}

/** The hub process's memory, in bytes. */
export interface HealthMemory {
  /** Resident set size: all the memory the process holds. */
  rss: number;
  /** V8 heap in use. */
  heap_used: number;
  /** V8 heap reserved. */
  heap_total: number;
  /** Memory of C++ objects bound to JavaScript (buffers, sockets). */
  external: number;
  /** ArrayBuffer and Buffer memory (part of `external`). */
  array_buffers: number;
}

/** The hub process's CPU time since it started, in microseconds. */
export interface HealthCpu {
  user_us: number;
  system_us: number;
}

export interface HealthBody {
  status: 'ok';
  version: string;
  connections: number;
  peers: number;
  uptime_s: number;
  memory: HealthMemory;
  cpu: HealthCpu;
  /** The hub's parent links (docs/PROTOCOL.md §14): url, state, protocol, since, rtt_ms; [] without parents. */
  parents?: unknown;
}

/** The package version, read once. */
export const HIVELINK_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** This process's memory, as `/healthz` reports it. */
export function healthMemory(): HealthMemory {
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heap_used: m.heapUsed,
    heap_total: m.heapTotal,
    external: m.external,
    array_buffers: m.arrayBuffers,
  };
}

/** This process's CPU time so far, as `/healthz` reports it. */
export function healthCpu(): HealthCpu {
  const c = process.cpuUsage();
  return { user_us: c.user, system_us: c.system };
}

/** Registers `GET /healthz` on `app`. */
export function registerHealthRoute(app: FastifyInstance, source: HealthSource): void {
  app.get('/healthz', async (): Promise<HealthBody> => {
    const body: HealthBody = {
      status: 'ok',
      version: HIVELINK_VERSION,
      connections: source.connectionCount,
      peers: source.peerCount,
      uptime_s: source.uptimeSeconds,
      memory: healthMemory(),
      cpu: healthCpu(),
    };
    for (const [key, read] of source.healthDetails ?? [])
      (body as unknown as Record<string, unknown>)[key] = read();
    return body;
  });
}
