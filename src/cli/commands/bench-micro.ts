/**
 * `hivelink bench protocol` and `hivelink bench intents`: the in-process micro-benchmarks of src/bench (no hub, no
 * sockets). Both print a Markdown table; neither asserts a speed.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { benchIntents, defaultLabelledSetFile, intentsReport, readLabelledSet } from '../../bench/intents.js';
import { formatProtocolBench, runProtocolBench } from '../../bench/protocol.js';
import type { BenchIo } from '../../bench/run.js';
import { HiveLinkError } from '../../errors.js';

function millis(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 600_000) {
    throw new InvalidArgumentError('expected milliseconds from 1 to 600000.');
  }
  return n;
}

/** Adds `protocol` and `intents` under `bench` (the `hivelink bench` command). */
export function registerMicroBenchCommands(bench: Command, io: BenchIo): void {
  bench
    .command('protocol')
    .description('encode+encrypt and decrypt+decode of one BUS message in every wire form, beside raw AEAD')
    .option('--ms <ms>', 'measuring time of each form and direction (default 1000)', millis)
    .action(async (opts: { ms?: number }) => {
      io.out.write(formatProtocolBench(await runProtocolBench(opts.ms ?? 1000)));
    });
  bench
    .command('intents')
    .description('intent accuracy and matches/s on a labelled set, alone and beside 2000 synthetic intents')
    .option('--ms <ms>', 'least measuring time of each configuration (default 1000)', millis)
    .option('--set <file>', "the labelled set (default: this repository's test/fixtures/intents/en.json)")
    .action((opts: { ms?: number; set?: string }) => {
      const file = opts.set ?? defaultLabelledSetFile();
      if (file === null) {
        throw new HiveLinkError(
          'HL_ERR_INVALID_ARGUMENT',
          'no labelled set in this install: pass --set FILE',
        );
      }
      const cases = readLabelledSet(file);
      io.out.write(intentsReport(cases, benchIntents({ cases, minDurationMs: opts.ms ?? 1000 })));
    });
}
