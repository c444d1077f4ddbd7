/**
 * The bus layer: the OVOS message model and every {@link MessageBus} hivelink has — the in-process
 * {@link MemoryBus}, the OVOS-compatible websocket {@link BusServer} (with its in-process {@link LocalBus} view)
 * and the {@link BusClient}.
 *
 * @example
 * ```ts
 * import { BusServer, createMessage } from './bus/index.js';
 * const server = new BusServer({ port: 0 });
 * await server.start();
 * const bus = server.localBus();
 * const answer = await bus.waitForResponse(createMessage('mycroft.intents.is_ready'));
 * ```
 *
 * @module
 */
export { deepCopy } from './copy.js';
export {
  type BusErrorHandler,
  DELIVERIES_PER_TURN,
  Dispatcher,
  type DispatcherInit,
  WILDCARD,
} from './dispatcher.js';
export { type BusLogger, createDefaultBusLogger } from './log.js';
export { MemoryBus, type MemoryBusInit } from './memory-bus.js';
/** The message model: all of it (create, reply, forward, parse, serialize, check, route and session helpers). */
export * from './message.js';
export type {
  MessageBus,
  MessageContext,
  MessageData,
  MessageHandler,
  Route,
  SessionData,
  SubscribeOptions,
} from './types.js';
export { DEFAULT_WAIT_MS, waitForMessage, waitForResponse } from './wait.js';
export {
  BusClient,
  type BusClientEvent,
  type BusClientInit,
  type BusClientState,
  DEFAULT_BUS_URL,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_RECONNECT_DELAY_MS,
  DEFAULT_RECONNECT_JITTER,
} from './ws-client.js';
export {
  BUS_ROUTE,
  BusServer,
  type BusServerAddress,
  type BusServerInit,
  CLOSE_GOING_AWAY,
  CLOSE_TOO_SLOW,
  CONNECTED_GREETING,
  DEFAULT_BUS_HOST,
  DEFAULT_BUS_PORT,
  LocalBus,
  STOP_GRACE_MS,
} from './ws-server.js';
