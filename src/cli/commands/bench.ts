/**
 * `hivelink bench [scenario…] [--local | --url U --key K --password P] [options]`: a load generator that speaks
 * only the HiveMind protocol (legacy password handshake or Noise v3, any cipher and encoding), from processes of its
 * own, against any hub, or against a hub it starts (`--local`: a temp data dir with generated clients, the echo
 * agent and the embedded assistant). Prints Markdown tables, or JSON lines with `--json`; progress goes to stderr.
 *
 * Scenarios: `ceiling`, `throughput`, `connect`, `idle`, `storm` (default: all, in that order). Subcommands:
 * `protocol` and `intents` (in-process micro-benchmarks), `soak` (a long run: memory and stalls). The measuring
 * code is all in src/bench; this file only turns flags into its options.
 *
 * @module
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type BenchOptions,
  type BenchTargetOptions,
  defaultBenchOptions,
  type LocalAgent,
  SCENARIOS,
  type ScenarioName,
} from '../../bench/options.js';
import { type BenchIo, runBench } from '../../bench/run.js';
import type { BenchProtocol } from '../../bench/types.js';
import { nodeBackend } from '../../crypto/backend.node.js';
import { isLegacyCipherName, type LegacyCipherName } from '../../crypto/legacy-cipher.js';
import { isNoiseSuite, type NoiseSuite } from '../../crypto/noise/index.js';
import { HiveLinkError } from '../../errors.js';
import { type EncodingName, encodeBytes, isEncodingName } from '../../protocol/encodings.js';
import { type Env, IdentityFile, resolveCredentials } from '../identity-file.js';
import { registerMicroBenchCommands } from './bench-micro.js';
import { registerSoakCommand } from './bench-soak.js';

/** The flags of `hivelink bench`, as commander parses them. */
export interface BenchCommandOptions {
  local?: boolean;
  url?: string;
  key?: string;
  password?: string;
  agent?: LocalAgent[];
  protocol?: BenchProtocol[];
  cipher?: LegacyCipherName;
  encoding?: EncodingName;
  suite?: NoiseSuite;
  binarize?: boolean;
  clients?: number[];
  duration?: number;
  warmup?: number;
  handshakes?: number;
  concurrency?: number;
  talking?: number;
  talkingRate?: number;
  idle?: number;
  satellites?: number;
  reconnectMs?: number;
  reconnectMaxMs?: number;
  stormTimeout?: number;
  workers?: number;
  utterance?: string;
  endType?: string;
  maxClients?: number;
  hubCpuProf?: string;
  workerCpuProf?: string;
  ceiling?: boolean;
  json?: boolean;
  fileMib?: number;
  jobs?: number;
  jobFileMib?: number;
}

function whole(min: number, max = 10_000_000) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n > 86_400) throw new InvalidArgumentError('expected seconds.');
  return n;
}

function listOf<T extends string>(allowed: readonly T[], what: string) {
  return (value: string): T[] => {
    const items = value.split(',').map((s) => s.trim());
    for (const item of items) {
      if (!allowed.includes(item as T)) {
        throw new InvalidArgumentError(`${what} must be among ${allowed.join(', ')}.`);
      }
    }
    return [...new Set(items)] as T[];
  };
}

function counts(value: string): number[] {
  const items = value.split(',').map((s) => whole(1, 100_000)(s.trim()));
  return [...new Set(items)];
}

function checked<T>(check: (v: unknown) => v is T, what: string) {
  return (value: string): T => {
    if (!check(value)) throw new InvalidArgumentError(`unknown ${what}.`);
    return value;
  };
}

/** The hub to measure: `--url` (credentials from flags, environment or the saved identity), else `--local`. */
async function targetOf(opts: BenchCommandOptions, env: Env): Promise<BenchTargetOptions> {
  if (opts.url === undefined) {
    if (opts.key !== undefined || opts.password !== undefined) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', '--key and --password go with --url');
    }
    return { kind: 'local', agents: opts.agent ?? ['echo', 'embedded'] };
  }
  if (opts.local === true) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', '--local and --url are mutually exclusive');
  }
  if (opts.agent !== undefined) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', '--agent chooses the agent of a --local hub');
  }
  const identity = IdentityFile.fromEnv(env);
  const creds = resolveCredentials(
    { url: opts.url, key: opts.key, password: opts.password },
    await identity.readCredentials(),
    env,
  );
  if (creds.password === undefined) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'the bench needs the client password (--password)');
  }
  // The hub pins one Noise key per access key: use this machine's saved key (creating it, as `hivelink ask` would).
  let key = await identity.store.getNoisePrivateKey();
  if (key === null) {
    key = nodeBackend.x25519KeyPair().privateKey;
    await identity.store.setNoisePrivateKey(key);
  }
  return {
    kind: 'remote',
    url: creds.url,
    accessKey: creds.accessKey,
    password: creds.password,
    noisePrivateKey: encodeBytes('JSON-HEX', key),
  };
}

/** Merges the flags over the defaults. */
export async function benchOptionsFrom(
  scenarios: readonly ScenarioName[],
  opts: BenchCommandOptions,
  env: Env = process.env,
): Promise<BenchOptions> {
  const d = defaultBenchOptions();
  return {
    ...d,
    scenarios: scenarios.length > 0 ? [...new Set(scenarios)] : d.scenarios,
    target: await targetOf(opts, env),
    protocols: opts.protocol ?? d.protocols,
    cipher: opts.cipher ?? d.cipher,
    encoding: opts.encoding ?? d.encoding,
    suite: opts.suite ?? d.suite,
    binarize: opts.binarize ?? d.binarize,
    clients: opts.clients ?? d.clients,
    durationS: opts.duration ?? d.durationS,
    warmupS: opts.warmup ?? d.warmupS,
    handshakes: opts.handshakes ?? d.handshakes,
    concurrency: opts.concurrency ?? d.concurrency,
    background: opts.talking ?? d.background,
    backgroundRate: opts.talkingRate ?? d.backgroundRate,
    idle: opts.idle ?? d.idle,
    satellites: opts.satellites ?? d.satellites,
    reconnectMs: opts.reconnectMs ?? d.reconnectMs,
    reconnectMaxMs: Math.max(opts.reconnectMaxMs ?? d.reconnectMaxMs, opts.reconnectMs ?? 0),
    stormTimeoutS: opts.stormTimeout ?? d.stormTimeoutS,
    workers: opts.workers ?? d.workers,
    utterance: opts.utterance ?? d.utterance,
    endType: opts.endType ?? d.endType,
    maxClients: opts.maxClients ?? d.maxClients,
    hubCpuProf: opts.hubCpuProf ?? d.hubCpuProf,
    workerCpuProf: opts.workerCpuProf ?? d.workerCpuProf,
    ceiling: opts.ceiling ?? d.ceiling,
    json: opts.json ?? d.json,
    fileMiB: opts.fileMib ?? d.fileMiB,
    jobs: opts.jobs ?? d.jobs,
    jobFileMiB: opts.jobFileMib ?? d.jobFileMiB,
  };
}

const HELP_AFTER = `
Scenarios (default: all, in this order):
  ceiling     the same closed loop against a plain ws echo server started in the same run
  throughput  N clients, closed loop for D seconds: round trips/s, latency p50/p90/p99/max
  connect     M handshakes, C at a time, per protocol: handshakes/s and connect time, while
              --talking clients send paced utterances (their p99 is reported)
  idle        hold N connections: the hub's memory per connection (local hub), then a round trip on each
  storm       N SDK satellites; the hub is killed and started again: time until all answer again (--local)
  files       SDK sendFile through the hub: MiB/s of one transfer, then of ten at once (--file-mib each)

Examples:
  hivelink bench --local
  hivelink bench protocol --ms 200
  hivelink bench soak --minutes 2
  hivelink bench throughput --local --agent echo --protocol v3 --clients 100 --duration 5
  hivelink bench throughput --agent echo --protocol v3 --clients 10 --jobs 4 --no-ceiling
  hivelink bench files --file-mib 256
  hivelink bench throughput connect --url ws://hub.local:5678 --key KEY --password PW --protocol legacy`;

/** Adds `hivelink bench` to `program`. */
export function registerBenchCommand(
  program: Command,
  io: BenchIo = { out: process.stdout, err: process.stderr },
): void {
  const bench = program.command('bench');
  bench
    .description('measure a hub: throughput, latency, handshakes, memory per connection, reconnect storms')
    .argument(
      '[scenario...]',
      `any of ${SCENARIOS.join(', ')} (default all)`,
      (value: string, prev: string[] = []) => {
        if (!SCENARIOS.includes(value as ScenarioName)) {
          throw new InvalidArgumentError(`unknown scenario; choose among ${SCENARIOS.join(', ')}.`);
        }
        return [...prev, value];
      },
    )
    .option('--local', 'start a hub of our own in a child process (the default without --url)')
    .option('--url <url>', 'measure the hub at this URL (any HiveMind hub)')
    .option('--key <key>', 'access key for --url (else $HIVELINK_KEY or the saved identity)')
    .option('--password <password>', 'password for --url (else $HIVELINK_PASSWORD or the saved identity)')
    .option(
      '--agent <list>',
      'agents of the local hub for throughput: echo,embedded (default both)',
      listOf(['echo', 'embedded'] as const, '--agent'),
    )
    .option('--protocol <list>', 'legacy,v3 (default both)', listOf(['legacy', 'v3'] as const, '--protocol'))
    .option(
      '--cipher <name>',
      'legacy cipher: AES-GCM (default) or CHACHA20-POLY1305',
      checked(isLegacyCipherName, 'cipher'),
    )
    .option('--encoding <name>', 'legacy encoding (default JSON-HEX)', checked(isEncodingName, 'encoding'))
    .option('--suite <name>', 'Noise suite (default 25519_ChaChaPoly_SHA256)', checked(isNoiseSuite, 'suite'))
    .option('--binarize', 'ask for bitstring framing')
    .option('--clients <list>', 'concurrent clients of each throughput run (default 1,100)', counts)
    .option('--duration <s>', 'measured seconds of each throughput run (default 10)', seconds)
    .option('--warmup <s>', 'seconds of traffic before measuring (default 1)', seconds)
    .option('--handshakes <n>', 'handshakes per protocol in connect (default 1000 v3, 300 legacy)', whole(1))
    .option('--concurrency <n>', 'handshakes in flight at once (default 32 v3, 8 legacy)', whole(1, 10_000))
    .option('--talking <n>', 'clients sending paced utterances during connect (default 10)', whole(0, 10_000))
    .option('--talking-rate <n>', 'utterances per second of each talking client (default 20)', whole(1, 1000))
    .option('--idle <n>', 'connections held in idle (default 10000)', whole(1))
    .option('--satellites <n>', 'satellites in storm (default 2000)', whole(1))
    .option('--reconnect-ms <ms>', "the satellites' first reconnect delay (default 250)", whole(0, 600_000))
    .option('--reconnect-max-ms <ms>', 'their longest reconnect delay (default 2000)', whole(0, 600_000))
    .option('--storm-timeout <s>', 'longest wait for the storm to settle, in seconds (default 600)', seconds)
    .option('--workers <n>', 'load-generator processes (default: cores - 1, at least 1)', whole(1, 256))
    .option('--utterance <text>', "what the clients say (default 'what time is it')")
    .option('--end-type <type>', 'the bus message that ends a round trip (default ovos.utterance.handled)')
    .option(
      '--max-clients <n>',
      'clients generated for the local hub; more connections share them (default 2000)',
      whole(1),
    )
    .option(
      '--hub-cpu-prof <dir>',
      "write the local hub's V8 CPU profile (node --cpu-prof) into this directory",
    )
    .option('--worker-cpu-prof <dir>', "write the load generators' V8 CPU profiles into this directory")
    .option('--no-ceiling', 'do not measure the ceiling next to throughput')
    .option('--file-mib <n>', 'MiB of each file of the files scenario (default 64)', whole(1, 1_000_000))
    .option(
      '--jobs <n>',
      'run each throughput measurement again with N heavy jobs (tar.gz archives) running on the hub (default 0)',
      whole(0, 64),
    )
    .option('--job-file-mib <n>', "MiB of each heavy job's input (default 32)", whole(1, 1_000_000))
    .option('--json', 'print JSON lines (one per measurement, with the machine) instead of tables')
    .addOption(new Option('--quiet', 'no progress lines on stderr').hideHelp())
    .addHelpText('after', HELP_AFTER)
    .action(async (scenarios: ScenarioName[], opts: BenchCommandOptions & { quiet?: boolean }) => {
      const options = await benchOptionsFrom(scenarios ?? [], opts);
      await runBench(options, opts.quiet === true ? { out: io.out, err: { write: () => true } } : io);
    });
  registerMicroBenchCommands(bench, io);
  registerSoakCommand(bench, io);
}
