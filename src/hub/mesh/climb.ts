/**
 * Local first, at every level (docs/PROTOCOL.md §14): a satellite's utterance that this hub's own agent cannot handle
 * climbs to the parent, and the parent's answer comes back down to that satellite, in its session. The rule is the
 * local-first satellite's (§B6), decided by bus events, never a timer:
 *
 * ```
 *  utterance from a connection ──(escalate: always, a link open)────────────────────────────▶ climbing
 *        │ (on-failure) injected locally: a turn is followed
 *        ▼
 *      local ── error sound ──▶ held back (a climb may follow)
 *        │ ── ovos.utterance.handled / cancelled ──▶ answered here: held messages delivered, turn over
 *        └─── complete_intent_failure, a link open ──▶ climbing: the failure (and the handled after it) held back
 *
 *  climbing: the utterance goes up in a session of the satellite (its lang and site), with the route; every message of
 *  that session the parent sends (speak … ovos.utterance.handled) goes down to the satellite once, as it arrives.
 *   ├─ the parent's turn ends (the turn collector's rule) ──▶ held messages dropped; handled sent if the parent sent none
 *   └─ no answer within meshClimbTimeoutMs, or the link closes ──▶ the held local "not understood" is delivered
 *      (with `always`: the utterance is asked here after all)
 * ```
 *
 * The utterance carries `context.hivelink_mesh.route`, the node ids of the hubs it climbed through: a hub already on
 * it, or a route of `maxMeshHops`, answers locally and never climbs (`HL_ERR_MESH_LOOP`,
 * `HL_ERR_MESH_ROUTE_TOO_LONG`). A parent skill's question (`expect_response`) makes the session's next utterance
 * climb straight away, so the answer reaches the skill that asked.
 *
 * @module
 */
import type { Logger } from 'pino';
import type { MessageData, SessionData } from '../../bus/types.js';
import { HiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import type { JsonObject } from '../../protocol/json.js';
import { createHiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import {
  DENIED_TYPE,
  FAILURE_TYPE,
  HANDLED_TYPE,
  sessionIdIn,
  TurnCollector,
  type TurnEnd,
  UTTERANCE_TYPE,
} from '../../session/turn.js';
import { unrefTimers } from '../../timers.js';
import type { EscalateMode } from '../config.js';
import { agentMessageFrom, clientMessageFrom, clientSession } from '../inject.js';
import type { HubContext, HubPeer } from '../types.js';
import { isObject } from './node.js';
import type { ParentLink } from './parent-link.js';

/** The context key of what the mesh adds to a climbing utterance: `{route: [node id, …]}`. */
export const MESH_CONTEXT_KEY = 'hivelink_mesh';

const CANCELLED_TYPE = 'ovos.utterance.cancelled';
const ERROR_SOUND = 'mycroft.audio.play_sound';

/** The route (node ids) a message's `context.hivelink_mesh` names; [] when it names none or a malformed one. */
export function meshRouteOf(context: unknown): string[] {
  if (!isObject(context)) return [];
  const mesh = context[MESH_CONTEXT_KEY];
  if (!isObject(mesh) || !Array.isArray(mesh.route)) return [];
  return mesh.route.every((hop) => typeof hop === 'string') ? [...(mesh.route as string[])] : [];
}

/**
 * Why a message with `route` may not climb from this hub (its node id is on it: a cycle; it is `maxMeshHops` long),
 * or null when it may.
 */
export function climbRefusal(ctx: HubContext, route: readonly string[]): HiveLinkError | null {
  if (route.includes(ctx.nodeId)) {
    return new HiveLinkError('HL_ERR_MESH_LOOP', 'this hub is on the route already');
  }
  if (route.length >= ctx.limits.maxMeshHops) {
    return new HiveLinkError('HL_ERR_MESH_ROUTE_TOO_LONG', `the route has ${route.length} hops`);
  }
  return null;
}

/** Sends the agent-bus message `message` to `conn` as the router would: BUS, its session mapped back. */
export function sendAgentMessage(conn: HubPeer, message: MessageData): void {
  const out = clientMessageFrom(conn, message);
  conn.send(createHiveMessage(HiveMessageType.BUS, out as unknown as JsonObject, { source_peer: conn.peer }));
}

/** What the climber needs of the mesh. */
export interface ClimberHost {
  readonly ctx: HubContext;
  readonly limits: Limits;
  readonly logger: Logger;
  readonly mode: EscalateMode;
  /** The link a climb goes up, or null when none is open. */
  link(): ParentLink | null;
}

/** One utterance of one satellite session being followed. */
interface Turn {
  readonly key: string;
  readonly conn: HubPeer;
  /** The session on this hub's agent bus (NAT'ed); the session it climbs in, too. */
  readonly session: SessionData;
  /** The BUS payload as the satellite sent it (asked here after all when an `always` climb fails). */
  readonly payload: JsonObject;
  readonly route: readonly string[];
  /** The utterance was injected into this hub's agent (on-failure), or not (always). */
  readonly local: boolean;
  state: 'local' | 'climbing' | 'over';
  /** Local messages held back while a climb may follow or runs: delivered if it fails. */
  readonly held: MessageData[];
  link: ParentLink | null;
  collector: TurnCollector | null;
  /** The parent's `ovos.utterance.handled` went down already. */
  handledSent: boolean;
}

/** Follows satellites' utterances and climbs them; see the module documentation. */
export class Climber {
  readonly #host: ClimberHost;
  /** Turns by connection and agent session. */
  readonly #turns = new Map<string, Turn>();
  /** Climbing turns by the session they climbed in (what the parent's answers name). */
  readonly #up = new Map<string, Turn>();
  /** Sessions whose next utterance climbs at once: a parent skill asked a question. */
  readonly #sticky = new Set<string>();

  constructor(host: ClimberHost) {
    this.#host = host;
  }

  /** Turns followed now. */
  get size(): number {
    return this.#turns.size;
  }

  /** The bus tap: sees every BUS a connection sends before it is injected; true when it climbed (not injected). */
  readonly tap = (conn: HubPeer, payload: JsonObject): boolean => {
    const host = this.#host;
    if (host.mode === 'never' || payload.type !== UTTERANCE_TYPE) return false;
    const context = isObject(payload.context) ? payload.context : {};
    const session = clientSession(conn, context.session);
    session.session_id = conn.nat.toAgent(session.session_id);
    const key = `${conn.id}\u0000${session.session_id}`;
    const previous = this.#turns.get(key);
    if (previous !== undefined) this.#drop(previous); // the satellite moved on
    const route = meshRouteOf(context);
    const refusal = climbRefusal(host.ctx, route);
    if (refusal !== null) {
      host.logger.debug({ peer: conn.peer, code: refusal.code }, 'mesh: answered here, not climbed');
      return false;
    }
    const sticky = this.#sticky.delete(key);
    const now = host.mode === 'always' || sticky;
    if (now && host.link() === null) return false;
    this.#bound();
    const turn: Turn = {
      key,
      conn,
      session,
      payload,
      route,
      local: !now,
      state: 'local',
      held: [],
      link: null,
      collector: null,
      handledSent: false,
    };
    this.#turns.set(key, turn);
    if (!now) return false;
    if (this.#climb(turn)) return true;
    this.#turns.delete(key);
    return false;
  };

  /** The route tap: sees every agent message before the router delivers it; true when it held it back. */
  readonly routeTap = (conn: HubPeer, message: MessageData): boolean => {
    if (this.#turns.size === 0) return false;
    const sessionId = sessionIdIn(message);
    if (sessionId === null) return false;
    const turn = this.#turns.get(`${conn.id}\u0000${sessionId}`);
    if (turn === undefined || turn.conn !== conn || !turn.local) return false;
    const type = message.type;
    const closing = type === FAILURE_TYPE || type === HANDLED_TYPE || type === CANCELLED_TYPE;
    if (turn.state === 'climbing') {
      if (!closing && !isErrorSound(message)) return false;
      turn.held.push(message);
      return true;
    }
    if (isErrorSound(message) && this.#host.link() !== null) {
      turn.held.push(message);
      return true;
    }
    if (type === FAILURE_TYPE && this.#climb(turn)) {
      turn.held.push(message);
      return true;
    }
    if (closing) this.#finish(turn, true);
    return false;
  };

  /** A bus message from `link`'s parent: relayed to the satellite whose climb it answers. */
  fromParent(link: ParentLink, message: MessageData): void {
    if (message.type === DENIED_TYPE) {
      // A refusal names no session: it ends every climb of the link it refuses (the utterance type).
      for (const turn of [...this.#up.values()]) if (turn.link === link) turn.collector?.receive(message);
      return;
    }
    const sessionId = sessionIdIn(message);
    const turn = sessionId === null ? undefined : this.#up.get(sessionId);
    if (turn === undefined || turn.link !== link || turn.state !== 'climbing') return;
    if (!this.#open(turn)) return;
    sendAgentMessage(turn.conn, {
      type: message.type,
      data: message.data,
      context: { ...message.context, session: turn.session, destination: turn.conn.peer },
    });
    if (message.type === HANDLED_TYPE) turn.handledSent = true;
    turn.collector?.receive(message);
  }

  /** `link` went down: its climbs end now (the satellites get the local answer). */
  linkDown(link: ParentLink): void {
    for (const turn of [...this.#up.values()]) {
      if (turn.link === link) {
        turn.collector?.fail(new HiveLinkError('HL_ERR_MESH_PARENT_UNAVAILABLE', 'the parent link closed'));
      }
    }
  }

  /** Forgets every turn (the hub stops). */
  stop(): void {
    for (const turn of [...this.#turns.values()]) this.#drop(turn);
    this.#sticky.clear();
  }

  /** Sends the turn's utterance up the first open link; false when none is open or the send fails. */
  #climb(turn: Turn): boolean {
    const host = this.#host;
    const link = host.link();
    if (link === null) return false;
    const payload = turn.payload;
    const data = isObject(payload.data) ? payload.data : {};
    const session = turn.session;
    const lang = typeof data.lang === 'string' ? data.lang : session.lang;
    const site = turn.conn.siteId ?? session.site_id;
    const up: Record<string, unknown> = { session_id: session.session_id };
    if (typeof lang === 'string') up.lang = lang;
    if (typeof site === 'string') up.site_id = site;
    try {
      link.client.emitBus(UTTERANCE_TYPE, data, {
        session: up as SessionData,
        [MESH_CONTEXT_KEY]: { route: [...turn.route, host.ctx.nodeId] },
      });
    } catch (err) {
      host.logger.debug({ url: link.url, err }, 'mesh: the utterance could not climb');
      return false;
    }
    const other = this.#up.get(session.session_id);
    if (other !== undefined && other !== turn) this.#drop(other);
    turn.state = 'climbing';
    turn.link = link;
    this.#up.set(session.session_id, turn);
    turn.collector = new TurnCollector({
      sessionId: session.session_id,
      timeoutMs: host.limits.meshClimbTimeoutMs,
      timers: unrefTimers,
      onEnd: (end) => this.#ended(turn, end),
    });
    host.logger.debug({ peer: turn.conn.peer, url: link.url, local: turn.local }, 'mesh: utterance climbed');
    return true;
  }

  #ended(turn: Turn, end: TurnEnd): void {
    if (turn.state === 'over') return;
    if (end.type === 'result') {
      this.#finish(turn, false);
      if (end.result.expectsResponse) this.#sticky.add(turn.key);
      else if (!turn.handledSent && this.#open(turn)) {
        sendAgentMessage(turn.conn, {
          type: HANDLED_TYPE,
          data: {},
          context: { session: turn.session, destination: turn.conn.peer, source: 'hivelink' },
        });
      }
      return;
    }
    const code =
      end.error.code === 'HL_ERR_ASK_TIMEOUT' ? 'HL_ERR_MESH_CLIMB_TIMEOUT' : (end.error.code as string);
    this.#host.logger.info({ peer: turn.conn.peer, code }, 'mesh: the parent did not answer; answered here');
    this.#finish(turn, true);
    if (!turn.local && this.#open(turn)) {
      // `always`: the utterance was never asked here; ask it now.
      try {
        this.#host.ctx.bus.emit(agentMessageFrom(turn.conn, turn.payload, this.#host.ctx.peers));
      } catch (err) {
        this.#host.logger.warn({ err }, 'mesh: the agent bus refused an utterance');
      }
    }
  }

  /** Ends a turn; with `release`, the held local messages go to the satellite now. */
  #finish(turn: Turn, release: boolean): void {
    turn.state = 'over';
    if (this.#turns.get(turn.key) === turn) this.#turns.delete(turn.key);
    if (this.#up.get(turn.session.session_id) === turn) this.#up.delete(turn.session.session_id);
    const held = turn.held.splice(0);
    if (release && this.#open(turn)) for (const message of held) sendAgentMessage(turn.conn, message);
  }

  /** Ends a turn silently: the satellite moved on, or the hub stops. */
  #drop(turn: Turn): void {
    this.#finish(turn, false);
    turn.collector?.fail(new HiveLinkError('HL_ERR_MESH_PARENT_UNAVAILABLE', 'turn dropped'));
  }

  /** At most `maxMeshTurns`: the oldest is answered here (its held messages delivered). */
  #bound(): void {
    while (this.#turns.size >= this.#host.limits.maxMeshTurns) {
      const oldest = this.#turns.values().next().value;
      if (oldest === undefined) return;
      this.#finish(oldest, true);
      oldest.collector?.fail(new HiveLinkError('HL_ERR_MESH_PARENT_UNAVAILABLE', 'too many turns'));
    }
  }

  /** True while the turn's connection is still open on this hub. */
  #open(turn: Turn): boolean {
    return this.#host.ctx.peers.get(turn.conn.peer) === turn.conn;
  }
}

function isErrorSound(message: MessageData): boolean {
  return message.type === ERROR_SOUND && message.data?.uri === 'snd/error.mp3';
}
