/**
 * The message dispatcher: one handler per HiveMessage type (docs/PROTOCOL.md §5.2), behind one `switch`. Runs only
 * on open connections, after decryption, validation and the policy stage (`policy/`), which has already refused
 * what the client may not do: handlers only route.
 *
 * @module
 */
import type { HiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
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

/** Handles one message from `conn`. Returns a promise only when the handler has asynchronous work (re-key). */
export function dispatch(ctx: HubContext, conn: HubPeer, message: HiveMessage): void | Promise<void> {
  switch (message.msg_type) {
    case HiveMessageType.BUS:
      return handleBus(ctx, conn, message);
    case HiveMessageType.SHARED_BUS:
      return handleSharedBus(ctx, conn, message);
    case HiveMessageType.BROADCAST:
      return handleBroadcast(ctx, conn, message);
    case HiveMessageType.PROPAGATE:
      return handlePropagate(ctx, conn, message);
    case HiveMessageType.ESCALATE:
      return handleEscalate(ctx, conn, message);
    case HiveMessageType.QUERY:
    case HiveMessageType.CASCADE:
      return handleQuery(ctx, conn, message);
    case HiveMessageType.PING:
      return handlePing(ctx, conn, message);
    case HiveMessageType.INTERCOM:
      return handleIntercom(ctx, conn, message);
    case HiveMessageType.BINARY:
      return handleBinary(ctx, conn, message);
    case HiveMessageType.HELLO:
      return handleHello(ctx, conn, message);
    case HiveMessageType.HANDSHAKE:
      return handleHandshake(ctx, conn, message);
    case HiveMessageType.RENDEZVOUS:
      return handleRendezvous(ctx, conn, message);
    case HiveMessageType.THIRDPRTY:
      // No authorizer allows it: the policy stage denies it before dispatch.
      return;
    default: {
      const unknown: never = message.msg_type;
      ctx.logger.warn({ peer: conn.peer, type: String(unknown) }, 'no handler for an accepted message type');
    }
  }
}
