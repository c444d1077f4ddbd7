/**
 * Small measuring helpers of the in-process micro-benchmarks (`hivelink bench protocol`, `hivelink bench intents`):
 * a timed loop after a warm-up, and a Markdown table to paste into the README.
 *
 * @module
 */
import { availableParallelism } from 'node:os';

/** Calls made before timing starts (JIT warm-up). */
export const WARMUP_OPS = 200;

/** One table row: its name, then one column per measurement. */
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

/** One line naming the machine, printed above every table (a rate means little without it). */
export function machineLine(): string {
  return `machine: ${availableParallelism()} cores, node ${process.version}, ${process.platform}/${process.arch}`;
}

/** `rows` as a Markdown table under `title` and the machine line (so it can be pasted into the README). */
export function formatTable(title: string, rows: readonly Row[]): string {
  const cols = Object.keys(rows[0] ?? { name: '' });
  const fmt = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
  const lines = [`\n${title}\n${machineLine()}\n`, `| ${cols.join(' | ')} |`];
  lines.push(`|${cols.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of rows) lines.push(`| ${cols.map((c) => fmt(row[c])).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}
