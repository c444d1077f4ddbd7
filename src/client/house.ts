/**
 * The house as an SDK client sees it (docs/PROTOCOL.md §12.2): the typed answers of `hive.house.rooms | tell | ask
 * | announce`, read from the hub's `<type>.response` data. Browser-safe.
 *
 * @module
 */
import type { HouseAnnounceAnswer, HouseAskAnswer, HouseTellAnswer } from '../bus/house.js';

/** The bus request types of the house. */
export const HouseRequest = {
  ROOMS: 'hive.house.rooms',
  TELL: 'hive.house.tell',
  ASK: 'hive.house.ask',
  ANNOUNCE: 'hive.house.announce',
  CONSENT: 'hive.house.consent',
  INTERCOM: 'hive.house.intercom',
  INTERCOM_END: 'hive.house.intercom.end',
} as const;

/** How long {@link HiveClient.rooms}, `tell` and `announce` wait for the hub's answer. */
export const HOUSE_REQUEST_TIMEOUT_MS = 5000;
/**
 * How long {@link HiveClient.askRoom} waits: longer than the hub waits for the room (`relayAskTimeoutMs`, 5 s by
 * default), so the hub's `HL_ERR_RELAY_TIMEOUT` arrives first.
 */
export const ASK_ROOM_TIMEOUT_MS = 15_000;

/** A client of a room. */
export interface RoomMember {
  readonly name: string;
  readonly online: boolean;
  /** A full assistant: it answers relayed questions itself. */
  readonly assistant: boolean;
}

/** One room of the house. */
export interface RoomInfo {
  readonly name: string;
  /** How many of its clients are online. */
  readonly online: number;
  readonly conference: 'off' | 'on' | 'only';
  readonly clients: readonly RoomMember[];
}

/** {@link HiveClient.rooms}: every room, and the clients in none. */
export interface RoomsAnswer {
  readonly rooms: readonly RoomInfo[];
  readonly unassigned: readonly { readonly name: string; readonly online: boolean }[];
}

/** {@link HiveClient.tell}: where it was spoken. */
export type TellAnswer = HouseTellAnswer;

/** {@link HiveClient.announce}: where it was spoken (`room` null: everywhere). */
export type AnnounceAnswer = HouseAnnounceAnswer;

/** {@link HiveClient.askRoom}: what the room said. */
export type RoomAskAnswer = HouseAskAnswer;

/** Options of the house requests. */
export interface HouseRequestOptions {
  /** @default {@link HOUSE_REQUEST_TIMEOUT_MS} ({@link ASK_ROOM_TIMEOUT_MS} for `askRoom`) */
  timeoutMs?: number;
  /** The language (of what is said, or of the question). @default the session's */
  lang?: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const objects = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];

function member(c: Record<string, unknown>): RoomMember {
  return { name: String(c.name ?? ''), online: c.online === true, assistant: c.assistant === true };
}

function conferenceOf(v: unknown): RoomInfo['conference'] {
  return v === 'on' || v === 'only' ? v : 'off';
}

/** {@link HiveClient.consent}: whose messages this client now accepts or refuses. */
export interface ConsentAnswer {
  readonly sender: string;
  readonly senderId: number;
  readonly allow: boolean;
  /** Held messages of that sender released (delivered, or dropped on a refusal) by this answer. */
  readonly released: number;
}

/** {@link HiveClient.intercom}: the line, open now or held until the called side consents. */
export interface IntercomAnswer {
  readonly line: string;
  readonly state: 'open' | 'held';
  /** Who is at the other end. */
  readonly with: string;
}

/** The answer of `hive.house.consent`. */
export function consentAnswer(d: Record<string, unknown>): ConsentAnswer {
  return {
    sender: String(d.sender ?? ''),
    senderId: Number(d.sender_id ?? 0),
    allow: d.allow === true,
    released: Number(d.released ?? 0),
  };
}

/** The answer of `hive.house.intercom`. */
export function intercomAnswer(d: Record<string, unknown>): IntercomAnswer {
  return {
    line: String(d.line ?? ''),
    state: d.state === 'held' ? 'held' : 'open',
    with: String(d.with ?? ''),
  };
}

/** The answer of `hive.house.rooms`. */
export function roomsAnswer(d: Record<string, unknown>): RoomsAnswer {
  return {
    rooms: objects(d.rooms).map((r) => ({
      name: String(r.name ?? ''),
      online: Number(r.online ?? 0),
      conference: conferenceOf(r.conference),
      clients: objects(r.clients).map(member),
    })),
    unassigned: objects(d.unassigned).map((c) => ({ name: String(c.name ?? ''), online: c.online === true })),
  };
}

/** The answer of `hive.house.announce`. */
export function announceAnswer(d: Record<string, unknown>): AnnounceAnswer {
  return {
    room: typeof d.room === 'string' ? d.room : null,
    delivered: Number(d.delivered ?? 0),
    clients: strings(d.clients),
  };
}

/** The answer of `hive.house.tell`. */
export function tellAnswer(d: Record<string, unknown>): TellAnswer {
  return { ...announceAnswer(d), room: String(d.room ?? '') };
}

/** The answer of `hive.house.ask`. */
export function roomAskAnswer(d: Record<string, unknown>): RoomAskAnswer {
  return {
    room: String(d.room ?? ''),
    answers: strings(d.answers),
    by: d.by === 'client' ? 'client' : 'hub',
    responder: String(d.responder ?? ''),
    expectsResponse: d.expect_response === true,
  };
}
