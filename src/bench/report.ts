/**
 * The output of `hivelink bench`: one row per measurement, printed as Markdown tables (one per scenario, ready to
 * paste) or as JSON lines (`--json`, one object per row, each with the machine it ran on).
 *
 * @module
 */
import { availableParallelism, cpus, totalmem } from 'node:os';

/** The machine a run measured. */
export interface MachineInfo {
  cores: number;
  cpu: string;
  memory_gib: number;
  node: string;
  platform: string;
}

/** One measurement: the scenario, then named values (numbers, labels, or null when not measured). */
export type ReportRow = { scenario: string } & Record<string, string | number | boolean | null>;

export function machineInfo(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memory_gib: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
  };
}

/** One line describing the machine. */
export function machineLine(m: MachineInfo = machineInfo()): string {
  return `machine: ${m.cores} cores (${m.cpu}), ${m.memory_gib} GiB, node ${m.node}, ${m.platform}`;
}

/** A value as a table cell: integers with separators, other numbers with up to 2 decimals, null as `–`. */
export function formatCell(key: string, value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  if (key.endsWith('ratio')) return `${value.toFixed(2)}×`;
  if (Number.isInteger(value) || Math.abs(value) >= 100) {
    return Math.round(value).toLocaleString('en-US');
  }
  return value.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
}

/** Rows of one scenario as a Markdown table (columns: the union of the rows' keys, in first-seen order). */
export function markdownTable(rows: readonly ReportRow[]): string {
  const cols: string[] = [];
  for (const row of rows)
    for (const k of Object.keys(row)) if (k !== 'scenario' && !cols.includes(k)) cols.push(k);
  const lines = [
    `| ${cols.join(' | ')} |`,
    `|${cols.map((c) => (typeof rows.find((r) => r[c] !== null)?.[c] === 'number' ? '---:' : '---')).join('|')}|`,
  ];
  for (const row of rows) lines.push(`| ${cols.map((c) => formatCell(c, row[c])).join(' | ')} |`);
  return lines.join('\n');
}

/** Where rows go: JSON lines at once, or tables at the end. Progress lines go to `progress`. */
export class Reporter {
  readonly #out: { write(text: string): unknown };
  readonly #progress: { write(text: string): unknown };
  readonly #json: boolean;
  readonly #machine = machineInfo();
  readonly #rows: ReportRow[] = [];

  constructor(
    out: { write(text: string): unknown },
    progress: { write(text: string): unknown },
    json: boolean,
  ) {
    this.#out = out;
    this.#progress = progress;
    this.#json = json;
  }

  get rows(): readonly ReportRow[] {
    return this.#rows;
  }

  /** Records a row (written at once as a JSON line with `--json`). */
  add(row: ReportRow): void {
    this.#rows.push(row);
    if (this.#json) this.#out.write(`${JSON.stringify({ ...row, machine: this.#machine })}\n`);
  }

  /** A line of progress (stderr). */
  note(text: string): void {
    this.#progress.write(`${text}\n`);
  }

  /** Prints the tables (human mode). */
  finish(header: string): void {
    if (this.#json) return;
    const scenarios: string[] = [];
    for (const row of this.#rows) if (!scenarios.includes(row.scenario)) scenarios.push(row.scenario);
    const parts = [header, machineLine(this.#machine)];
    for (const s of scenarios)
      parts.push(`${s}\n\n${markdownTable(this.#rows.filter((r) => r.scenario === s))}`);
    this.#out.write(`${parts.join('\n\n')}\n`);
  }
}
