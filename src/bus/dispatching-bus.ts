/**
 * The subscription half every bus shares: handlers, once-handlers, waiting for a message or a response, all on a
 * {@link Dispatcher}. A bus adds how `emit` reaches the dispatcher (in process, over a socket, or both).
 *
 * @module
 */
import type { Dispatcher } from './dispatcher.js';
import type { MessageBus, MessageData, MessageHandler, SubscribeOptions } from './types.js';
import { waitForMessage, waitForResponse } from './wait.js';

export abstract class DispatchingBus implements MessageBus {
  /** Delivers to this bus's handlers; set by the subclass in its constructor. */
  protected abstract readonly dispatcher: Dispatcher;

  abstract emit(message: MessageData): void;

  on(type: string, handler: MessageHandler, options?: SubscribeOptions): () => void {
    return this.dispatcher.on(type, handler, options);
  }

  once(type: string, handler: MessageHandler): () => void {
    return this.dispatcher.once(type, handler);
  }

  off(type: string, handler: MessageHandler): void {
    this.dispatcher.off(type, handler);
  }

  /** Removes every handler of `type`, or all handlers. */
  removeAllListeners(type?: string): void {
    this.dispatcher.removeAllListeners(type);
  }

  /** Handlers registered for `type` (`'*'` handlers not counted unless `type` is `'*'`), or for all types. */
  listenerCount(type?: string): number {
    return this.dispatcher.listenerCount(type);
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
