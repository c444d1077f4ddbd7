/**
 * The closed-loop scenarios: `ceiling` (a plain `ws` echo server, no crypto, no routing) and `throughput` (N clients
 * each sending the next utterance as soon as the answer arrived, for D seconds), reported as round trips/s and
 * latency percentiles, throughput as a ratio of the ceiling with as many clients.
 *
 * @module
 */
import { nodeBackend } from '../crypto/backend.node.js';
import { createHiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { LegacyChannel } from '../session/channel.js';
import { nowMs } from './connection.js';
import type { BenchContext } from './context.js';
import { EchoServer, type LocalHub } from './local-hub.js';
import { type LocalAgent, profileFor, profileLabel } from './options.js';
import { JobLoad, type JobLoadReport } from './scenario-files.js';
import { concatSamples, ratePerSecond, ratio, summarize } from './stats.js';
import type { BenchProtocol, BenchTarget } from './types.js';
import { mergeErrors, topError } from './types.js';

/** What one closed-loop run measured. */
export interface LoopResult {
  rtPerS: number;
  roundTrips: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  failed: number;
  error: string | null;
  /** CPU time of the hub per round trip (µs), when the hub is local. */
  hubCpuUs: number | null;
  /** CPU time of the load generators per round trip (µs). */
  genCpuUs: number | null;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The report columns of a closed-loop run that `ceiling` and `throughput` share, in their order. */
function loopColumns(r: LoopResult) {
  return {
    rt_per_s: r.rtPerS,
    p50_ms: r.p50,
    p90_ms: r.p90,
    p99_ms: r.p99,
    max_ms: r.max,
    errors: r.failed,
  };
}

/**
 * Opens `clients` connections spread over the workers, runs them in a closed loop for the warm-up plus the
 * measured duration, and closes them.
 */
export async function closedLoop(
  ctx: BenchContext,
  targetFor: (worker: number) => BenchTarget,
  clients: number,
  what: string,
  hub: LocalHub | null = null,
): Promise<LoopResult> {
  const { pool, options } = ctx;
  const opened = await pool.all('open', (i) => ({
    target: targetFor(i),
    count: pool.share(clients, i),
    concurrency: 16,
    handshakeTimeoutMs: 60_000,
  }));
  const openFailures = ctx.checkOpened(opened, what);
  const startAt = nowMs() + 500;
  const measureFrom = startAt + options.warmupS * 1000;
  const endAt = measureFrom + options.durationS * 1000;
  const running = pool.all('loop', () => ({
    startAt,
    measureFrom,
    endAt,
    roundTripTimeoutMs: 10_000,
  }));
  const hubCpu = hub === null ? null : await hubCpuWindow(hub, measureFrom, endAt);
  const reports = await running;
  await pool.all('close', () => ({}));
  const samples = concatSamples(reports.map((r) => r.samples));
  const s = summarize(samples);
  const genCpu = reports.reduce((n, r) => n + (r.cpuUs ?? 0), 0);
  const perRt = (us: number | null) =>
    us === null || s.count === 0 ? null : Math.round((us / s.count) * 10) / 10;
  const failed = reports.reduce((n, r) => n + r.failed, 0) + openFailures.failed;
  return {
    rtPerS: Math.round(ratePerSecond(s.count, endAt - measureFrom)),
    roundTrips: s.count,
    p50: round2(s.p50),
    p90: round2(s.p90),
    p99: round2(s.p99),
    max: round2(s.max),
    failed,
    error: topError(mergeErrors(reports.map((r) => r.errors))) ?? openFailures.error,
    hubCpuUs: perRt(hubCpu),
    genCpuUs: perRt(genCpu),
  };
}

/** The hub's CPU time (µs) between two epoch times, read from its /healthz. */
async function hubCpuWindow(hub: LocalHub, from: number, to: number): Promise<number> {
  const read = async () => {
    const { cpu } = await hub.health();
    return cpu.user_us + cpu.system_us;
  };
  await sleep(from - nowMs());
  const start = await read();
  await sleep(to - nowMs());
  return (await read()) - start;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** The size of a legacy AES-GCM JSON-HEX frame carrying the bench's utterance: what the ceiling sends. */
export function utteranceFrameBytes(utterance: string): number {
  const channel = new LegacyChannel(nodeBackend, {
    key: nodeBackend.randomBytes(32),
    cipher: 'AES-GCM',
    encoding: 'JSON-HEX',
    binarize: false,
  });
  const message = createHiveMessage(HiveMessageType.BUS, {
    type: 'recognizer_loop:utterance',
    data: { utterances: [utterance], lang: 'en-US' },
    context: {
      source: 'hivelink-bench',
      destination: 'HiveMind',
      session: { session_id: '00000000-0000-4000-8000-000000000000', lang: 'en-US', site_id: 'bench' },
    },
  });
  const frame = channel.seal(message)[0]!;
  return frame.kind === 'text' ? frame.text.length : frame.data.length;
}

/** `ceiling`: the echo server with each client count of the run. */
export async function runCeiling(ctx: BenchContext): Promise<void> {
  const server = new EchoServer();
  const url = await server.start();
  const frameBytes = utteranceFrameBytes(ctx.options.utterance);
  try {
    for (const clients of ctx.options.clients) {
      ctx.reporter.note(`ceiling: ${clients} client(s) against a plain ws echo server…`);
      const r = await closedLoop(ctx, () => ({ kind: 'echo', url, frameBytes }), clients, 'ceiling');
      ctx.ceilings.set(clients, r.rtPerS);
      ctx.reporter.add({
        scenario: 'ceiling',
        server: 'plain ws echo',
        clients,
        frame_bytes: frameBytes,
        ...loopColumns(r),
      });
    }
  } finally {
    await server.stop();
  }
}

/** `throughput`: every agent × protocol × client count of the run, one hub per agent. */
export async function runThroughput(ctx: BenchContext): Promise<void> {
  for (const agent of ctx.agents) {
    await ctx.withHub(agent, async (hub) => {
      for (const protocol of ctx.options.protocols) {
        await throughputOnce(ctx, hub.url, hub.local, agent, protocol);
      }
    });
  }
}

async function throughputOnce(
  ctx: BenchContext,
  url: string,
  local: LocalHub | null,
  agent: LocalAgent | 'remote',
  protocol: BenchProtocol,
): Promise<void> {
  const profile = profileFor(ctx.options, protocol);
  await ctx.probe(url, profile);
  const { jobs } = ctx.options;
  for (const clients of ctx.options.clients) {
    const label = profileLabel(profile);
    // With --jobs N: the same run again while N heavy jobs run on the hub.
    for (const heavy of jobs > 0 ? [0, jobs] : [0]) {
      const beside = heavy > 0 ? `, ${heavy} heavy job(s) running` : '';
      ctx.reporter.note(`throughput: ${clients} client(s), ${label}, agent ${agent}${beside}…`);
      const load =
        heavy === 0
          ? null
          : await JobLoad.start(
              url,
              Array.from({ length: heavy }, (_, i) => ctx.credentialsAt(i)),
              ctx.options.jobFileMiB,
              ctx.setup?.psk ?? null,
            );
      let r: LoopResult;
      let jobReport: JobLoadReport | null = null;
      try {
        await load?.running;
        r = await closedLoop(ctx, (i) => ctx.hiveTarget(url, profile, i), clients, 'throughput', local);
      } finally {
        jobReport = (await load?.stop()) ?? null;
      }
      const ceiling = ctx.ceilings.get(clients) ?? null;
      const vsCeiling = ratio(r.rtPerS, ceiling);
      ctx.reporter.add({
        scenario: 'throughput',
        agent,
        protocol: label,
        clients,
        ...(jobs > 0 ? { jobs: heavy } : {}),
        ...loopColumns(r),
        hub_cpu_us_per_rt: r.hubCpuUs,
        gen_cpu_us_per_rt: r.genCpuUs,
        ceiling_rt_per_s: ceiling,
        ceiling_ratio: vsCeiling === null ? null : round2(vsCeiling),
        ...(jobReport === null ? {} : { jobs_done: jobReport.done, jobs_failed: jobReport.failed }),
      });
      if (r.error !== null) ctx.reporter.note(`  errors: ${r.error}`);
      if (jobReport?.error) ctx.reporter.note(`  job errors: ${jobReport.error}`);
    }
  }
}
