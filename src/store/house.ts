/**
 * What the store keeps for the house (docs/PROTOCOL.md §12): per-room settings, who is connected to the running
 * hub (so `hivelink rooms` in another process can tell), and the admin command queue through which admin commands
 * reach the running hub with `--data-dir` alone (`hivelink announce`, later `rooms set`, consent, subscriptions).
 *
 * - **Rooms** are site ids (a client record's `siteId`, else the `site_id` its HELLO announced). A room needs no row
 *   here; a row holds the room's modes (today `conference`, used by a later feature) and keeps a room that has no
 *   client yet. Names compare by {@link roomKey}: case, `_`/`-` and a leading "the" do not matter.
 * - **Presence** is written by the hub in batches on connect, HELLO and disconnect, never per message, and cleared
 *   when a hub starts or stops. {@link HubInstance} says which process wrote it, so a reader can tell a crashed hub's
 *   leftovers from a live list.
 * - **Admin commands** are rows `pending` → `done` | `failed` | `expired`. The CLI adds one (at most
 *   `adminQueueMaxPending` waiting), the hub runs it on its next store check and writes the result.
 *
 * @module
 */
import { type Selectable, sql } from 'kysely';
import { HiveLinkError } from '../errors.js';
import type { AdminCommandsTable } from './sqlite-schema.js';
import type { StorePartDeps } from './store-part.js';

/** A room's conference mode (issue 11 "Conference"): off, on (members also hear each other), only (not answered). */
export type ConferenceMode = 'off' | 'on' | 'only';
export const CONFERENCE_MODES: readonly ConferenceMode[] = ['off', 'on', 'only'];

/** Longest room name, in characters. */
export const MAX_ROOM_NAME_CHARS = 64;
/** Largest JSON of one admin command's arguments or result. */
export const MAX_ADMIN_COMMAND_BYTES = 64 * 1024;
/** Longest admin command kind (`announce`, `rooms.set`, …). */
const MAX_ADMIN_KIND_CHARS = 64;

/** The settings of one room. */
export interface RoomSettings {
  /** {@link roomKey} of the name: how rooms are matched. */
  readonly key: string;
  /** The name as the admin spelled it. */
  readonly name: string;
  readonly conference: ConferenceMode;
  readonly updatedAt: number;
}

/** What {@link HouseStore.setRoom} changes. */
export interface RoomPatch {
  conference?: ConferenceMode;
}

/** One open connection of the running hub, as `hivelink rooms` sees it. */
export interface PresenceEntry {
  /** The hub's connection serial number (unique while that hub runs). */
  readonly connId: number;
  readonly clientId: number;
  readonly peer: string;
  /** The site the client's HELLO announced, or null. */
  readonly helloSite: string | null;
  /** The client's HELLO said it is a full assistant (`hivelink_assistant: true`). */
  readonly assistant: boolean;
  readonly connectedAt: number;
}

/** The hub process that writes presence. */
export interface HubInstance {
  readonly bootId: string;
  readonly pid: number;
  readonly startedAt: number;
  /** Null while it runs (or if it died without stopping). */
  readonly stoppedAt: number | null;
}

export type AdminCommandState = 'pending' | 'done' | 'failed' | 'expired';

/** One queued admin command. */
export interface AdminCommand {
  readonly id: number;
  readonly kind: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly state: AdminCommandState;
  /** What the hub answered (`{ok, …}`), or null while pending. */
  readonly result: Readonly<Record<string, unknown>> | null;
  readonly createdAt: number;
  readonly finishedAt: number | null;
}

/** The house part of the client store ({@link ClientStore.house}). */
export interface HouseStore {
  /** Every room with settings, by key. */
  listRooms(): Promise<RoomSettings[]>;
  /** The settings of the room named `name` (any spelling {@link roomKey} folds together), or null. */
  getRoom(name: string): Promise<RoomSettings | null>;
  /** Creates or changes the settings of the room `name` (the spelling given becomes its name). */
  setRoom(name: string, patch?: RoomPatch): Promise<RoomSettings>;
  /** Forgets the settings of a room; true when it had some. */
  removeRoom(name: string): Promise<boolean>;

  /** A hub process started: records it and clears the presence a previous one left. */
  hubStarted(instance: Omit<HubInstance, 'stoppedAt'>): Promise<void>;
  /** The hub `bootId` stopped: clears its presence. */
  hubStopped(bootId: string, at: number): Promise<void>;
  /** The last hub that started on this store, or null. */
  hubInstance(): Promise<HubInstance | null>;
  /** One batch of presence changes: rows added or changed, and connections gone (by `connId`). */
  writePresence(upserts: readonly PresenceEntry[], removed: readonly number[]): Promise<void>;
  /** Every presence row, by connection. */
  listPresence(): Promise<PresenceEntry[]>;

  /**
   * Queues an admin command for the running hub.
   * @throws HiveLinkError `HL_ERR_ADMIN_QUEUE_FULL` when `maxPending` commands already wait,
   *   `HL_ERR_INVALID_ARGUMENT` for an empty kind or arguments over 64 KiB of JSON
   */
  enqueueAdminCommand(
    kind: string,
    args: Readonly<Record<string, unknown>>,
    options: { maxPending: number; now: number },
  ): Promise<AdminCommand>;
  /** The oldest pending commands, at most `limit`. */
  pendingAdminCommands(limit: number): Promise<AdminCommand[]>;
  /** Finishes a pending command; false when it was not pending any more (withdrawn, or finished elsewhere). */
  finishAdminCommand(
    id: number,
    state: Exclude<AdminCommandState, 'pending'>,
    result: Readonly<Record<string, unknown>>,
    at: number,
  ): Promise<boolean>;
  getAdminCommand(id: number): Promise<AdminCommand | null>;
  /** Deletes finished commands that finished before `before`; returns how many. */
  pruneAdminCommands(before: number): Promise<number>;
}

/**
 * How room names compare: lower case, `_` and `-` as spaces, spaces collapsed, a leading "the " dropped. So
 * "Living_Room", "living room" and "the living room" are one room.
 */
export function roomKey(name: string): string {
  return name.toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim().replace(/^the /, '');
}

/**
 * A room name as given, trimmed; `HL_ERR_INVALID_ARGUMENT` when it is empty after {@link roomKey}, longer than
 * {@link MAX_ROOM_NAME_CHARS} or holds control characters.
 */
export function checkRoomName(name: unknown): string {
  if (typeof name !== 'string')
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'a room name must be a string');
  const trimmed = name.trim();
  if (trimmed.length > MAX_ROOM_NAME_CHARS || hasControlCharacter(trimmed) || roomKey(trimmed) === '') {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `a room name must be 1 to ${MAX_ROOM_NAME_CHARS} printable characters, got ${JSON.stringify(name)}`,
    );
  }
  return trimmed;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function jsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function commandJson(value: unknown, what: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `admin command ${what} must be a JSON object`);
  }
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text, 'utf8') > MAX_ADMIN_COMMAND_BYTES) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `admin command ${what} exceed ${MAX_ADMIN_COMMAND_BYTES} bytes`,
    );
  }
  return text;
}

/** An `admin_commands` row as read: the table's own type, so the two cannot drift. */
type CommandRow = Selectable<AdminCommandsTable>;

function toCommand(row: CommandRow): AdminCommand {
  return {
    id: row.id,
    kind: row.kind,
    args: jsonObject(row.args) ?? {},
    state: row.state as AdminCommandState,
    result: jsonObject(row.result),
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

function toRoom(row: { key: string; name: string; conference: string; updated_at: number }): RoomSettings {
  const conference = (CONFERENCE_MODES as readonly string[]).includes(row.conference)
    ? (row.conference as ConferenceMode)
    : 'off';
  return { key: row.key, name: row.name, conference, updatedAt: row.updated_at };
}

/** The house part of the SQLite store. */
export function sqliteHouseStore(deps: StorePartDeps): HouseStore {
  const { db, guard, write } = deps;
  return {
    listRooms: () =>
      guard('list rooms', async () =>
        (await db.selectFrom('rooms').selectAll().orderBy('key').execute()).map(toRoom),
      ),

    getRoom: async (name) => {
      const key = roomKey(checkRoomName(name));
      return guard('read the room', async () => {
        const row = await db.selectFrom('rooms').selectAll().where('key', '=', key).executeTakeFirst();
        return row === undefined ? null : toRoom(row);
      });
    },

    setRoom: async (name, patch = {}) => {
      const display = checkRoomName(name);
      const key = roomKey(display);
      if (patch.conference !== undefined && !CONFERENCE_MODES.includes(patch.conference)) {
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'conference must be off, on or only');
      }
      const at = deps.now();
      return guard('set the room', () =>
        write(async (tx) => {
          const existing = await tx.selectFrom('rooms').selectAll().where('key', '=', key).executeTakeFirst();
          const conference = patch.conference ?? existing?.conference ?? 'off';
          await tx
            .insertInto('rooms')
            .values({ key, name: display, conference, updated_at: at })
            .onConflict((oc) => oc.column('key').doUpdateSet({ name: display, conference, updated_at: at }))
            .execute();
          return toRoom({ key, name: display, conference, updated_at: at });
        }),
      );
    },

    removeRoom: async (name) => {
      const key = roomKey(checkRoomName(name));
      return guard('remove the room', async () => {
        const r = await db.deleteFrom('rooms').where('key', '=', key).executeTakeFirst();
        return r.numDeletedRows > 0n;
      });
    },

    hubStarted: (instance) =>
      guard('record the hub start', () =>
        write(async (tx) => {
          await tx.deleteFrom('presence').execute();
          const values = {
            id: 1,
            boot_id: instance.bootId,
            pid: instance.pid,
            started_at: instance.startedAt,
            stopped_at: null,
          };
          const { id: _id, ...restart } = values;
          await tx
            .insertInto('hub_instance')
            .values(values)
            // A restart overwrites every column of the one row but its key.
            .onConflict((oc) => oc.column('id').doUpdateSet(restart))
            .execute();
        }),
      ),

    hubStopped: (bootId, at) =>
      guard('record the hub stop', () =>
        write(async (tx) => {
          const row = await tx
            .selectFrom('hub_instance')
            .select('boot_id')
            .where('id', '=', 1)
            .executeTakeFirst();
          // Another hub started on this store since: its presence is not ours to clear.
          if (row === undefined || row.boot_id !== bootId) return;
          await tx.deleteFrom('presence').execute();
          await tx.updateTable('hub_instance').set({ stopped_at: at }).where('id', '=', 1).execute();
        }),
      ),

    hubInstance: () =>
      guard('read the hub instance', async () => {
        const row = await db.selectFrom('hub_instance').selectAll().where('id', '=', 1).executeTakeFirst();
        if (row === undefined) return null;
        return { bootId: row.boot_id, pid: row.pid, startedAt: row.started_at, stoppedAt: row.stopped_at };
      }),

    writePresence: (upserts, removed) => {
      if (upserts.length === 0 && removed.length === 0) return Promise.resolve();
      return guard('record presence', () =>
        write(async (tx) => {
          for (let i = 0; i < removed.length; i += 500) {
            await tx
              .deleteFrom('presence')
              .where('conn_id', 'in', removed.slice(i, i + 500))
              .execute();
          }
          for (const e of upserts) {
            const values = {
              conn_id: e.connId,
              client_id: e.clientId,
              peer: e.peer,
              hello_site: e.helloSite,
              assistant: e.assistant ? 1 : 0,
              connected_at: e.connectedAt,
            };
            const { conn_id: _connId, connected_at: _connectedAt, ...changed } = values;
            await tx
              .insertInto('presence')
              .values(values)
              // A known connection keeps the time it was first seen.
              .onConflict((oc) => oc.column('conn_id').doUpdateSet(changed))
              .execute();
          }
        }),
      );
    },

    listPresence: () =>
      guard('read presence', async () =>
        (await db.selectFrom('presence').selectAll().orderBy('conn_id').execute()).map((r) => ({
          connId: r.conn_id,
          clientId: r.client_id,
          peer: r.peer,
          helloSite: r.hello_site,
          assistant: r.assistant !== 0,
          connectedAt: r.connected_at,
        })),
      ),

    enqueueAdminCommand: async (kind, args, options) => {
      if (typeof kind !== 'string' || kind.length === 0 || kind.length > MAX_ADMIN_KIND_CHARS) {
        throw new HiveLinkError(
          'HL_ERR_INVALID_ARGUMENT',
          'an admin command needs a kind of 1 to 64 characters',
        );
      }
      const text = commandJson(args, 'arguments');
      return guard('queue the admin command', () =>
        write(async (tx) => {
          const { n } = await tx
            .selectFrom('admin_commands')
            .select(sql<number>`count(*)`.as('n'))
            .where('state', '=', 'pending')
            .executeTakeFirstOrThrow();
          if (Number(n) >= options.maxPending) {
            throw new HiveLinkError(
              'HL_ERR_ADMIN_QUEUE_FULL',
              `${n} admin commands are already waiting for the hub (adminQueueMaxPending ${options.maxPending}); is it running?`,
            );
          }
          const row = await tx
            .insertInto('admin_commands')
            .values({
              kind,
              args: text,
              state: 'pending',
              result: null,
              created_at: options.now,
              finished_at: null,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          return toCommand(row);
        }),
      );
    },

    pendingAdminCommands: (limit) =>
      guard('read admin commands', async () =>
        (
          await db
            .selectFrom('admin_commands')
            .selectAll()
            .where('state', '=', 'pending')
            .orderBy('id')
            .limit(Math.max(1, Math.floor(limit)))
            .execute()
        ).map(toCommand),
      ),

    finishAdminCommand: async (id, state, result, at) => {
      const text = commandJson(result, 'result');
      return guard('finish the admin command', async () => {
        const r = await db
          .updateTable('admin_commands')
          .set({ state, result: text, finished_at: at })
          .where('id', '=', id)
          .where('state', '=', 'pending')
          .executeTakeFirst();
        return r.numUpdatedRows > 0n;
      });
    },

    getAdminCommand: (id) =>
      guard('read the admin command', async () => {
        const row = await db.selectFrom('admin_commands').selectAll().where('id', '=', id).executeTakeFirst();
        return row === undefined ? null : toCommand(row);
      }),

    pruneAdminCommands: (before) =>
      guard('prune admin commands', async () => {
        const r = await db
          .deleteFrom('admin_commands')
          .where('state', '!=', 'pending')
          .where('finished_at', '<', before)
          .executeTakeFirst();
        return Number(r.numDeletedRows);
      }),
  };
}
