/**
 * Issue 10: a hub whose event loop stops answers nobody and said nothing. A real hub (createHubServer on 127.0.0.1,
 * port 0) with `eventLoopStallMs` 100 is blocked on purpose for twice that; the stall shows as a warning in the
 * hub's log (with its length) and in `GET /metrics` (`hivelink_event_loop_stalls_total` and the worst stall).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import { METRICS_CONTENT_TYPE } from '../../src/http/metrics.js';
import { createHubServer } from '../../src/http/server.js';
import { inProcessAgent } from '../../src/hub/agent.js';
import { resolveHubConfig } from '../../src/hub/config.js';
import { Hub } from '../../src/hub/hub.js';
import { openDataDir } from '../../src/store/data-dir.js';

const STALL_MS = 100;

interface LogRecord {
  level: number;
  msg: string;
  stallMs?: number;
  limitMs?: number;
}

/** The value of the one sample of `name` in a Prometheus text body. */
function sample(body: string, name: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line !== undefined, `${name} is missing from /metrics:\n${body}`);
  return Number(line.slice(name.length + 1));
}

describe('event-loop stall watchdog in a running hub', () => {
  it('logs a stall of twice eventLoopStallMs with its length and counts it in /metrics', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-watchdog-'));
    const data = openDataDir(dataDir);
    const records: LogRecord[] = [];
    let onStall: (record: LogRecord) => void = () => {};
    const logger = pino(
      { level: 'warn' },
      {
        write(line: string) {
          const record = JSON.parse(line) as LogRecord;
          records.push(record);
          if (record.stallMs !== undefined) onStall(record);
        },
      },
    );
    const config = resolveHubConfig({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      logLevel: 'silent',
      limits: { eventLoopStallMs: STALL_MS },
    });
    const identity = { noiseStatic: nodeBackend.x25519KeyPair(), rsaPublicPem: '' };
    const hub = new Hub({
      config,
      store: data.store,
      identity,
      agent: inProcessAgent(new MemoryBus()),
      logger,
    });
    await hub.start();
    const app = await createHubServer({ hub, config, logger });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const first = await fetch(`${base}/metrics`);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('content-type'), METRICS_CONTENT_TYPE);
      const before = await first.text();
      assert.equal(sample(before, 'hivelink_event_loop_stall_limit_ms'), STALL_MS);
      const stallsBefore = sample(before, 'hivelink_event_loop_stalls_total');

      const logged = new Promise<LogRecord>((resolve) => {
        onStall = resolve;
      });
      const blockedFor = 2 * STALL_MS;
      const until = performance.now() + blockedFor;
      let spins = 0;
      while (performance.now() < until) spins++;
      assert.ok(spins > 0);
      // A guard, not a wait: the check after the block fires within a quarter of the limit.
      let guard: ReturnType<typeof setTimeout> | undefined;
      const record = await Promise.race([
        logged,
        new Promise<never>((_, reject) => {
          guard = setTimeout(() => reject(new Error('no stall was logged within 10 s')), 10_000);
        }),
      ]);
      clearTimeout(guard);

      assert.equal(record.level, 40, 'a warning');
      assert.match(record.msg, /event loop stalled/);
      assert.equal(record.limitMs, STALL_MS);
      assert.ok(record.stallMs! > STALL_MS, `stall of ${record.stallMs} ms reported`);
      const after = await (await fetch(`${base}/metrics`)).text();
      assert.ok(sample(after, 'hivelink_event_loop_stalls_total') >= stallsBefore + 1, after);
      assert.ok(sample(after, 'hivelink_event_loop_stall_max_ms') >= record.stallMs!, after);
      assert.match(after, /^# TYPE hivelink_event_loop_stalls_total counter$/m);
    } finally {
      await hub.stop();
      await app.close();
      await data.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
