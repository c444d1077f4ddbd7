/**
 * The hub's timer service (issue 11, docs/PROTOCOL.md §12.6): timers, alarms and reminders that find their room.
 *
 * ```
 *  skill / SDK ──hive.timer.set {kind, duration_ms | at+timezone, name, utterance, room_utterance}──▶ agent bus
 *       ▲                         │ who asks: context.peer, set by the hub on injection, looked up in the open
 *       │                         ▼ connections (never an id the message carries)
 *       └──── .response ◀── store.addTimer (per-client bound) ──▶ OneShotScheduler (injected timers and clock)
 *                                                                        │ due
 *   BUS speak ◀── the owner's open connections ◀──────────────────────────┤
 *   BUS speak ◀── else one online client of the owner's room ◀────────────┤
 *   held (fired_at stored) ──hive.client.connect of the owner──▶ BUS speak
 * ```
 *
 * Every timer belongs to the client record that set it, so two satellites never see or cancel each other's, and a
 * satellite that reconnects (any connection of the same client) finds its timers again. Timers are stored, so they
 * survive a hub restart; one that came due while the hub was down fires when it starts (and, with nobody online
 * yet, waits for its client). The room is the owner's record site (the admin's), else the site its HELLO announced
 * when it set the timer. The spoken texts are written by whoever set the timer (the skill, in the client's
 * language); the hub only says them.
 *
 * @module
 */
import type { Logger } from 'pino';
import pino from 'pino';
import { response } from '../../bus/message.js';
import type { MessageBus, MessageData } from '../../bus/types.js';
import { HiveLinkError, isHiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import type { JsonObject } from '../../protocol/json.js';
import { roomKey } from '../../store/house.js';
import { MAX_TIMER_NAME_CHARS, MAX_TIMER_UTTERANCE_CHARS } from '../../store/sqlite-timers.js';
import type { ClientStore, TimerKind, TimerRecord } from '../../store/types.js';
import { type Timers, unrefTimers } from '../../timers.js';
import type { PeerRegistry } from '../peers.js';
import { hubBusMessage } from '../replies.js';
import type { HubPeer } from '../types.js';
import { isTimeZone, nextWallClock } from './clock.js';
import { OneShotScheduler } from './scheduler.js';

/** The bus messages of the timer service; each request is answered with `<type>.response`. */
export const TimerBusType = {
  SET: 'hive.timer.set',
  LIST: 'hive.timer.list',
  CANCEL: 'hive.timer.cancel',
  /** Emitted on the agent bus when a timer fires: `{timer, client_id, delivered: 'owner'|'room'|'held', peers}`. */
  FIRED: 'hive.timer.fired',
} as const;

/** What the service needs of the client store. */
export type TimerStore = Pick<
  ClientStore,
  'addTimer' | 'listTimers' | 'markTimerFired' | 'removeTimer' | 'getClient'
>;

export interface TimerServiceInit {
  /** The agent bus: requests come in here, answers and `hive.timer.fired` go out here. */
  bus: MessageBus;
  store: TimerStore;
  /** The hub's open connections (`hub.ctx.peers`): who asks, and where a timer is spoken. */
  peers: PeerRegistry;
  limits: Pick<Limits, 'maxTimersPerClient' | 'maxTimerDurationMs'>;
  /** @default silent */
  logger?: Logger;
  /** @default the global timers, unref'd */
  timers?: Timers;
  /** The clock, in ms since the epoch. @default Date.now */
  now?: () => number;
  /** The zone of a clock time whose request names none (or an unknown one). @default the system's */
  timezone?: string;
}

/** The language of a request that names none. */
const DEFAULT_LANG = 'en-US';
/** What is said when the request gave no text (an SDK client that sets a bare timer). */
const DEFAULT_UTTERANCE: Readonly<Record<TimerKind, string>> = {
  timer: 'Your timer is done.',
  alarm: 'Your alarm is going off.',
  reminder: "Here's your reminder.",
};
const KINDS: ReadonlySet<string> = new Set<TimerKind>(['timer', 'alarm', 'reminder']);

/** A timer as the bus messages describe it. */
export function timerJson(t: TimerRecord): Record<string, unknown> {
  return {
    id: t.id,
    kind: t.kind,
    name: t.name,
    due_at: t.dueAt,
    duration_ms: t.durationMs,
    created_at: t.createdAt,
    site_id: t.siteId,
    lang: t.lang,
    fired_at: t.firedAt,
  };
}

/** A site that names a room (OVOS's placeholder `unknown` names none). */
function roomOf(site: string | null | undefined): string | null {
  if (typeof site !== 'string') return null;
  const key = roomKey(site);
  return key === '' || key === 'unknown' ? null : key;
}

/** The room of an open connection: its record's site (the admin's), else its HELLO's. */
function connectionRoom(conn: HubPeer): string | null {
  return roomOf(conn.record.siteId) ?? roomOf(conn.siteId);
}

function invalid(message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INVALID_ARGUMENT', message);
}

function text(v: unknown, max: number): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : t.slice(0, max);
}

/** The timer service; see the module documentation. `start` after the hub, `stop` before it. */
export class TimerService {
  readonly #init: TimerServiceInit;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #timezone: string;
  readonly #scheduler: OneShotScheduler<number>;
  /** Every stored timer, by id (a copy of the store's rows, kept in step). */
  readonly #timers = new Map<number, TimerRecord>();
  /** Ids of the timers that fired with nobody to hear them: said when their client connects. */
  readonly #held = new Set<number>();
  /** Store writes and deliveries in flight: `stop` waits for them. */
  readonly #pending = new Set<Promise<unknown>>();
  #offs: (() => void)[] = [];
  #state: 'idle' | 'running' | 'stopped' = 'idle';
  #claim: ((key: string) => Promise<boolean>) | null = null;
  #retryMs = 60_000;
  /** Timers another node took the lease of: looked at again once it expired. */
  readonly #retried = new Set<number>();

  constructor(init: TimerServiceInit) {
    this.#init = init;
    this.#logger = init.logger ?? pino({ level: 'silent' });
    this.#now = init.now ?? Date.now;
    const zone = init.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.#timezone = isTimeZone(zone) ? zone : 'UTC';
    this.#scheduler = new OneShotScheduler<number>({
      timers: init.timers ?? unrefTimers,
      now: this.#now,
      onDue: (id) => this.#track(this.#fire(id)),
    });
  }

  /** Timers known (armed or waiting for their client). */
  get size(): number {
    return this.#timers.size;
  }

  /**
   * Loads the stored timers and arms them (one already due fires at once), then serves the bus.
   *
   * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` when started twice; the store's errors.
   */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw invalid('the timer service was already started');
    this.#state = 'running';
    const bus = this.#init.bus;
    this.#offs = [
      bus.on(TimerBusType.SET, (m) => this.#request(m)),
      bus.on(TimerBusType.LIST, (m) => this.#request(m)),
      bus.on(TimerBusType.CANCEL, (m) => this.#request(m)),
      bus.on('hive.client.connect', () => this.#connected()),
    ];
    for (const t of await this.#init.store.listTimers()) {
      this.#timers.set(t.id, t);
      if (t.firedAt === null) this.#scheduler.set(t.id, t.dueAt);
      else this.#held.add(t.id);
    }
  }

  /** Stops serving and disarms every timer (they stay stored), after the writes in flight. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#scheduler.stop();
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #track<T>(p: Promise<T>): void {
    const tracked = p.catch((err: unknown) => this.#logger.warn({ err }, 'timer service failure'));
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  // -- requests

  #request(message: MessageData): void {
    if (this.#state !== 'running') return;
    this.#track(this.#answer(message));
  }

  async #answer(message: MessageData): Promise<void> {
    let data: Record<string, unknown>;
    try {
      data = { ok: true, ...(await this.#handle(message)), now: this.#now() };
    } catch (err) {
      const e = isHiveLinkError(err)
        ? err
        : new HiveLinkError('HL_ERR_INTERNAL', String(err), { cause: err });
      if (!isHiveLinkError(err)) this.#logger.warn({ err, type: message.type }, 'timer request failed');
      data = { ok: false, code: e.code, error: e.message, now: this.#now() };
      if (e.code === 'HL_ERR_TIMER_LIMIT') data.max = this.#init.limits.maxTimersPerClient;
      if (e.code === 'HL_ERR_TIMER_TOO_LONG') data.max_ms = this.#init.limits.maxTimerDurationMs;
    }
    try {
      this.#init.bus.emit(response(message, data));
    } catch (err) {
      this.#logger.warn({ err, type: message.type }, 'could not answer a timer request');
    }
  }

  /** The open connection that asks: the one `context.peer` names (the hub set it when it injected the message). */
  #asker(message: MessageData): HubPeer {
    return this.#init.peers.requester(message, 'HL_ERR_TIMER_NO_CLIENT');
  }

  async #handle(message: MessageData): Promise<Record<string, unknown>> {
    const conn = this.#asker(message);
    const data = message.data ?? {};
    if (message.type === TimerBusType.SET) return { timer: timerJson(await this.#set(conn, message)) };
    const kind = data.kind;
    if (kind !== undefined && (typeof kind !== 'string' || !KINDS.has(kind))) {
      throw invalid('kind must be timer, alarm or reminder');
    }
    const mine = this.#of(conn.record.id).filter((t) => kind === undefined || t.kind === kind);
    if (message.type === TimerBusType.LIST) return { timers: mine.map(timerJson) };
    return { cancelled: (await this.#cancel(conn.record.id, mine, data)).map(timerJson) };
  }

  /** The timers of `clientId`, soonest first. */
  #of(clientId: number): TimerRecord[] {
    return [...this.#timers.values()]
      .filter((t) => t.clientId === clientId)
      .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
  }

  async #set(conn: HubPeer, message: MessageData): Promise<TimerRecord> {
    const data = message.data ?? {};
    const kind = data.kind ?? 'timer';
    if (typeof kind !== 'string' || !KINDS.has(kind)) throw invalid('kind must be timer, alarm or reminder');
    const now = this.#now();
    let dueAt: number;
    let durationMs: number | null = null;
    if (data.duration_ms !== undefined) {
      const ms = data.duration_ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
        throw invalid('duration_ms must be a number of ms above 0');
      }
      durationMs = Math.round(ms);
      dueAt = now + durationMs;
    } else if (typeof data.at === 'object' && data.at !== null) {
      const at = data.at as Record<string, unknown>;
      const { hour, minute } = at;
      if (!Number.isInteger(hour) || !Number.isInteger(minute))
        throw invalid('at needs a whole hour and minute');
      if (
        (hour as number) < 0 ||
        (hour as number) > 23 ||
        (minute as number) < 0 ||
        (minute as number) > 59
      ) {
        throw invalid('at: hour 0-23, minute 0-59');
      }
      const zone = isTimeZone(data.timezone) ? data.timezone : this.#timezone;
      dueAt = nextWallClock(
        now,
        { hour: hour as number, minute: minute as number, tomorrow: at.tomorrow === true },
        zone,
      );
    } else {
      throw invalid('a timer needs duration_ms or at {hour, minute}');
    }
    const max = this.#init.limits.maxTimerDurationMs;
    if (dueAt - now > max) {
      throw new HiveLinkError(
        'HL_ERR_TIMER_TOO_LONG',
        `due in ${dueAt - now} ms, beyond ${max} (maxTimerDurationMs)`,
      );
    }
    const session = message.context?.session;
    const lang =
      text(data.lang, 64) ??
      text(message.context?.lang, 64) ??
      (typeof session === 'object' && session !== null ? text(session.lang, 64) : null) ??
      DEFAULT_LANG;
    const record = await this.#init.store.addTimer(
      {
        clientId: conn.record.id,
        kind: kind as TimerKind,
        name: text(data.name, MAX_TIMER_NAME_CHARS),
        siteId: conn.record.siteId ?? conn.siteId,
        lang,
        utterance: text(data.utterance, MAX_TIMER_UTTERANCE_CHARS) ?? DEFAULT_UTTERANCE[kind as TimerKind],
        roomUtterance: text(data.room_utterance, MAX_TIMER_UTTERANCE_CHARS),
        dueAt,
        durationMs,
        createdAt: now,
      },
      this.#init.limits.maxTimersPerClient,
    );
    if (this.#state === 'running') {
      this.#timers.set(record.id, record);
      this.#scheduler.set(record.id, record.dueAt);
    }
    this.#logger.debug({ id: record.id, client: conn.record.id, kind, dueAt }, 'timer set');
    return record;
  }

  /** Cancels what `data` names (`ids`, `id`, or `all: true`) among `mine`; unknown ids are `HL_ERR_TIMER_NOT_FOUND`. */
  async #cancel(
    clientId: number,
    mine: readonly TimerRecord[],
    data: Record<string, unknown>,
  ): Promise<TimerRecord[]> {
    let chosen: TimerRecord[];
    if (data.all === true) {
      chosen = [...mine];
    } else {
      const raw = Array.isArray(data.ids) ? data.ids : data.id !== undefined ? [data.id] : null;
      if (raw === null || raw.length === 0 || !raw.every((id) => Number.isSafeInteger(id))) {
        throw invalid('cancel needs ids (timer ids), id, or all: true');
      }
      const byId = new Map(mine.map((t) => [t.id, t]));
      chosen = [...new Set(raw as number[])].map((id) => byId.get(id)).filter((t) => t !== undefined);
      if (chosen.length === 0) {
        throw new HiveLinkError(
          'HL_ERR_TIMER_NOT_FOUND',
          `client ${clientId} has no timer ${raw.join(', ')}`,
        );
      }
    }
    for (const t of chosen) {
      this.#scheduler.delete(t.id);
      this.#timers.delete(t.id);
      this.#held.delete(t.id);
      await this.#init.store.removeTimer(t.id);
    }
    return chosen;
  }

  // -- firing and delivery

  /** The open websocket connections of `clientId` (a REST ask is no place to speak). */
  #online(clientId: number): HubPeer[] {
    const out: HubPeer[] = [];
    for (const conn of this.#init.peers.everywhere()) {
      if (conn.record.id === clientId && conn.protocolVersion > 0) out.push(conn);
    }
    return out;
  }

  /** One online client of `room` other than the owner: the first connection found. */
  #roomMate(room: string, owner: number): HubPeer | undefined {
    for (const conn of this.#init.peers.everywhere()) {
      if (conn.protocolVersion > 0 && conn.record.id !== owner && connectionRoom(conn) === room) return conn;
    }
    return undefined;
  }

  #speak(conn: HubPeer, t: TimerRecord, utterance: string, late: boolean): boolean {
    try {
      return conn.send(
        hubBusMessage(conn.peer, 'speak', {
          utterance,
          expect_response: false,
          lang: t.lang,
          timer: { id: t.id, kind: t.kind, name: t.name, due_at: t.dueAt, late },
        } as unknown as JsonObject),
      );
    } catch (err) {
      this.#logger.warn({ err, peer: conn.peer, id: t.id }, 'timer speak not deliverable');
      return false;
    }
  }

  /**
   * Several hubs on one store (a cluster) each arm the timers they know: a timer fires on the one node whose
   * `claim(key)` resolves true for its due time (`cluster.ts`, a lease that lives `retryMs` at most); the others look
   * again `retryMs` later and fire it themselves if it is still stored unfired then (the node that took the lease
   * died before it spoke): at least once. A held timer is said once too, by the node that claims its hearing.
   */
  setClaim(claim: ((key: string) => Promise<boolean>) | null, retryMs = 60_000): void {
    this.#claim = claim;
    this.#retryMs = retryMs;
  }

  /**
   * Reads the stored timers again and arms those this node does not know (another node set them; in a cluster,
   * called when a node leaves, so its timers fire here). Never rejects.
   */
  async adopt(): Promise<void> {
    if (this.#state !== 'running') return;
    try {
      for (const t of await this.#init.store.listTimers()) {
        if (this.#timers.has(t.id)) continue;
        this.#timers.set(t.id, t);
        if (t.firedAt === null) this.#scheduler.set(t.id, t.dueAt);
        else this.#held.add(t.id);
      }
    } catch (err) {
      this.#logger.warn({ err }, 'could not read the stored timers');
    }
  }

  /** Connections on other nodes changed (the cluster): held timers whose owner is now online there are said. */
  elsewhereChanged(): void {
    this.#connected();
  }

  /** A timer came due: its owner hears it, else its room, else it waits for its owner. */
  async #fire(id: number): Promise<void> {
    const t = this.#timers.get(id);
    if (t === undefined || this.#state !== 'running') return;
    if (this.#claim !== null) {
      if (this.#retried.delete(id)) {
        const stored = (await this.#init.store.listTimers(t.clientId)).find((x) => x.id === id);
        if (stored === undefined || stored.firedAt !== null) {
          // Another node said it (or holds it for its owner).
          if (this.#timers.get(id) === t) this.#timers.delete(id);
          return;
        }
      }
      if (!(await this.#claim(`timer.${id}.${t.dueAt}`))) {
        if (this.#timers.get(id) !== t || this.#state !== 'running') return;
        this.#retried.add(id);
        this.#scheduler.set(id, this.#now() + this.#retryMs);
        return;
      }
    }
    const owner = await this.#init.store.getClient(t.clientId);
    if (this.#timers.get(id) !== t || this.#state !== 'running') return; // cancelled meanwhile
    if (owner === null || owner.revoked) {
      this.#timers.delete(id);
      await this.#init.store.removeTimer(id);
      this.#logger.info({ id, client: t.clientId }, 'timer of a removed or revoked client dropped');
      return;
    }
    // From here to the store write nothing awaits: a connect in between either finds the timer held or the owner
    // is already among the open connections.
    const own = this.#online(t.clientId).filter((c) => this.#speak(c, t, t.utterance, false));
    if (own.length > 0) {
      this.#delivered(t, 'owner', own);
      await this.#init.store.removeTimer(id);
      return;
    }
    const room = roomOf(owner.siteId) ?? roomOf(t.siteId);
    const mate = room === null ? undefined : this.#roomMate(room, t.clientId);
    if (mate !== undefined && this.#speak(mate, t, t.roomUtterance ?? t.utterance, false)) {
      this.#delivered(t, 'room', [mate]);
      await this.#init.store.removeTimer(id);
      return;
    }
    const firedAt = this.#now();
    const held: TimerRecord = { ...t, firedAt };
    this.#timers.set(id, held);
    this.#held.add(id);
    this.#emitFired(held, 'held', []);
    this.#logger.info(
      { id, client: t.clientId, room },
      'timer fired with nobody to hear it: held for its client',
    );
    await this.#init.store.markTimerFired(id, firedAt);
  }

  #delivered(t: TimerRecord, to: 'owner' | 'room', conns: readonly HubPeer[]): void {
    this.#timers.delete(t.id);
    this.#held.delete(t.id);
    this.#emitFired(t, to, conns);
    this.#logger.info({ id: t.id, client: t.clientId, to, peers: conns.map((c) => c.peer) }, 'timer fired');
  }

  #emitFired(t: TimerRecord, delivered: 'owner' | 'room' | 'held', conns: readonly HubPeer[]): void {
    try {
      this.#init.bus.emit({
        type: TimerBusType.FIRED,
        data: { timer: timerJson(t), client_id: t.clientId, delivered, peers: conns.map((c) => c.peer) },
        context: { source: 'hivelink' },
      });
    } catch (err) {
      this.#logger.warn({ err, id: t.id }, 'could not announce a fired timer on the agent bus');
    }
  }

  /**
   * A client connected: every held timer whose owner now has an open connection is said there. The event's peer
   * id is not looked up: a HELLO that came with the handshake renames the connection before the event is handled.
   */
  #connected(): void {
    if (this.#state !== 'running') return;
    for (const id of [...this.#held]) {
      const t = this.#timers.get(id);
      if (t === undefined || this.#online(t.clientId).length === 0) continue;
      if (this.#claim === null) this.#sayHeld(t);
      else {
        const claim = this.#claim;
        this.#held.delete(id); // one hearing at a time
        this.#track(
          claim(`timer.${id}.heard.${t.firedAt ?? 0}`).then((mine) => {
            if (this.#timers.get(id) !== t) return;
            if (mine) this.#sayHeld(t);
            else this.#timers.delete(id); // another node says it
          }),
        );
      }
    }
  }

  /** Says held timer `t` on its owner's open connections; removes it once heard. */
  #sayHeld(t: TimerRecord): void {
    const heard = this.#online(t.clientId).filter((c) => this.#speak(c, t, t.utterance, true));
    if (heard.length === 0) {
      this.#held.add(t.id);
      return;
    }
    this.#delivered(t, 'owner', heard);
    this.#track(this.#init.store.removeTimer(t.id));
  }
}
