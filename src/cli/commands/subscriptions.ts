/**
 * `hivelink subscriptions …` (issue 11): add, list, remove, subscribe, unsubscribe. A subscription says its
 * `--text` — or what the hub's assistant answers to its `--utterance` — at each tick of `--every DURATION` or
 * `--cron "EXPR"`, to every subscribed client that is online; one that was offline hears the last tick when it
 * comes back.
 *
 * The commands write the client database of `--data-dir`; a running hub on that data dir watches it and picks the
 * change up within `policyRefreshMs` (no restart). Schedules and caps are checked against the limits of the hub's
 * config file (`--config`, else `hivelink.json` in the config dir when present, else the defaults) — the hub checks
 * them again with its own.
 *
 * @module
 */
import type { Command } from 'commander';
import { describeSchedule } from '../../hub/house/schedule.js';
import {
  nextTickOf,
  recordSchedule,
  SubscriptionAdmin,
  type SubscriptionAdminLimits,
  subscriptionJson,
} from '../../hub/house/subscription-admin.js';
import { defaultLimits } from '../../limits.js';
import type { SubscriptionRecord } from '../../store/subscriptions.js';
import {
  type AdminContext,
  type AdminSubcommand,
  type CliWriter,
  type DataDirOptions,
  formatTime,
  registerAdminGroup,
  STDOUT,
  writeJson,
  writeListing,
} from '../admin.js';
import { hubConfigFromOptions } from './hub.js';

/** Options of `subscriptions add`. */
export interface AddSubscriptionOptions {
  every?: string;
  cron?: string;
  text?: string;
  utterance?: string;
  /** The language the utterance is asked in. @default 'en-us' */
  lang?: string;
  json?: boolean;
}

/** The limits a command checks (the hub's config file's, else the defaults). */
export type SubscriptionCliLimits = SubscriptionAdminLimits;

function says(r: SubscriptionRecord): string {
  return r.text !== null ? `says "${r.text}"` : `answers "${r.utterance}"`;
}

/**
 * The admin operations on the store of a data dir (a running hub on it picks the changes up from the store); removing
 * and unsubscribing check no limit.
 */
function adminOf(
  store: AdminContext['store'],
  limits: SubscriptionCliLimits = defaultLimits(),
  now?: number,
): SubscriptionAdmin {
  return new SubscriptionAdmin({ store, limits, ...(now === undefined ? {} : { now: () => now }) });
}

/** `subscriptions add`: checks the schedule, stores the subscription and prints it. */
export async function subscriptionsAdd(
  { store, out }: AdminContext,
  name: string,
  opts: AddSubscriptionOptions,
  limits: SubscriptionCliLimits,
  now: number = Date.now(),
): Promise<void> {
  const record = await adminOf(store, limits, now).add({ name, ...opts });
  if (opts.json === true) {
    writeJson(out, subscriptionJson(record, now));
    return;
  }
  out.write(
    `Added subscription "${record.name}": ${describeSchedule(recordSchedule(record))}, ${says(record)}.\n` +
      `Next tick: ${formatTime(nextTickOf(record, now))}. Subscribe a client: ` +
      `hivelink subscriptions subscribe "${record.name}" CLIENT\n`,
  );
}

/** `subscriptions list`: every subscription, its schedule, what it says and who receives it. */
export async function subscriptionsList(
  { store, out }: AdminContext,
  opts: { json?: boolean },
  now: number = Date.now(),
): Promise<void> {
  const admin = adminOf(store);
  const [records, names] = await Promise.all([admin.list(), admin.clientNames()]);
  const list = records.map((r) => subscriptionJson(r, now, names));
  writeListing(out, opts, list, {
    empty: 'No subscriptions. Add one: hivelink subscriptions add NAME --every 1h --text "…"\n',
    header: ['name', 'schedule', 'message', 'subscribers', 'ticks', 'next tick'],
    row: (r) => [
      r.name,
      r.schedule,
      r.text !== null ? `text: ${r.text}` : `utterance: ${r.utterance}`,
      r.subscribers.length === 0
        ? '(none)'
        : r.subscribers.map((id, i) => `${id} ${r.subscriberNames[i]}`).join(', '),
      String(r.ticks),
      formatTime(r.nextTickAt),
    ],
  });
}

/** `subscriptions remove`: deletes a subscription and its subscribers. */
export async function subscriptionsRemove({ store, out }: AdminContext, name: string): Promise<void> {
  const record = await adminOf(store).remove(name);
  out.write(`Removed subscription "${record.name}" (${record.subscribers.length} subscribers).\n`);
}

/** `subscriptions subscribe`: the client (id or access key) receives the subscription from its next tick. */
export async function subscriptionsSubscribe(
  { store, out }: AdminContext,
  name: string,
  client: string,
  limits: SubscriptionCliLimits,
): Promise<void> {
  const { client: record, name: stored, unchanged } = await adminOf(store, limits).subscribe(name, client);
  out.write(
    unchanged
      ? `Client ${record.id} "${record.name}" is already subscribed to "${stored}".\n`
      : `Subscribed client ${record.id} "${record.name}" to "${stored}".\n`,
  );
}

/** `subscriptions unsubscribe`. */
export async function subscriptionsUnsubscribe(
  { store, out }: AdminContext,
  name: string,
  client: string,
): Promise<void> {
  const { client: record, name: stored, unchanged } = await adminOf(store).unsubscribe(name, client);
  out.write(
    !unchanged
      ? `Unsubscribed client ${record.id} "${record.name}" from "${stored}".\n`
      : `Client ${record.id} "${record.name}" was not subscribed to "${stored}".\n`,
  );
}

/** The limits of the hub config file named by `--config` (else the default file when present, else the defaults). */
function limitsOf(opts: { config?: string }): SubscriptionCliLimits {
  return hubConfigFromOptions(opts.config === undefined ? {} : { config: opts.config }).limits;
}

type Opts = DataDirOptions & { config?: string };

/** Adds `--config`: the hub config file whose limits a command checks against. */
const withConfig = (cmd: Command) =>
  cmd.option(
    '--config <file>',
    "the hub's config file whose limits apply (default hivelink.json, if present)",
  );

/** The subcommands of `hivelink subscriptions`, in the order its help lists them. */
const SUBSCRIPTIONS_COMMANDS: readonly AdminSubcommand[] = [
  {
    name: 'add',
    description: 'add a subscription: exactly one of --every/--cron, and of --text/--utterance',
    args: [['<name>', 'its name (letters, digits, spaces): what clients say to subscribe']],
    configure: (cmd) =>
      withConfig(
        cmd
          .option('--every <duration>', 'tick every DURATION: 30s, 15m, 1h, 1d, 1h30m')
          .option(
            '--cron <expr>',
            'tick at the times of a cron expression (5 fields, or 6 with seconds), hub time zone',
          )
          .option('--text <text>', 'what each tick says')
          .option('--utterance <utterance>', "what each tick asks the hub's assistant; its answer is said")
          .option('--lang <lang>', 'the language the utterance is asked in (default en-us)')
          .option('--json', 'print JSON'),
      ),
    run: (ctx, name: string, opts: Opts & AddSubscriptionOptions) =>
      subscriptionsAdd(ctx, name, opts, limitsOf(opts)),
  },
  {
    name: 'list',
    description: 'list the subscriptions and their subscribers',
    json: true,
    run: (ctx, opts: Opts & { json?: boolean }) => subscriptionsList(ctx, opts),
  },
  {
    name: 'remove',
    description: 'delete a subscription and its subscribers',
    args: ['<name>'],
    run: (ctx, name: string) => subscriptionsRemove(ctx, name),
  },
  {
    name: 'subscribe',
    description: 'subscribe a client (id or access key): it hears the subscription from its next tick',
    args: ['<name>', '<client>'],
    configure: withConfig,
    run: (ctx, name: string, client: string, opts: Opts) =>
      subscriptionsSubscribe(ctx, name, client, limitsOf(opts)),
  },
  {
    name: 'unsubscribe',
    description: 'unsubscribe a client (id or access key)',
    args: ['<name>', '<client>'],
    run: (ctx, name: string, client: string) => subscriptionsUnsubscribe(ctx, name, client),
  },
];

/**
 * Registers `hivelink subscriptions …` on `program`.
 *
 * @param out - where command output goes. @default process stdout
 */
export function registerSubscriptionsCommands(program: Command, out: CliWriter = STDOUT): Command {
  return registerAdminGroup(program, out, {
    name: 'subscriptions',
    description:
      "newsletters: say a text (or the assistant's answer to an utterance) to subscribed clients at each tick; a running hub picks changes up",
    commands: SUBSCRIPTIONS_COMMANDS,
  });
}
