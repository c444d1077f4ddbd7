/**
 * `wait_for_message` and `wait_for_response` of the Python bus client (docs/PROTOCOL.md §B1.5), for any
 * {@link MessageBus}. Both listen before anything is emitted and resolve with `undefined` on timeout, never reject
 * for a timeout. Browser-safe.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import type { MessageBus, MessageData } from './types.js';

/** Default wait, as in Python (3 s). */
export const DEFAULT_WAIT_MS = 3000;

function checkTimeout(timeoutMs: number): void {
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `timeoutMs must be a finite number >= 0, got ${timeoutMs}`,
    );
  }
}

/**
 * Listens on `bus` for the first message of any of `types` that passes `filter`; `start` runs after the
 * listeners are in place (and may throw, which rejects).
 */
function firstOf(
  bus: MessageBus,
  types: readonly string[],
  timeoutMs: number,
  filter: ((message: MessageData) => boolean) | undefined,
  start: () => void,
): Promise<MessageData | undefined> {
  checkTimeout(timeoutMs);
  return new Promise<MessageData | undefined>((resolve, reject) => {
    const offs: (() => void)[] = [];
    let done = false;
    const finish = (message: MessageData | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const off of offs) off();
      resolve(message);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    try {
      for (const type of new Set(types)) {
        offs.push(
          bus.on(type, (message) => {
            if (filter === undefined || filter(message)) finish(message);
          }),
        );
      }
      start();
    } catch (err) {
      done = true;
      clearTimeout(timer);
      for (const off of offs) off();
      reject(err);
    }
  });
}

/**
 * Resolves with the next message of `type` on `bus` that passes `filter` (every message when omitted), or
 * `undefined` after `timeoutMs`. A `filter` that throws counts as no match (the bus reports the error as a handler
 * error).
 *
 * @param timeoutMs - @default 3000
 */
export function waitForMessage(
  bus: MessageBus,
  type: string,
  timeoutMs: number = DEFAULT_WAIT_MS,
  filter?: (message: MessageData) => boolean,
): Promise<MessageData | undefined> {
  return firstOf(bus, [type], timeoutMs, filter, () => {});
}

/**
 * Emits `message` on `bus` and resolves with the first message of one of `replyTypes`, or `undefined` after
 * `timeoutMs`. The listeners are registered before the emit. As in Python, any message of a reply type answers
 * (the bus does not know which request it belongs to); pass `filter` to narrow it, e.g. on the session id.
 *
 * @param replyTypes - @default `<message.type>.response`
 * @param timeoutMs - @default 3000
 * @throws whatever `bus.emit` throws (e.g. `HL_ERR_BUS_CLOSED`), as a rejection.
 */
export function waitForResponse(
  bus: MessageBus,
  message: MessageData,
  replyTypes?: string | readonly string[],
  timeoutMs: number = DEFAULT_WAIT_MS,
  filter?: (reply: MessageData) => boolean,
): Promise<MessageData | undefined> {
  const types =
    replyTypes === undefined
      ? [`${message.type}.response`]
      : typeof replyTypes === 'string'
        ? [replyTypes]
        : replyTypes;
  return firstOf(bus, types, timeoutMs, filter, () => bus.emit(message));
}
