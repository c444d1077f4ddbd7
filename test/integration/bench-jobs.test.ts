/**
 * `hivelink bench throughput --jobs N`: each echo measurement runs again while N clients keep a heavy job running on
 * the local hub, and both latencies are reported (tiny sizes; no assertion on speed). Its own file: with the smoke
 * run of bench.test.ts it outgrows one file's time limit on a busy machine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBench } from '../../src/bench/run.js';
import { sink, tiny } from './bench-helpers.js';

describe('hivelink bench throughput --jobs', { timeout: 170_000 }, () => {
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
