/**
 * `npm run bench -- intents`: accuracy on the labelled set (test/fixtures/intents/en.json: paraphrases and
 * out-of-domain sentences) and intent-matching throughput, with the built-in skills and with 2 000 synthetic intents.
 */
import { readFileSync } from 'node:fs';
import { benchIntents, formatIntentBench, type LabelledUtterance } from '../src/assistant/bench.js';
import { machineLine } from './stats.js';

export async function main(args: string[]): Promise<void> {
  const file = new URL('../test/fixtures/intents/en.json', import.meta.url);
  const set = JSON.parse(readFileSync(file, 'utf8')) as { cases: LabelledUtterance[] };
  const minDurationMs = Number(args.find((a) => a.startsWith('--ms='))?.slice(5) ?? 1000);
  const rows = benchIntents({ cases: set.cases, minDurationMs });
  console.log(`\nintents: ${set.cases.length} labelled utterances\n${machineLine()}\n`);
  console.log(formatIntentBench(rows));
}
