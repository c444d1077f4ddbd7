/**
 * The arithmetic of `hivelink bench soak`: is the hub's memory flat, and how long did its event loop stall? Pure
 * functions over the samples the hub sends (`hub-monitor.ts`).
 *
 * Memory is judged on RSS (all the memory the process holds): the least-squares slope over the first half of the
 * run and over the last half. A warm-up (caches, JIT, pools) shows in the first half; a leak keeps the last half
 * climbing. Memory is flat when the last half grows no faster than a threshold (MiB per minute).
 *
 * @module
 */

/** One sample from the hub: its memory (bytes) and its event-loop delay since the previous sample (ms). */
export interface HubSample {
  /** Epoch ms. */
  readonly atMs: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  /** The longest event-loop delay since the previous sample: the worst stall. */
  readonly loopMaxMs: number;
  readonly loopP99Ms: number;
  readonly loopMeanMs: number;
}

const MIB = 1024 * 1024;

/** Least-squares slope of `y` over `x`; 0 with fewer than two distinct `x`. */
export function slope(points: readonly (readonly [x: number, y: number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** How one memory figure moved over a run (MiB, and MiB per minute). */
export interface MemoryTrend {
  readonly startMiB: number;
  readonly endMiB: number;
  readonly peakMiB: number;
  /** Slope over the samples of the first half of the run (by time). */
  readonly firstHalfMiBPerMin: number;
  /** Slope over the samples of the last half. */
  readonly lastHalfMiBPerMin: number;
}

/** Splits samples at the middle of their time span: [first half, last half]. */
export function halves(samples: readonly HubSample[]): [HubSample[], HubSample[]] {
  if (samples.length === 0) return [[], []];
  const mid = (samples[0]!.atMs + samples[samples.length - 1]!.atMs) / 2;
  return [samples.filter((s) => s.atMs <= mid), samples.filter((s) => s.atMs > mid)];
}

/** The trend of `key` (RSS or V8 heap in use) over `samples`, in time order. */
export function memoryTrend(samples: readonly HubSample[], key: 'rss' | 'heapUsed'): MemoryTrend {
  if (samples.length === 0) {
    return { startMiB: 0, endMiB: 0, peakMiB: 0, firstHalfMiBPerMin: 0, lastHalfMiBPerMin: 0 };
  }
  const perMin = (part: readonly HubSample[]) =>
    slope(part.map((s) => [s.atMs / 60_000, s[key] / MIB] as const));
  const [first, last] = halves(samples);
  return {
    startMiB: samples[0]![key] / MIB,
    endMiB: samples[samples.length - 1]![key] / MIB,
    peakMiB: Math.max(...samples.map((s) => s[key])) / MIB,
    firstHalfMiBPerMin: perMin(first),
    lastHalfMiBPerMin: perMin(last),
  };
}

/** The thresholds a soak is judged by. */
export interface SoakLimits {
  /** Memory is flat when the last half's RSS slope is at most this (MiB per minute). */
  readonly flatMiBPerMin: number;
  /** A stall longer than this (ms) fails the soak. */
  readonly maxStallMs: number;
}

/** The verdict of a soak. */
export interface SoakVerdict {
  readonly rss: MemoryTrend;
  readonly heap: MemoryTrend;
  readonly memoryFlat: boolean;
  /** The longest event-loop stall seen in any sample (ms). */
  readonly worstStallMs: number;
  /** When it ended, in seconds from the first sample. */
  readonly worstStallAtS: number;
  /** The largest per-sample p99 of the event-loop delay (ms). */
  readonly worstP99Ms: number;
  readonly stalled: boolean;
}

/** Judges `samples` (in time order) against `limits`. */
export function soakVerdict(samples: readonly HubSample[], limits: SoakLimits): SoakVerdict {
  const rss = memoryTrend(samples, 'rss');
  let worst: HubSample | null = null;
  for (const s of samples) if (worst === null || s.loopMaxMs > worst.loopMaxMs) worst = s;
  const worstStallMs = worst?.loopMaxMs ?? 0;
  return {
    rss,
    heap: memoryTrend(samples, 'heapUsed'),
    memoryFlat: rss.lastHalfMiBPerMin <= limits.flatMiBPerMin,
    worstStallMs,
    worstStallAtS: worst === null ? 0 : (worst.atMs - samples[0]!.atMs) / 1000,
    worstP99Ms: Math.max(0, ...samples.map((s) => s.loopP99Ms)),
    stalled: worstStallMs > limits.maxStallMs,
  };
}

/** One line of the timeline: a window of samples. */
export interface TimelineWindow {
  /** End of the window, in seconds from the first sample. */
  readonly atS: number;
  /** RSS and heap at the end of the window (MiB). */
  readonly rssMiB: number;
  readonly heapMiB: number;
  /** The longest stall within the window (ms). */
  readonly loopMaxMs: number;
}

/** `samples` in at most `windows` equal runs of samples, for a table that stays short on a long soak. */
export function timeline(samples: readonly HubSample[], windows = 12): TimelineWindow[] {
  if (samples.length === 0) return [];
  const size = Math.ceil(samples.length / Math.max(1, windows));
  const out: TimelineWindow[] = [];
  for (let i = 0; i < samples.length; i += size) {
    const part = samples.slice(i, i + size);
    const end = part[part.length - 1]!;
    out.push({
      atS: (end.atMs - samples[0]!.atMs) / 1000,
      rssMiB: end.rss / MIB,
      heapMiB: end.heapUsed / MIB,
      loopMaxMs: Math.max(...part.map((s) => s.loopMaxMs)),
    });
  }
  return out;
}
