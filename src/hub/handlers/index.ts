/**
 * The message dispatcher: one handler per HiveMessage type (docs/PROTOCOL.md §5.2), behind one `switch`. Runs only
 * on open connections, after decryption, validation and the policy stage (`policy/`), which has already refused
 * what the client may not do: handlers only route.
 *
 * @module
 */
import type { HiveMessage } from '../../protocol/message.js';
import { HiveMessageType, type HiveMessageTypeName } from '../../protocol/message-types.js';
import type { HubContext, HubPeer } from '../types.js';
import { handleBinary } from './binary.js';
import { handleBroadcast } from './broadcast.js';
import { handleBus } from './bus.js';
import { handleEscalate } from './escalate.js';
import { handleHandshake } from './handshake.js';
import { handleHello } from './hello.js';
import { handleIntercom } from './intercom.js';
import { handlePing } from './ping.js';
import { handlePropagate } from './propagate.js';
import { handleQuery } from './query.js';
import { handleRendezvous } from './rendezvous.js';
import { handleSharedBus } from './shared-bus.js';

/** One message handler; only re-key work returns a promise. */
type Handler = (ctx: HubContext, conn: HubPeer, message: HiveMessage) => void | Promise<void>;

/**
 * Wire type → handler, one row per type so a new type fails to compile until it has a row. QUERY and CASCADE share
 * one handler; THIRDPRTY has none because no authorizer allows it: the policy stage denies it before dispatch.
 */
const HANDLERS: Readonly<Record<HiveMessageTypeName, Handler | null>> = Object.freeze({
  [HiveMessageType.BUS]: handleBus,
  [HiveMessageType.SHARED_BUS]: handleSharedBus,
  [HiveMessageType.BROADCAST]: handleBroadcast,
  [HiveMessageType.PROPAGATE]: handlePropagate,
  [HiveMessageType.ESCALATE]: handleEscalate,
  [HiveMessageType.QUERY]: handleQuery,
  [HiveMessageType.CASCADE]: handleQuery,
  [HiveMessageType.PING]: handlePing,
  [HiveMessageType.INTERCOM]: handleIntercom,
  [HiveMessageType.BINARY]: handleBinary,
  [HiveMessageType.HELLO]: handleHello,
  [HiveMessageType.HANDSHAKE]: handleHandshake,
  [HiveMessageType.RENDEZVOUS]: handleRendezvous,
  [HiveMessageType.THIRDPRTY]: null,
});

/** Handles one message from `conn`. Returns a promise only when the handler has asynchronous work (re-key). */
export function dispatch(ctx: HubContext, conn: HubPeer, message: HiveMessage): void | Promise<void> {
  const type = message.msg_type;
  if (!Object.hasOwn(HANDLERS, type)) {
    ctx.logger.warn({ peer: conn.peer, type: String(type) }, 'no handler for an accepted message type');
    return;
  }
  const handler = HANDLERS[type];
  return handler === null ? undefined : handler(ctx, conn, message);
}
