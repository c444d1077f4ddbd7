/**
 * The statistics of `hivelink bench`: latency percentiles (nearest rank), summaries of a sample set, rates, and a
 * growable sample buffer that crosses process boundaries as one typed array.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';

/** A latency summary in milliseconds; every field is 0 for an empty sample set. */
export interface LatencySummary {
  /** Samples summarised. */
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * The `p`-th percentile of `sorted` (ascending) by the nearest-rank method: the smallest sample such that at least
 * `p` percent of the samples are at or below it. Always one of the samples.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for an empty set or `p` outside (0, 100].
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'no samples');
  if (!(p > 0 && p <= 100)) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'p must be in (0, 100]');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Sorts a copy of `samples` (numbers, ascending). */
export function sortedCopy(samples: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(samples);
  out.sort();
  return out;
}

/** Mean, p50, p90, p99 and max of `samples` (ms), in any order. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  if (samples.length === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = sortedCopy(samples);
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
  };
}

/** Events per second: `count` events over `elapsedMs`; 0 when no time passed. */
export function ratePerSecond(count: number, elapsedMs: number): number {
  if (!(elapsedMs > 0)) return 0;
  return (count * 1000) / elapsedMs;
}

/** `value / ceiling`, or null when there is no ceiling to compare with. */
export function ratio(value: number, ceiling: number | null | undefined): number | null {
  if (ceiling === null || ceiling === undefined || !(ceiling > 0)) return null;
  return value / ceiling;
}

/** Joins sample arrays (from several workers) into one. */
export function concatSamples(parts: readonly ArrayLike<number>[]): Float64Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Float64Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p instanceof Float64Array ? p : Float64Array.from(p), offset);
    offset += p.length;
  }
  return out;
}

/** A growable list of samples, kept as one Float64Array (cheap to record, one copy to hand over). */
export class SampleBuffer {
  #data = new Float64Array(1024);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    if (this.#length === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#length++] = value;
  }

  /** A copy of the samples recorded so far. */
  toArray(): Float64Array {
    return this.#data.slice(0, this.#length);
  }
}
