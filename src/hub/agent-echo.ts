/**
 * The echo agent: answers every `recognizer_loop:utterance` on the agent bus with a `speak` that repeats the first
 * utterance and an `ovos.utterance.handled`, both as OVOS replies (source and destination swapped, so they reach the
 * asking client). No intent matching, no skills: it measures the hub itself (`hivelink hub --agent echo`, `hivelink
 * bench`).
 *
 * @module
 */
import { reply } from '../bus/message.js';
import type { MessageBus, MessageData } from '../bus/types.js';
import type { Agent } from './agent.js';

/** The bus type the echo agent answers. */
export const ECHO_UTTERANCE_TYPE = 'recognizer_loop:utterance';

function firstUtterance(message: MessageData): string {
  const utterances: unknown = message.data?.utterances;
  if (Array.isArray(utterances) && typeof utterances[0] === 'string') return utterances[0];
  return '';
}

/** The answers to one utterance: `speak {utterance}` then `ovos.utterance.handled`. */
export function echoAnswers(message: MessageData): MessageData[] {
  const lang = typeof message.data?.lang === 'string' ? message.data.lang : undefined;
  return [
    reply(message, 'speak', {
      utterance: firstUtterance(message),
      expect_response: false,
      ...(lang === undefined ? {} : { lang }),
    }),
    reply(message, 'ovos.utterance.handled', {}),
  ];
}

/** An agent on `bus` (in this process) that echoes utterances; `start` subscribes, `stop` unsubscribes. */
export function echoAgent(bus: MessageBus): Agent {
  let unsubscribe: (() => void) | null = null;
  return {
    kind: 'in-process',
    bus,
    start() {
      unsubscribe ??= bus.on(ECHO_UTTERANCE_TYPE, (message) => {
        for (const answer of echoAnswers(message)) bus.emit(answer);
      });
      return Promise.resolve();
    },
    stop() {
      unsubscribe?.();
      unsubscribe = null;
      return Promise.resolve();
    },
  };
}
