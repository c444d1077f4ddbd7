/**
 * `hivelink bench`: a short smoke run of every scenario (but `files`, in bench-compute.test.ts) against a local hub
 * (child process) with tiny sizes. No assertion on speed. The remote mode and the hub watchdog are in
 * bench-remote.test.ts (each file has its own time limit, and together they outgrow it on a busy machine).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SCENARIOS } from '../../src/bench/options.js';
import type { ReportRow } from '../../src/bench/report.js';
import { runBench } from '../../src/bench/run.js';
import { sink, tiny } from './bench-helpers.js';

/** Every scenario but `files`, which bench-compute.test.ts runs (together they outgrow one file's time limit). */
const SMOKE = SCENARIOS.filter((s) => s !== 'files');

function rowsOf(rows: readonly ReportRow[], scenario: string): ReportRow[] {
  return rows.filter((r) => r.scenario === scenario);
}

describe('hivelink bench', { timeout: 240_000 }, () => {
  it('runs every scenario against a local hub (echo agent) and reports each measurement', async () => {
    const out = sink();
    const rows = await runBench(
      { ...tiny, scenarios: SMOKE, target: { kind: 'local', agents: ['echo'] }, json: true },
      { out, err: sink() },
    );
    const ceiling = rowsOf(rows, 'ceiling');
    assert.equal(ceiling.length, 1);
    assert.ok((ceiling[0]!.rt_per_s as number) > 0);

    const throughput = rowsOf(rows, 'throughput');
    assert.deepEqual(
      throughput.map((r) => `${r.agent} ${r.protocol}`),
      ['echo v3 ChaChaPoly', 'echo legacy AES-GCM JSON-HEX'],
    );
    for (const r of throughput) {
      assert.equal(r.errors, 0, JSON.stringify(r));
      assert.ok((r.rt_per_s as number) > 0);
      assert.ok((r.p50_ms as number) <= (r.p99_ms as number));
      assert.ok((r.p99_ms as number) <= (r.max_ms as number));
      assert.equal(typeof r.ceiling_ratio, 'number');
    }

    const connect = rowsOf(rows, 'connect');
    assert.deepEqual(
      connect.map((r) => [r.protocol, r.handshakes, r.failed]),
      [
        ['v3 ChaChaPoly', 4, 0],
        ['legacy AES-GCM JSON-HEX', 4, 0],
      ],
    );
    for (const r of connect) assert.equal(typeof r.talking_p99_ms, 'number');

    const [idle] = rowsOf(rows, 'idle');
    assert.equal(idle!.connections, 6);
    assert.equal(idle!.usable, 6);
    assert.equal(idle!.failed, 0);
    assert.equal(typeof idle!.rss_per_conn_kib, 'number');

    const storm = rowsOf(rows, 'storm');
    assert.deepEqual(
      storm.map((r) => [r.protocol, r.satellites, r.back, r.missing]),
      [
        ['v3 ChaChaPoly', 3, 3, 0],
        ['legacy AES-GCM JSON-HEX', 3, 3, 0],
      ],
    );
    for (const r of storm) assert.equal(typeof r.all_back_s, 'number');

    // --json: one line per row, each naming the machine.
    const lines = out.text().trim().split('\n');
    assert.equal(lines.length, rows.length);
    const first = JSON.parse(lines[0]!) as { scenario: string; machine: { cores: number; node: string } };
    assert.equal(first.scenario, 'ceiling');
    assert.equal(first.machine.node, process.version);
    assert.ok(first.machine.cores >= 1);
  });

  it('measures the embedded assistant too (throughput, both protocols)', async () => {
    const rows = await runBench(
      { ...tiny, ceiling: false, scenarios: ['throughput'], target: { kind: 'local', agents: ['embedded'] } },
      { out: sink(), err: sink() },
    );
    assert.deepEqual(
      rows.map((r) => [r.agent, r.protocol, r.errors]),
      [
        ['embedded', 'v3 ChaChaPoly', 0],
        ['embedded', 'legacy AES-GCM JSON-HEX', 0],
      ],
    );
  });
});
