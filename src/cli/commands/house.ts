/**
 * `hivelink rooms` and `hivelink announce` (issue 11, docs/PROTOCOL.md §12): the rooms of the house with their
 * clients, who is online and the room modes, read from the store (the running hub keeps its presence there); and
 * an announcement spoken on every online client of a room or of the hub, carried out by the running hub through the
 * store's admin command queue, so `--data-dir` is all it needs. `hivelink rooms set ROOM --conference on|off|only`
 * sets a room's conference mode (§12.10) the same way, or in the store alone when no hub runs.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { HiveLinkError } from '../../errors.js';
import { ROOM_SET_KIND, setRoomConference } from '../../hub/house/conference.js';
import { buildRooms, type RoomsSnapshot } from '../../hub/house/rooms.js';
import { LIMIT_DEFS } from '../../limits.js';
import { CONFERENCE_MODES, type ConferenceMode } from '../../store/house.js';
import {
  type AdminContext,
  type AdminSubcommand,
  adminAction,
  type CliWriter,
  type DataDirOptions,
  registerAdminGroup,
  STDOUT,
  table,
  writeJson,
} from '../admin.js';
import { commandError, runningHub, submitAdminCommand } from '../admin-queue.js';

/** Options of `rooms`. */
export interface RoomsOptions {
  json?: boolean;
}

/** What `rooms --json` prints. */
export interface RoomsJson extends RoomsSnapshot {
  /** False when no hub runs on the data dir: then nobody is online. */
  readonly hubRunning: boolean;
}

/** The rooms now: the records and room settings, and the running hub's presence (none when no hub runs). */
export async function readRooms(ctx: Pick<AdminContext, 'store'>): Promise<RoomsJson> {
  const { store } = ctx;
  const hub = await runningHub(store);
  const [records, settings, presence] = await Promise.all([
    store.listClients(),
    store.house.listRooms(),
    hub === null ? Promise.resolve([]) : store.house.listPresence(),
  ]);
  return { hubRunning: hub !== null, ...buildRooms(records, presence, settings) };
}

/** `rooms`: every room, its clients (online marked), and its modes. */
export async function roomsList(ctx: AdminContext, opts: RoomsOptions): Promise<void> {
  const snapshot = await readRooms(ctx);
  if (opts.json === true) {
    writeJson(ctx.out, snapshot);
    return;
  }
  const { out } = ctx;
  if (!snapshot.hubRunning) out.write('No hub is running on this data dir: nobody is online.\n');
  if (snapshot.rooms.length === 0) {
    out.write('No rooms. Put a client in one with: hivelink clients set ID --site kitchen\n');
  } else {
    const who = (c: { name: string; online: boolean; assistant: boolean }) =>
      `${c.name}${c.online ? ' (online' + (c.assistant ? ', assistant)' : ')') : ''}`;
    out.write(
      table(
        ['ROOM', 'ONLINE', 'CONFERENCE', 'CLIENTS'],
        snapshot.rooms.map((r) => [
          r.name,
          `${r.online}/${r.clients.length}`,
          r.conference,
          r.clients.length === 0 ? '(empty)' : r.clients.map(who).join(', '),
        ]),
      ),
    );
  }
  if (snapshot.unassigned.length > 0) {
    const names = snapshot.unassigned.map((c) => `${c.name}${c.online ? ' (online)' : ''}`).join(', ');
    out.write(`Clients in no room: ${names}\n`);
  }
}

/** Options of `announce`. */
export interface AnnounceOptions {
  room?: string;
  all?: boolean;
  /** How long to wait for the hub. @default `adminCommandWaitMs` */
  wait?: number;
  json?: boolean;
}

/** `announce TEXT`: the running hub speaks TEXT on every online client of `--room`, or of the hub (`--all`). */
export async function announce(
  ctx: AdminContext,
  words: readonly string[],
  opts: AnnounceOptions,
): Promise<void> {
  const text = words.join(' ').trim();
  if (text === '') throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'nothing to announce: give the text');
  if ((opts.room === undefined) === (opts.all !== true)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'give either --room ROOM or --all');
  }
  const args = opts.all === true ? { text, all: true } : { text, room: opts.room };
  const command = await submitAdminCommand(ctx.store, 'announce', args, {
    ...(opts.wait === undefined ? {} : { waitMs: opts.wait }),
  });
  const error = commandError(command);
  if (error !== null) throw error;
  const result = command.result ?? {};
  if (opts.json === true) {
    writeJson(ctx.out, { id: command.id, state: command.state, ...result });
    return;
  }
  const clients = Array.isArray(result.clients) ? result.clients.map(String) : [];
  const where = typeof result.room === 'string' ? `in ${result.room}` : 'everywhere';
  ctx.out.write(
    `Announced ${where} on ${Number(result.delivered ?? 0)} connection(s)${clients.length > 0 ? `: ${clients.join(', ')}` : ''}.\n`,
  );
}

/** Options of `rooms set`. */
export interface RoomSetOptions {
  conference?: ConferenceMode;
  /** How long to wait for the hub. @default `adminCommandWaitMs` */
  wait?: number;
  json?: boolean;
}

/**
 * `rooms set ROOM --conference MODE`: the running hub sets it (and applies it at once); with no hub running it is
 * stored, for the hub that starts next.
 */
export async function roomSet(ctx: AdminContext, room: string, opts: RoomSetOptions): Promise<void> {
  if (opts.conference === undefined) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'nothing to set: give --conference on|off|only');
  }
  const args = { room, conference: opts.conference };
  let result: Record<string, unknown>;
  let hubRunning = true;
  if ((await runningHub(ctx.store)) === null) {
    hubRunning = false;
    const snapshot = await readRooms(ctx);
    result = { ok: true, ...(await setRoomConference(ctx.store.house, snapshot, room, opts.conference)) };
  } else {
    const command = await submitAdminCommand(ctx.store, ROOM_SET_KIND, args, {
      ...(opts.wait === undefined ? {} : { waitMs: opts.wait }),
    });
    const error = commandError(command);
    if (error !== null) throw error;
    result = command.result ?? {};
  }
  if (opts.json === true) {
    writeJson(ctx.out, { ...result, hubRunning });
    return;
  }
  const online = Array.isArray(result.online) ? result.online.map(String) : [];
  const name = String(result.room ?? room);
  const who = online.length > 0 ? ` In it now: ${online.join(', ')}.` : '';
  ctx.out.write(
    `Conference ${String(result.conference)} in ${name} (was ${String(result.was)}).${hubRunning ? who : ' No hub is running: it applies when one starts.'}\n`,
  );
}

function parseConference(value: string): ConferenceMode {
  if (!(CONFERENCE_MODES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected ${CONFERENCE_MODES.join(', ')}.`);
  }
  return value as ConferenceMode;
}

function parseWait(value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < LIMIT_DEFS.adminCommandWaitMs.min) {
    throw new InvalidArgumentError(`expected a whole number of ms >= ${LIMIT_DEFS.adminCommandWaitMs.min}.`);
  }
  return Number(value);
}

type Opts = DataDirOptions & RoomsOptions;

/** Adds the options of a command carried out by the running hub: `--wait` and `--json`. */
function withQueueOptions(cmd: Command): Command {
  return cmd
    .option(
      '--wait <ms>',
      `how long to wait for the hub (default ${LIMIT_DEFS.adminCommandWaitMs.default})`,
      parseWait,
    )
    .option('--json', 'print JSON');
}

/** The subcommands of `hivelink rooms`, in the order its help lists them. */
const ROOMS_COMMANDS: readonly AdminSubcommand[] = [
  {
    name: 'list',
    isDefault: true,
    description: 'list the rooms of the house: their clients, who is online, and their modes',
    json: true,
    run: (ctx, opts: Opts) => roomsList(ctx, opts),
  },
  {
    name: 'set',
    description:
      "set a room's conference mode: on (members hear each other and are answered), only (not answered), off",
    args: [['<room>', 'the room (a site id: hivelink clients set ID --site ROOM)']],
    configure: (cmd) =>
      withQueueOptions(
        cmd.requiredOption('--conference <mode>', `${CONFERENCE_MODES.join('|')}`, parseConference),
      ),
    run: (ctx, room: string, opts: DataDirOptions & RoomSetOptions) => roomSet(ctx, room, opts),
  },
];

/** Registers `rooms` (the listing: `rooms list`, its default) and `rooms set`. */
export function registerRoomsCommand(program: Command, out: CliWriter = STDOUT): Command {
  // The listing is a default subcommand, not the action of `rooms`: so `rooms set … --json --data-dir D` are
  // options of `set` (commander gives a parent's options to the parent wherever they stand).
  return registerAdminGroup(program, out, {
    name: 'rooms',
    description: 'list the rooms of the house (their clients, who is online, their modes), or set a mode',
    commands: ROOMS_COMMANDS,
  });
}

/** Registers `announce`. */
export function registerAnnounceCommand(program: Command, out: CliWriter = STDOUT): Command {
  return adminAction(
    withQueueOptions(
      program
        .command('announce')
        .description(
          'speak a text on every online client of a room (--room) or of the hub (--all), through the running hub',
        )
        .argument('<text...>', 'what to say')
        .option('--room <room>', 'the room (a site id: hivelink clients set ID --site ROOM)')
        .option('--all', 'every online client of the hub'),
    ),
    out,
    (ctx, words: string[], opts: DataDirOptions & AnnounceOptions) => announce(ctx, words, opts),
  );
}
