/**
 * The connection scenarios: `connect` (handshakes per second and connect-time percentiles, per protocol, while a
 * few connected clients keep talking), `idle` (the hub's memory per held connection, and a round trip on each at
 * the end), and `storm` (SDK satellites, the hub killed and started again on the same port and data dir: the time
 * until every satellite is back and answering).
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import type { HealthBody } from '../http/health.js';
import { nowMs } from './connection.js';
import type { BenchContext } from './context.js';
import type { LocalHub } from './local-hub.js';
import { concurrencyFor, handshakesFor, profileFor, profileLabel } from './options.js';
import { WorkerPool } from './pool.js';
import { concatSamples, ratePerSecond, summarize } from './stats.js';
import type { BenchProtocol, ConnectionProfile } from './types.js';
import { mergeErrors, topError } from './types.js';

const round2 = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The agent of the connection scenarios: the first local one (the agent does not take part in a handshake). */
function connectionAgent(ctx: BenchContext) {
  return ctx.agents[0]!;
}

/** `connect`: per protocol, M handshakes C at a time while `background` clients send paced utterances. */
export async function runConnect(ctx: BenchContext): Promise<void> {
  await ctx.withHub(connectionAgent(ctx), async (hub) => {
    for (const protocol of ctx.options.protocols) {
      const profile = profileFor(ctx.options, protocol);
      await ctx.probe(hub.url, profile);
      await connectOnce(ctx, hub.url, hub.local, profile);
    }
  });
}

/** The hub's CPU time so far (µs), or null for a remote hub. */
async function hubCpuUs(hub: LocalHub | null): Promise<number | null> {
  if (hub === null) return null;
  const { cpu } = await hub.health();
  return cpu.user_us + cpu.system_us;
}

async function connectOnce(
  ctx: BenchContext,
  url: string,
  hub: LocalHub | null,
  profile: ConnectionProfile,
): Promise<void> {
  const { pool, options } = ctx;
  const total = handshakesFor(options, profile.protocol);
  const label = profileLabel(profile);
  ctx.reporter.note(
    `connect: ${total} ${label} handshakes, ${concurrencyFor(options, profile.protocol)} at a time, ${options.background} clients talking…`,
  );
  // The talking clients run in a process of their own, so the handshakes' client side cannot delay them.
  const talkers = options.background > 0 ? new WorkerPool(1) : null;
  try {
    let background: Promise<{ samples: Float64Array; failed: number }> | null = null;
    if (talkers !== null) {
      const opened = await talkers.one('open', {
        target: ctx.hiveTarget(url, profile, 0),
        count: options.background,
        concurrency: 8,
        handshakeTimeoutMs: 60_000,
      });
      ctx.checkOpened([opened], 'connect (talking clients)');
      const startAt = nowMs() + 200;
      background = talkers.one('loop', {
        startAt,
        measureFrom: startAt + 500,
        endAt: startAt + 3_600_000,
        intervalMs: 1000 / options.backgroundRate,
        roundTripTimeoutMs: 10_000,
      });
      await sleep(700);
    }
    const hubBefore = await hubCpuUs(hub);
    const reports = await pool.all('handshakes', (i) => ({
      target: ctx.hiveTarget(url, profile, i),
      total: pool.share(total, i),
      concurrency: Math.max(1, Math.ceil(concurrencyFor(options, profile.protocol) / pool.size)),
      handshakeTimeoutMs: 120_000,
    }));
    const hubAfter = await hubCpuUs(hub);
    await talkers?.one('halt', {});
    const talked = background === null ? null : await background;
    await talkers?.one('close', {});
    const { failed, error } = ctx.checkOpened(reports, 'connect');
    const times = summarize(concatSamples(reports.map((r) => r.connectMs)));
    const elapsed = Math.max(...reports.map((r) => r.elapsedMs));
    const bg = talked === null ? null : summarize(talked.samples);
    ctx.reporter.add({
      scenario: 'connect',
      protocol: label,
      handshakes: times.count,
      concurrency: concurrencyFor(options, profile.protocol),
      handshakes_per_s: round2(ratePerSecond(times.count, elapsed)),
      p50_ms: round2(times.p50),
      p90_ms: round2(times.p90),
      p99_ms: round2(times.p99),
      max_ms: round2(times.max),
      failed,
      hub_cpu_ms_per_handshake:
        hubBefore === null || hubAfter === null || times.count === 0
          ? null
          : round2((hubAfter - hubBefore) / times.count / 1000),
      gen_cpu_ms_per_handshake:
        times.count === 0
          ? null
          : round2(reports.reduce((n, r) => n + (r.cpuUs ?? 0), 0) / times.count / 1000),
      talking_clients: options.background,
      talking_p99_ms: bg === null ? null : round2(bg.p99),
      talking_max_ms: bg === null ? null : round2(bg.max),
    });
    if (error !== null) ctx.reporter.note(`  errors: ${error}`);
  } finally {
    await talkers?.stop();
  }
}

/** The protocol of `idle`: v3 when the run includes it (10 000 legacy handshakes take minutes of PBKDF2). */
function idleProtocol(ctx: BenchContext): BenchProtocol {
  return ctx.options.protocols.includes('v3') ? 'v3' : ctx.options.protocols[0]!;
}

/** `idle`: hold N connections, read the hub's memory before and after, then a round trip on each. */
export async function runIdle(ctx: BenchContext): Promise<void> {
  const { pool, options } = ctx;
  await ctx.withHub(connectionAgent(ctx), async (hub) => {
    const profile = profileFor(options, idleProtocol(ctx));
    await ctx.probe(hub.url, profile);
    const label = profileLabel(profile);
    ctx.reporter.note(`idle: ${options.idle} ${label} connections…`);
    await sleep(1000);
    const before: HealthBody | null = hub.local === null ? null : await hub.local.health();
    const opened = await pool.all('open', (i) => ({
      target: ctx.hiveTarget(hub.url, profile, i),
      count: pool.share(options.idle, i),
      concurrency: Math.max(1, Math.ceil(concurrencyFor(options, profile.protocol) / pool.size)),
      handshakeTimeoutMs: 120_000,
    }));
    const { failed: openFailed, error: openError } = ctx.checkOpened(opened, 'idle');
    const held = opened.reduce((n, r) => n + r.connectMs.length, 0);
    const openSeconds = Math.max(...opened.map((r) => r.elapsedMs)) / 1000;
    await sleep(2000);
    const after: HealthBody | null = hub.local === null ? null : await hub.local.health();
    const checks = await pool.all('each', () => ({ concurrency: 256, roundTripTimeoutMs: 30_000 }));
    await pool.all('close', () => ({}));
    const usable = checks.reduce((n, r) => n + r.samples.length, 0);
    const perConn = (key: 'rss' | 'heap_used') =>
      before === null || after === null || held === 0
        ? null
        : round2((after.memory[key] - before.memory[key]) / held / 1024);
    ctx.reporter.add({
      scenario: 'idle',
      protocol: label,
      connections: held,
      open_s: round2(openSeconds),
      hub_rss_mib: after === null ? null : round2(after.memory.rss / 1024 ** 2),
      rss_per_conn_kib: perConn('rss'),
      heap_per_conn_kib: perConn('heap_used'),
      usable,
      failed: openFailed + checks.reduce((n, r) => n + r.failed, 0),
    });
    const error = topError(mergeErrors(checks.map((r) => r.errors))) ?? openError;
    if (error !== null) ctx.reporter.note(`  errors: ${error}`);
  });
}

/** `storm`: per protocol, N satellites, the hub killed and started again; time until all answer again. */
export async function runStorm(ctx: BenchContext): Promise<void> {
  if (ctx.options.target.kind !== 'local') {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      'the storm scenario restarts the hub: it needs --local',
    );
  }
  for (const protocol of ctx.options.protocols) {
    await ctx.withHub(connectionAgent(ctx), (hub) => stormOnce(ctx, hub.url, hub.local!, protocol));
  }
}

/** How often a storm still waiting checks that the restarted hub answers `/healthz`. */
const STORM_HEALTH_EVERY_MS = 15_000;

/**
 * Waits for `storm`, and meanwhile asks the hub for `/healthz` every {@link STORM_HEALTH_EVERY_MS}: a note says when
 * it does not answer within 2 s, so a storm that never settles shows whether the hub stalled or the satellites did.
 */
async function watchWhileWaiting<T>(
  ctx: BenchContext,
  hub: LocalHub,
  storm: Promise<T>,
  since: number,
): Promise<T> {
  let settled = false;
  const timer = setInterval(() => {
    const at = ((nowMs() - since) / 1000).toFixed(0);
    hub.health(2_000).then(
      () => undefined,
      (err: unknown) => {
        if (!settled)
          ctx.reporter.note(`  storm: after ${at} s the hub does not answer /healthz (${String(err)})`);
      },
    );
  }, STORM_HEALTH_EVERY_MS);
  try {
    return await storm;
  } finally {
    settled = true;
    clearInterval(timer);
  }
}

async function stormOnce(
  ctx: BenchContext,
  url: string,
  hub: LocalHub,
  protocol: BenchProtocol,
): Promise<void> {
  const { pool, options } = ctx;
  const profile = profileFor(options, protocol);
  const label = profileLabel(profile);
  await ctx.probe(url, profile);
  ctx.reporter.note(`storm: connecting ${options.satellites} ${label} satellites…`);
  const timeoutMs = options.stormTimeoutS * 1000;
  const connected = await pool.all('satellites', (i) => ({
    target: ctx.hiveTarget(url, profile, i),
    count: pool.share(options.satellites, i),
    concurrency: Math.max(1, Math.ceil(concurrencyFor(options, protocol) / pool.size)),
    initialDelayMs: options.reconnectMs,
    maxDelayMs: options.reconnectMaxMs,
    handshakeTimeoutMs: timeoutMs,
  }));
  const { failed: notConnected } = ctx.checkOpened(connected, 'storm');
  const satellites = connected.reduce((n, r) => n + r.connectMs.length, 0);
  ctx.reporter.note(`storm: ${satellites} satellites connected; killing and restarting the hub…`);
  const deadline = nowMs() + timeoutMs;
  const storm = pool.all('storm', () => ({ deadline, askTimeoutMs: timeoutMs }));
  await pool.all('ping', () => ({}));
  const killedAt = nowMs();
  await hub.kill();
  const restarted = await hub.start();
  const reports = await watchWhileWaiting(ctx, hub, storm, killedAt);
  await pool.all('close', () => ({}));
  const back = summarize(concatSamples(reports.map((r) => r.backAt.map((t) => t - killedAt))));
  const missing = reports.reduce((n, r) => n + r.missing, 0);
  ctx.reporter.add({
    scenario: 'storm',
    protocol: label,
    satellites,
    hub_restart_s: round2(restarted.startMs / 1000),
    all_back_s: missing === 0 ? round2(back.max / 1000) : null,
    p50_back_s: round2(back.p50 / 1000),
    p99_back_s: round2(back.p99 / 1000),
    back: back.count,
    missing: missing + notConnected,
  });
  const error = topError(mergeErrors(reports.map((r) => r.errors)));
  if (error !== null) ctx.reporter.note(`  errors: ${error}`);
}
