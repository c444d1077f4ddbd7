/**
 * The bench of the computational hub (issue 15), tiny sizes, no assertion on speed: `hivelink bench files` (one
 * transfer, then ten at once, through a local hub with the SDK) and `throughput --jobs N` (each echo measurement
 * again while N clients keep a heavy job running, both latencies reported). Its own file: with the smoke run of
 * bench.test.ts it outgrows one file's time limit on a busy machine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBench } from '../../src/bench/run.js';
import { sink, tiny } from './bench-helpers.js';

describe('hivelink bench files and throughput --jobs', { timeout: 170_000 }, () => {
  it('files: MiB/s of one and of ten transfers through the hub with the SDK', async () => {
    const rows = await runBench(
      { ...tiny, scenarios: ['files'], target: { kind: 'local', agents: ['echo'] } },
      { out: sink(), err: sink() },
    );
    assert.deepEqual(
      rows.map((r) => [r.scenario, r.transfers, r.total_mib, r.failed]),
      [
        ['files', 1, 1, 0],
        ['files', 10, 10, 0],
      ],
    );
    for (const r of rows) assert.ok((r.mib_per_s as number) > 0, JSON.stringify(r));
  });

  it('throughput --jobs: the same echo load again while heavy jobs run, both latencies reported', async () => {
    const rows = await runBench(
      {
        ...tiny,
        ceiling: false,
        scenarios: ['throughput'],
        protocols: ['v3'],
        jobs: 2,
        jobFileMiB: 1,
        target: { kind: 'local', agents: ['echo'] },
      },
      { out: sink(), err: sink() },
    );
    assert.deepEqual(
      rows.map((r) => [r.jobs, r.errors]),
      [
        [0, 0],
        [2, 0],
      ],
    );
    assert.equal(rows[1]!.jobs_failed, 0, JSON.stringify(rows[1]));
    for (const r of rows) assert.equal(typeof r.p99_ms, 'number');
  });
});
