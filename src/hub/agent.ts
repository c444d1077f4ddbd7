/**
 * Agent adapters: the brain behind the hub, always reached through a {@link MessageBus} with OVOS semantics.
 *
 * - {@link inProcessAgent}: a bus in this process (the embedded assistant listens on it; tests attach their own
 *   handlers).
 * - `ovosAgent` (`agent-ovos.ts`): an external OVOS/Mycroft messagebus, through `BusClient` (reconnects on its own; the hub
 *   starts even while the bus is down and messages wait in the client's bounded queue).
 *
 * @module
 */
import type { MessageBus } from '../bus/types.js';

/** The agent as the hub uses it. */
export interface Agent {
  /** `in-process` or `ovos`, for logs and health. */
  readonly kind: 'in-process' | 'ovos';
  /** The agent bus: the hub injects client messages here and routes every message it sees. */
  readonly bus: MessageBus;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** An agent on a bus in this process; `start`/`stop` do nothing (the bus belongs to the caller). */
export function inProcessAgent(bus: MessageBus): Agent {
  return {
    kind: 'in-process',
    bus,
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  };
}
