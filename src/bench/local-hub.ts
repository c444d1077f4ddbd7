/**
 * `hivelink bench --local`: a hub of our own in a child process. A temp data dir gets N generated clients (each its
 * own access key and Noise key; one shared password) and a config file with limits sized for the run, then
 * `hivelink hub --port 0` starts on it; `restart` kills it and starts it again on the same port and data dir (the
 * storm).
 *
 * The v3 PSK of every client is put in the hub's PSK cache before the first start, as it would be on a hub that has
 * seen each client once: a client's first v3 connection ever costs one argon2id (~0.4 s) on each side, every later
 * one none. The bench measures the later ones.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBackend } from '../crypto/backend.node.js';
import { derivePskArgon2id } from '../crypto/psk.js';
import { HiveLinkError } from '../errors.js';
import type { HealthBody } from '../http/health.js';
import { encodeBytes } from '../protocol/encodings.js';
import { openDataDir } from '../store/data-dir.js';
import type { ClientRecord } from '../store/types.js';
import { childExecArgv, siblingEntry } from './pool.js';
import type { HubSample } from './soak-stats.js';
import type { BenchCredentials } from './types.js';

/** A prepared data dir with its generated clients. */
export interface LocalHubSetup {
  readonly dir: string;
  readonly configFile: string;
  readonly credentials: readonly BenchCredentials[];
  /** The v3 PSK every client shares (its password's), for SDK clients that need not derive it again. */
  readonly psk?: Uint8Array;
}

/** Options of {@link prepareLocalHub}. */
export interface PrepareOptions {
  /** Clients to generate. */
  readonly clients: number;
  /** The hub's `maxConnections`, `maxConnectionsPerIp` and pending-upgrade bounds (every bench connection comes from 127.0.0.1). */
  readonly maxConnections: number;
}

/** Where the hub child was told to listen, and how long it took to say so. */
export interface HubAddress {
  readonly url: string;
  readonly port: number;
  /** From spawning the process to its "listening" line (ms). */
  readonly startMs: number;
}

/** A temp data dir whose clients share one password, its v3 PSK already cached for each (see the module doc). */
export interface SeededDataDir {
  readonly dir: string;
  readonly password: string;
  /** The hub's RSA public key, which the PSK is derived with. */
  readonly nodeId: string;
  readonly psk: Uint8Array;
  readonly clients: readonly ClientRecord[];
}

/**
 * Creates a temp data dir named after `prefix` with `count` clients named `<name>-<i>` (see {@link SeededDataDir}):
 * what a load run (the bench, the live fuzz targets) connects as.
 */
export async function seedDataDir(prefix: string, name: string, count: number): Promise<SeededDataDir> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const data = openDataDir(dir);
  try {
    const nodeId = data.loadIdentity().rsaPublicPem;
    const password = encodeBytes('JSON-HEX', nodeBackend.randomBytes(16));
    const psk = await derivePskArgon2id(nodeBackend, password, nodeId);
    const clients: ClientRecord[] = [];
    for (let i = 0; i < count; i++) {
      const added = await data.store.addClient({ name: `${name}-${i}`, password });
      await data.store.setCachedPsk(added.record.id, nodeId, psk);
      clients.push(added.record);
    }
    return { dir, password, nodeId, psk, clients };
  } finally {
    await data.close();
  }
}

/**
 * Creates a temp data dir with `clients` clients and a config file. The rate limit is raised so that a single
 * client may send as fast as the hub answers (the limiter still runs on every message).
 */
export async function prepareLocalHub(options: PrepareOptions): Promise<LocalHubSetup> {
  const seeded = await seedDataDir('hivelink-bench-', 'bench', Math.max(1, options.clients));
  const credentials = seeded.clients.map((client) => ({
    accessKey: client.accessKey,
    password: seeded.password,
    noisePrivateKey: encodeBytes('JSON-HEX', nodeBackend.x25519KeyPair().privateKey),
  }));
  const configFile = join(seeded.dir, 'hivelink.json');
  const max = Math.max(options.maxConnections, 64);
  writeFileSync(
    configFile,
    JSON.stringify({
      limits: {
        maxConnections: max,
        maxConnectionsPerIp: max,
        // A storm opens every connection at once from one address, before any upgrade completes.
        maxPendingUpgrades: max,
        maxPendingUpgradesPerIp: max,
        defaultRateLimitPerSecond: 1_000_000,
        // The files scenario and the heavy jobs of throughput --jobs: ten transfers, several jobs of one kind at once.
        maxParallelTransfers: 16,
        jobConcurrency: 16,
        jobConcurrencyPerClient: 4,
      },
    }),
  );
  return { dir: seeded.dir, configFile, credentials, psk: seeded.psk };
}

/** Deletes the temp data dir. */
export function removeLocalHub(setup: LocalHubSetup): void {
  rmSync(setup.dir, { recursive: true, force: true });
}

/** Options of a {@link LocalHub}. */
export interface LocalHubInit {
  readonly setup: LocalHubSetup;
  readonly agent: 'echo' | 'embedded';
  /** @default 'warn' */
  readonly logLevel?: string;
  /** Write a V8 CPU profile of the hub into this directory when it stops (`node --cpu-prof`). @default null */
  readonly cpuProfDir?: string | null;
  /**
   * Probe the hub from inside (`hub-monitor.ts`): every `everyMs` it reports its memory and event-loop delay to
   * `onSample` (the soak). @default null (no probe)
   */
  readonly monitor?: { readonly everyMs: number; readonly onSample: (sample: HubSample) => void } | null;
}

function hubEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HIVELINK_')) env[k] = v;
  return env;
}

/** The hub child process; one at a time. */
export class LocalHub {
  readonly #init: LocalHubInit;
  #child: ChildProcess | null = null;
  #exit: Promise<void> | null = null;
  #port = 0;
  /** Set while this process is killing or stopping the hub: that exit is expected. */
  #stopping = false;
  #reportDeath: (err: HiveLinkError) => void = () => undefined;
  /**
   * Rejects if the hub exits without being asked to (a crash), with its exit status and the end of its stderr, so
   * a scenario fails at once instead of waiting for clients that can never come back. Never resolves.
   */
  readonly died: Promise<never>;

  constructor(init: LocalHubInit) {
    this.#init = init;
    this.died = new Promise<never>((_, reject) => {
      this.#reportDeath = reject;
    });
    this.died.catch(() => undefined);
  }

  get port(): number {
    return this.#port;
  }

  /** The hub process's id while it runs. */
  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** Starts `hivelink hub` (on `port`, or the last port, or a free one) and waits for its listening line. */
  start(port: number = this.#port): Promise<HubAddress> {
    if (this.#child !== null) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'the hub is running');
    const { setup, agent, cpuProfDir } = this.#init;
    const args = [
      'hub',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--data-dir',
      setup.dir,
      '--config',
      setup.configFile,
      '--agent',
      agent,
      '--log-level',
      this.#init.logLevel ?? 'warn',
    ];
    const profile = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
    const started = performance.now();
    const monitor = this.#init.monitor ?? null;
    const entry =
      monitor === null
        ? [siblingEntry('cli-process')]
        : [siblingEntry('hub-monitor'), String(monitor.everyMs)];
    const child = spawn(process.execPath, [...childExecArgv(profile), ...entry, ...args], {
      env: hubEnv(),
      stdio: monitor === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    if (monitor !== null) child.on('message', (sample: HubSample) => monitor.onSample(sample));
    this.#child = child;
    this.#stopping = false;
    this.#exit = new Promise((resolve) => child.once('exit', () => resolve()));
    let out = '';
    let err = '';
    child.once('exit', (code, signal) => {
      if (this.#stopping) return;
      const status = signal ?? `code ${String(code)}`;
      this.#reportDeath(
        new HiveLinkError('HL_ERR_INTERNAL', `the local hub exited unexpectedly (${status}): ${err.trim()}`),
      );
    });
    return new Promise<HubAddress>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail('did not start within 60 s'), 60_000);
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new HiveLinkError('HL_ERR_INTERNAL', `the local hub ${why}: ${err.trim() || out.trim()}`));
      };
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const m = /hivelink hub listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m !== null && !settled) {
          settled = true;
          clearTimeout(timer);
          this.#port = Number(m[1]);
          out = '';
          child.stdout!.removeAllListeners('data');
          child.stdout!.resume();
          resolve({
            url: `ws://127.0.0.1:${this.#port}`,
            port: this.#port,
            startMs: performance.now() - started,
          });
        }
      });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        err = (err + chunk).slice(-4000);
      });
      child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${String(code)}`})`));
    });
  }

  /** Kills the hub at once (SIGKILL: a power cut, no close frames). */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === null) return;
    this.#stopping = true;
    child.kill('SIGKILL');
    await this.#exit;
    this.#child = null;
  }

  /** Stops the hub gracefully (SIGTERM: closes every connection with 1001, writes its CPU profile if asked). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === null) return;
    this.#stopping = true;
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.kill('SIGTERM');
    await this.#exit;
    clearTimeout(killer);
    this.#child = null;
  }

  /**
   * The hub's `GET /healthz`.
   * @param timeoutMs - give up after this long (a hub whose event loop is stuck never answers). @default 10000
   */
  async health(timeoutMs = 10_000): Promise<HealthBody> {
    const res = await fetch(`http://127.0.0.1:${this.#port}/healthz`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new HiveLinkError('HL_ERR_INTERNAL', `/healthz answered ${res.status}`);
    return (await res.json()) as HealthBody;
  }
}

/** A plain `ws` echo server in its own process (the ceiling). */
export class EchoServer {
  #child: ChildProcess | null = null;

  /** Starts the server and resolves with its URL. */
  start(): Promise<string> {
    const child = spawn(process.execPath, [...childExecArgv(), siblingEntry('echo-process')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#child = child;
    let out = '';
    return new Promise((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const m = /echo server listening on (\d+)/.exec(out);
        if (m !== null) resolve(`ws://127.0.0.1:${m[1]}`);
      });
      child.once('exit', (code) =>
        reject(new HiveLinkError('HL_ERR_INTERNAL', `the echo server exited (code ${String(code)})`)),
      );
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.#child = null;
  }
}
