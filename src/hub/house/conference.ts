/**
 * Conference, the chat-room mode of a room (issue 11, docs/PROTOCOL.md §12.10): while a room's `conference` mode is
 * `on`, every utterance one of its members says (BUS `recognizer_loop:utterance`) is also spoken on every other
 * online connection of the room as a chat line with the speaker's name — the BUS `speak` stock HiveMind satellites
 * speak ("kitchen-tablet says: hello"), with `meta {skill, conference, speaker, text}` for clients that show who said
 * what — and answered as usual; with `only` the line is all there is: the hub ends the speaker's turn with
 * `ovos.utterance.handled` and the assistant never hears it.
 *
 * ```
 *  member ──BUS recognizer_loop:utterance──▶ tap (before injection)
 *                                              ├─ room off / no room ──▶ agent (as ever)
 *                                              ├─ every other online connection of the room ◀── speak "<name> says: …"
 *                                              └─ on: agent answers │ only: ovos.utterance.handled to the speaker
 *  hivelink rooms set / POST /v1/rooms/{room} / "turn conference on in the kitchen" ──▶ set() ──▶ store + modes
 * ```
 *
 * The tap runs on every BUS message, so it reads the modes from memory: loaded when the hub starts, changed by
 * {@link Conference.set} (the admin command `rooms.set`, the bus request `hive.house.room.set`, REST), and read
 * again whenever another process changed the store. The utterance was bounded by the policy stage already
 * (`maxUtteranceChars`). In `only` mode an utterance that names the conference still reaches the assistant, so an
 * admin in the room can say "stop the conference".
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';
import type { JsonObject } from '../../protocol/json.js';
import { createHiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import { HANDLED_TYPE, sessionIdIn, UTTERANCE_TYPE } from '../../session/turn.js';
import { CONFERENCE_MODES, type ConferenceMode, type HouseStore, roomKey } from '../../store/house.js';
import { HUB_SOURCE } from '../replies.js';
import type { HubPeer } from '../types.js';
import { badArgument } from './admin-queue.js';
import { type Asker, adminAsker, RELAY_KEY } from './asker.js';
import { findRoom, type RoomsSnapshot, siteRoom } from './rooms.js';
import { speakOn } from './speak.js';

/** The admin command kind of `hivelink rooms set` (docs/PROTOCOL.md §12.5). */
export const ROOM_SET_KIND = 'rooms.set';

/** In `only` mode, an utterance with this word still goes to the assistant ("stop the conference"). */
const NAMES_CONFERENCE = /\bconference\b/i;

/** What a room's settings are after {@link Conference.set}. */
export interface RoomSetResult {
  readonly room: string;
  readonly conference: ConferenceMode;
  /** The mode before. */
  readonly was: ConferenceMode;
  /** Its online clients' names: who is in the conference now. */
  readonly online: readonly string[];
}

export interface ConferenceInit {
  store: HouseStore;
  /** Every room now (`House.rooms`). */
  rooms: () => Promise<RoomsSnapshot>;
  /** The open websocket connections (`House`'s live peers). */
  live: () => readonly HubPeer[];
}

/** A conference mode, or `HL_ERR_INVALID_ARGUMENT`. */
export function checkConferenceMode(value: unknown): ConferenceMode {
  if (typeof value === 'string' && (CONFERENCE_MODES as readonly string[]).includes(value)) {
    return value as ConferenceMode;
  }
  throw badArgument(`conference: must be one of ${CONFERENCE_MODES.join(', ')}`);
}

/** The first utterance of a `recognizer_loop:utterance` payload, trimmed, or null. */
function utteranceOf(payload: JsonObject): string | null {
  const data = payload.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const list = (data as JsonObject).utterances;
  const first = Array.isArray(list) ? list[0] : undefined;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : null;
}

function langOf(payload: JsonObject): string {
  const lang = (payload.data as JsonObject).lang;
  return typeof lang === 'string' && lang !== '' ? lang : 'en-US';
}

/**
 * Stores the conference mode of the room `name` of `snapshot` (the store's write; the running hub's {@link
 * Conference.set} also changes its modes, and `hivelink rooms set` uses it alone when no hub runs).
 * @throws HiveLinkError `HL_ERR_ROOM_UNKNOWN`
 */
export async function setRoomConference(
  store: HouseStore,
  snapshot: RoomsSnapshot,
  name: string,
  mode: ConferenceMode,
): Promise<RoomSetResult> {
  const room = findRoom(snapshot, name);
  if (room === undefined) throw new HiveLinkError('HL_ERR_ROOM_UNKNOWN', `there is no room called "${name}"`);
  const saved = await store.setRoom(room.name, { conference: mode });
  return {
    room: saved.name,
    conference: mode,
    was: room.conference,
    online: room.clients.filter((c) => c.online).map((c) => c.name),
  };
}

export class Conference {
  readonly #init: ConferenceInit;
  /** Rooms whose mode is not `off`, by {@link roomKey}. */
  #modes = new Map<string, { name: string; mode: ConferenceMode }>();
  /** Bumped by each {@link set}: a reload that started before it does not overwrite it. */
  #version = 0;

  constructor(init: ConferenceInit) {
    this.#init = init;
  }

  /** Reads the modes from the store (at start, and when another process changed it). */
  async reload(): Promise<void> {
    const version = this.#version;
    const rooms = await this.#init.store.listRooms();
    if (version !== this.#version) return;
    this.#modes = new Map(
      rooms.filter((r) => r.conference !== 'off').map((r) => [r.key, { name: r.name, mode: r.conference }]),
    );
  }

  /** The mode of the room named `name` now. */
  modeOf(name: string): ConferenceMode {
    return this.#modes.get(roomKey(name))?.mode ?? 'off';
  }

  /**
   * Sets the conference mode of an existing room (a client in it, or settings). Needs an admin asker.
   * @throws HiveLinkError `HL_ERR_ADMIN_REQUIRED`, `HL_ERR_ROOM_UNKNOWN`, `HL_ERR_INVALID_ARGUMENT`
   */
  async set(asker: Asker, name: string, mode: ConferenceMode): Promise<RoomSetResult> {
    if (!asker.isAdmin) {
      throw new HiveLinkError('HL_ERR_ADMIN_REQUIRED', 'only an admin client may change a conference');
    }
    const result = await setRoomConference(this.#init.store, await this.#init.rooms(), name, mode);
    this.#version += 1;
    const key = roomKey(result.room);
    if (mode === 'off') this.#modes.delete(key);
    else this.#modes.set(key, { name: result.room, mode });
    return result;
  }

  /** The `rooms.set` admin command: `{room, conference}`. */
  async command(args: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
    if (typeof args.room !== 'string') throw badArgument('rooms.set: room must be a string');
    const result = await this.set(adminAsker('admin'), args.room, checkConferenceMode(args.conference));
    return { ...result, online: [...result.online] };
  }

  /** The bus tap: a member's utterance in a conference room; true when it is taken (`only`). */
  readonly tap = (conn: HubPeer, payload: JsonObject): boolean => {
    if (payload.type !== UTTERANCE_TYPE || this.#modes.size === 0) return false;
    const site = siteRoom(conn.siteId);
    if (site === null) return false;
    const key = roomKey(site);
    const conference = this.#modes.get(key);
    if (conference === undefined) return false;
    const context = payload.context;
    if (typeof context === 'object' && context !== null && RELAY_KEY in context) return false;
    const text = utteranceOf(payload);
    if (text === null) return false;
    const speaker = conn.record.name;
    // Everyone else in the room, but a client that refuses every direct message (`consent: deny`, §12.8).
    const others = this.#init
      .live()
      .filter((p) => p !== conn && p.record.consent !== 'deny' && roomKey(siteRoom(p.siteId) ?? '') === key);
    speakOn(others, `${speaker} says: ${text}`, langOf(payload), {
      meta: { conference: conference.name, speaker, text },
    });
    if (conference.mode !== 'only' || NAMES_CONFERENCE.test(text)) return false;
    // Nothing will answer: end the speaker's turn, in the session it spoke in.
    const sessionId = sessionIdIn(payload as { type: string; context?: { session?: unknown } });
    conn.send(
      createHiveMessage(
        HiveMessageType.BUS,
        {
          type: HANDLED_TYPE,
          data: { conference: conference.name, heard_by: others.length },
          context: {
            source: HUB_SOURCE,
            destination: conn.peer,
            ...(sessionId === null ? {} : { session: { session_id: sessionId } }),
          },
        },
        { source_peer: conn.peer },
      ),
    );
    return true;
  };
}
