/**
 * Intercom lines (docs/PROTOCOL.md §12.9, issue 11): "intercom the garage" (the voice skill) or
 * `HiveClient.intercom("garage")` (BUS `hive.house.intercom {target}`) opens a line between the caller's connection
 * and the target's — a room's online clients, or a client by name. While it is open, each utterance said on one side
 * is spoken on the other ("office: is the car ready?") instead of being answered, until "end intercom" on either
 * side (or `hive.house.intercom.end`), `intercomIdleMs` of silence, or a side disconnects. Opening is a direct
 * message: the consent service (`consent.ts`) decides, and holds the call while the called side is asked.
 *
 * Not the HiveMind INTERCOM message type (`src/hub/policy/intercom.ts`): this is the house's voice line.
 *
 * ```
 *  caller ──recognizer_loop:utterance──▶ bus tap (this module) ──BUS speak "office: …"──▶ every called connection
 *  called ──recognizer_loop:utterance──▶ bus tap                ──BUS speak "garage: …"──▶ the caller
 *  opened / closed: BUS speak + hive.house.intercom.opened | closed {line, with, reason} on both sides
 * ```
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { HiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import type { JsonObject } from '../../protocol/json.js';
import { UTTERANCE_TYPE } from '../../session/turn.js';
import { type Timers, unrefTimers } from '../../timers.js';
import type { PeerRegistry } from '../peers.js';
import type { HubPeer } from '../types.js';
import type { Asker } from './asker.js';
import { type ConsentService, consentRefusal } from './consent.js';
import { isOpen, notifyOn, speakOn } from './speak.js';

/** The bus requests: open a line `{target}` → `{line, state, with}`; end the asker's line `{}` → `{line}`. */
export const INTERCOM_TYPE = 'hive.house.intercom';
export const INTERCOM_END_TYPE = 'hive.house.intercom.end';

/** BUS events sent to both sides of a line. */
export const IntercomEvent = {
  /** `{line, with, side: "caller" | "called"}` */
  OPENED: 'hive.house.intercom.opened',
  /** `{line, with, reason: "ended" | "idle" | "disconnected" | "shutdown"}` */
  CLOSED: 'hive.house.intercom.closed',
} as const;

/** Why a line closed. */
export type CloseReason = 'ended' | 'idle' | 'disconnected' | 'shutdown';

/** "end intercom", "hang up", "close the intercom", "stop the intercom line", … */
const END_WORDS =
  /^(?:please\s+)?(?:(?:end|close|stop|finish|hang\s+up|cut|quit)\s+(?:the\s+|this\s+)?intercom(?:\s+line|\s+call)?|hang\s+up|over\s+and\s+out)[.!]?$/i;

/** True when `utterance` ends the line it was said on. */
export function endsLine(utterance: string): boolean {
  return END_WORDS.test(utterance.trim());
}

/** Who a line reaches: the connections found for the name, and how each side names the other. */
export interface Reached {
  /** How the caller hears the called side ("the garage", "jarbas"). */
  readonly label: string;
  readonly conns: HubPeer[];
}

interface Side {
  /** How the other side hears this one ("office"). */
  readonly label: string;
  readonly conns: Set<HubPeer>;
}

interface Line {
  readonly id: string;
  readonly caller: Side;
  readonly called: Side;
  timer: unknown;
}

/** What {@link IntercomLines.open} did. */
export interface OpenResult {
  readonly line: string | null;
  /** `open` now, or `held` while the called side is asked for consent. */
  readonly state: 'open' | 'held';
  readonly with: string;
}

export interface IntercomLinesInit {
  peers: PeerRegistry;
  consent: ConsentService;
  /** Finds the connections of a room, else of a client by name (the house's room refusals). */
  reach: (name: string, asker: Asker) => Promise<Reached>;
  limits: Pick<Limits, 'maxIntercomLines' | 'intercomIdleMs' | 'maxUtteranceChars'>;
  logger: Logger;
  /** @default the global timers, unref'd */
  timers?: Timers;
}

/** The intercom lines of one hub; see the module documentation. */
export class IntercomLines {
  readonly #init: IntercomLinesInit;
  readonly #timers: Timers;
  readonly #lines = new Map<string, Line>();
  readonly #byConn = new Map<HubPeer, Line>();
  /** Callers whose call waits for consent. */
  readonly #ringing = new Set<HubPeer>();

  constructor(init: IntercomLinesInit) {
    this.#init = init;
    this.#timers = init.timers ?? unrefTimers;
  }

  /** Lines open now. */
  get lines(): number {
    return this.#lines.size;
  }

  /**
   * Opens a line from the asker's connection to `target` (a room, else a client name), or holds the call while
   * the called side is asked for consent.
   * @throws HiveLinkError the room refusals (`HL_ERR_ROOM_UNKNOWN`, `…_EMPTY`, `…_OFFLINE`), `HL_ERR_INTERCOM_BUSY`,
   *   `HL_ERR_INTERCOM_LIMIT`, the consent refusals (`HL_ERR_CONSENT_DENIED`, `HL_ERR_CONSENT_HELD_FULL`),
   *   `HL_ERR_INVALID_ARGUMENT`
   */
  async open(asker: Asker, target: string): Promise<OpenResult> {
    const caller = asker.peer;
    if (caller === null || caller.protocolVersion === 0) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'an intercom line needs a connected caller');
    }
    if (typeof target !== 'string' || target.trim() === '') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'target: must name a room or a client');
    }
    this.#free(caller);
    this.#roomForOne();
    const reached = await this.#init.reach(target, asker);
    const called = reached.conns.filter((c) => c.protocolVersion > 0);
    for (const conn of called) this.#free(conn, reached.label);
    const connect = (conns: readonly HubPeer[]) => this.#establish(asker, caller, reached.label, conns);
    const gated = await this.#init.consent.gate({
      asker,
      conns: called,
      kind: 'intercom',
      recipientLabel: reached.label,
      later: (conns) => {
        this.#ringing.delete(caller);
        if (!isOpen(this.#init.peers, caller) || this.#byConn.has(caller)) return;
        const free = conns.filter((c) => !this.#byConn.has(c));
        if (free.length === 0 || this.#lines.size >= this.#init.limits.maxIntercomLines) {
          speakOn([caller], `The intercom to ${reached.label} could not be opened: the line is busy.`);
          return;
        }
        connect(free);
      },
      dropped: () => this.#ringing.delete(caller),
    });
    const refusal = consentRefusal(gated, reached.label);
    if (refusal !== null && refusal.code !== 'HL_ERR_CONSENT_PENDING') throw refusal;
    if (refusal !== null) {
      this.#ringing.add(caller);
      return { line: null, state: 'held', with: reached.label };
    }
    return { line: connect(gated.now).id, state: 'open', with: reached.label };
  }

  /** `HL_ERR_INTERCOM_BUSY` when `conn` is on a line or calling. */
  #free(conn: HubPeer, label = 'you'): void {
    if (this.#byConn.has(conn) || this.#ringing.has(conn)) {
      throw new HiveLinkError(
        'HL_ERR_INTERCOM_BUSY',
        label === 'you' ? 'you are on an intercom line already' : `${label} is on an intercom line already`,
      );
    }
  }

  #roomForOne(): void {
    const max = this.#init.limits.maxIntercomLines;
    if (this.#lines.size >= max) {
      throw new HiveLinkError(
        'HL_ERR_INTERCOM_LIMIT',
        `${max} intercom lines are open already (maxIntercomLines)`,
      );
    }
  }

  #establish(asker: Asker, caller: HubPeer, calledLabel: string, conns: readonly HubPeer[]): Line {
    const line: Line = {
      id: randomUUID(),
      caller: { label: asker.label, conns: new Set([caller]) },
      called: { label: calledLabel, conns: new Set(conns) },
      timer: null,
    };
    this.#lines.set(line.id, line);
    for (const conn of [caller, ...conns]) this.#byConn.set(conn, line);
    this.#idle(line);
    speakOn([caller], `The intercom to ${calledLabel} is open. Say end intercom to hang up.`);
    notifyOn([caller], IntercomEvent.OPENED, { line: line.id, with: calledLabel, side: 'caller' });
    speakOn(conns, `${asker.label} opened the intercom. Say end intercom to hang up.`);
    notifyOn(conns, IntercomEvent.OPENED, { line: line.id, with: asker.label, side: 'called' });
    this.#init.logger.info({ line: line.id, connections: conns.length + 1 }, 'intercom line open');
    return line;
  }

  #idle(line: Line): void {
    this.#timers.clearTimeout(line.timer);
    line.timer = this.#timers.setTimeout(() => this.close(line.id, 'idle'), this.#init.limits.intercomIdleMs);
  }

  /**
   * The bus tap: an utterance of a connection on a line is spoken on the other side (or, "end intercom", closes
   * the line) and not answered. True when it took the message.
   */
  tap(conn: HubPeer, payload: JsonObject): boolean {
    if (payload.type !== UTTERANCE_TYPE) return false;
    const line = this.#byConn.get(conn);
    if (line === undefined) return false;
    const data = payload.data as { utterances?: unknown } | undefined;
    const first = Array.isArray(data?.utterances) ? data.utterances[0] : undefined;
    const text = typeof first === 'string' ? first.trim().slice(0, this.#init.limits.maxUtteranceChars) : '';
    if (text === '') return true;
    if (endsLine(text)) {
      this.close(line.id, 'ended');
      return true;
    }
    const [from, to] = line.caller.conns.has(conn) ? [line.caller, line.called] : [line.called, line.caller];
    speakOn(to.conns, `${from.label}: ${text}`);
    this.#idle(line);
    return true;
  }

  /** Ends the line of `conn`. @throws HiveLinkError `HL_ERR_INTERCOM_NOT_OPEN` */
  end(conn: HubPeer | null): { line: string } {
    const line = conn === null ? undefined : this.#byConn.get(conn);
    if (line === undefined) throw new HiveLinkError('HL_ERR_INTERCOM_NOT_OPEN', 'no intercom line is open');
    this.close(line.id, 'ended');
    return { line: line.id };
  }

  /** Closes line `id`: both sides hear it and get `hive.house.intercom.closed`. */
  close(id: string, reason: CloseReason): void {
    const line = this.#lines.get(id);
    if (line === undefined) return;
    this.#lines.delete(id);
    this.#timers.clearTimeout(line.timer);
    for (const [side, other] of [
      [line.caller, line.called],
      [line.called, line.caller],
    ] as const) {
      for (const conn of side.conns) this.#byConn.delete(conn);
      const open = [...side.conns].filter((c) => isOpen(this.#init.peers, c));
      speakOn(open, `The intercom with ${other.label} is closed.`);
      notifyOn(open, IntercomEvent.CLOSED, { line: id, with: other.label, reason });
    }
    this.#init.logger.info({ line: id, reason }, 'intercom line closed');
  }

  /** A connection changed: one that closed leaves its line, and a side with nobody left closes it. */
  peerChanged(conn: HubPeer): void {
    if (isOpen(this.#init.peers, conn)) return;
    this.#ringing.delete(conn);
    const line = this.#byConn.get(conn);
    if (line === undefined) return;
    this.#byConn.delete(conn);
    const side = line.caller.conns.has(conn) ? line.caller : line.called;
    side.conns.delete(conn);
    if (side.conns.size === 0) this.close(line.id, 'disconnected');
  }

  /** Closes every line (the hub is stopping). */
  stop(): void {
    for (const id of [...this.#lines.keys()]) this.close(id, 'shutdown');
    this.#ringing.clear();
  }
}
