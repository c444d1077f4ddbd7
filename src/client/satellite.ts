/**
 * The local-first bridge of a full satellite: it sits on a local OVOS-compatible bus (a real OVOS device, or
 * `hivelink bus` + `hivelink assistant`) and holds a connection to a hub. For each local
 * `recognizer_loop:utterance` the local assistant goes first; the hub is asked only when the local pipeline reports
 * that it did not understand (docs/PROTOCOL.md §B3.4 F):
 *
 * - `complete_intent_failure` for the utterance's session, or
 * - a fallback request (`ovos.skills.fallback.<id>.request`) of an unknown-fallback skill, or
 * - as a last resort, no pipeline message at all for that session within the grace period (a bus with no
 *   assistant on it). Any pipeline activity (a converse or fallback ping, an `.activate`, the error sound) ends the
 *   grace period: from then on only bus events decide.
 *
 * Anything that shows the utterance was understood (an intent message `<skill>:<intent>`, `converse:skill`,
 * `stop:*`, a `…converse.get_response`, another fallback's request, `mycroft.skill.handler.start`, `speak`,
 * `ovos.utterance.handled`, `ovos.utterance.cancelled`) means "handled locally": the hub never sees it.
 *
 * The hub's answers are emitted on the local bus as `speak`, each a reply of the original utterance (so it carries
 * the local session, and the utterance's source as destination), followed by `ovos.utterance.handled`. Messages the
 * hub sends on its own (a broadcast, a later `speak` of a hub skill) are emitted on the local bus as they are, with
 * a foreign session removed so the device treats them as its own. Everything the satellite emits carries
 * `context.hivelink_satellite: true`, and it never sends such a message to the hub (no loops).
 *
 * With `assistant: true` (its hub client's HELLO says `"hivelink_assistant": true`) the satellite is its room's full
 * assistant (docs/PROTOCOL.md §12.3): a question the hub relays to the room ("ask the garage what time it is",
 * BUS `recognizer_loop:utterance` with `context.hivelink_relay`) is asked on the local bus in the relay's own
 * session, never passed to the hub again, and what the local pipeline answers in that session — `speak`,
 * `ovos.utterance.speak`, then `ovos.utterance.handled` or `complete_intent_failure` — goes back to the hub with the
 * same `hivelink_relay`.
 *
 * Browser-safe: no Node imports; timers and clock are injectable.
 *
 * @example
 * ```ts
 * const local = new BusClient({ url: 'ws://127.0.0.1:8181/core' });
 * const hub = createHiveClient({ url: 'ws://hub:5678', accessKey, password });
 * const satellite = new Satellite({ bus: local, hub, onEvent: (e) => console.error(formatSatelliteEvent(e)) });
 * satellite.start();
 * await Promise.all([local.connect(), hub.connect()]);
 * ```
 *
 * @module
 */
import { DEFAULT_SESSION_ID, reply, sessionIdOf } from '../bus/message.js';
import type { MessageBus, MessageContext, MessageData, SessionData } from '../bus/types.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { FAILURE_TYPE, HANDLED_TYPE, UTTERANCE_TYPE } from './ask-turn.js';
import type { AskOptions, AskResult, ClientTimers, TimerHandle } from './types.js';

/** The context key on every message the satellite emits on the local bus. */
export const SATELLITE_MARK = 'hivelink_satellite';

/** `skill_id` of the `speak` messages that carry the hub's answers. */
export const SATELLITE_SKILL_ID = 'hivelink-satellite.hivelink';

/** The unknown-fallback skills of OVOS ("I don't understand"): their fallback request means "not understood". */
export const DEFAULT_UNKNOWN_FALLBACK_SKILLS: readonly string[] = [
  'ovos-skill-fallback-unknown.openvoiceos',
  'skill-fallback-unknown.openvoiceos',
];

/** @default 1500 */
export const DEFAULT_GRACE_MS = 1500;
/** @default 30000 */
export const DEFAULT_DECISION_TIMEOUT_MS = 30_000;
/** @default 10000 */
export const DEFAULT_HUB_ASK_TIMEOUT_MS = 10_000;
/** @default 64 */
export const DEFAULT_MAX_PENDING = 64;

const SPEAK_TYPES: ReadonlySet<string> = new Set(['speak', 'ovos.utterance.speak']);
const UNDERSTOOD_TYPES: ReadonlySet<string> = new Set([
  'mycroft.skill.handler.start',
  'converse:skill',
  'stop:global',
  'stop:skill',
  'speak',
  'ovos.utterance.speak',
  'ovos.utterance.cancelled',
  HANDLED_TYPE,
]);
const ACTIVITY_TYPES: ReadonlySet<string> = new Set([
  'ovos.skills.fallback.ping',
  'ovos.skills.fallback.pong',
  'skill.converse.pong',
  'skill.stop.pong',
  'mycroft.audio.play_sound',
]);
const FALLBACK_REQUEST = /^ovos\.skills\.fallback\.(.+)\.request$/;

/** The context key of a question the hub relayed to this room, and of its answers (docs/PROTOCOL.md §12.3). */
export const RELAY_KEY = 'hivelink_relay';
/** What the local pipeline says of a relayed question that goes back to the hub. */
const RELAY_ANSWER_TYPES: ReadonlySet<string> = new Set([...SPEAK_TYPES, HANDLED_TYPE, FAILURE_TYPE]);

/** What a satellite needs of a hub connection ({@link HiveClient} has it). */
export interface SatelliteHub {
  /** The session the hub's answers to this client carry. */
  readonly sessionId: string;
  ask(utterance: string, options?: AskOptions): Promise<AskResult>;
  /** Every bus message the hub sends (`'*'`); returns an unsubscribe function. */
  onBus(busType: string, handler: (message: MessageData) => void): () => void;
  /** Sends a bus message to the hub (the answers to relayed questions; needed with `assistant: true`). */
  emitBus?(type: string, data?: Record<string, unknown>, context?: MessageContext): unknown;
}

/** Why the hub was asked. */
export type HubReason = 'intent-failure' | 'unknown-fallback' | 'grace-period';

/** What the satellite decided, for logs (see {@link formatSatelliteEvent}). */
export type SatelliteEvent =
  | {
      readonly type: 'handled-locally';
      readonly utterance: string;
      readonly sessionId: string;
      /** The message type that showed it, e.g. `kitchen.example:lights.intent`. */
      readonly by: string;
      /** From the utterance to that message. */
      readonly afterMs: number;
    }
  | {
      readonly type: 'asked-hub';
      readonly utterance: string;
      readonly sessionId: string;
      readonly reason: HubReason;
      readonly answers: readonly string[];
      /** False when the hub did not understand either. */
      readonly handled: boolean;
      /** From the local decision (e.g. `complete_intent_failure`) to the first hub answer on the local bus. */
      readonly latencyMs: number | null;
      /** From the local decision to the end of the hub's turn. */
      readonly totalMs: number;
    }
  | {
      readonly type: 'hub-failed';
      readonly utterance: string;
      readonly sessionId: string;
      readonly reason: HubReason;
      readonly error: HiveLinkError;
    }
  | {
      /** The local pipeline showed activity but never decided within the decision timeout. */
      readonly type: 'undecided';
      readonly utterance: string;
      readonly sessionId: string;
    }
  | { readonly type: 'from-hub'; readonly messageType: string }
  | {
      /** A question the hub relayed to this room was answered by the local assistant. */
      readonly type: 'relayed';
      readonly utterance: string;
      readonly answers: number;
      /** False when the local pipeline did not understand it (`complete_intent_failure`). */
      readonly handled: boolean;
    };

/** Construction options of {@link Satellite}. */
export interface SatelliteInit {
  /** The local OVOS-compatible bus. */
  bus: MessageBus;
  /** The hub connection (connected and reconnected by its owner). */
  hub: SatelliteHub;
  /** How long an utterance may go without any local pipeline message before the hub is asked. @default 1500 */
  graceMs?: number;
  /** How long to wait for the local decision once the pipeline showed activity. @default 30000 */
  decisionTimeoutMs?: number;
  /** How long the hub may take to answer. @default 10000 */
  hubTimeoutMs?: number;
  /** Skills whose fallback request means "not understood". @default {@link DEFAULT_UNKNOWN_FALLBACK_SKILLS} */
  unknownFallbackSkills?: readonly string[];
  /** Utterances awaiting a local decision at once (the oldest is dropped beyond). @default 64 */
  maxPending?: number;
  /** Receives every decision. @default ignore */
  onEvent?: (event: SatelliteEvent) => void;
  /**
   * Answer the questions the hub relays to this room with the local assistant (the hub client must say it is a full
   * assistant: `assistant: true` in its options). @default false
   */
  assistant?: boolean;
  /** @default `globalThis.setTimeout` / `clearTimeout` */
  timers?: ClientTimers;
  /** Milliseconds, for the latencies. @default `performance.now()` */
  now?: () => number;
}

/** One utterance waiting for the local pipeline's verdict. */
interface Pending {
  readonly msg: MessageData;
  readonly sessionId: string;
  readonly utterance: string;
  readonly lang: string | undefined;
  readonly startedAt: number;
  timer: TimerHandle | null;
}

/** A question the hub relayed to this room, being answered on the local bus. */
interface Relay {
  readonly id: string;
  readonly utterance: string;
  /** The relay's session, as the hub sent it (its answers go back in it). */
  readonly session: Record<string, unknown>;
  answers: number;
  /** The local pipeline did not understand it (a fallback may still answer before the turn ends). */
  failed: boolean;
  timer: TimerHandle | null;
}

/** One hub turn in flight. */
interface HubTurn {
  readonly pending: Pending;
  readonly decidedAt: number;
  streamed: number;
  firstAnswerAt: number | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The best transcription of an utterance message (`data.utterances[0]`, a string or `[text, confidence]`). */
function firstUtterance(message: MessageData): string | null {
  const list = message.data.utterances;
  if (!Array.isArray(list)) return null;
  const first: unknown = Array.isArray(list[0]) ? list[0][0] : list[0];
  return typeof first === 'string' && first.trim() !== '' ? first : null;
}

function langOf(message: MessageData): string | undefined {
  const candidates: unknown[] = [
    message.data.lang,
    message.context.lang,
    isObject(message.context.session) ? message.context.session.lang : undefined,
  ];
  for (const c of candidates) if (typeof c === 'string' && c !== '') return c;
  return undefined;
}

function isMarked(message: MessageData): boolean {
  return message.context[SATELLITE_MARK] === true;
}

/** False when the message names a session other than `sessionId` (a message without one is not excluded). */
function isForSession(message: MessageData, sessionId: string): boolean {
  const session = message.context.session;
  if (!isObject(session) || typeof session.session_id !== 'string') return true;
  return session.session_id === sessionId;
}

function defaultTimers(): ClientTimers {
  return {
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  };
}

function checkMs(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${name}: must be a number >= ${min}`);
  }
  return value;
}

/** The local-first bridge; see the module documentation. */
export class Satellite {
  readonly #bus: MessageBus;
  readonly #hub: SatelliteHub;
  readonly #graceMs: number;
  readonly #decisionTimeoutMs: number;
  readonly #hubTimeoutMs: number;
  readonly #maxPending: number;
  readonly #unknown: ReadonlySet<string>;
  readonly #onEvent: (event: SatelliteEvent) => void;
  readonly #timers: ClientTimers;
  readonly #now: () => number;
  readonly #pending = new Map<string, Pending>();
  readonly #assistant: boolean;
  /** Relayed questions by their session id. */
  readonly #relays = new Map<string, Relay>();
  #current: HubTurn | null = null;
  #chain: Promise<void> = Promise.resolve();
  #offs: (() => void)[] = [];
  #state: 'idle' | 'running' | 'stopped' = 'idle';

  /** @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` naming a bad option */
  constructor(init: SatelliteInit) {
    if (typeof init?.bus?.emit !== 'function' || typeof init.bus.on !== 'function') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'bus: must be a MessageBus');
    }
    if (typeof init.hub?.ask !== 'function' || typeof init.hub.onBus !== 'function') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'hub: must be a HiveClient');
    }
    this.#bus = init.bus;
    this.#hub = init.hub;
    this.#graceMs = checkMs('graceMs', init.graceMs, DEFAULT_GRACE_MS, 0);
    this.#decisionTimeoutMs = checkMs(
      'decisionTimeoutMs',
      init.decisionTimeoutMs,
      DEFAULT_DECISION_TIMEOUT_MS,
      1,
    );
    this.#hubTimeoutMs = checkMs('hubTimeoutMs', init.hubTimeoutMs, DEFAULT_HUB_ASK_TIMEOUT_MS, 1);
    this.#maxPending = checkMs('maxPending', init.maxPending, DEFAULT_MAX_PENDING, 1);
    this.#unknown = new Set(init.unknownFallbackSkills ?? DEFAULT_UNKNOWN_FALLBACK_SKILLS);
    this.#onEvent = init.onEvent ?? (() => undefined);
    this.#timers = init.timers ?? defaultTimers();
    this.#now = init.now ?? (() => globalThis.performance.now());
    this.#assistant = init.assistant === true;
    if (this.#assistant && typeof init.hub.emitBus !== 'function') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'hub: an assistant satellite needs emitBus');
    }
  }

  /** Utterances waiting for the local pipeline's verdict. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Starts watching the local bus and the hub. @throws HiveLinkError when started twice or after stop */
  start(): void {
    if (this.#state !== 'idle') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'the satellite was already started');
    }
    this.#state = 'running';
    this.#offs.push(this.#bus.on('*', (message) => this.#fromLocal(message)));
    this.#offs.push(this.#hub.onBus('*', (message) => this.#fromHub(message)));
  }

  /** Stops: forgets pending utterances; answers of a hub turn in flight are no longer emitted. */
  stop(): void {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    for (const off of this.#offs) off();
    this.#offs = [];
    for (const p of this.#pending.values()) this.#clearTimer(p);
    this.#pending.clear();
    for (const r of this.#relays.values()) this.#endRelay(r);
  }

  #event(event: SatelliteEvent): void {
    try {
      this.#onEvent(event);
    } catch {
      // A failing log sink must not stop the bridge.
    }
  }

  #emitLocal(message: MessageData): void {
    message.context[SATELLITE_MARK] = true;
    try {
      this.#bus.emit(message);
    } catch (err) {
      if (!isHiveLinkError(err)) throw err;
      // The local bus refused (closed, queue full): the answer is lost, as it would be for any bus client.
    }
  }

  #fromLocal(message: MessageData): void {
    if (this.#state !== 'running') return;
    // Before the mark: the local assistant's replies keep the context of the question the satellite emitted.
    if (this.#relays.size > 0 && this.#relayAnswer(message)) return;
    if (isMarked(message)) return;
    if (message.type === UTTERANCE_TYPE) {
      this.#utterance(message);
      return;
    }
    const pending = this.#pending.get(sessionIdOf(message));
    if (pending === undefined) return;
    const verdict = this.#classify(message);
    if (verdict === null) return;
    if (verdict === 'activity') {
      this.#clearTimer(pending);
      pending.timer = this.#timers.setTimeout(() => this.#undecided(pending), this.#decisionTimeoutMs);
      return;
    }
    this.#settle(pending);
    if (verdict === 'understood') {
      this.#event({
        type: 'handled-locally',
        utterance: pending.utterance,
        sessionId: pending.sessionId,
        by: message.type,
        afterMs: Math.round(this.#now() - pending.startedAt),
      });
    } else {
      this.#askHub(pending, verdict);
    }
  }

  #classify(message: MessageData): 'understood' | 'activity' | HubReason | null {
    const type = message.type;
    if (type === FAILURE_TYPE) return 'intent-failure';
    const fallback = FALLBACK_REQUEST.exec(type);
    if (fallback !== null) {
      const skill = typeof message.data.skill_id === 'string' ? message.data.skill_id : fallback[1]!;
      return this.#unknown.has(skill) ? 'unknown-fallback' : 'understood';
    }
    if (UNDERSTOOD_TYPES.has(type) || type.endsWith('.converse.get_response')) return 'understood';
    // An intent message is named `<skill_id>:<intent>`; `recognizer_loop:*` are listener events.
    if (type.includes(':') && !type.startsWith('recognizer_loop:')) return 'understood';
    if (
      ACTIVITY_TYPES.has(type) ||
      type.endsWith('.activate') ||
      type.endsWith('.converse.ping') ||
      type.endsWith('.stop.ping')
    ) {
      return 'activity';
    }
    return null;
  }

  #utterance(message: MessageData): void {
    const utterance = firstUtterance(message);
    if (utterance === null) return;
    const sessionId = sessionIdOf(message);
    const previous = this.#pending.get(sessionId);
    if (previous !== undefined) this.#settle(previous);
    if (this.#pending.size >= this.#maxPending) {
      const oldest = this.#pending.values().next().value;
      if (oldest !== undefined) this.#settle(oldest);
    }
    const pending: Pending = {
      msg: message,
      sessionId,
      utterance,
      lang: langOf(message),
      startedAt: this.#now(),
      timer: null,
    };
    pending.timer = this.#timers.setTimeout(() => {
      if (this.#pending.get(sessionId) !== pending) return;
      this.#settle(pending);
      this.#askHub(pending, 'grace-period');
    }, this.#graceMs);
    this.#pending.set(sessionId, pending);
  }

  #undecided(pending: Pending): void {
    if (this.#pending.get(pending.sessionId) !== pending) return;
    this.#settle(pending);
    this.#event({ type: 'undecided', utterance: pending.utterance, sessionId: pending.sessionId });
  }

  #settle(pending: Pending): void {
    this.#clearTimer(pending);
    if (this.#pending.get(pending.sessionId) === pending) this.#pending.delete(pending.sessionId);
  }

  #clearTimer(pending: Pending): void {
    if (pending.timer !== null) this.#timers.clearTimeout(pending.timer);
    pending.timer = null;
  }

  #askHub(pending: Pending, reason: HubReason): void {
    const decidedAt = this.#now();
    const run = () => this.#hubTurn(pending, reason, decidedAt);
    this.#chain = this.#chain.then(run, run);
  }

  async #hubTurn(pending: Pending, reason: HubReason, decidedAt: number): Promise<void> {
    if (this.#state !== 'running') return;
    const turn: HubTurn = { pending, decidedAt, streamed: 0, firstAnswerAt: null };
    this.#current = turn;
    let result: AskResult;
    try {
      result = await this.#hub.ask(pending.utterance, {
        timeoutMs: this.#hubTimeoutMs,
        ...(pending.lang === undefined ? {} : { lang: pending.lang }),
      });
    } catch (err) {
      const error = isHiveLinkError(err) ? err : new HiveLinkError('HL_ERR_INTERNAL', String(err));
      this.#event({
        type: 'hub-failed',
        utterance: pending.utterance,
        sessionId: pending.sessionId,
        reason,
        error,
      });
      return;
    } finally {
      this.#current = null;
    }
    if (this.#state !== 'running') return;
    for (const answer of result.answers.slice(turn.streamed)) this.#speak(turn, { utterance: answer });
    this.#emitLocal(reply(pending.msg, HANDLED_TYPE, {}, { skill_id: SATELLITE_SKILL_ID }));
    this.#event({
      type: 'asked-hub',
      utterance: pending.utterance,
      sessionId: pending.sessionId,
      reason,
      answers: result.answers,
      handled: result.handled,
      latencyMs: turn.firstAnswerAt === null ? null : Math.round(turn.firstAnswerAt - decidedAt),
      totalMs: Math.round(this.#now() - decidedAt),
    });
  }

  /** Emits one hub answer on the local bus as a reply of the local utterance. */
  #speak(turn: HubTurn, data: Record<string, unknown>): void {
    turn.streamed += 1;
    const lang = turn.pending.lang;
    this.#emitLocal(
      reply(
        turn.pending.msg,
        'speak',
        {
          expect_response: false,
          ...data,
          ...(lang === undefined || typeof data.lang === 'string' ? {} : { lang }),
          meta: { ...(isObject(data.meta) ? data.meta : {}), skill: SATELLITE_SKILL_ID, from_hub: true },
        },
        { skill_id: SATELLITE_SKILL_ID },
      ),
    );
    turn.firstAnswerAt ??= this.#now();
  }

  /**
   * A question the hub relayed to this room: asked on the local bus in the relay's session (marked, so the satellite
   * never sends it to the hub as a fallback), and forgotten after the decision timeout if nothing ends it.
   */
  #relayed(message: MessageData, id: string): void {
    const session = message.context.session;
    const utterance = firstUtterance(message);
    if (!isObject(session) || typeof session.session_id !== 'string' || utterance === null) return;
    if (this.#relays.size >= this.#maxPending) {
      const oldest = this.#relays.values().next().value;
      if (oldest !== undefined) this.#endRelay(oldest);
    }
    const relay: Relay = { id, utterance, session, answers: 0, failed: false, timer: null };
    relay.timer = this.#timers.setTimeout(() => this.#endRelay(relay), this.#decisionTimeoutMs);
    this.#relays.set(session.session_id, relay);
    this.#emitLocal({
      type: UTTERANCE_TYPE,
      data: message.data,
      context: {
        source: 'hivelink',
        destination: ['skills'],
        session: session as SessionData,
        [RELAY_KEY]: id,
      },
    });
  }

  /** A local message of a relayed question's session: its answers go back to the hub. True when it was one. */
  #relayAnswer(message: MessageData): boolean {
    const sessionId = sessionIdIn(message);
    const relay = sessionId === null ? undefined : this.#relays.get(sessionId);
    if (relay === undefined) return false;
    if (!RELAY_ANSWER_TYPES.has(message.type)) return true;
    const context: MessageContext = { session: relay.session as SessionData, [RELAY_KEY]: relay.id };
    try {
      this.#hub.emitBus?.(message.type, message.data, context);
    } catch (err) {
      if (!isHiveLinkError(err)) throw err;
      // The hub connection is down: the hub ends the question itself (HL_ERR_RELAY_TIMEOUT).
    }
    if (SPEAK_TYPES.has(message.type)) relay.answers += 1;
    if (message.type === FAILURE_TYPE) relay.failed = true;
    if (message.type === HANDLED_TYPE) {
      this.#endRelay(relay);
      this.#event({
        type: 'relayed',
        utterance: relay.utterance,
        answers: relay.answers,
        handled: relay.answers > 0 || !relay.failed,
      });
    }
    return true;
  }

  #endRelay(relay: Relay): void {
    if (relay.timer !== null) this.#timers.clearTimeout(relay.timer);
    relay.timer = null;
    const key = relay.session.session_id as string;
    if (this.#relays.get(key) === relay) this.#relays.delete(key);
  }

  #fromHub(message: MessageData): void {
    if (this.#state !== 'running') return;
    if (
      this.#assistant &&
      message.type === UTTERANCE_TYPE &&
      typeof message.context[RELAY_KEY] === 'string'
    ) {
      this.#relayed(message, message.context[RELAY_KEY]);
      return;
    }
    const own = isForSession(message, this.#hub.sessionId);
    const turn = this.#current;
    if (own && turn !== null) {
      if (SPEAK_TYPES.has(message.type) && typeof message.data.utterance === 'string') {
        this.#speak(turn, message.data);
      }
      return;
    }
    const session = message.context.session;
    const hasSession = isObject(session) && typeof session.session_id === 'string';
    // The hub's own bookkeeping for this client's session (outside a turn) stays off the device, but a late
    // `speak` of a hub skill is said.
    if (hasSession && own && !SPEAK_TYPES.has(message.type)) return;
    const local: MessageData = {
      type: message.type,
      data: message.data,
      context: { ...message.context },
    };
    if (hasSession && (own || session.session_id !== DEFAULT_SESSION_ID)) delete local.context.session;
    this.#emitLocal(local);
    this.#event({ type: 'from-hub', messageType: message.type });
  }
}

/** The session id of a message's `context.session`, or null. */
function sessionIdIn(message: MessageData): string | null {
  const session = message.context.session;
  return isObject(session) && typeof session.session_id === 'string' ? session.session_id : null;
}

/** One log line for a {@link SatelliteEvent}. */
export function formatSatelliteEvent(event: SatelliteEvent): string {
  switch (event.type) {
    case 'handled-locally':
      return `handled locally: ${JSON.stringify(event.utterance)} (${event.by}, ${event.afterMs} ms)`;
    case 'asked-hub': {
      const why =
        event.reason === 'intent-failure'
          ? 'complete_intent_failure'
          : event.reason === 'unknown-fallback'
            ? 'the unknown-fallback skill'
            : 'no local answer within the grace period';
      const answers = `${event.answers.length} answer${event.answers.length === 1 ? '' : 's'}${event.handled ? '' : ', not understood by the hub either'}`;
      const latency =
        event.latencyMs === null ? '' : `, first answer ${event.latencyMs} ms after the local decision`;
      return `asked hub: ${JSON.stringify(event.utterance)} after ${why} → ${answers}${latency} (turn ${event.totalMs} ms)`;
    }
    case 'hub-failed':
      return `asked hub: ${JSON.stringify(event.utterance)} failed: ${event.error.message}`;
    case 'undecided':
      return `no local decision for ${JSON.stringify(event.utterance)}; left alone`;
    case 'from-hub':
      return `from hub: ${event.messageType} emitted on the local bus`;
    case 'relayed':
      return `answered a relayed question: ${JSON.stringify(event.utterance)} → ${event.answers} answer${event.answers === 1 ? '' : 's'}${event.handled ? '' : ', not understood'}`;
  }
}
