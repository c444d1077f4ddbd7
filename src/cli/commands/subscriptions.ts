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
import { HiveLinkError } from '../../errors.js';
import {
  checkInterval,
  describeSchedule,
  nextTick,
  parseCron,
  parseDuration,
  type Schedule,
} from '../../hub/house/schedule.js';
import type { Limits } from '../../limits.js';
import { normalizeSubscriptionName, type SubscriptionRecord } from '../../store/subscriptions.js';
import {
  type AdminContext,
  adminAction,
  type CliWriter,
  type DataDirOptions,
  formatTime,
  requireClient,
  STDOUT,
  table,
  writeJson,
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
export type SubscriptionCliLimits = Pick<
  Limits,
  'maxSubscriptions' | 'maxSubscribersPerSubscription' | 'minSubscriptionIntervalMs'
>;

function scheduleOfRecord(r: SubscriptionRecord): Schedule {
  return r.everyMs !== null ? { kind: 'every', everyMs: r.everyMs } : { kind: 'cron', cron: r.cron ?? '' };
}

function says(r: SubscriptionRecord): string {
  return r.text !== null ? `says "${r.text}"` : `answers "${r.utterance}"`;
}

/** A subscription as `--json` prints it. */
function toJson(r: SubscriptionRecord, now: number) {
  return { ...r, schedule: describeSchedule(scheduleOfRecord(r)), nextTickAt: nextTickOf(r, now) };
}

function nextTickOf(r: SubscriptionRecord, now: number): number | null {
  try {
    return nextTick(scheduleOfRecord(r), r.createdAt, now);
  } catch {
    return null;
  }
}

/** `subscriptions add`: checks the schedule, stores the subscription and prints it. */
export async function subscriptionsAdd(
  { store, out }: AdminContext,
  name: string,
  opts: AddSubscriptionOptions,
  limits: SubscriptionCliLimits,
  now: number = Date.now(),
): Promise<void> {
  if ((opts.every === undefined) === (opts.cron === undefined)) {
    throw new HiveLinkError('HL_ERR_BAD_SCHEDULE', 'give exactly one of --every DURATION and --cron "EXPR"');
  }
  if ((opts.text === undefined) === (opts.utterance === undefined)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'give exactly one of --text "…" and --utterance "…"');
  }
  const schedule: Schedule =
    opts.every !== undefined
      ? { kind: 'every', everyMs: parseDuration(opts.every) }
      : { kind: 'cron', cron: parseCron(opts.cron!) };
  checkInterval(schedule, limits.minSubscriptionIntervalMs, now);
  const record = await store.subscriptions.add(
    {
      name,
      ...(schedule.kind === 'every' ? { everyMs: schedule.everyMs } : { cron: schedule.cron }),
      ...(opts.text !== undefined ? { text: opts.text } : { utterance: opts.utterance! }),
      ...(opts.lang === undefined ? {} : { lang: opts.lang }),
    },
    { maxSubscriptions: limits.maxSubscriptions },
  );
  if (opts.json === true) {
    writeJson(out, toJson(record, now));
    return;
  }
  out.write(
    `Added subscription "${record.name}": ${describeSchedule(schedule)}, ${says(record)}.\n` +
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
  const list = await store.subscriptions.list();
  if (opts.json === true) {
    writeJson(
      out,
      list.map((r) => toJson(r, now)),
    );
    return;
  }
  if (list.length === 0) {
    out.write('No subscriptions. Add one: hivelink subscriptions add NAME --every 1h --text "…"\n');
    return;
  }
  const clients = new Map((await store.listClients()).map((c) => [c.id, c.name]));
  out.write(
    table(
      ['name', 'schedule', 'message', 'subscribers', 'ticks', 'next tick'],
      list.map((r) => [
        r.name,
        describeSchedule(scheduleOfRecord(r)),
        r.text !== null ? `text: ${r.text}` : `utterance: ${r.utterance}`,
        r.subscribers.length === 0
          ? '(none)'
          : r.subscribers.map((id) => `${id} ${clients.get(id) ?? '?'}`).join(', '),
        String(r.ticks),
        formatTime(nextTickOf(r, now)),
      ]),
    ),
  );
}

/** `subscriptions remove`: deletes a subscription and its subscribers. */
export async function subscriptionsRemove({ store, out }: AdminContext, name: string): Promise<void> {
  const record = await store.subscriptions.get(name);
  if (record === null) throw new HiveLinkError('HL_ERR_NO_SUBSCRIPTION', `no subscription called "${name}"`);
  await store.subscriptions.remove(record.name);
  out.write(`Removed subscription "${record.name}" (${record.subscribers.length} subscribers).\n`);
}

/** `subscriptions subscribe`: the client (id or access key) receives the subscription from its next tick. */
export async function subscriptionsSubscribe(
  { store, out }: AdminContext,
  name: string,
  client: string,
  limits: SubscriptionCliLimits,
): Promise<void> {
  const record = await requireClient(store, client);
  const outcome = await store.subscriptions.subscribe(name, record.id, {
    maxSubscribers: limits.maxSubscribersPerSubscription,
  });
  const stored = normalizeSubscriptionName(name);
  out.write(
    outcome === 'already'
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
  const record = await requireClient(store, client);
  const was = await store.subscriptions.unsubscribe(name, record.id);
  const stored = normalizeSubscriptionName(name);
  out.write(
    was
      ? `Unsubscribed client ${record.id} "${record.name}" from "${stored}".\n`
      : `Client ${record.id} "${record.name}" was not subscribed to "${stored}".\n`,
  );
}

/** The limits of the hub config file named by `--config` (else the default file when present, else the defaults). */
function limitsOf(opts: { config?: string }): SubscriptionCliLimits {
  return hubConfigFromOptions(opts.config === undefined ? {} : { config: opts.config }).limits;
}

/**
 * Registers `hivelink subscriptions …` on `program`.
 *
 * @param out - where command output goes. @default process stdout
 */
export function registerSubscriptionsCommands(program: Command, out: CliWriter = STDOUT): Command {
  const subs = program
    .command('subscriptions')
    .description(
      "newsletters: say a text (or the assistant's answer to an utterance) to subscribed clients at each tick; a running hub picks changes up",
    );
  type Opts = DataDirOptions & { config?: string };
  const withConfig = (cmd: Command) =>
    cmd.option(
      '--config <file>',
      "the hub's config file whose limits apply (default hivelink.json, if present)",
    );

  adminAction(
    withConfig(
      subs
        .command('add')
        .description('add a subscription: exactly one of --every/--cron, and of --text/--utterance')
        .argument('<name>', 'its name (letters, digits, spaces): what clients say to subscribe')
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
    out,
    (ctx, name: string, opts: Opts & AddSubscriptionOptions) =>
      subscriptionsAdd(ctx, name, opts, limitsOf(opts)),
  );

  adminAction(
    subs
      .command('list')
      .description('list the subscriptions and their subscribers')
      .option('--json', 'print JSON'),
    out,
    (ctx, opts: Opts & { json?: boolean }) => subscriptionsList(ctx, opts),
  );

  adminAction(
    subs.command('remove').description('delete a subscription and its subscribers').argument('<name>'),
    out,
    (ctx, name: string) => subscriptionsRemove(ctx, name),
  );

  adminAction(
    withConfig(
      subs
        .command('subscribe')
        .description('subscribe a client (id or access key): it hears the subscription from its next tick')
        .argument('<name>')
        .argument('<client>'),
    ),
    out,
    (ctx, name: string, client: string, opts: Opts) =>
      subscriptionsSubscribe(ctx, name, client, limitsOf(opts)),
  );

  adminAction(
    subs
      .command('unsubscribe')
      .description('unsubscribe a client (id or access key)')
      .argument('<name>')
      .argument('<client>'),
    out,
    (ctx, name: string, client: string) => subscriptionsUnsubscribe(ctx, name, client),
  );
  return subs;
}
