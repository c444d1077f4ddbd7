/**
 * The in-process bus: a {@link MessageBus} without a socket, with the semantics of the OVOS ws bus (every emit
 * reaches every handler, the emitter's own included; `'*'` handlers see everything; delivery is asynchronous, in
 * emit order, one copy per handler). Browser-safe.
 *
 * @example
 * ```ts
 * const bus = new MemoryBus();
 * bus.on('speak', (m) => console.log(m.data.utterance));
 * bus.emit(createMessage('speak', { utterance: 'hello' }));
 * ```
 *
 * @module
 */
import { Dispatcher, type DispatcherInit } from './dispatcher.js';
import { cloneMessage } from './message.js';
import type { MessageBus, MessageData, MessageHandler, SubscribeOptions } from './types.js';
import { waitForMessage, waitForResponse } from './wait.js';

export type MemoryBusInit = DispatcherInit;

/** An in-process OVOS-style message bus. */
export class MemoryBus implements MessageBus {
  readonly #dispatcher: Dispatcher;

  /** @param init - error reporting and the pending-message bound (see {@link DispatcherInit}). */
  constructor(init: MemoryBusInit = {}) {
    this.#dispatcher = new Dispatcher(init);
  }

  /** Messages emitted and not yet delivered. */
  get pending(): number {
    return this.#dispatcher.pending;
  }

  /**
   * Queues `message` for every handler. The message is copied now: changing it after `emit` changes nothing.
   *
   * @throws HiveLinkError `HL_ERR_INVALID_MESSAGE` for a message without a string type or with non-object
   *   data/context; `HL_ERR_BUS_QUEUE_FULL` when `busMaxPendingMessages` messages are waiting.
   */
  emit(message: MessageData): void {
    this.#dispatcher.deliver(cloneMessage(message));
  }

  on(type: string, handler: MessageHandler, options?: SubscribeOptions): () => void {
    return this.#dispatcher.on(type, handler, options);
  }

  once(type: string, handler: MessageHandler): () => void {
    return this.#dispatcher.once(type, handler);
  }

  off(type: string, handler: MessageHandler): void {
    this.#dispatcher.off(type, handler);
  }

  /** Removes every handler of `type`, or all handlers. */
  removeAllListeners(type?: string): void {
    this.#dispatcher.removeAllListeners(type);
  }

  /** Handlers registered for `type` (`'*'` handlers not counted unless `type` is `'*'`), or for all types. */
  listenerCount(type?: string): number {
    return this.#dispatcher.listenerCount(type);
  }

  /** See {@link waitForMessage}. @param timeoutMs - @default 3000 */
  waitForMessage(
    type: string,
    timeoutMs?: number,
    filter?: (message: MessageData) => boolean,
  ): Promise<MessageData | undefined> {
    return waitForMessage(this, type, timeoutMs, filter);
  }

  /** See {@link waitForResponse}. @param timeoutMs - @default 3000 */
  waitForResponse(
    message: MessageData,
    replyTypes?: string | readonly string[],
    timeoutMs?: number,
    filter?: (reply: MessageData) => boolean,
  ): Promise<MessageData | undefined> {
    return waitForResponse(this, message, replyTypes, timeoutMs, filter);
  }
}
