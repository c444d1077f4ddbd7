/**
 * The fuzz run: splits the frame budget over the targets, runs the in-process targets in worker threads while the
 * live lanes work the hub child, collects findings, and builds the report. `npm run fuzz` (main.ts) and the short
 * CI test (test/integration/fuzz-short.test.ts) both call {@link runFuzz}.
 *
 * @module
 */
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DecoderPlan, runDecoders, type TargetTally } from './decoders.js';
import type { Finding } from './finding.js';
import { type FindingGroup, FindingsLog } from './findings-log.js';
import { type HubEntry, type HubObservations, HubProcess, prepareHub, removeHub } from './hub-process.js';
import { LIVE_TARGETS, type LiveTally, type LiveTarget, runLive } from './live.js';
import { buildContext } from './target.js';
import { DECODER_TARGETS } from './targets.js';

export interface FuzzOptions {
  /** Frames (inputs) in all, over every selected target. Infinity with `seconds`: run until the time is up. */
  readonly frames: number;
  /** Of `frames`, how many go to the live hub (the rest to the in-process targets). @default 20 % */
  readonly liveFrames?: number;
  /** Stop after this long, whatever is left. @default no limit */
  readonly seconds?: number | null;
  readonly seed: number;
  /** Target names, or the groups `decoders`, `live`, `all`. @default ['all'] */
  readonly targets?: readonly string[];
  /** Where findings are saved. @default a new dir under the temp dir */
  readonly out?: string;
  /** Decoder worker threads. @default cores − 1, at least 1 */
  readonly workers?: number;
  /** An input slower than this is a hang finding (ms). @default 100 */
  readonly hangMs?: number;
  /** A decoder worker stuck on one input this long is stopped (ms). @default 5000 */
  readonly stallMs?: number;
  /** Two hub health checks in a row slower than this, or a stall as long, are a finding (ms). @default 2000 */
  readonly healthLimitMs?: number;
  /** Lanes per live sub-target, multiplied by this. @default 1 */
  readonly laneScale?: number;
  readonly hubEntry?: HubEntry;
  /** Progress and findings lines. @default console.error */
  readonly print?: (line: string) => void;
}

export interface TargetReport {
  readonly name: string;
  readonly frames: number;
  readonly ms: number;
  readonly note: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly durationMs: number;
  readonly targets: readonly TargetReport[];
  readonly findings: number;
  readonly groups: readonly FindingGroup[];
  readonly findingsDir: string;
  readonly hub: (HubObservations & { entry: 'dist' | 'src' }) | null;
}

const LIVE_SHARES: Record<LiveTarget, number> = {
  'live-preauth': 0.08,
  'live-prehandshake': 0.12,
  'live-legacy': 0.35,
  'live-v3': 0.45,
};
const LIVE_LANES: Record<LiveTarget, number> = {
  'live-preauth': 8,
  'live-prehandshake': 8,
  'live-legacy': 4,
  'live-v3': 6,
};

/** Every target name. */
export function allTargetNames(): string[] {
  return [...DECODER_TARGETS.map((t) => t.name), ...LIVE_TARGETS];
}

/** Expands groups and checks names. */
export function selectTargets(names: readonly string[]): { decoders: string[]; live: LiveTarget[] } {
  const decoders = new Set<string>();
  const live = new Set<LiveTarget>();
  for (const name of names) {
    if (name === 'all' || name === 'decoders') for (const t of DECODER_TARGETS) decoders.add(t.name);
    if (name === 'all' || name === 'live') for (const t of LIVE_TARGETS) live.add(t);
    if (DECODER_TARGETS.some((t) => t.name === name)) decoders.add(name);
    else if ((LIVE_TARGETS as readonly string[]).includes(name)) live.add(name as LiveTarget);
    else if (name !== 'all' && name !== 'decoders' && name !== 'live')
      throw new Error(`unknown target ${name}`);
  }
  return { decoders: [...decoders], live: [...live] };
}

function split(total: number, parts: number): number[] {
  if (!Number.isFinite(total)) return Array.from({ length: parts }, () => Number.POSITIVE_INFINITY);
  const each = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => each + (i < total - each * parts ? 1 : 0));
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const print = o.print ?? ((line: string) => console.error(line));
  const started = performance.now();
  const deadline = o.seconds != null ? Date.now() + o.seconds * 1000 : Number.POSITIVE_INFINITY;
  const { decoders, live } = selectTargets(o.targets ?? ['all']);
  const liveTotal =
    live.length === 0 ? 0 : decoders.length === 0 ? o.frames : (o.liveFrames ?? Math.round(o.frames * 0.2));
  const decoderTotal =
    decoders.length === 0 ? 0 : Number.isFinite(o.frames) ? o.frames - liveTotal : o.frames;
  const out = o.out ?? join(tmpdir(), `hivelink-fuzz-${o.seed}-${Date.now()}`);
  const log = new FindingsLog(out, print);
  const onFinding = (f: Finding) => log.add(f);

  const plan: DecoderPlan[] = split(decoderTotal, decoders.length).map((count, i) => ({
    target: decoders[i]!,
    count,
  }));
  const liveShare = live.reduce((s, t) => s + LIVE_SHARES[t], 0);
  const budget = Object.fromEntries(
    LIVE_TARGETS.map((t) => [t, live.includes(t) ? Math.round((liveTotal * LIVE_SHARES[t]) / liveShare) : 0]),
  ) as Record<LiveTarget, number>;
  const lanes = Object.fromEntries(
    LIVE_TARGETS.map((t) => [t, Math.max(1, Math.round(LIVE_LANES[t] * (o.laneScale ?? 1)))]),
  ) as Record<LiveTarget, number>;

  let hub: HubProcess | null = null;
  /** Deletes the hub's temp data dir if the process exits mid-run (Ctrl-C). */
  let removeOnExit: (() => void) | null = null;
  let setup: Awaited<ReturnType<typeof prepareHub>> | null = null;
  let liveTallies: Map<LiveTarget, LiveTally> | null = null;
  let decoderTallies: Map<string, TargetTally> | null = null;
  const decoderProgress = new Map<string, TargetTally>();
  const liveProgress = new Map<LiveTarget, LiveTally>();
  const progress = setInterval(() => {
    const secs = ((performance.now() - started) / 1000).toFixed(0);
    let inputs = 0;
    for (const t of decoderProgress.values()) inputs += t.inputs;
    let frames = 0;
    for (const t of liveProgress.values()) frames += t.frames;
    const rss =
      hub === null ? '' : `, hub RSS ${(hub.observations.peakRssBytes / 2 ** 20).toFixed(0)} MiB peak`;
    print(`fuzz: ${secs} s, ${inputs} decoder inputs, ${frames} live frames, ${log.total} findings${rss}`);
  }, 15_000);
  try {
    const decoding =
      plan.length === 0
        ? Promise.resolve(new Map<string, TargetTally>())
        : runDecoders({
            seed: o.seed,
            plan,
            workers: o.workers ?? Math.max(1, availableParallelism() - 1),
            hangMs: o.hangMs ?? 100,
            stallMs: o.stallMs ?? 5000,
            deadline: Number.isFinite(deadline) ? deadline : 0,
            onFinding,
            tally: decoderProgress,
          });
    let living: Promise<Map<LiveTarget, LiveTally> | null> = Promise.resolve(null);
    if (liveTotal > 0) {
      setup = await prepareHub(LIVE_TARGETS.reduce((s, t) => s + lanes[t], 0));
      const dir = setup;
      removeOnExit = () => removeHub(dir);
      process.once('exit', removeOnExit);
      let restarting: Promise<void> | null = null;
      const h: HubProcess = new HubProcess({
        setup,
        entry: o.hubEntry ?? 'auto',
        healthLimitMs: o.healthLimitMs ?? 2000,
        onProblem: (p) => {
          onFinding({
            target: 'live-hub',
            kind: p.kind,
            index: null,
            seed: o.seed,
            message: p.message,
            stack: p.detail,
            input: null,
            ms: null,
          });
          if (p.kind === 'crash' && restarting === null) {
            restarting = h.restart().finally(() => {
              restarting = null;
            });
          }
        },
      });
      hub = h;
      await h.start();
      print(`fuzz: hub (${h.entry} build) on ${h.url}`);
      living = runLive({
        ctx: buildContext(o.seed),
        hub: h,
        setup,
        budget,
        lanes,
        deadline,
        onFinding,
        tallies: liveProgress,
      });
    }
    [decoderTallies, liveTallies] = await Promise.all([decoding, living]);
  } finally {
    clearInterval(progress);
    await hub?.stop();
    if (setup !== null) removeHub(setup);
    if (removeOnExit !== null) process.off('exit', removeOnExit);
  }

  const targets: TargetReport[] = [];
  for (const [name, t] of decoderTallies ?? []) targets.push({ name, frames: t.inputs, ms: t.ms, note: '' });
  for (const [name, t] of liveTallies ?? []) {
    if (!live.includes(name)) continue;
    const closes = Object.entries(t.closes)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code}×${n}`)
      .join(' ');
    if (process.env.HL_FUZZ_VERBOSE) console.error(name, t.reasons);
    targets.push({
      name,
      frames: t.frames,
      ms: t.ms,
      note: `${t.connections} connections, ${t.sessions} sessions${t.unanswered ? `, ${t.unanswered} unanswered` : ''}; closes ${closes}`,
    });
  }
  return {
    seed: o.seed,
    durationMs: performance.now() - started,
    targets,
    findings: log.total,
    groups: [...log.groups.values()],
    findingsDir: log.dir,
    hub: hub === null ? null : { ...(hub as HubProcess).observations, entry: (hub as HubProcess).entry },
  };
}

/** The report as text. */
export function formatReport(r: FuzzReport): string {
  const lines: string[] = [];
  const total = r.targets.reduce((s, t) => s + t.frames, 0);
  lines.push(
    `hivelink fuzz — seed ${r.seed}, ${total.toLocaleString('en-US')} frames in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  const width = Math.max(...r.targets.map((t) => t.name.length), 6);
  for (const t of r.targets) {
    const rate = t.ms > 0 ? `${Math.round((t.frames / t.ms) * 1000).toLocaleString('en-US')}/s` : '';
    lines.push(
      `  ${t.name.padEnd(width)} ${t.frames.toLocaleString('en-US').padStart(10)}  ${rate.padStart(9)}  ${t.note}`,
    );
  }
  if (r.hub !== null) {
    const h = r.hub;
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    lines.push(
      `  hub (${h.entry}): peak RSS ${mib(Math.max(h.peakRssBytes, h.hwmRssBytes))} (sampled ${mib(h.peakRssBytes)}), ` +
        `${h.healthChecks} health checks (${h.healthFailures} failed, slowest ${h.slowestHealthMs.toFixed(0)} ms), ` +
        `event-loop stalls ${h.eventLoopStalls} (worst ${h.worstStallMs.toFixed(0)} ms), ${h.crashes} crashes, ${h.errorLines} error log lines`,
    );
  }
  if (r.findings === 0) lines.push('  findings: none');
  else {
    lines.push(`  findings: ${r.findings} in ${r.groups.length} kinds, saved under ${r.findingsDir}`);
    for (const g of r.groups)
      lines.push(`    ${g.count}× ${g.first.kind} in ${g.first.target}: ${g.first.message.slice(0, 160)}`);
  }
  return lines.join('\n');
}
