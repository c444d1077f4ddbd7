/**
 * Rooms, computed (docs/PROTOCOL.md §12.1): pure functions over the client records, the live connections and the
 * stored room settings, so the running hub (live peers) and `hivelink rooms` in another process (the store's
 * presence table) list the same rooms the same way.
 *
 * A client's room is its record's `siteId` (the admin's: `hivelink clients set ID --site kitchen`), else the site
 * its HELLO announced; the admin value wins and a client is in one room. OVOS's placeholder site `unknown` is no
 * room. Revoked clients are in no room. A room exists when a client is in it or it has stored settings (an empty
 * room); names compare by {@link roomKey}.
 *
 * @module
 */
import { type ConferenceMode, type RoomSettings, roomKey } from '../../store/house.js';
import type { ClientRecord } from '../../store/types.js';

/** One open connection, as rooms need it (a hub peer, or a row of the store's presence table). */
export interface LiveConnection {
  readonly clientId: number;
  readonly peer: string;
  /** The site its HELLO announced, or null. */
  readonly helloSite: string | null;
  /** Its HELLO said it is a full assistant. */
  readonly assistant: boolean;
}

/** A client as a room lists it. */
export interface RoomClient {
  readonly id: number;
  readonly name: string;
  readonly online: boolean;
  /** Open connections of the client. */
  readonly connections: number;
  /** One of its connections is a full assistant (answers relayed questions itself). */
  readonly assistant: boolean;
  /** Where its room comes from: the admin's record site, or its HELLO. */
  readonly from: 'admin' | 'hello';
}

/** One room. */
export interface Room {
  readonly key: string;
  /** The stored name, else the record's spelling, else the HELLO's. */
  readonly name: string;
  readonly conference: ConferenceMode;
  /** By client id. */
  readonly clients: readonly RoomClient[];
  /** How many of its clients are online. */
  readonly online: number;
}

/** Every room, and the clients in none. */
export interface RoomsSnapshot {
  /** By name. */
  readonly rooms: readonly Room[];
  /** Non-revoked clients with no room (no record site, no HELLO site). */
  readonly unassigned: readonly Omit<RoomClient, 'from'>[];
}

/** A site that names a room, or null for none (empty, or OVOS's `unknown`). */
export function siteRoom(site: string | null | undefined): string | null {
  if (typeof site !== 'string') return null;
  const trimmed = site.trim();
  if (trimmed === '' || roomKey(trimmed) === '' || trimmed.toLowerCase() === 'unknown') return null;
  return trimmed;
}

/** The rooms of `records` (revoked ones skipped), `live` connections and `settings`. */
export function buildRooms(
  records: readonly ClientRecord[],
  live: readonly LiveConnection[],
  settings: readonly RoomSettings[],
): RoomsSnapshot {
  const byClient = new Map<number, LiveConnection[]>();
  for (const c of live) {
    const list = byClient.get(c.clientId);
    if (list === undefined) byClient.set(c.clientId, [c]);
    else list.push(c);
  }
  interface Draft {
    name: string;
    conference: ConferenceMode;
    clients: RoomClient[];
    named: 'settings' | 'admin' | 'hello';
  }
  const rooms = new Map<string, Draft>();
  for (const s of settings)
    rooms.set(s.key, { name: s.name, conference: s.conference, clients: [], named: 'settings' });
  const unassigned: Omit<RoomClient, 'from'>[] = [];
  for (const record of records) {
    if (record.revoked) continue;
    const conns = byClient.get(record.id) ?? [];
    const adminSite = siteRoom(record.siteId);
    const helloSite = conns.map((c) => siteRoom(c.helloSite)).find((s) => s !== null) ?? null;
    const site = adminSite ?? helloSite;
    const member = {
      id: record.id,
      name: record.name,
      online: conns.length > 0,
      connections: conns.length,
      assistant: conns.some((c) => c.assistant),
    };
    if (site === null) {
      unassigned.push(member);
      continue;
    }
    const from = adminSite !== null ? 'admin' : 'hello';
    const key = roomKey(site);
    let room = rooms.get(key);
    if (room === undefined) {
      room = { name: site, conference: 'off', clients: [], named: from };
      rooms.set(key, room);
    } else if (room.named === 'hello' && from === 'admin') {
      room.name = site;
      room.named = 'admin';
    }
    room.clients.push({ ...member, from });
  }
  const list: Room[] = [...rooms.entries()].map(([key, r]) => ({
    key,
    name: r.name,
    conference: r.conference,
    clients: r.clients,
    online: r.clients.filter((c) => c.online).length,
  }));
  list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { rooms: list, unassigned };
}

/** The room `name` names (any spelling {@link roomKey} folds together), or undefined. */
export function findRoom(snapshot: RoomsSnapshot, name: string): Room | undefined {
  const key = roomKey(name);
  return snapshot.rooms.find((r) => r.key === key);
}
