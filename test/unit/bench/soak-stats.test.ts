/**
 * The verdict of `hivelink bench soak`: memory that grows only while warming up is flat, memory that keeps
 * growing is not, and the worst event-loop stall is found and placed in time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HubSample, memoryTrend, slope, soakVerdict, timeline } from '../../../src/bench/soak-stats.js';

const MIB = 1024 * 1024;

/** One sample every 5 s for `minutes`, RSS given in MiB by `rssAt(minute)`. */
function run(
  minutes: number,
  rssAt: (min: number) => number,
  stall?: { atS: number; ms: number },
): HubSample[] {
  const out: HubSample[] = [];
  for (let s = 0; s <= minutes * 60; s += 5) {
    out.push({
      atMs: 1_700_000_000_000 + s * 1000,
      rss: rssAt(s / 60) * MIB,
      heapUsed: 30 * MIB + (s % 20) * MIB, // a GC sawtooth, no trend
      heapTotal: 60 * MIB,
      external: 5 * MIB,
      loopMaxMs: stall !== undefined && stall.atS === s ? stall.ms : 12,
      loopP99Ms: 11,
      loopMeanMs: 10.2,
    });
  }
  return out;
}

const limits = { flatMiBPerMin: 1, maxStallMs: 200 };

describe('soak verdict', () => {
  it('slope is the least-squares slope, 0 without two distinct points', () => {
    assert.equal(
      slope([
        [0, 1],
        [1, 3],
        [2, 5],
      ]),
      2,
    );
    assert.equal(slope([[1, 1]]), 0);
    assert.equal(
      slope([
        [1, 1],
        [1, 2],
      ]),
      0,
    );
  });

  it('memory that grows in the warm-up and then stays level is flat', () => {
    const samples = run(10, (min) => (min < 3 ? 100 + 10 * min : 130));
    const verdict = soakVerdict(samples, limits);
    assert.ok(verdict.rss.firstHalfMiBPerMin > 3, String(verdict.rss.firstHalfMiBPerMin));
    assert.ok(Math.abs(verdict.rss.lastHalfMiBPerMin) < 0.01);
    assert.equal(verdict.memoryFlat, true);
    assert.equal(verdict.rss.startMiB, 100);
    assert.equal(verdict.rss.endMiB, 130);
    assert.equal(verdict.rss.peakMiB, 130);
  });

  it('memory that keeps growing (a leak of 2 MiB a minute) is not flat', () => {
    const verdict = soakVerdict(
      run(10, (min) => 100 + 2 * min),
      limits,
    );
    assert.ok(Math.abs(verdict.rss.lastHalfMiBPerMin - 2) < 1e-9);
    assert.equal(verdict.memoryFlat, false);
  });

  it('the heap trend ignores a GC sawtooth', () => {
    const heap = memoryTrend(
      run(10, () => 100),
      'heapUsed',
    );
    assert.ok(Math.abs(heap.lastHalfMiBPerMin) < 0.5, String(heap.lastHalfMiBPerMin));
  });

  it('finds the worst stall, when it was, and whether it is over the limit', () => {
    const calm = soakVerdict(
      run(2, () => 100),
      limits,
    );
    assert.equal(calm.worstStallMs, 12);
    assert.equal(calm.stalled, false);
    const stalled = soakVerdict(
      run(2, () => 100, { atS: 65, ms: 480 }),
      limits,
    );
    assert.equal(stalled.worstStallMs, 480);
    assert.equal(stalled.worstStallAtS, 65);
    assert.equal(stalled.stalled, true);
  });

  it('no samples: nothing flat or stalled to report', () => {
    const verdict = soakVerdict([], limits);
    assert.equal(verdict.worstStallMs, 0);
    assert.equal(verdict.stalled, false);
    assert.equal(verdict.rss.lastHalfMiBPerMin, 0);
  });

  it('the timeline keeps a long soak to at most 12 windows, each with its worst stall', () => {
    const samples = run(60, () => 100, { atS: 1800, ms: 300 });
    const windows = timeline(samples);
    assert.ok(windows.length <= 12 && windows.length >= 11, String(windows.length));
    assert.equal(windows[windows.length - 1]!.atS, 3600);
    assert.equal(Math.max(...windows.map((w) => w.loopMaxMs)), 300);
    assert.equal(timeline(samples.slice(0, 3)).length, 3);
  });
});
