/**
 * `hivelink bench soak --minutes N`: churn, handshakes (legacy and v3) and traffic against a hub child process for
 * N minutes, sampling its memory and event-loop delay (src/bench/soak.ts). Fails (exit 1) when the hub's event
 * loop stalled longer than `--max-stall-ms`; memory that is not flat is reported, not failed.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { BenchIo } from '../../bench/run.js';
import { defaultSoakOptions, runSoak, type SoakOptions } from '../../bench/soak.js';
import { HiveLinkError } from '../../errors.js';

/** The flags of `hivelink bench soak`, as commander parses them. */
interface SoakCommandOptions {
  minutes?: number;
  sampleS?: number;
  agent?: SoakOptions['agent'];
  talking?: number;
  talkingRate?: number;
  v3PerS?: number;
  legacyPerS?: number;
  maxStallMs?: number;
  flatMibPerMin?: number;
  json?: boolean;
  quiet?: boolean;
}

function positive(max: number, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > max) {
      throw new InvalidArgumentError(`expected ${what} above 0, at most ${max}.`);
    }
    return n;
  };
}

function whole(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > max)
      throw new InvalidArgumentError(`expected a whole number up to ${max}.`);
    return n;
  };
}

/** Merges the flags over the defaults. */
export function soakOptionsFrom(opts: SoakCommandOptions): SoakOptions {
  const d = defaultSoakOptions();
  return {
    minutes: opts.minutes ?? d.minutes,
    sampleS: opts.sampleS ?? d.sampleS,
    agent: opts.agent ?? d.agent,
    talking: opts.talking ?? d.talking,
    talkingRate: opts.talkingRate ?? d.talkingRate,
    v3PerS: opts.v3PerS ?? d.v3PerS,
    legacyPerS: opts.legacyPerS ?? d.legacyPerS,
    maxStallMs: opts.maxStallMs ?? d.maxStallMs,
    flatMiBPerMin: opts.flatMibPerMin ?? d.flatMiBPerMin,
    json: opts.json ?? d.json,
  };
}

/** Adds `soak` under `bench` (the `hivelink bench` command). */
export function registerSoakCommand(bench: Command, io: BenchIo): void {
  bench
    .command('soak')
    .description('a long steady load on a local hub: is its memory flat, how long did its event loop stall?')
    .option('--minutes <n>', 'minutes under load (default 10)', positive(10_080, 'minutes'))
    .option(
      '--sample-s <s>',
      "seconds between two samples of the hub's memory and loop delay (default 5)",
      positive(600, 'seconds'),
    )
    .option('--agent <name>', 'the hub agent: echo (default) or embedded', (v: string) => {
      if (v !== 'echo' && v !== 'embedded') throw new InvalidArgumentError('expected echo or embedded.');
      return v;
    })
    .option('--talking <n>', 'connections held all along, half v3, half legacy (default 20)', whole(10_000))
    .option('--talking-rate <n>', 'utterances per second of each (default 5)', positive(1000, 'a rate'))
    .option(
      '--v3-per-s <n>',
      'v3 handshakes (connect, handshake, disconnect) per second (default 8)',
      whole(1000),
    )
    .option('--legacy-per-s <n>', 'legacy handshakes per second (default 2)', whole(1000))
    .option(
      '--max-stall-ms <ms>',
      'fail when the event loop stalls longer (default 200)',
      positive(600_000, 'ms'),
    )
    .option(
      '--flat-mib-per-min <n>',
      'memory is flat when RSS grows at most this fast over the last half (default 1)',
      positive(1e6, 'MiB/min'),
    )
    .option('--json', 'print JSON lines instead of tables')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (_own: SoakCommandOptions, cmd: Command) => {
      // `bench` parses the flags it shares with soak (--agent, --talking, --talking-rate, --json, --quiet) even
      // after the word soak: read them from both.
      const opts = cmd.optsWithGlobals() as Omit<SoakCommandOptions, 'agent'> & { agent?: string | string[] };
      const agents = opts.agent === undefined ? [] : [opts.agent].flat();
      if (agents.length > 1) {
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'soak runs one agent: --agent echo or embedded');
      }
      const options = soakOptionsFrom({ ...opts, agent: agents[0] as SoakOptions['agent'] | undefined });
      const result = await runSoak(
        options,
        opts.quiet === true ? { out: io.out, err: { write: () => true } } : io,
      );
      if (result.verdict.stalled) {
        throw new HiveLinkError(
          'HL_ERR_INTERNAL',
          `soak: the hub's event loop stalled for ${Math.round(result.verdict.worstStallMs)} ms (over --max-stall-ms ${options.maxStallMs})`,
        );
      }
    });
}
