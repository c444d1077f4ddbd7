/**
 * The live target's hub: `hivelink hub --port 0 --agent echo` in a child process, on a temp data dir with one
 * client per fuzz lane (one shared password, the v3 PSK already cached, as on a hub that has seen each client), and
 * limits raised so that the hub's own defences (rate limits, failure budgets, per-address caps) do not end the
 * fuzzing: every connection comes from 127.0.0.1, and most of them fail on purpose.
 *
 * While it runs, {@link HubProcess} watches it from a worker thread (hub-monitor.ts): `/healthz` every 250 ms (two
 * answers in a row later than the limit — 2 s, scaled by the load per core — are a finding), `/metrics` every
 * second (an event-loop stall as long is one too), its RSS from `/proc/<pid>/status`, every error-level line it
 * logs, and its exit (a crash).
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { LIMIT_DEFS } from '../../src/limits.js';
import type { MonitorInit, MonitorMessage } from './hub-monitor.js';
import { procStatus } from './proc.js';
import { spawnTsWorker } from './ts-worker.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The data dir and what the fuzzer needs to connect. */
export interface HubSetup {
  readonly dir: string;
  readonly configFile: string;
  readonly accessKeys: readonly string[];
  readonly password: string;
  readonly nodeId: string;
  readonly psk: Uint8Array;
}

/**
 * Limits for a fuzzing hub: the hub's protections stay on, but high enough that one address may keep failing.
 * Only names this checkout knows are written (the config refuses unknown ones).
 */
function fuzzLimits(): Record<string, number> {
  const wanted: Record<string, number> = {
    maxConnections: 4096,
    maxConnectionsPerIp: 4096,
    maxPendingUpgrades: 4096,
    maxPendingUpgradesPerIp: 4096,
    defaultRateLimitPerSecond: 1_000_000,
    authFailuresPerIp: 1_000_000_000,
    authFailuresPerKey: 1_000_000_000,
    handshakeTimeoutMs: 5000,
  };
  const defs = LIMIT_DEFS as Record<string, { scope: string } | undefined>;
  return Object.fromEntries(Object.entries(wanted).filter(([name]) => defs[name]?.scope === 'hub'));
}

/** Creates the temp data dir with `clients` clients and the config file. */
export async function prepareHub(clients: number): Promise<HubSetup> {
  // loaded here, not at the top: a run of the in-process targets alone needs none of it
  const { seedDataDir } = await import('../../src/bench/local-hub.js');
  const seeded = await seedDataDir('hivelink-fuzz-hub-', 'fuzz', clients);
  const configFile = join(seeded.dir, 'fuzz-hub.json');
  writeFileSync(configFile, JSON.stringify({ limits: fuzzLimits() }));
  const { dir, password, nodeId, psk } = seeded;
  return { dir, configFile, accessKeys: seeded.clients.map((c) => c.accessKey), password, nodeId, psk };
}

/** True when dist/ was built from the current src/ (every source file has an output at least as new). */
export function distIsCurrent(): boolean {
  const src = join(ROOT, 'src');
  const dist = join(ROOT, 'dist');
  if (!existsSync(join(dist, 'cli/main.js'))) return false;
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : [],
    );
  return walk(src).every((file) => {
    const out = join(dist, relative(src, file)).replace(/\.ts$/, '.js');
    return existsSync(out) && statSync(out).mtimeMs >= statSync(file).mtimeMs;
  });
}

/** Which build the hub runs: `dist` (bin/hivelink.js, what ships) or `src` (through tsx), `auto` = dist when current. */
export type HubEntry = 'auto' | 'dist' | 'src';

function entryArgs(entry: HubEntry): { args: string[]; used: 'dist' | 'src' } {
  const used = entry === 'auto' ? (distIsCurrent() ? 'dist' : 'src') : entry;
  return used === 'dist'
    ? { args: [join(ROOT, 'bin/hivelink.js')], used }
    : { args: ['--import', 'tsx', join(ROOT, 'src/bench/cli-process.ts')], used };
}

/** What the watchers saw. */
export interface HubObservations {
  /** Highest RSS sampled (bytes), and the kernel's high-water mark at the end. */
  peakRssBytes: number;
  hwmRssBytes: number;
  healthChecks: number;
  healthFailures: number;
  slowestHealthMs: number;
  eventLoopStalls: number;
  worstStallMs: number;
  errorLines: number;
  crashes: number;
}

export interface HubProblem {
  readonly kind: 'crash' | 'internal-error' | 'unresponsive';
  readonly message: string;
  readonly detail: string | null;
}

export interface HubProcessInit {
  readonly setup: HubSetup;
  readonly entry: HubEntry;
  /** Two health checks in a row slower than this (scaled by the load per core), or failing, are a finding (ms). */
  readonly healthLimitMs: number;
  readonly onProblem: (problem: HubProblem) => void;
}

export class HubProcess {
  readonly observations: HubObservations = {
    peakRssBytes: 0,
    hwmRssBytes: 0,
    healthChecks: 0,
    healthFailures: 0,
    slowestHealthMs: 0,
    eventLoopStalls: 0,
    worstStallMs: 0,
    errorLines: 0,
    crashes: 0,
  };
  readonly #init: HubProcessInit;
  #child: ChildProcess | null = null;
  #port = 0;
  #stopping = false;
  #monitor: Worker | null = null;
  #stderrTail = '';
  #used: 'dist' | 'src' = 'dist';
  /** Kills the hub if this process exits first (Ctrl-C, a crash of the fuzzer): never leave it running. */
  readonly #killOnExit = () => this.#child?.kill('SIGKILL');

  constructor(init: HubProcessInit) {
    this.#init = init;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  /** Which build runs. */
  get entry(): 'dist' | 'src' {
    return this.#used;
  }

  /** Starts the hub (on its last port after a crash) and its watchers. */
  async start(): Promise<void> {
    const { setup } = this.#init;
    const { args, used } = entryArgs(this.#init.entry);
    this.#used = used;
    const child = spawn(
      process.execPath,
      [
        ...args,
        'hub',
        '--host',
        '127.0.0.1',
        '--port',
        String(this.#port),
        '--data-dir',
        setup.dir,
        '--config',
        setup.configFile,
        '--agent',
        'echo',
        '--log-level',
        'warn',
      ],
      {
        cwd: ROOT,
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HIVELINK_'))),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.#child = child;
    this.#stopping = false;
    process.once('exit', this.#killOnExit);
    let lineBuf = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-8000);
      lineBuf += chunk;
      let nl = lineBuf.indexOf('\n');
      while (nl >= 0) {
        this.#onLogLine(lineBuf.slice(0, nl));
        lineBuf = lineBuf.slice(nl + 1);
        nl = lineBuf.indexOf('\n');
      }
    });
    child.once('exit', (code, signal) => {
      if (this.#stopping) return;
      this.observations.crashes++;
      this.#init.onProblem({
        kind: 'crash',
        message: `the hub exited (${signal ?? `code ${String(code)}`})`,
        detail: this.#stderrTail.slice(-4000),
      });
    });
    this.#port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the hub did not start: ${this.#stderrTail}`)), 60_000);
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const m = /hivelink hub listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m !== null) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', () => reject(new Error(`the hub exited while starting: ${this.#stderrTail}`)));
    });
    child.stdout!.resume();
    this.#watch();
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** A crashed hub: started again on the same port, so the lanes carry on. */
  async restart(): Promise<void> {
    this.#unwatch();
    process.off('exit', this.#killOnExit);
    this.#child = null;
    await this.start();
  }

  #onLogLine(line: string): void {
    let level = 0;
    let msg = line;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      level = entry.level ?? 0;
      msg = entry.msg ?? line;
    } catch {
      level = 50; // not a log entry: a stack trace or a warning from Node itself
    }
    if (level >= 50) {
      this.observations.errorLines++;
      this.#init.onProblem({
        kind: 'internal-error',
        message: `the hub logged: ${msg.slice(0, 300)}`,
        detail: line.slice(0, 4000),
      });
    }
  }

  #watch(): void {
    const obs = this.observations;
    const limit = this.#init.healthLimitMs;
    const init: MonitorInit = { port: this.#port, pid: this.#child!.pid!, healthLimitMs: limit };
    const monitor = spawnTsWorker(new URL('./hub-monitor.ts', import.meta.url), init);
    this.#monitor = monitor;
    let missed = 0;
    monitor.on('message', (m: MonitorMessage) => {
      if (m.type === 'rss') {
        obs.peakRssBytes = Math.max(obs.peakRssBytes, m.rss);
        obs.hwmRssBytes = Math.max(obs.hwmRssBytes, m.hwm);
      } else if (m.type === 'health') {
        if (!this.running || this.#stopping) return;
        obs.healthChecks++;
        obs.slowestHealthMs = Math.max(obs.slowestHealthMs, m.ms);
        // one late answer may be the machine; two in a row (over 4 s without an answer) is the hub
        missed = m.ok ? 0 : missed + 1;
        if (missed === 2) {
          obs.healthFailures++;
          this.#init.onProblem({
            kind: 'unresponsive',
            message: `two health checks in a row failed, the last after ${m.ms.toFixed(0)} ms: ${m.error}`,
            detail: null,
          });
        }
      } else {
        obs.eventLoopStalls = Math.max(obs.eventLoopStalls, m.stalls);
        if (m.worstStallMs > obs.worstStallMs && m.worstStallMs >= limit) {
          this.#init.onProblem({
            kind: 'unresponsive',
            message: `the hub's event loop stalled for ${m.worstStallMs.toFixed(0)} ms (/metrics)`,
            detail: null,
          });
        }
        obs.worstStallMs = Math.max(obs.worstStallMs, m.worstStallMs);
      }
    });
    monitor.on('error', () => undefined);
  }

  #unwatch(): void {
    void this.#monitor?.terminate();
    this.#monitor = null;
  }

  /** Stops the hub (SIGTERM, then SIGKILL after 10 s) and reads its final RSS high-water mark. */
  async stop(): Promise<void> {
    this.#unwatch();
    process.off('exit', this.#killOnExit);
    const child = this.#child;
    if (child === null) return;
    this.#stopping = true;
    if (child.pid !== undefined) {
      this.observations.hwmRssBytes = Math.max(this.observations.hwmRssBytes, procStatus(child.pid, 'VmHWM'));
    }
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    }
    this.#child = null;
  }
}

/** Deletes the temp data dir. */
export function removeHub(setup: HubSetup): void {
  rmSync(setup.dir, { recursive: true, force: true });
}
