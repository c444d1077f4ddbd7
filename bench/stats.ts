/** Small measuring helpers shared by the benchmarks. */
import { availableParallelism } from 'node:os';

/** Calls made before timing starts (JIT warm-up). */
export const WARMUP_OPS = 200;

export type Row = { name: string } & Record<string, string | number>;

/**
 * Runs `fn` repeatedly for about `durationMs` (at most `maxOps` times) after a short warm-up and returns the rate.
 */
export function measure(
  fn: () => unknown,
  durationMs: number,
  maxOps = Number.POSITIVE_INFINITY,
): { opsPerSec: number } {
  for (let i = 0; i < WARMUP_OPS; i++) fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(durationMs) * 1_000_000n;
  let now = start;
  while (now < deadline && ops < maxOps) {
    for (let i = 0; i < 100 && ops < maxOps; i++, ops++) fn();
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - start) / 1e9;
  return { opsPerSec: Math.round(ops / seconds) };
}

export function machineLine(): string {
  return `machine: ${availableParallelism()} cores, node ${process.version}, ${process.platform}/${process.arch}`;
}

/** Prints rows as a Markdown table (so it can be pasted into the README). */
export function printTable(title: string, rows: Row[]): void {
  const cols = Object.keys(rows[0] ?? { name: '' });
  const fmt = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
  console.log(`\n${title}\n${machineLine()}\n`);
  console.log(`| ${cols.join(' | ')} |`);
  console.log(`|${cols.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of rows) console.log(`| ${cols.map((c) => fmt(row[c])).join(' | ')} |`);
}
