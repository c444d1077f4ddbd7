/**
 * The house on the agent bus (docs/PROTOCOL.md §12.2): requests `hive.house.rooms | tell | ask | announce |
 * room.set` (a room's conference mode, §12.10), `hive.house.consent` (§12.8), `hive.house.intercom | intercom.end`
 * (§12.9), each answered with `<type>.response` as an OVOS response (source and destination swapped, `context.request_id` kept),
 * `{ok: true, …}` or `{ok: false, code, error}`. The assistant's house skill asks through `ctx.request`, so it works
 * the same when the assistant is a separate process on an OVOS bus; an SDK client whose `allowedTypes` has a
 * `hive.house.*` type may ask too (the answer comes back to it).
 *
 * Who asks is `context.peer` (kept by every skill message of the turn): its connection's room names it to the
 * room ("office says: …"), its record says whether it may announce. A request carrying `context.hivelink_relay`
 * comes from a relayed question's turn and may not relay again.
 *
 * @module
 */

import type { Logger } from 'pino';
import { response } from '../../bus/message.js';
import type { MessageBus, MessageData } from '../../bus/types.js';
import { isHiveLinkError } from '../../errors.js';
import type { PeerRegistry } from '../peers.js';
import { badArgument } from './admin-queue.js';
import { type Asker, askerOf, RELAY_KEY } from './asker.js';
import { checkConferenceMode } from './conference.js';
import { CONSENT_TYPE } from './consent.js';
import type { House } from './house.js';
import { INTERCOM_END_TYPE, INTERCOM_TYPE } from './intercom-line.js';
import { findRoom, type Room, siteRoom } from './rooms.js';

/** The request types; each is answered with `<type>.response`. */
export const HouseBusType = {
  ROOMS: 'hive.house.rooms',
  TELL: 'hive.house.tell',
  ASK: 'hive.house.ask',
  ANNOUNCE: 'hive.house.announce',
  ROOM_SET: 'hive.house.room.set',
} as const;

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** A room as the bus answers it. */
export function roomJson(room: Room): Record<string, unknown> {
  return {
    name: room.name,
    online: room.online,
    conference: room.conference,
    clients: room.clients.map((c) => ({ name: c.name, online: c.online, assistant: c.assistant })),
  };
}

function langOf(message: MessageData): string {
  const fromData = text(message.data.lang);
  if (fromData !== null) return fromData;
  const session = message.context.session;
  const fromSession =
    typeof session === 'object' && session !== null ? text((session as { lang?: unknown }).lang) : null;
  return fromSession ?? 'en-US';
}

export interface HouseBusInit {
  house: House;
  bus: MessageBus;
  peers: PeerRegistry;
  logger: Logger;
}

/** Serves the house's bus requests; returns the unsubscribe. */
export function serveHouseBus(init: HouseBusInit): () => void {
  const { house, bus, peers, logger } = init;
  const askerFor = (message: MessageData): Asker => {
    const peerId = message.context.peer;
    const peer = typeof peerId === 'string' ? (peers.get(peerId) ?? null) : null;
    const name = text(message.context.client_name) ?? undefined;
    return askerOf(peer, {
      ...(name === undefined ? {} : { name }),
      relayed: text(message.context[RELAY_KEY]) !== null,
    });
  };
  const handlers: Record<string, (m: MessageData) => Promise<Record<string, unknown>>> = {
    [HouseBusType.ROOMS]: async (m) => {
      const snapshot = await house.rooms();
      const name = text(m.data.room);
      if (name !== null) {
        const room = findRoom(snapshot, name);
        if (room === undefined)
          return {
            ok: false,
            code: 'HL_ERR_ROOM_UNKNOWN',
            error: `there is no room called "${name}"`,
            room: name,
          };
        return { ok: true, room: roomJson(room) };
      }
      return {
        ok: true,
        rooms: snapshot.rooms.map(roomJson),
        unassigned: snapshot.unassigned.map((c) => ({ name: c.name, online: c.online })),
      };
    },
    [HouseBusType.TELL]: async (m) => {
      const r = await house.tell(
        askerFor(m),
        String(m.data.room ?? ''),
        String(m.data.text ?? ''),
        langOf(m),
      );
      return { ok: true, room: r.room, delivered: r.delivered, clients: [...r.clients] };
    },
    [HouseBusType.ASK]: async (m) => {
      const r = await house.ask(
        askerFor(m),
        String(m.data.room ?? ''),
        String(m.data.utterance ?? ''),
        langOf(m),
      );
      return {
        ok: true,
        room: r.room,
        answers: [...r.answers],
        by: r.by,
        responder: r.responder,
        expect_response: r.expectsResponse,
      };
    },
    // The recipient of a direct message answers whether it allows the sender (§12.8).
    [CONSENT_TYPE]: async (m) => {
      const r = await house.consent.answer(askerFor(m).peer, m.data.sender ?? null, m.data.allow);
      return { ok: true, sender: r.sender, sender_id: r.senderId, allow: r.allow, released: r.released };
    },
    [INTERCOM_TYPE]: async (m) => {
      const r = await house.intercom.open(askerFor(m), String(m.data.target ?? m.data.room ?? ''));
      return { ok: true, line: r.line, state: r.state, with: r.with };
    },
    [INTERCOM_END_TYPE]: async (m) => ({ ok: true, ...house.intercom.end(askerFor(m).peer) }),
    [HouseBusType.ANNOUNCE]: async (m) => {
      const target =
        m.data.all === true || text(m.data.room) === null
          ? { all: true as const }
          : { room: String(m.data.room) };
      const r = await house.announce(askerFor(m), target, String(m.data.text ?? ''), langOf(m));
      return { ok: true, room: r.room, delivered: r.delivered, clients: [...r.clients] };
    },
    // No room: the asker's own ("stop the conference").
    [HouseBusType.ROOM_SET]: async (m) => {
      const asker = askerFor(m);
      const room = text(m.data.room) ?? siteRoom(asker.peer?.siteId ?? null);
      if (room === null) throw badArgument('room: which room? (the asker is in none)');
      const r = await house.conference.set(asker, room, checkConferenceMode(m.data.conference));
      return { ok: true, room: r.room, conference: r.conference, was: r.was, online: [...r.online] };
    },
  };
  const offs = Object.entries(handlers).map(([type, handle]) =>
    bus.on(type, (message) => {
      void handle(message)
        .catch((err: unknown) => {
          if (isHiveLinkError(err)) {
            const room = text(message.data.room);
            return { ok: false, code: err.code, error: err.message, ...(room === null ? {} : { room }) };
          }
          logger.error({ err, type }, 'house request failed');
          return { ok: false, code: 'HL_ERR_INTERNAL', error: 'internal error' };
        })
        .then((data) => {
          try {
            bus.emit(response(message, data));
          } catch (err) {
            logger.warn({ err, type }, 'agent bus refused a house answer');
          }
        });
    }),
  );
  return () => {
    for (const off of offs) off();
  };
}
