/**
 * One question-and-answer turn (ovos-bus.md §3.4 F): collect every `speak` / `ovos.utterance.speak` utterance for
 * this session until `ovos.utterance.handled` (understood), a `speak` that expects a response (a skill asked a
 * question; the answer is the next turn), or `complete_intent_failure` (not understood; the turn
 * ends on the `ovos.utterance.handled` that follows it, so that message cannot end the next turn), or until
 * the timeout: with answers the turn simply ends (some skills never report `handled`); with none it fails. A
 * `hive.policy.denied` for the utterance ends it at once with `HL_ERR_POLICY_DENIED`.
 *
 * @module
 */
import type { MessageData } from '../bus/types.js';
import { HiveLinkError } from '../errors.js';
import { isForSession } from './bus-context.js';
import type { AskResult, ClientTimers, TimerHandle } from './types.js';

export const DEFAULT_ASK_TIMEOUT_MS = 10_000;
/**
 * How long a turn waits, after `complete_intent_failure`, for the `ovos.utterance.handled` that ovos-core sends
 * next (ovos-bus.md §3.2 step 6). The turn ends on that message, so it cannot end the session's next turn; a hub
 * that sends none ends it after this wait.
 */
export const FAILURE_SETTLE_MS = 1000;

const SPEAK_TYPES: ReadonlySet<string> = new Set(['speak', 'ovos.utterance.speak']);
export const HANDLED_TYPE = 'ovos.utterance.handled';
export const FAILURE_TYPE = 'complete_intent_failure';
/** What a hub answers when its policy refuses a message: `{denied_type, code, reason}`. */
export const DENIED_TYPE = 'hive.policy.denied';
export const UTTERANCE_TYPE = 'recognizer_loop:utterance';

export interface AskTurnInit {
  sessionId: string;
  timeoutMs: number;
  timers: ClientTimers;
  resolve: (result: AskResult) => void;
  reject: (error: HiveLinkError) => void;
  /** Called once when the turn ends, however it ends. */
  onDone: () => void;
}

export class AskTurn {
  readonly #init: AskTurnInit;
  readonly #answers: string[] = [];
  #timer: TimerHandle | null;
  #done = false;
  #failed = false;

  constructor(init: AskTurnInit) {
    this.#init = init;
    this.#timer = init.timers.setTimeout(() => {
      this.#timer = null;
      if (this.#answers.length > 0)
        this.#finish({ answers: [...this.#answers], handled: true, timedOut: true });
      else this.fail(new HiveLinkError('HL_ERR_ASK_TIMEOUT', `no answer within ${init.timeoutMs} ms`));
    }, init.timeoutMs);
  }

  /** Feeds one bus message from the hub. */
  receive(message: MessageData): void {
    if (this.#done || !isForSession(message, this.#init.sessionId)) return;
    if (SPEAK_TYPES.has(message.type)) {
      const utterance = message.data.utterance;
      if (typeof utterance === 'string') this.#answers.push(utterance);
      // A question (get_response): the skill now waits for this session's next utterance, and reports
      // `ovos.utterance.handled` only after it, so the turn ends here.
      if (message.data.expect_response === true) {
        this.#finish({ answers: [...this.#answers], handled: true, timedOut: false, expectsResponse: true });
      }
    } else if (message.type === FAILURE_TYPE) {
      if (this.#failed) return;
      this.#failed = true;
      if (this.#timer !== null) this.#init.timers.clearTimeout(this.#timer);
      this.#timer = this.#init.timers.setTimeout(() => {
        this.#timer = null;
        this.#finish({ answers: [...this.#answers], handled: false, timedOut: false });
      }, FAILURE_SETTLE_MS);
    } else if (message.type === HANDLED_TYPE) {
      this.#finish({ answers: [...this.#answers], handled: !this.#failed, timedOut: false });
    } else if (message.type === DENIED_TYPE && message.data.denied_type === UTTERANCE_TYPE) {
      const { code, reason } = message.data;
      this.fail(
        new HiveLinkError(
          'HL_ERR_POLICY_DENIED',
          `the hub refused the utterance: ${String(reason ?? 'no reason given')} (${String(code ?? 'no code')})`,
        ),
      );
    }
  }

  fail(error: HiveLinkError): void {
    if (this.#end()) this.#init.reject(error);
  }

  #finish(result: AskResult): void {
    if (this.#end()) this.#init.resolve(result);
  }

  #end(): boolean {
    if (this.#done) return false;
    this.#done = true;
    if (this.#timer !== null) this.#init.timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#init.onDone();
    return true;
  }
}
