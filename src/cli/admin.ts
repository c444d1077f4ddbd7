/**
 * Shared pieces of the admin commands (`hivelink clients …`, `hivelink ip …`): the output writer, the
 * `--data-dir` (and `--store`) options, opening the store for one command, argument parsers and plain-text tables.
 *
 * Handlers take an {@link AdminContext} (a store and a writer) so tests can run them in-process; failures are
 * thrown as `HiveLinkError` and become exit code 1 with one line on stderr (`main.ts`). Parsers throw commander's
 * `InvalidArgumentError`, a usage error (exit code 2).
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { openStoreDataDir, resolveDataDir, resolveSecretsKeyFile, resolveStore } from '../store/data-dir.js';
import { normalizeCidr } from '../store/ip-rules.js';
import type { ClientStore } from '../store/types.js';

/** Where a command writes its normal output. */
export interface CliWriter {
  write(text: string): unknown;
}

/** Everything an admin handler needs. */
export interface AdminContext {
  readonly store: ClientStore;
  readonly out: CliWriter;
  /** The data dir the store was opened from. */
  readonly dataDir?: string;
}

/** Options every admin command has. */
export interface DataDirOptions {
  dataDir?: string;
  /** The hub secrets key, when it is not `<data dir>/secrets.key`. */
  secretsKeyFile?: string;
  /** The client store on PostgreSQL (`postgres://…`), when it is not the data dir's SQLite file. */
  store?: string;
}

/** Connections an admin command keeps to a PostgreSQL store. */
const ADMIN_POOL_SIZE = 2;

/** Process stdout as a {@link CliWriter}. */
export const STDOUT: CliWriter = { write: (text) => process.stdout.write(text) };

/** Adds `--data-dir <dir>`, `--secrets-key-file <file>` and `--store <url>` to a command. */
export function withDataDirOption(cmd: Command): Command {
  return cmd
    .option(
      '--data-dir <dir>',
      'data dir (default $HIVELINK_HOME, else $XDG_DATA_HOME/hivelink or ~/.local/share/hivelink)',
    )
    .option(
      '--secrets-key-file <file>',
      "the hub's secrets key, when it is not in the data dir (else $HIVELINK_SECRETS_KEY_FILE)",
    )
    .option(
      '--store <url>',
      "the hub's client store on PostgreSQL, postgres://… (else $HIVELINK_STORE; default the data dir's SQLite file)",
    );
}

/** Opens the data dir named by the flag (or the environment), runs `fn`, and closes the store. */
export async function withAdminContext<T>(
  options: DataDirOptions,
  out: CliWriter,
  fn: (ctx: AdminContext) => Promise<T>,
): Promise<T> {
  const data = await openStoreDataDir(resolveDataDir({ flag: options.dataDir }), {
    secretsKeyFile: resolveSecretsKeyFile({ flag: options.secretsKeyFile }),
    store: resolveStore({ flag: options.store }),
    // One command runs its queries one after another.
    poolSize: ADMIN_POOL_SIZE,
  });
  try {
    return await fn({ store: data.store, out, dataDir: data.paths.dir });
  } finally {
    await data.close();
  }
}

/**
 * Makes `cmd` an admin command of a data dir: adds `--data-dir` and `--secrets-key-file`, and on each run opens the
 * store, calls `run` with it and what commander passes (the command's arguments, then its options, which `run`
 * may leave undeclared), and closes it.
 */
export function adminAction<P extends unknown[]>(
  cmd: Command,
  out: CliWriter,
  run: (ctx: AdminContext, ...params: P) => Promise<void>,
): Command {
  return withDataDirOption(cmd).action((...received: unknown[]) => {
    const params = received.slice(0, -1) as P; // commander passes the Command itself last
    return withAdminContext(params[params.length - 1] as DataDirOptions, out, (ctx) => run(ctx, ...params));
  });
}

/** Finds a client by id or access key, or fails with `no client with id 7`. */
export { requireClient } from '../store/require-client.js';

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/** Parses a boolean option value: true/false, yes/no, on/off, 1/0. */
export function parseBool(value: string): boolean {
  const v = value.toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new InvalidArgumentError('expected true or false.');
}

/** Parses a positive whole number. */
export function parsePositiveInt(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InvalidArgumentError('expected a positive whole number.');
  return Number(value);
}

/**
 * Word for "clear this setting" (`--min-protocol none`). Parsers return it instead of null because commander
 * replaces a null parse result with `''`.
 */
export const NONE = 'none';

/** Parses a protocol version 1–3, or `none` (the hub default). */
export function parseMinProtocol(value: string): number | typeof NONE {
  if (value === NONE) return NONE;
  if (!/^[123]$/.test(value)) throw new InvalidArgumentError('expected 1, 2, 3 or none.');
  return Number(value);
}

/** Parses a positive rate (messages per second), `none` (the hub default) or `unlimited` (stored as 0). */
export function parseRate(value: string): number | typeof NONE {
  if (value === NONE) return NONE;
  if (value === 'unlimited') return 0;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > 1_000_000) {
    throw new InvalidArgumentError(
      'expected a positive number of messages per second, none (the hub default) or unlimited.',
    );
  }
  return n;
}

/** Parses and normalises a CIDR (`10.0.0.0/8`, `2001:db8::/32`, or a bare address). */
export function parseCidrArg(value: string): string {
  try {
    return normalizeCidr(value);
  } catch (err) {
    throw new InvalidArgumentError(`${(err as Error).message}.`);
  }
}

/** Formats a time in ms as ISO 8601, or `never`. */
export function formatTime(ms: number | null): string {
  return ms === null ? 'never' : new Date(ms).toISOString();
}

/** Renders rows as left-aligned columns under a header, two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** Writes `value` as pretty JSON and a newline. */
export function writeJson(out: CliWriter, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** How {@link writeListing} shows a listing as text. */
export interface ListingView<T> {
  /** The line written when there is nothing to list. */
  readonly empty: string;
  /** The column names. */
  readonly header: readonly string[];
  /** The cells of one row. */
  readonly row: (item: T) => readonly string[];
}

/** Writes a listing: as JSON with `--json` (an empty one too), else `view.empty` or a {@link table} of the items. */
export function writeListing<T>(
  out: CliWriter,
  opts: { json?: boolean },
  items: readonly T[],
  view: ListingView<T>,
): void {
  if (opts.json === true) writeJson(out, items);
  else if (items.length === 0) out.write(view.empty);
  else out.write(table(view.header, items.map(view.row)));
}

/** One subcommand of an admin group, declared as data for {@link registerAdminGroup}. */
export interface AdminSubcommand {
  readonly name: string;
  readonly description: string;
  /** The group's default subcommand (`hivelink rooms` is `hivelink rooms list`). @default false */
  readonly isDefault?: boolean;
  /** Its positional arguments as commander spells them (`<id>`, `<text...>`), each alone or with its description. */
  readonly args?: readonly (string | readonly [string, string])[];
  /** Adds its options (and hooks), before `--json`. */
  readonly configure?: (cmd: Command) => Command;
  /** Adds `--json` (print JSON) after the options `configure` adds. @default false */
  readonly json?: boolean;
  /** Runs it: the store and writer, then what commander passes (the arguments, then the options). */
  readonly run: (ctx: AdminContext, ...params: never[]) => Promise<void>;
}

/**
 * Registers `program <name>` with its subcommands, each an {@link adminAction}: one declared list instead of every
 * command writing out the same chain of command, description, arguments, options and action.
 */
export function registerAdminGroup(
  program: Command,
  out: CliWriter,
  group: {
    readonly name: string;
    readonly description: string;
    readonly commands: readonly AdminSubcommand[];
  },
): Command {
  const parent = program.command(group.name).description(group.description);
  for (const sub of group.commands) {
    let cmd = parent.command(sub.name, { isDefault: sub.isDefault === true }).description(sub.description);
    for (const arg of sub.args ?? [])
      cmd = typeof arg === 'string' ? cmd.argument(arg) : cmd.argument(...arg);
    if (sub.configure !== undefined) cmd = sub.configure(cmd);
    if (sub.json === true) cmd = cmd.option('--json', 'print JSON');
    adminAction(cmd, out, sub.run as (ctx: AdminContext, ...params: unknown[]) => Promise<void>);
  }
  return parent;
}
