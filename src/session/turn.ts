/**
 * One question-and-answer turn, as the SDK's `ask`, the hub's REST `/v1/ask` and `hivelink chat` all see it: the
 * one rule for "when is this answer over" (docs/PROTOCOL.md §B3.2 step 6, §B3.4 F). A {@link TurnCollector} is fed the bus
 * messages that reach the asker and decides; it does no I/O and its timers are injected, so hub and client code
 * share it and tests drive it with a fake clock.
 *
 * ```
 *              speak: answer kept
 *               ┌──────┐
 *               ▼      │        speak {expect_response: true} ──▶ end {handled: true, expectsResponse: true}
 *  start ──▶ collecting ──────  ovos.utterance.handled ─────────▶ end {handled: true}
 *               │               global timeout ────────────────▶ end {timedOut: true} with answers,
 *               │                                                 else HL_ERR_ASK_TIMEOUT
 *               │ complete_intent_failure (the settle timer starts: failureSettleMs)
 *               ▼
 *            failed ──────────  speak: a fallback answered (kept; handled: true from now on;
 *               │                      with expect_response: true the turn ends, expectsResponse: true)
 *               ├─────────────  ovos.utterance.handled ─▶ end {handled: <a fallback spoke>}
 *               └─────────────  settle timer, or global timeout ─▶ end {handled: <a fallback spoke>}
 *
 *  any state ── hive.policy.denied of the utterance ──▶ HL_ERR_POLICY_DENIED
 * ```
 *
 * Why the failure waits: ovos-core follows `complete_intent_failure` with `ovos.utterance.handled` (§B3.2 step 6);
 * the turn ends on *that* message, so it cannot end the session's next turn early, and a speak in between (a
 * fallback that answers after the core gave up: an older core, a bridge such as a satellite) is an answer. A hub
 * that sends no `handled` ends the turn after the settle wait. Messages that name another session are ignored; a
 * message without a session is not excluded (what a hub routes to one connection is that connection's).
 *
 * The session layer cannot import the bus layer, so {@link TurnMessage} is the structural part of a bus
 * `MessageData` the collector reads.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { shownValue } from '../protocol/json.js';
import type { Timers } from '../timers.js';

/** How long an ask waits for its answer when the caller names no timeout. */
export const DEFAULT_ASK_TIMEOUT_MS = 10_000;
/**
 * How long a turn waits after `complete_intent_failure` for a fallback's `speak` or the `ovos.utterance.handled`
 * that ovos-core sends next, before it ends not understood.
 */
export const FAILURE_SETTLE_MS = 1000;

/** The bus types whose `data.utterance` is an answer. */
export const SPEAK_TYPES: ReadonlySet<string> = new Set(['speak', 'ovos.utterance.speak']);
/** "This turn is finished" (sent by the skill side, or by the core after a failure). */
export const HANDLED_TYPE = 'ovos.utterance.handled';
/** "Nothing matched": the core's not-understood. */
export const FAILURE_TYPE = 'complete_intent_failure';
/** What a hub answers when its policy refuses a message: `{denied_type, code, reason}`. */
export const DENIED_TYPE = 'hive.policy.denied';
/** The message a turn starts with. */
export const UTTERANCE_TYPE = 'recognizer_loop:utterance';

/** The part of a bus message a turn reads; a bus `MessageData` is one. */
export interface TurnMessage {
  readonly type: string;
  readonly data?: { readonly [key: string]: unknown };
  readonly context?: { readonly session?: unknown };
}

/** How a turn ended with an answer (or a known "not understood"). */
export interface TurnResult {
  /** Every `speak` / `ovos.utterance.speak` utterance of the turn, in order. */
  answers: string[];
  /** False when the agent reported `complete_intent_failure` and no fallback spoke after it (not understood). */
  handled: boolean;
  /** True when the global timeout ended the turn after at least one answer (no `ovos.utterance.handled` came). */
  timedOut: boolean;
  /** True when the last answer asked a question (`expect_response: true`): the reply is the next turn. */
  expectsResponse: boolean;
}

/** How a turn ended: a result, or an error (`HL_ERR_ASK_TIMEOUT`, `HL_ERR_POLICY_DENIED`, or one given to `fail`). */
export type TurnEnd = { type: 'result'; result: TurnResult } | { type: 'error'; error: HiveLinkError };

export interface TurnCollectorInit {
  /** The asker's session id; messages naming another session are ignored. */
  sessionId: string;
  /** The global timeout, started when the collector is made. */
  timeoutMs: number;
  /** The wait after `complete_intent_failure`. @default {@link FAILURE_SETTLE_MS} */
  failureSettleMs?: number;
  timers: Timers;
  /** Called exactly once, when the turn ends, however it ends. */
  onEnd: (end: TurnEnd) => void;
}

type State = 'collecting' | 'failed' | 'done';

/** The session id `message` names (`context.session.session_id`), or null when it names none. */
export function sessionIdIn(message: TurnMessage): string | null {
  const session = message.context?.session;
  if (typeof session !== 'object' || session === null) return null;
  const id = (session as { session_id?: unknown }).session_id;
  return typeof id === 'string' ? id : null;
}

/** True when `message` may belong to a turn of `sessionId`: it names that session, or none. */
export function isTurnOf(message: TurnMessage, sessionId: string): boolean {
  const id = sessionIdIn(message);
  return id === null || id === sessionId;
}

/** The spoken text of a `speak` / `ovos.utterance.speak` message, or null for any other message. */
export function spokenText(message: TurnMessage): string | null {
  if (!SPEAK_TYPES.has(message.type)) return null;
  const text = message.data?.utterance;
  return typeof text === 'string' ? text : null;
}

/** True when a turn ended not understood with nothing said: what a chat reports as "did not understand". */
export function notUnderstood(result: Pick<TurnResult, 'answers' | 'handled'>): boolean {
  return !result.handled && result.answers.length === 0;
}

/** Collects one turn of one session; see the module doc for the rule. */
export class TurnCollector {
  readonly #init: TurnCollectorInit;
  readonly #answers: string[] = [];
  #state: State = 'collecting';
  /** A speak came after `complete_intent_failure`. */
  #fallbackSpoke = false;
  #timeout: unknown;
  #settle: unknown = null;

  constructor(init: TurnCollectorInit) {
    this.#init = init;
    this.#timeout = init.timers.setTimeout(() => {
      this.#timeout = null;
      this.#onTimeout();
    }, init.timeoutMs);
  }

  /** True once the turn has ended. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** Feeds one bus message that reached the asker; ignored once the turn is over or when it is another session's. */
  receive(message: TurnMessage): void {
    if (this.#state === 'done' || !isTurnOf(message, this.#init.sessionId)) return;
    if (SPEAK_TYPES.has(message.type)) {
      const text = spokenText(message);
      if (text !== null) {
        this.#answers.push(text);
        if (this.#state === 'failed') this.#fallbackSpoke = true;
      }
      // A question (get_response): the skill waits for this session's next utterance and reports `handled` only
      // after it, so the turn ends here.
      if (message.data?.expect_response === true) this.#result(false, true);
    } else if (message.type === FAILURE_TYPE) {
      if (this.#state === 'failed') return;
      this.#state = 'failed';
      this.#settle = this.#init.timers.setTimeout(() => {
        this.#settle = null;
        this.#result(false, false);
      }, this.#init.failureSettleMs ?? FAILURE_SETTLE_MS);
    } else if (message.type === HANDLED_TYPE) {
      this.#result(false, false);
    } else if (message.type === DENIED_TYPE && message.data?.denied_type === UTTERANCE_TYPE) {
      const { code, reason } = message.data;
      if (code === 'rate_limited') {
        this.fail(
          new HiveLinkError(
            'HL_ERR_RATE_EXCEEDED',
            "the hub's rate limit refused the utterance: slow down, or ask the hub admin for more (hivelink clients set ID --rate-limit N|unlimited)",
          ),
        );
        return;
      }
      this.fail(
        new HiveLinkError(
          'HL_ERR_POLICY_DENIED',
          `the hub refused the utterance: ${shownValue(reason ?? 'no reason given')} (${shownValue(code ?? 'no code')})`,
        ),
      );
    }
  }

  /** Ends the turn with `error` (the connection closed, the hub stops, a refusal); no-op once it is over. */
  fail(error: HiveLinkError): void {
    if (this.#end()) this.#init.onEnd({ type: 'error', error });
  }

  #onTimeout(): void {
    // After a failure the answer is known (not understood, or what a fallback said): the timeout only cuts the wait.
    if (this.#state === 'failed') this.#result(false, false);
    else if (this.#answers.length > 0) this.#result(true, false);
    else this.fail(new HiveLinkError('HL_ERR_ASK_TIMEOUT', `no answer within ${this.#init.timeoutMs} ms`));
  }

  #result(timedOut: boolean, expectsResponse: boolean): void {
    const handled = this.#state !== 'failed' || this.#fallbackSpoke;
    if (!this.#end()) return;
    this.#init.onEnd({
      type: 'result',
      result: { answers: [...this.#answers], handled, timedOut, expectsResponse },
    });
  }

  #end(): boolean {
    if (this.#state === 'done') return false;
    this.#state = 'done';
    const { timers } = this.#init;
    if (this.#timeout !== null) timers.clearTimeout(this.#timeout);
    if (this.#settle !== null) timers.clearTimeout(this.#settle);
    this.#timeout = null;
    this.#settle = null;
    return true;
  }
}
