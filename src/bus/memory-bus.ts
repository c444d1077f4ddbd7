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
import { DispatchingBus } from './dispatching-bus.js';
import { cloneMessage } from './message.js';
import type { MessageData } from './types.js';

export type MemoryBusInit = DispatcherInit;

/** An in-process OVOS-style message bus. */
export class MemoryBus extends DispatchingBus {
  protected readonly dispatcher: Dispatcher;

  /** @param init - error reporting and the pending-message bound (see {@link DispatcherInit}). */
  constructor(init: MemoryBusInit = {}) {
    super();
    this.dispatcher = new Dispatcher(init);
  }

  /** Messages emitted and not yet delivered. */
  get pending(): number {
    return this.dispatcher.pending;
  }

  /**
   * Queues `message` for every handler. The message is copied now: changing it after `emit` changes nothing.
   *
   * @throws HiveLinkError `HL_ERR_INVALID_MESSAGE` for a message without a string type or with non-object
   *   data/context; `HL_ERR_BUS_QUEUE_FULL` when `busMaxPendingMessages` messages are waiting.
   */
  emit(message: MessageData): void {
    this.dispatcher.deliver(cloneMessage(message));
  }
}
