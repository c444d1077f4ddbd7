/**
 * One `hivelink bench` run: prepares the hub under test (a generated data dir for `--local`), forks the load
 * generators, runs the chosen scenarios in order and prints the report.
 *
 * @module
 */
import { BenchContext } from './context.js';
import { type LocalHubSetup, prepareLocalHub, removeLocalHub } from './local-hub.js';
import { type BenchOptions, concurrencyFor, SCENARIOS, type ScenarioName } from './options.js';
import { WorkerPool } from './pool.js';
import { Reporter, type ReportRow } from './report.js';
import { runConnect, runIdle, runStorm } from './scenario-connections.js';
import { PARALLEL_TRANSFERS, runFiles } from './scenario-files.js';
import { runCeiling, runThroughput } from './scenario-traffic.js';
import type { BenchCredentials } from './types.js';

/** Where a run writes: the report (`out`) and progress lines (`err`). */
export interface BenchIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

const RUNNERS: Record<ScenarioName, (ctx: BenchContext) => Promise<void>> = {
  ceiling: runCeiling,
  throughput: runThroughput,
  connect: runConnect,
  idle: runIdle,
  storm: runStorm,
  files: runFiles,
};

/** The scenarios to run, in their fixed order; throughput brings the ceiling along unless it is turned off. */
export function plannedScenarios(options: BenchOptions): ScenarioName[] {
  const wanted = new Set(options.scenarios);
  if (wanted.has('throughput') && options.ceiling) wanted.add('ceiling');
  return SCENARIOS.filter((s) => wanted.has(s));
}

function sizes(
  options: BenchOptions,
  planned: readonly ScenarioName[],
): { clients: number; connections: number } {
  let connections = 1;
  if (planned.includes('throughput')) {
    connections = Math.max(connections, ...options.clients.map((c) => c + options.jobs));
  }
  if (planned.includes('files')) connections = Math.max(connections, PARALLEL_TRANSFERS);
  if (planned.includes('connect'))
    connections = Math.max(
      connections,
      options.background + Math.max(concurrencyFor(options, 'v3'), concurrencyFor(options, 'legacy')),
    );
  if (planned.includes('idle')) connections = Math.max(connections, options.idle);
  if (planned.includes('storm')) connections = Math.max(connections, options.satellites);
  return { clients: Math.min(options.maxClients, connections), connections };
}

function header(options: BenchOptions): string {
  const t = options.target;
  const target =
    t.kind === 'local' ? `a local hivelink hub (agents: ${t.agents.join(', ')})` : `the hub at ${t.url}`;
  return `# hivelink bench: ${target}, ${options.workers} load-generator process(es), ${options.durationS} s per throughput run`;
}

/** Runs the scenarios of `options` and returns the rows reported. */
export async function runBench(options: BenchOptions, io: BenchIo): Promise<ReportRow[]> {
  const reporter = new Reporter(io.out, io.err, options.json);
  const planned = plannedScenarios(options);
  let setup: LocalHubSetup | null = null;
  let remote: BenchCredentials | null = null;
  const t = options.target;
  if (t.kind === 'local') {
    const size = sizes(options, planned);
    reporter.note(`preparing a local hub with ${size.clients} clients…`);
    setup = await prepareLocalHub({ clients: size.clients, maxConnections: size.connections + 1000 });
  } else {
    remote = { accessKey: t.accessKey, password: t.password, noisePrivateKey: t.noisePrivateKey };
  }
  const pool = new WorkerPool(options.workers, options.workerCpuProf);
  try {
    const ctx = new BenchContext({ options, pool, reporter, setup, remote });
    for (const scenario of planned) await RUNNERS[scenario](ctx);
    reporter.finish(header(options));
    return [...reporter.rows];
  } finally {
    await pool.stop();
    if (setup !== null) removeLocalHub(setup);
  }
}
