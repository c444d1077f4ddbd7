/**
 * The SDK's `ask` turn: the shared {@link TurnCollector} (src/session/turn.ts, the one rule for when an answer is
 * over, also used by the hub's REST ask and `hivelink chat`) bound to a promise's resolve / reject. Its result is
 * the public {@link AskResult}: `expectsResponse` is present only when true.
 *
 * @module
 */
import type { HiveLinkError } from '../errors.js';
import { TurnCollector, type TurnMessage } from '../session/turn.js';
import type { AskResult, ClientTimers } from './types.js';

export {
  DEFAULT_ASK_TIMEOUT_MS,
  DENIED_TYPE,
  FAILURE_SETTLE_MS,
  FAILURE_TYPE,
  HANDLED_TYPE,
  UTTERANCE_TYPE,
} from '../session/turn.js';

export interface AskTurnInit {
  sessionId: string;
  timeoutMs: number;
  /** The wait after `complete_intent_failure`. @default FAILURE_SETTLE_MS */
  failureSettleMs?: number;
  timers: ClientTimers;
  resolve: (result: AskResult) => void;
  reject: (error: HiveLinkError) => void;
  /** Called once when the turn ends, however it ends. */
  onDone: () => void;
}

/** One `ask()` of a {@link HiveClient}: fed every bus message the hub sends while it runs. */
export class AskTurn {
  readonly #collector: TurnCollector;

  constructor(init: AskTurnInit) {
    this.#collector = new TurnCollector({
      sessionId: init.sessionId,
      timeoutMs: init.timeoutMs,
      ...(init.failureSettleMs === undefined ? {} : { failureSettleMs: init.failureSettleMs }),
      timers: init.timers,
      onEnd: (end) => {
        init.onDone();
        if (end.type === 'error') {
          init.reject(end.error);
          return;
        }
        const { answers, handled, timedOut, expectsResponse } = end.result;
        init.resolve({ answers, handled, timedOut, ...(expectsResponse ? { expectsResponse } : {}) });
      },
    });
  }

  /** Feeds one bus message from the hub. */
  receive(message: TurnMessage): void {
    this.#collector.receive(message);
  }

  /** Ends the turn with `error` (closed, send failed); no-op once it is over. */
  fail(error: HiveLinkError): void {
    this.#collector.fail(error);
  }
}
