/**
 * The settings of one `hivelink bench` run, with their defaults (sized for the goals of issue 6).
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import type { LegacyCipherName } from '../crypto/legacy-cipher.js';
import type { NoiseSuite } from '../crypto/noise/index.js';
import type { EncodingName } from '../protocol/encodings.js';
import type { BenchProtocol, ConnectionProfile } from './types.js';

export const SCENARIOS = ['ceiling', 'throughput', 'connect', 'idle', 'storm', 'files'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** The local hub's agent. */
export type LocalAgent = 'echo' | 'embedded';

/** The hub under test: one started by the bench, or any HiveMind hub with given credentials. */
export type BenchTargetOptions =
  | { readonly kind: 'local'; readonly agents: readonly LocalAgent[] }
  | {
      readonly kind: 'remote';
      readonly url: string;
      readonly accessKey: string;
      readonly password: string;
      /** This client's Noise static private key (64 hex): the hub pins one key per access key. */
      readonly noisePrivateKey: string;
    };

export interface BenchOptions {
  /** Scenarios to run, in this order. @default every scenario */
  readonly scenarios: readonly ScenarioName[];
  readonly target: BenchTargetOptions;
  /** @default ['legacy', 'v3'] */
  readonly protocols: readonly BenchProtocol[];
  /** @default 'AES-GCM' */
  readonly cipher: LegacyCipherName;
  /** @default 'JSON-HEX' */
  readonly encoding: EncodingName;
  /** @default '25519_ChaChaPoly_SHA256' */
  readonly suite: NoiseSuite;
  /** @default false */
  readonly binarize: boolean;
  /** Concurrent clients of each throughput (and ceiling) run. @default [1, 100] */
  readonly clients: readonly number[];
  /** Measured seconds of each throughput run. @default 10 */
  readonly durationS: number;
  /** Seconds of traffic before measuring starts. @default 1 */
  readonly warmupS: number;
  /** Handshakes per protocol in `connect`. @default 1000 for v3, 300 for legacy */
  readonly handshakes: number | null;
  /** Handshakes in flight at once (connect, idle, storm). @default 32 for v3, 8 for legacy */
  readonly concurrency: number | null;
  /** Connected clients sending paced utterances during `connect`, whose latency is reported. @default 10 */
  readonly background: number;
  /** Utterances per second of each background client. @default 20 */
  readonly backgroundRate: number;
  /** Connections held in `idle`. @default 10000 */
  readonly idle: number;
  /** Satellites in `storm`. @default 2000 */
  readonly satellites: number;
  /** The satellites' first reconnect delay (the SDK backoff doubles it up to the max). @default 250 */
  readonly reconnectMs: number;
  /** @default 2000 */
  readonly reconnectMaxMs: number;
  /** Longest wait for the storm to settle, in seconds (legacy storms are PBKDF2-bound: minutes). @default 600 */
  readonly stormTimeoutS: number;
  /** Load-generator processes. @default max(1, cores - 1) */
  readonly workers: number;
  /** What the clients say. @default 'what time is it' */
  readonly utterance: string;
  /** The bus type that ends a round trip. @default 'ovos.utterance.handled' */
  readonly endType: string;
  /** Clients generated for a local hub; more connections share them. @default 2000 */
  readonly maxClients: number;
  /** Write the local hub's V8 CPU profile into this directory. @default null */
  readonly hubCpuProf: string | null;
  /** Write the load generators' V8 CPU profiles into this directory. @default null */
  readonly workerCpuProf: string | null;
  /** Measure the ceiling next to each throughput run. @default true */
  readonly ceiling: boolean;
  /** JSON lines instead of tables. @default false */
  readonly json: boolean;
  /** MiB of each file of the `files` scenario. @default 64 */
  readonly fileMiB: number;
  /**
   * Heavy jobs (`archive` tar.gz of a {@link jobFileMiB} file) kept running on a local hub beside a second run of
   * each throughput measurement, whose latency is reported next to the first's. @default 0 (none, one run)
   */
  readonly jobs: number;
  /** MiB of each heavy job's input. @default 32 */
  readonly jobFileMiB: number;
}

/** The defaults of every setting but the target. */
export function defaultBenchOptions(): Omit<BenchOptions, 'target'> {
  return {
    scenarios: [...SCENARIOS],
    protocols: ['legacy', 'v3'],
    cipher: 'AES-GCM',
    encoding: 'JSON-HEX',
    suite: '25519_ChaChaPoly_SHA256',
    binarize: false,
    clients: [1, 100],
    durationS: 10,
    warmupS: 1,
    handshakes: null,
    concurrency: null,
    background: 10,
    backgroundRate: 20,
    idle: 10_000,
    satellites: 2000,
    reconnectMs: 250,
    reconnectMaxMs: 2000,
    stormTimeoutS: 600,
    workers: Math.max(1, availableParallelism() - 1),
    utterance: 'what time is it',
    endType: 'ovos.utterance.handled',
    maxClients: 2000,
    hubCpuProf: null,
    workerCpuProf: null,
    ceiling: true,
    json: false,
    fileMiB: 64,
    jobs: 0,
    jobFileMiB: 32,
  };
}

/** The legacy and v3 settings of a run, as one profile per protocol. */
export function profileFor(options: BenchOptions, protocol: BenchProtocol): ConnectionProfile {
  return {
    protocol,
    cipher: options.cipher,
    encoding: options.encoding,
    suite: options.suite,
    binarize: options.binarize,
  };
}

/** A label such as `legacy AES-GCM JSON-HEX` or `v3 ChaChaPoly`. */
export function profileLabel(profile: ConnectionProfile): string {
  const bits = profile.binarize ? ' bitstring' : '';
  if (profile.protocol === 'v3') {
    return `v3 ${profile.suite.replace(/^25519_/, '').replace(/_SHA256$/, '')}${bits}`;
  }
  return `legacy ${profile.cipher === 'CHACHA20-POLY1305' ? 'ChaCha20' : 'AES-GCM'} ${profile.encoding}${bits}`;
}

/** Handshakes in flight at once for `protocol`: legacy ones each cost the hub a PBKDF2. */
export function concurrencyFor(options: BenchOptions, protocol: BenchProtocol): number {
  return options.concurrency ?? (protocol === 'v3' ? 32 : 8);
}

/** Handshakes to run for `protocol` in `connect`. */
export function handshakesFor(options: BenchOptions, protocol: BenchProtocol): number {
  return options.handshakes ?? (protocol === 'v3' ? 1000 : 300);
}
