import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCell, markdownTable } from '../../../src/bench/report.js';
import {
  concatSamples,
  percentile,
  ratePerSecond,
  ratio,
  SampleBuffer,
  summarize,
} from '../../../src/bench/stats.js';
import { countError, mergeErrors, topError } from '../../../src/bench/types.js';

describe('bench statistics', () => {
  it('takes percentiles by nearest rank (always one of the samples)', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 90), 90);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile(sorted, 100), 100);
    assert.equal(percentile(sorted, 0.1), 1);
    assert.equal(percentile([7], 99), 7);
    // 10 samples: p99 is the 10th, p50 the 5th, p90 the 9th.
    const ten = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    assert.equal(percentile(ten, 50), 50);
    assert.equal(percentile(ten, 90), 90);
    assert.equal(percentile(ten, 99), 100);
    assert.equal(percentile(ten, 95), 100);
  });

  it('refuses an empty set or a percentile outside (0, 100]', () => {
    assert.throws(() => percentile([], 50), { code: 'HL_ERR_INVALID_ARGUMENT' });
    assert.throws(() => percentile([1], 0), { code: 'HL_ERR_INVALID_ARGUMENT' });
    assert.throws(() => percentile([1], 101), { code: 'HL_ERR_INVALID_ARGUMENT' });
    assert.throws(() => percentile([1], Number.NaN), { code: 'HL_ERR_INVALID_ARGUMENT' });
  });

  it('summarises unsorted samples numerically (not as strings) and leaves the input alone', () => {
    const samples = [9, 100, 2, 10, 1];
    const s = summarize(samples);
    assert.deepEqual(samples, [9, 100, 2, 10, 1]);
    assert.equal(s.count, 5);
    assert.equal(s.mean, 122 / 5);
    assert.equal(s.p50, 9);
    assert.equal(s.p90, 100);
    assert.equal(s.p99, 100);
    assert.equal(s.max, 100);
  });

  it('summarises nothing as zeros', () => {
    assert.deepEqual(summarize([]), { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  });

  it('computes rates per second and ratios to the ceiling', () => {
    assert.equal(ratePerSecond(500, 250), 2000);
    assert.equal(ratePerSecond(10_000, 10_000), 1000);
    assert.equal(ratePerSecond(5, 0), 0);
    assert.equal(ratio(11_000, 22_000), 0.5);
    assert.equal(ratio(5, null), null);
    assert.equal(ratio(5, 0), null);
  });

  it('collects samples in a growable buffer and joins the buffers of several workers', () => {
    const a = new SampleBuffer();
    for (let i = 0; i < 3000; i++) a.push(i);
    assert.equal(a.length, 3000);
    const arr = a.toArray();
    assert.equal(arr.length, 3000);
    assert.equal(arr[2999], 2999);
    const joined = concatSamples([Float64Array.from([1, 2]), [3], new Float64Array(0)]);
    assert.deepEqual([...joined], [1, 2, 3]);
    assert.equal(summarize(concatSamples([arr, [5000]])).max, 5000);
  });

  it('counts errors by message and names the most frequent', () => {
    const a = {};
    countError(a, 'refused');
    countError(a, 'refused');
    countError(a, 'timeout');
    const merged = mergeErrors([a, { timeout: 5 }]);
    assert.deepEqual(merged, { refused: 2, timeout: 6 });
    assert.equal(topError(merged), 'timeout (×6)');
    assert.equal(topError({}), null);
  });
});

describe('bench report', () => {
  it('formats integers with separators, fractions with two decimals, ratios with ×, missing values as –', () => {
    assert.equal(formatCell('rt_per_s', 12345), '12,345');
    assert.equal(formatCell('p50_ms', 0.5), '0.50');
    assert.equal(formatCell('p50_ms', 123.456), '123');
    assert.equal(formatCell('ceiling_ratio', 0.537), '0.54×');
    assert.equal(formatCell('x', null), '–');
    assert.equal(formatCell('x', 'legacy'), 'legacy');
  });

  it('prints rows as a Markdown table with right-aligned numeric columns', () => {
    const table = markdownTable([
      { scenario: 'throughput', protocol: 'v3', rt_per_s: 1000, ratio: null },
      { scenario: 'throughput', protocol: 'legacy', rt_per_s: 2000.5, ratio: null },
    ]);
    assert.equal(
      table,
      [
        '| protocol | rt_per_s | ratio |',
        '|---|---:|---|',
        '| v3 | 1,000 | – |',
        '| legacy | 2,001 | – |',
      ].join('\n'),
    );
  });
});
