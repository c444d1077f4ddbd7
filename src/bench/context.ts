/**
 * What every scenario of a bench run uses: the options, the worker pool, the reporter, the hub under test (a local
 * child process per scenario, or the remote URL) and the credentials to hand each worker.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { LocalHub, type LocalHubSetup } from './local-hub.js';
import type { BenchOptions, LocalAgent } from './options.js';
import type { WorkerPool } from './pool.js';
import type { Reporter } from './report.js';
import type { BenchCredentials, BenchTarget, ConnectionProfile, OpenReport } from './types.js';
import { mergeErrors, topError } from './types.js';

/** The hub a scenario talks to. */
export interface HubUnderTest {
  readonly url: string;
  /** The local hub process (null for a remote hub). */
  readonly local: LocalHub | null;
}

export class BenchContext {
  readonly options: BenchOptions;
  readonly pool: WorkerPool;
  readonly reporter: Reporter;
  /** The generated data dir (local runs). */
  readonly setup: LocalHubSetup | null;
  /** Round trips/s of the echo server, by client count (filled by the ceiling scenario). */
  readonly ceilings = new Map<number, number>();
  readonly #remote: BenchCredentials | null;

  constructor(init: {
    options: BenchOptions;
    pool: WorkerPool;
    reporter: Reporter;
    setup: LocalHubSetup | null;
    remote: BenchCredentials | null;
  }) {
    this.options = init.options;
    this.pool = init.pool;
    this.reporter = init.reporter;
    this.setup = init.setup;
    this.#remote = init.remote;
  }

  /** The agents to run throughput with: the local ones, or the remote hub's own (one run). */
  get agents(): readonly (LocalAgent | 'remote')[] {
    const t = this.options.target;
    return t.kind === 'local' ? t.agents : ['remote'];
  }

  /**
   * Runs `fn` against the hub: a fresh local hub with `agent` (stopped afterwards, writing its CPU profile when
   * asked), or the remote hub.
   */
  async withHub<T>(agent: LocalAgent | 'remote', fn: (hub: HubUnderTest) => Promise<T>): Promise<T> {
    const target = this.options.target;
    if (target.kind === 'remote' || agent === 'remote') {
      if (target.kind !== 'remote') throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'no remote hub');
      return fn({ url: target.url, local: null });
    }
    const hub = new LocalHub({
      setup: this.setup!,
      agent,
      cpuProfDir: this.options.hubCpuProf,
    });
    const { url } = await hub.start(0);
    try {
      return await Promise.race([fn({ url, local: hub }), hub.died]);
    } finally {
      await hub.stop();
    }
  }

  /** The credentials worker `i` uses: its share of the generated clients, or the one remote client. */
  credentialsFor(i: number): BenchCredentials[] {
    if (this.#remote !== null) return [this.#remote];
    const all = this.setup!.credentials;
    const n = this.pool.size;
    const mine = all.filter((_, k) => k % n === i);
    return mine.length > 0 ? mine : [...all];
  }

  /**
   * The `i`th generated client (wrapping around), or the one remote client: for the scenario's own SDK clients (the
   * `files` transfers, the heavy jobs of `throughput --jobs`), counted from the end so that they are not the
   * workers' first ones.
   */
  credentialsAt(i: number): BenchCredentials {
    if (this.#remote !== null) return this.#remote;
    const all = this.setup!.credentials;
    return all[all.length - 1 - (i % all.length)]!;
  }

  /** The connection target of worker `i`. */
  hiveTarget(url: string, profile: ConnectionProfile, i: number): Extract<BenchTarget, { kind: 'hive' }> {
    return {
      kind: 'hive',
      url,
      credentials: this.credentialsFor(i),
      profile,
      endType: this.options.endType,
      utterance: this.options.utterance,
    };
  }

  /**
   * One handshake and one round trip with `profile`: fails with the hub's reason (credentials or protocol
   * refused, no answer) before a scenario starts.
   */
  async probe(url: string, profile: ConnectionProfile): Promise<void> {
    const opened = await this.pool.one('open', {
      target: this.hiveTarget(url, profile, 0),
      count: 1,
      concurrency: 1,
      handshakeTimeoutMs: 30_000,
    });
    const error = topError(opened.errors);
    if (opened.failed > 0) {
      await this.pool.one('close', {});
      throw new HiveLinkError('HL_ERR_CONNECT_FAILED', `${url}: ${error ?? 'cannot connect'}`);
    }
    const answered = await this.pool.one('each', { concurrency: 1, roundTripTimeoutMs: 15_000 });
    await this.pool.one('close', {});
    if (answered.failed > 0) {
      throw new HiveLinkError(
        'HL_ERR_ASK_TIMEOUT',
        `${url} accepted the connection but did not answer "${this.options.utterance}" with ${this.options.endType}: ${topError(answered.errors) ?? ''}`,
      );
    }
  }

  /** Fails when every attempt of a batch failed; otherwise returns how many failed and the most common reason. */
  checkOpened(reports: readonly OpenReport[], what: string): { failed: number; error: string | null } {
    const failed = reports.reduce((n, r) => n + r.failed, 0);
    const ok = reports.reduce((n, r) => n + r.connectMs.length, 0);
    const error = topError(mergeErrors(reports.map((r) => r.errors)));
    if (ok === 0 && failed > 0) {
      throw new HiveLinkError('HL_ERR_CONNECT_FAILED', `${what}: no connection opened: ${error ?? ''}`);
    }
    return { failed, error };
  }
}
