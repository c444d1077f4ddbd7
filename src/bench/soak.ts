/**
 * `hivelink bench soak`: a long run at a steady, moderate load against a hub of its own (a child process), to see
 * what a short benchmark cannot: memory that creeps up and event-loop stalls. For `--minutes N` it keeps three
 * kinds of load going at once, from two load-generator processes:
 *
 * - churn: every second, a batch of complete v3 and legacy handshakes, each connection closed once established;
 * - traffic: `--talking` connections (half v3, half legacy) held for the whole run, each sending paced utterances;
 * - the hub's own timers (keepalives, flood windows) over all of it.
 *
 * The hub (`hub-monitor.ts`) reports its RSS, V8 heap and event-loop delay every `--sample-s`. The verdict: memory
 * is flat when RSS grows no faster than `--flat-mib-per-min` over the last half of the run (compared with the first
 * half, which holds the warm-up), and the worst stall is the longest event-loop delay in any sample. A stall over
 * `--max-stall-ms` makes the command fail.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { nowMs } from './connection.js';
import { LocalHub, prepareLocalHub, removeLocalHub } from './local-hub.js';
import { defaultBenchOptions, type LocalAgent, profileFor, profileLabel } from './options.js';
import { WorkerPool } from './pool.js';
import { Reporter, type ReportRow } from './report.js';
import type { BenchIo } from './run.js';
import { type HubSample, type SoakVerdict, soakVerdict, timeline } from './soak-stats.js';
import { concatSamples, ratePerSecond, summarize } from './stats.js';
import {
  type BenchProtocol,
  type BenchTarget,
  type ConnectionProfile,
  type ErrorCounts,
  mergeErrors,
  type OpenReport,
  topError,
} from './types.js';

/** The settings of a soak. */
export interface SoakOptions {
  /** Length of the run under load. @default 10 */
  readonly minutes: number;
  /** Seconds between two samples of the hub. @default 5 */
  readonly sampleS: number;
  /** The local hub's agent. @default 'echo' */
  readonly agent: LocalAgent;
  /** Connections held for the whole run, half v3 and half legacy, each sending paced utterances. @default 20 */
  readonly talking: number;
  /** Utterances per second of each talking connection. @default 5 */
  readonly talkingRate: number;
  /** v3 handshakes (connect, handshake, disconnect) per second. @default 8 */
  readonly v3PerS: number;
  /** Legacy handshakes per second (each costs the hub a PBKDF2). @default 2 */
  readonly legacyPerS: number;
  /** A longer event-loop stall fails the soak (ms). @default 200 */
  readonly maxStallMs: number;
  /** Memory is flat when RSS grows at most this fast over the last half (MiB per minute). @default 1 */
  readonly flatMiBPerMin: number;
  /** JSON lines instead of tables. @default false */
  readonly json: boolean;
}

/** The defaults of {@link SoakOptions}. */
export function defaultSoakOptions(): SoakOptions {
  return {
    minutes: 10,
    sampleS: 5,
    agent: 'echo',
    talking: 20,
    talkingRate: 5,
    v3PerS: 8,
    legacyPerS: 2,
    maxStallMs: 200,
    flatMiBPerMin: 1,
    json: false,
  };
}

/** What a soak found: the rows it printed and its verdict. */
export interface SoakResult {
  readonly rows: readonly ReportRow[];
  readonly verdict: SoakVerdict;
  /** Round trips and handshakes that failed (the hub answered late or refused). */
  readonly failures: number;
}

/** The handshakes of one protocol during the run, batch by batch. */
interface ChurnTally {
  readonly profile: ConnectionProfile;
  readonly perS: number;
  readonly batches: { atMs: number; report: OpenReport }[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function handshakeRow(tally: ChurnTally, midMs: number): ReportRow {
  const all = tally.batches.map((b) => b.report);
  const times = summarize(concatSamples(all.map((r) => r.connectMs)));
  const half = (early: boolean) =>
    summarize(
      concatSamples(tally.batches.filter((b) => b.atMs <= midMs === early).map((b) => b.report.connectMs)),
    );
  const spanMs = tally.batches.length === 0 ? 0 : nowMs() - tally.batches[0]!.atMs;
  return {
    scenario: 'soak handshakes',
    protocol: profileLabel(tally.profile),
    handshakes: times.count,
    per_s: round2(ratePerSecond(times.count, spanMs)),
    failed: all.reduce((n, r) => n + r.failed, 0),
    p50_ms_first_half: round2(half(true).p50),
    p50_ms_last_half: round2(half(false).p50),
    p99_ms: round2(times.p99),
    max_ms: round2(times.max),
  };
}

/** Runs a soak against a hub it starts, prints the report, and returns the verdict (it never throws on one). */
export async function runSoak(options: SoakOptions, io: BenchIo): Promise<SoakResult> {
  const reporter = new Reporter(io.out, io.err, options.json);
  const bench = defaultBenchOptions();
  const profiles: Record<BenchProtocol, ConnectionProfile> = {
    v3: profileFor({ ...bench, target: { kind: 'local', agents: [options.agent] } }, 'v3'),
    legacy: profileFor({ ...bench, target: { kind: 'local', agents: [options.agent] } }, 'legacy'),
  };
  const inFlight = options.talking + 10 * (options.v3PerS + options.legacyPerS);
  reporter.note(`soak: preparing a local hub (agent ${options.agent})…`);
  const setup = await prepareLocalHub({
    clients: Math.max(8, options.talking),
    maxConnections: inFlight + 100,
  });
  const durationMs = options.minutes * 60_000;
  const everyMs = Math.round(options.sampleS * 1000);
  const samples: HubSample[] = [];
  let loadFrom = Number.POSITIVE_INFINITY;
  const tallies: ChurnTally[] = [
    { profile: profiles.v3, perS: options.v3PerS, batches: [] },
    { profile: profiles.legacy, perS: options.legacyPerS, batches: [] },
  ];
  const handshakesSoFar = () =>
    tallies.reduce((n, t) => n + t.batches.reduce((m, b) => m + b.report.connectMs.length, 0), 0);
  const hub = new LocalHub({
    setup,
    agent: options.agent,
    monitor: {
      everyMs,
      onSample: (sample) => {
        // A sample covers the interval before it: one that began before the load is start-up (module loading,
        // the talking connections' handshakes), not the soak.
        if (sample.atMs - everyMs < loadFrom - 50) return;
        samples.push(sample);
        reporter.note(
          `soak ${clock(sample.atMs - loadFrom)}/${clock(durationMs)}: rss ${(sample.rss / 2 ** 20).toFixed(1)} MiB, heap ${(sample.heapUsed / 2 ** 20).toFixed(1)} MiB, loop max ${sample.loopMaxMs.toFixed(0)} ms, ${handshakesSoFar()} handshakes`,
        );
      },
    },
  });
  // Traffic and churn in processes of their own: the churn's client-side crypto cannot delay the talkers.
  const talkers = new WorkerPool(1);
  const churners = new WorkerPool(1);
  try {
    const { url } = await hub.start(0);
    const target = (profile: ConnectionProfile): Extract<BenchTarget, { kind: 'hive' }> => ({
      kind: 'hive',
      url,
      credentials: setup.credentials,
      profile,
      endType: bench.endType,
      utterance: bench.utterance,
    });
    const body = async (): Promise<SoakResult> => {
      const held = [Math.ceil(options.talking / 2), Math.floor(options.talking / 2)] as const;
      const opened = await Promise.all(
        (['v3', 'legacy'] as const).map((p, i) =>
          held[i] === 0
            ? null
            : talkers.one('open', {
                target: target(profiles[p]),
                count: held[i]!,
                concurrency: 4,
                handshakeTimeoutMs: 60_000,
              }),
        ),
      );
      for (const report of opened) {
        if (report !== null && report.failed > 0) {
          throw new HiveLinkError(
            'HL_ERR_CONNECT_FAILED',
            `soak: ${report.failed} talking connection(s) failed: ${topError(report.errors) ?? ''}`,
          );
        }
      }
      loadFrom = nowMs();
      const deadline = loadFrom + durationMs;
      reporter.note(
        `soak: ${options.minutes} min, ${options.talking} talking connections at ${options.talkingRate}/s, ${options.v3PerS} v3 + ${options.legacyPerS} legacy handshakes/s, a sample every ${options.sampleS} s…`,
      );
      const traffic = talkers.one('loop', {
        startAt: loadFrom,
        measureFrom: loadFrom,
        endAt: deadline,
        intervalMs: 1000 / options.talkingRate,
        roundTripTimeoutMs: 10_000,
      });
      while (nowMs() < deadline) {
        const tick = nowMs();
        await Promise.all(
          tallies.map(async (t) => {
            if (t.perS === 0) return;
            const report = await churners.one('handshakes', {
              target: target(t.profile),
              total: t.perS,
              concurrency: t.perS,
              handshakeTimeoutMs: 30_000,
            });
            t.batches.push({ atMs: tick, report });
          }),
        );
        await sleep(Math.min(tick + 1000, deadline) - nowMs());
      }
      const talked = await traffic;
      // One more sample after the load, so the last window is complete.
      await sleep(everyMs + 200);
      return report(talked);
    };
    const report = (talked: { samples: Float64Array; failed: number; errors: ErrorCounts }): SoakResult => {
      const verdict = soakVerdict(samples, {
        flatMiBPerMin: options.flatMiBPerMin,
        maxStallMs: options.maxStallMs,
      });
      for (const w of timeline(samples)) {
        reporter.add({
          scenario: 'soak timeline',
          at_s: Math.round(w.atS),
          rss_mib: round2(w.rssMiB),
          heap_mib: round2(w.heapMiB),
          loop_max_ms: round2(w.loopMaxMs),
        });
      }
      const mid =
        samples.length === 0 ? loadFrom : (samples[0]!.atMs + samples[samples.length - 1]!.atMs) / 2;
      for (const t of tallies) if (t.perS > 0) reporter.add(handshakeRow(t, mid));
      const rt = summarize(talked.samples);
      reporter.add({
        scenario: 'soak traffic',
        connections: options.talking,
        round_trips: rt.count,
        rt_per_s: round2(ratePerSecond(rt.count, durationMs)),
        p50_ms: round2(rt.p50),
        p99_ms: round2(rt.p99),
        max_ms: round2(rt.max),
        failed: talked.failed,
      });
      reporter.add({
        scenario: 'soak',
        minutes: options.minutes,
        samples: samples.length,
        rss_start_mib: round2(verdict.rss.startMiB),
        rss_end_mib: round2(verdict.rss.endMiB),
        rss_peak_mib: round2(verdict.rss.peakMiB),
        rss_first_half_mib_per_min: round2(verdict.rss.firstHalfMiBPerMin),
        rss_last_half_mib_per_min: round2(verdict.rss.lastHalfMiBPerMin),
        heap_end_mib: round2(verdict.heap.endMiB),
        heap_last_half_mib_per_min: round2(verdict.heap.lastHalfMiBPerMin),
        memory_flat: verdict.memoryFlat,
        worst_stall_ms: round2(verdict.worstStallMs),
        worst_stall_at_s: Math.round(verdict.worstStallAtS),
        worst_loop_p99_ms: round2(verdict.worstP99Ms),
        stalled: verdict.stalled,
      });
      const churnErrors = mergeErrors(tallies.flatMap((t) => t.batches.map((b) => b.report.errors)));
      const failures =
        talked.failed + tallies.reduce((n, t) => n + t.batches.reduce((m, b) => m + b.report.failed, 0), 0);
      const why = topError(mergeErrors([talked.errors, churnErrors]));
      if (failures > 0)
        reporter.note(`soak: ${failures} failed round trips or handshakes; most common: ${why}`);
      reporter.finish(
        `# hivelink bench soak: a local hivelink hub (agent ${options.agent}), ${options.minutes} min under load`,
      );
      reporter.note(
        `soak: memory ${verdict.memoryFlat ? 'flat' : 'NOT flat'} (RSS ${signed(verdict.rss.firstHalfMiBPerMin)} MiB/min in the first half, ${signed(verdict.rss.lastHalfMiBPerMin)} in the last; limit ${options.flatMiBPerMin}); worst event-loop stall ${verdict.worstStallMs.toFixed(0)} ms at ${Math.round(verdict.worstStallAtS)} s (limit ${options.maxStallMs} ms)`,
      );
      return { rows: [...reporter.rows], verdict, failures };
    };
    return await Promise.race([body(), hub.died]);
  } finally {
    await Promise.all([talkers.stop(), churners.stop()]);
    await hub.stop();
    removeLocalHub(setup);
  }
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
}
