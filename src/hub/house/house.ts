/**
 * The house (docs/PROTOCOL.md §12, issue 11): the hub's service of rooms, relayed orders and announcements, over
 * the live connections and the store. Everything reaches it the same way whatever asked — the assistant's house
 * skill and SDK clients over the agent bus (`hive.house.*`, `bus-api.ts`), the admin CLI through the store's admin
 * command queue (`admin-queue.ts`), the REST API (`POST /v1/announce`) — and every refusal is a stable error code.
 *
 * ```
 *  tell  "office says: dinner is ready" ──BUS speak──▶ every other online client of the room
 *  ask   room client with a HELLO `hivelink_assistant: true` ──BUS recognizer_loop:utterance {hivelink_relay}──▶ it
 *        answers BUS speak … {hivelink_relay} (the policy rule and the bus tap below take them), else
 *        the hub's assistant in a session of the room (its site, language, location) ──▶ answers collected
 *        by the SDK's turn rule (src/session/turn.ts) within relayAskTimeoutMs
 *  announce  (admins) BUS speak ──▶ every online client of a room, or of the hub
 * ```
 *
 * Later house features plug in the same way: a policy rule (`Policy.wrapAuthorizer`), a bus tap
 * (`HubContext.busTaps`), an admin command kind (`House.adminQueue.register`), a `hive.house.*` bus request.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { HouseAnnounceAnswer, HouseAskAnswer, HouseTellAnswer } from '../../bus/house.js';
import { createMessage } from '../../bus/message.js';
import type { MessageData, SessionData } from '../../bus/types.js';
import { HiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import type { JsonObject } from '../../protocol/json.js';
import { createHiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import { TurnCollector, type TurnEnd, UTTERANCE_TYPE } from '../../session/turn.js';
import type { ConferenceMode, PresenceEntry } from '../../store/house.js';
import type { ClientRecord, ClientStore } from '../../store/types.js';
import { type Timers, unrefTimers } from '../../timers.js';
import { REST_USERAGENT } from '../client-ask.js';
import { clientSession } from '../inject.js';
import { ACCEPT, DenyCode, deny, type Policy } from '../policy/index.js';
import type { HubContext, HubPeer } from '../types.js';
import { AdminQueue, badArgument } from './admin-queue.js';
import {
  type Asker,
  adminAsker,
  HOUSE_SOURCE,
  RELAY_ANSWER_TYPES,
  RELAY_KEY,
  RELAY_SESSION_PREFIX,
} from './asker.js';
import { serveHouseBus } from './bus-api.js';
import { Conference, ROOM_SET_KIND, type RoomSetResult } from './conference.js';
import { ConsentService, consentRefusal, type DirectMessage } from './consent.js';
import { ConsentAdmin } from './consent-admin.js';
import { IntercomLines, type Reached } from './intercom-line.js';
import { PresenceWriter } from './presence.js';
import { buildRooms, findRoom, type LiveConnection, type Room, type RoomsSnapshot } from './rooms.js';
import { type Spoken, speakOn } from './speak.js';

/** A tell's result: the bus answer's shape, which SDK clients read too. */
export type TellResult = HouseTellAnswer;

/** An ask's result. */
export type AskResult = HouseAskAnswer;

/** Where an announcement goes. */
export type AnnounceTarget = { readonly room: string } | { readonly all: true };

export type AnnounceResult = HouseAnnounceAnswer;

/** What the house uses of the hub. */
export interface HouseHub {
  readonly ctx: HubContext;
  readonly policy: Policy;
  readonly logger: Logger;
  onPeersChanged(listener: (conn: HubPeer) => void): () => void;
}

export interface HouseInit {
  hub: HouseHub;
  store: ClientStore;
  limits: Limits;
  /** @default Date.now */
  now?: () => number;
  /** @default the global timers, unref'd */
  timers?: Timers;
  /** @default process.pid */
  pid?: number;
}

interface Relay {
  readonly id: string;
  /** The client asked to answer, or null when the hub's assistant answers. */
  readonly conn: HubPeer | null;
  readonly collector: TurnCollector;
}

function refuse(
  code: 'HL_ERR_ROOM_UNKNOWN' | 'HL_ERR_ROOM_EMPTY' | 'HL_ERR_ROOM_OFFLINE',
  room: string,
): never {
  const why =
    code === 'HL_ERR_ROOM_UNKNOWN'
      ? `there is no room called "${room}"`
      : code === 'HL_ERR_ROOM_EMPTY'
        ? `nobody is in the ${room}`
        : `the ${room} is offline`;
  throw new HiveLinkError(code, why);
}

/** The session keys of a room client that describe the room (not its dialogue). */
const ROOM_SESSION_KEYS = [
  'lang',
  'location',
  'timezone',
  'system_unit',
  'time_format',
  'date_format',
  'blacklisted_skills',
  'blacklisted_intents',
] as const;

export class House {
  readonly #init: HouseInit;
  readonly #ctx: HubContext;
  readonly #now: () => number;
  readonly #timers: Timers;
  readonly #relays = new Map<string, Relay>();
  readonly #presence: PresenceWriter;
  /** Admin commands that act on live connections; other features register their kinds here. */
  readonly adminQueue: AdminQueue;
  /** The rooms' conference modes and the tap that relays members' utterances (§12.10). */
  readonly conference: Conference;
  /** Who may message whom directly (§12.8): tell/ask between rooms and intercom lines go through it. */
  readonly consent: ConsentService;
  /** The admin's side of consent (list, record, forget), for REST: a change settles what waits at once. */
  readonly consentAdmin: ConsentAdmin;
  /** Intercom lines (§12.9). */
  readonly intercom: IntercomLines;
  readonly #bootId = randomUUID();
  #offs: (() => void)[] = [];
  #state: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(init: HouseInit) {
    this.#init = init;
    this.#ctx = init.hub.ctx;
    this.#now = init.now ?? Date.now;
    this.#timers = init.timers ?? unrefTimers;
    this.#presence = new PresenceWriter({
      store: init.store.house,
      snapshot: () => this.#presenceSnapshot(),
      intervalMs: init.limits.connectionLogFlushMs,
      timers: this.#timers,
      onError: (err) => init.hub.logger.warn({ err }, 'could not record presence'),
    });
    this.adminQueue = new AdminQueue({
      store: init.store.house,
      ttlMs: init.limits.adminCommandTtlMs,
      now: this.#now,
      logger: init.hub.logger,
    });
    this.adminQueue.register('announce', (args) => this.#announceCommand(args));
    this.consent = new ConsentService({
      store: init.store,
      peers: this.#ctx.peers,
      limits: init.limits,
      logger: init.hub.logger,
      timers: this.#timers,
    });
    this.consentAdmin = new ConsentAdmin({ store: init.store, changed: () => this.consent.recheck() });
    this.intercom = new IntercomLines({
      peers: this.#ctx.peers,
      consent: this.consent,
      reach: (name, asker) => this.reach(name, asker),
      limits: init.limits,
      logger: init.hub.logger,
      timers: this.#timers,
    });
    // An utterance said on an open intercom line is spoken on the other side, not answered.
    this.#ctx.busTaps?.push((conn, payload) => this.intercom.tap(conn, payload));
    // A room's answer to a relayed question: accepted only from the client it was asked of, while it waits.
    init.hub.policy.wrapAuthorizer(HiveMessageType.BUS, (inner) => (peer, message) => {
      const payload = message.payload as JsonObject;
      const relayId = relayIdOf(payload);
      if (relayId === null || !RELAY_ANSWER_TYPES.has(String(payload.type))) return inner(peer, message);
      if (this.#relays.get(relayId)?.conn === peer) return ACCEPT;
      return deny(String(payload.type), DenyCode.NO_ROUTE, 'no relayed question is waiting for this answer');
    });
    this.#ctx.busTaps?.push((conn, payload) => this.#relayAnswer(conn, payload));
    this.conference = new Conference({
      store: init.store.house,
      rooms: () => this.rooms(),
      live: () => this.#live(),
    });
    this.adminQueue.register(ROOM_SET_KIND, (args) => this.conference.command(args));
    this.#ctx.busTaps?.push(this.conference.tap);
  }

  /** Records this hub in the store, starts presence and the admin queue, and serves the room answers. */
  async start(): Promise<void> {
    if (this.#state !== 'idle')
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'the house was already started');
    this.#state = 'running';
    const { store, hub, limits } = this.#init;
    await store.house.hubStarted({
      bootId: this.#bootId,
      pid: this.#init.pid ?? process.pid,
      startedAt: this.#now(),
    });
    this.#offs.push(hub.onPeersChanged((conn) => this.intercom.peerChanged(conn)));
    this.consent.start();
    this.#offs.push(hub.onPeersChanged(() => this.#presence.changed()));
    await this.conference.reload();
    const reloadConference = () =>
      void this.conference.reload().catch((err: unknown) => {
        hub.logger.warn({ err }, 'could not read the conference modes');
      });
    this.#offs.push(store.watch(reloadConference, limits.policyRefreshMs));
    const bus = this.#ctx.bus;
    for (const type of RELAY_ANSWER_TYPES) {
      this.#offs.push(bus.on(type, (m) => this.#hubAnswer(m), { shared: true }));
    }
    this.#offs.push(store.watch(() => void this.adminQueue.drain(), limits.policyRefreshMs));
    this.#offs.push(serveHouseBus({ house: this, bus, peers: this.#ctx.peers, logger: hub.logger }));
    this.#presence.changed();
    void this.adminQueue.drain();
  }

  /** Ends the relays in flight, stops the admin queue and clears this hub's presence. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#state !== 'running') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopped';
    for (const off of this.#offs) off();
    this.#offs = [];
    for (const relay of [...this.#relays.values()]) {
      relay.collector.fail(new HiveLinkError('HL_ERR_HUB_UNAVAILABLE', 'the hub is shutting down'));
    }
    this.intercom.stop();
    await this.consent.stop();
    await this.adminQueue.stop();
    await this.#presence.stop();
    await this.#init.store.house
      .hubStopped(this.#bootId, this.#now())
      .catch((err: unknown) => this.#init.hub.logger.warn({ err }, 'could not clear presence'));
  }

  /** Relayed questions waiting for their rooms. */
  get pendingRelays(): number {
    return this.#relays.size;
  }

  // -- rooms

  /**
   * The open websocket connections (REST asks' virtual connections are in no room), in a cluster those of every node:
   * a tell, an ask or an announcement reaches a room whose clients are on other nodes.
   */
  #live(): HubPeer[] {
    return [...this.#ctx.peers.everywhere()].filter((p) => p.useragent !== REST_USERAGENT);
  }

  /** This node's own connections: its presence rows (the other nodes write theirs). */
  #presenceSnapshot(): PresenceEntry[] {
    return [...this.#ctx.peers.values()]
      .filter((p) => p.useragent !== REST_USERAGENT)
      .map((p) => ({
        connId: p.id,
        clientId: p.record.id,
        peer: p.peer,
        helloSite: p.helloSiteId ?? null,
        assistant: p.isAssistant === true,
        connectedAt: this.#now(),
      }));
  }

  /** Every room now: the records and room settings of the store, the hub's live connections. */
  async rooms(): Promise<RoomsSnapshot> {
    const { store } = this.#init;
    const live: LiveConnection[] = this.#live().map((p) => ({
      clientId: p.record.id,
      peer: p.peer,
      helloSite: p.helloSiteId ?? null,
      assistant: p.isAssistant === true,
    }));
    const [records, settings] = await Promise.all([store.listClients(), store.house.listRooms()]);
    return buildRooms(records, live, settings);
  }

  /** The open connections of `room`'s clients. */
  #connectionsIn(room: Room): HubPeer[] {
    const ids = new Set(room.clients.map((c) => c.id));
    return this.#live().filter((p) => ids.has(p.record.id));
  }

  /**
   * The room named `name` and the online connections of its clients other than the asker's client.
   * @throws HiveLinkError `HL_ERR_ROOM_UNKNOWN`, `HL_ERR_ROOM_EMPTY` (no client, or only the asker),
   *   `HL_ERR_ROOM_OFFLINE`
   */
  async #target(name: string, asker: Asker): Promise<{ room: Room; conns: HubPeer[] }> {
    const room = findRoom(await this.rooms(), name);
    if (room === undefined) refuse('HL_ERR_ROOM_UNKNOWN', name.trim());
    const self = asker.peer?.record.id;
    const others = room.clients.filter((c) => c.id !== self);
    if (others.length === 0) refuse('HL_ERR_ROOM_EMPTY', room.name);
    const ids = new Set(others.map((c) => c.id));
    const conns = this.#live().filter((p) => ids.has(p.record.id));
    if (conns.length === 0) refuse('HL_ERR_ROOM_OFFLINE', room.name);
    return { room, conns };
  }

  /**
   * The open connections a direct message or an intercom line named `name` reaches: a room's (the asker's client
   * left out), else a client's by its name.
   * @throws HiveLinkError the room refusals of {@link rooms}
   */
  async reach(name: string, asker: Asker): Promise<Reached> {
    const snapshot = await this.rooms();
    const client = (await this.#init.store.listClients()).find((r) => !r.revoked && r.name === name.trim());
    if (client !== undefined && findRoom(snapshot, name) === undefined) {
      const conns = this.#live().filter((p) => p.record.id === client.id);
      if (conns.length === 0) throw new HiveLinkError('HL_ERR_ROOM_OFFLINE', `${client.name} is offline`);
      return { label: client.name, conns };
    }
    const { room, conns } = await this.#target(name, asker);
    return { label: room.name, conns };
  }

  /** Lets the consent service decide who gets a direct message now (§12.8); throws when no one does. */
  async #consented(m: DirectMessage): Promise<HubPeer[]> {
    const gated = await this.consent.gate(m);
    const refusal = consentRefusal(gated, m.recipientLabel);
    if (refusal !== null) throw refusal;
    return gated.now;
  }

  #checkText(text: unknown, what: string): string {
    if (typeof text !== 'string' || text.trim() === '')
      throw badArgument(`${what}: must be a non-empty string`);
    const max = this.#init.limits.maxUtteranceChars;
    if (text.length > max) throw badArgument(`${what}: longer than ${max} characters (maxUtteranceChars)`);
    return text.trim();
  }

  #running(): void {
    if (this.#state !== 'running')
      throw new HiveLinkError('HL_ERR_HUB_UNAVAILABLE', 'the hub is not running');
  }

  /** Speaks `text` on `conns` as the hub: BUS `speak`, destination the connection (stock satellites speak it). */
  #speak(conns: readonly HubPeer[], text: string, fallbackLang: string): Spoken {
    return speakOn(conns, text, fallbackLang);
  }

  // -- tell

  /**
   * "tell the kitchen dinner is ready": every online client of the room but the asker hears
   * "<asker's room or name> says: dinner is ready".
   * @throws HiveLinkError the room refusals of {@link rooms}, `HL_ERR_RELAY_LOOP`, `HL_ERR_INVALID_ARGUMENT`
   */
  async tell(asker: Asker, roomName: string, text: string, lang = 'en-US'): Promise<TellResult> {
    this.#running();
    this.#noLoop(asker);
    const message = this.#checkText(text, 'text');
    const { room, conns } = await this.#target(roomName, asker);
    const said = `${asker.label} says: ${message}`;
    const allowed = await this.#consented({
      asker,
      conns,
      kind: 'message',
      recipientLabel: room.name,
      later: (now) => void this.#speak(now, said, lang),
    });
    const { delivered, clients } = this.#speak(allowed, said, lang);
    return { room: room.name, delivered, clients };
  }

  #noLoop(asker: Asker): void {
    if (asker.relayed) {
      throw new HiveLinkError('HL_ERR_RELAY_LOOP', 'a relayed question cannot be relayed again');
    }
  }

  // -- ask

  /**
   * "ask the kitchen what time it is": the utterance runs on the kitchen's side — sent to a client of the room that
   * is a full assistant, else to the hub's assistant in a session of the room — and resolves with its answers.
   * @throws HiveLinkError the room refusals, `HL_ERR_RELAY_LOOP`, `HL_ERR_RELAY_BUSY`, `HL_ERR_RELAY_TIMEOUT`,
   *   `HL_ERR_NOT_UNDERSTOOD`, `HL_ERR_HUB_UNAVAILABLE`, `HL_ERR_INVALID_ARGUMENT`
   */
  async ask(asker: Asker, roomName: string, utterance: string, lang = 'en-US'): Promise<AskResult> {
    this.#running();
    this.#noLoop(asker);
    const text = this.#checkText(utterance, 'utterance');
    const target = await this.#target(roomName, asker);
    const room = target.room;
    let answered = false;
    const conns = await this.#consented({
      asker,
      conns: target.conns,
      kind: 'question',
      recipientLabel: room.name,
      // Once allowed, the question is asked again and its answer spoken to the asker (once, whoever allowed).
      later: () => {
        const peer = asker.peer;
        if (answered || peer === null) return;
        answered = true;
        return this.ask(asker, roomName, utterance, lang).then(
          (r) => void this.#speak([peer], `The ${r.room} says: ${r.answers.join(' ')}`, lang),
          (err: unknown) =>
            void this.#speak([peer], `The ${room.name} did not answer: ${(err as Error).message}.`, lang),
        );
      },
    });
    if (this.#relays.size >= this.#init.limits.maxPendingRelays) {
      throw new HiveLinkError(
        'HL_ERR_RELAY_BUSY',
        `${this.#relays.size} relayed questions are waiting already (maxPendingRelays)`,
      );
    }
    // A full assistant of the room answers when it is on this node (its answer comes back through this node's bus
    // tap); a room on other nodes of a cluster is answered by this hub's assistant in a session of the room.
    const assistant = conns.find((c) => c.isAssistant === true && this.#ctx.peers.get(c.peer) === c) ?? null;
    const responder = assistant ?? conns[0]!;
    const relayId = randomUUID();
    const sessionId = `${RELAY_SESSION_PREFIX}${relayId}`;
    const session = roomSession(responder, sessionId, room.name, lang);
    const ended = new Promise<TurnEnd>((resolve) => {
      const collector = new TurnCollector({
        sessionId,
        timeoutMs: this.#init.limits.relayAskTimeoutMs,
        timers: this.#timers,
        onEnd: (end) => {
          this.#relays.delete(relayId);
          resolve(end);
        },
      });
      this.#relays.set(relayId, { id: relayId, conn: assistant, collector });
    });
    const question = {
      type: UTTERANCE_TYPE,
      data: { utterances: [text], lang: session.lang ?? lang },
    };
    if (assistant !== null) {
      const sent = assistant.send(
        createHiveMessage(
          HiveMessageType.BUS,
          {
            ...question,
            context: { source: 'hivelink', destination: assistant.peer, session, [RELAY_KEY]: relayId },
          } as unknown as JsonObject,
          { source_peer: assistant.peer },
        ),
      );
      if (!sent)
        this.#relays
          .get(relayId)
          ?.collector.fail(new HiveLinkError('HL_ERR_ROOM_OFFLINE', `the ${room.name} is offline`));
    } else {
      try {
        this.#ctx.bus.emit(
          createMessage(question.type, question.data, {
            source: HOUSE_SOURCE,
            destination: ['skills'],
            peer: responder.peer,
            client_name: responder.record.name,
            site_id: room.name,
            session,
            [RELAY_KEY]: relayId,
          }),
        );
      } catch (err) {
        this.#relays
          .get(relayId)
          ?.collector.fail(
            new HiveLinkError('HL_ERR_HUB_UNAVAILABLE', 'the agent bus refused the question', { cause: err }),
          );
      }
    }
    const end = await ended;
    if (end.type === 'error') {
      if (end.error.code === 'HL_ERR_ASK_TIMEOUT') {
        throw new HiveLinkError(
          'HL_ERR_RELAY_TIMEOUT',
          `the ${room.name} did not answer within ${this.#init.limits.relayAskTimeoutMs} ms`,
        );
      }
      throw end.error;
    }
    const { answers, handled, expectsResponse } = end.result;
    if (!handled && answers.length === 0) {
      throw new HiveLinkError('HL_ERR_NOT_UNDERSTOOD', `the ${room.name} did not understand "${text}"`);
    }
    return {
      room: room.name,
      answers,
      by: assistant === null ? 'hub' : 'client',
      responder: responder.record.name,
      expectsResponse,
    };
  }

  /** A room client's answer to a relayed question (the bus tap); true when it was one. */
  #relayAnswer(conn: HubPeer, payload: JsonObject): boolean {
    const relayId = relayIdOf(payload);
    if (relayId === null || !RELAY_ANSWER_TYPES.has(String(payload.type))) return false;
    const relay = this.#relays.get(relayId);
    if (relay === undefined || relay.conn !== conn) return false;
    // The client's own session is not the relay's: the relay id says which question this answers.
    relay.collector.receive({
      type: String(payload.type),
      data: (payload.data ?? {}) as Record<string, unknown>,
    });
    return true;
  }

  /** The hub's assistant answering a relayed question on the agent bus. */
  #hubAnswer(message: MessageData): void {
    const relayId = relayIdOf(message as unknown as JsonObject);
    if (relayId === null) return;
    const relay = this.#relays.get(relayId);
    if (relay === undefined || relay.conn !== null) return;
    relay.collector.receive(message);
  }

  // -- announce

  /**
   * Speaks `text` on every online client of a room, or of the hub (`{all: true}`). Needs an admin asker.
   * @throws HiveLinkError `HL_ERR_ADMIN_REQUIRED`, the room refusals (`HL_ERR_ROOM_OFFLINE` also when no client is
   *   connected at all), `HL_ERR_INVALID_ARGUMENT`
   */
  async announce(
    asker: Asker,
    target: AnnounceTarget,
    text: string,
    lang = 'en-US',
  ): Promise<AnnounceResult> {
    this.#running();
    if (!asker.isAdmin) {
      throw new HiveLinkError('HL_ERR_ADMIN_REQUIRED', 'only an admin client may make announcements');
    }
    const message = this.#checkText(text, 'text');
    if ('all' in target) {
      const conns = this.#live();
      if (conns.length === 0) throw new HiveLinkError('HL_ERR_ROOM_OFFLINE', 'no client is connected');
      return { room: null, ...this.#speak(conns, message, lang) };
    }
    const room = findRoom(await this.rooms(), target.room);
    if (room === undefined) refuse('HL_ERR_ROOM_UNKNOWN', target.room.trim());
    if (room.clients.length === 0) refuse('HL_ERR_ROOM_EMPTY', room.name);
    const conns = this.#connectionsIn(room);
    if (conns.length === 0) refuse('HL_ERR_ROOM_OFFLINE', room.name);
    return { room: room.name, ...this.#speak(conns, message, lang) };
  }

  /**
   * {@link announce} as `client` (the REST API: the client a bearer token belongs to), from `ip`: its IP rules and
   * revocation apply as for its asks, and it must be an admin client.
   */
  async announceAs(
    client: ClientRecord,
    target: AnnounceTarget,
    text: string,
    ip = '',
  ): Promise<AnnounceResult> {
    return this.announce(this.#tokenAsker(client, ip), target, text);
  }

  /** The asker a REST bearer token of `client` from `ip` is, once its IP rules and revocation let it in. */
  #tokenAsker(client: ClientRecord, ip: string): Asker {
    const refusal = this.#init.hub.policy.admit(client, ip);
    if (refusal !== null) throw refusal;
    return { peer: null, label: client.name, isAdmin: client.isAdmin, relayed: false };
  }

  /**
   * {@link Conference.set} as `client` (the REST API's bearer token), from `ip`: its IP rules and revocation apply,
   * and it must be an admin client.
   */
  async setConferenceAs(
    client: ClientRecord,
    room: string,
    conference: ConferenceMode,
    ip = '',
  ): Promise<RoomSetResult> {
    this.#running();
    return this.conference.set(this.#tokenAsker(client, ip), room, conference);
  }

  /** The `announce` admin command: `{text, room}` or `{text, all: true}`. */
  async #announceCommand(args: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
    const text = args.text;
    if (typeof text !== 'string') throw badArgument('announce: text must be a string');
    let target: AnnounceTarget;
    if (args.all === true) target = { all: true };
    else if (typeof args.room === 'string') target = { room: args.room };
    else throw badArgument('announce: needs a room or all: true');
    const result = await this.announce(adminAsker('admin'), target, text);
    return { room: result.room, delivered: result.delivered, clients: [...result.clients] };
  }
}

/** `context.hivelink_relay` of a bus message, or null. */
function relayIdOf(payload: JsonObject): string | null {
  const context = payload.context;
  if (typeof context !== 'object' || context === null || Array.isArray(context)) return null;
  const id = (context as JsonObject)[RELAY_KEY];
  return typeof id === 'string' && id.length > 0 ? id : null;
}

/** A fresh session in `room` with the settings of `conn`'s session (language, location, units, blocked skills). */
function roomSession(conn: HubPeer, sessionId: string, room: string, lang: string): SessionData {
  const own = clientSession(conn, null) as Record<string, unknown>;
  const session: Record<string, unknown> = { session_id: sessionId, site_id: room };
  for (const key of ROOM_SESSION_KEYS) if (own[key] !== undefined) session[key] = own[key];
  if (typeof session.lang !== 'string') session.lang = lang;
  return session as SessionData;
}
