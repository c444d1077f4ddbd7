/**
 * `hivelink assistant [--bus ws://127.0.0.1:8181/core] [--skills-dir D] [--timezone TZ] [--lang L]`: the embedded
 * assistant attached to an external OVOS-compatible messagebus. Prints `hivelink assistant attached to URL (N skills)`
 * once connected, serves until SIGINT or SIGTERM, then detaches and exits 0. A bus that cannot be reached at start
 * is a failure (exit 1); a connection lost later is retried.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { Assistant } from '../../assistant/index.js';
import { BusClient, DEFAULT_BUS_URL } from '../../bus/index.js';
import { firstConnection, PROCESS_IO, serveUntilSignal } from './serve.js';

/** Parsed options of `hivelink assistant`. */
export interface AssistantCommandOptions {
  bus: string;
  skillsDir?: string;
  /** `--no-builtin-skills` sets this to false: only the skills dir's skills load (a small device's own skills). */
  builtinSkills?: boolean;
  timezone?: string;
  lang?: string;
}

/** Where the command writes: its one line to `out`, skill load failures and warnings to `err`. */
export interface AssistantCommandIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

function parseBusUrl(value: string): string {
  if (!/^wss?:\/\/[^\s/]+/.test(value)) throw new InvalidArgumentError('must be a ws:// or wss:// URL.');
  return value;
}

function parseTimezone(value: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    throw new InvalidArgumentError('must be an IANA time zone such as Europe/Lisbon.');
  }
  return value;
}

function parseLang(value: string): string {
  if (!/^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$/.test(value))
    throw new InvalidArgumentError('must be a language tag such as en-US.');
  return value;
}

/**
 * Attaches the assistant to the bus at `opts.bus` until `until` resolves, then detaches.
 *
 * @throws HiveLinkError `HL_ERR_BUS_CONNECT_FAILED` when the bus cannot be reached; `HL_ERR_SKILL_LOAD` when the
 *   skills directory cannot be read.
 */
export async function runAssistant(
  opts: AssistantCommandOptions,
  io: AssistantCommandIo,
  until: Promise<unknown>,
): Promise<void> {
  const client = new BusClient({ url: opts.bus });
  try {
    await firstConnection(client, opts.bus, 'the bus');
    const assistant = new Assistant({
      bus: client,
      skillsDir: opts.skillsDir,
      ...(opts.builtinSkills === false ? { skills: [] } : {}),
      timezone: opts.timezone,
      defaultLang: opts.lang,
      onError: (err) => void io.err.write(`hivelink: ${err.message}\n`),
    });
    await assistant.start();
    const count = assistant.skills().length;
    io.out.write(`hivelink assistant attached to ${opts.bus} (${count} skill${count === 1 ? '' : 's'})\n`);
    try {
      await until;
    } finally {
      assistant.stop();
    }
  } finally {
    await client.close();
  }
}

/** Adds `hivelink assistant` to `program`. */
export function registerAssistantCommand(program: Command): void {
  program
    .command('assistant')
    .description('attach the embedded assistant to an OVOS-compatible messagebus until SIGINT/SIGTERM')
    .option('--bus <url>', 'the messagebus to attach to', parseBusUrl, DEFAULT_BUS_URL)
    .option('--skills-dir <dir>', 'also load the .js/.mjs skill modules in this directory')
    .option('--no-builtin-skills', 'load only the skills of --skills-dir (a device with its own skills)')
    .option(
      '--timezone <tz>',
      'IANA time zone for time and date answers (default: the system one)',
      parseTimezone,
    )
    .option('--lang <tag>', 'language of utterances that name none (default: en-US)', parseLang)
    .action((opts: AssistantCommandOptions) =>
      serveUntilSignal((until) => runAssistant(opts, PROCESS_IO, until)),
    );
}
