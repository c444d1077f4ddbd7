/**
 * The OVOS agent adapter: the hub's agent bus is an external OVOS/Mycroft messagebus, reached with `BusClient`.
 *
 * @module
 */
import type { Logger } from 'pino';
import { BusClient } from '../bus/ws-client.js';
import type { Limits } from '../limits.js';
import type { Agent } from './agent.js';

export interface OvosAgentInit {
  /** @default 'ws://127.0.0.1:8181/core' */
  url?: string;
  logger?: Logger;
  /** Wait for the first connection in `start()`. @default false */
  waitForConnection?: boolean;
  /** The bus client's limits (the hub passes its config's). @default the registry defaults */
  limits?: Partial<Pick<Limits, OvosAgentLimit>>;
}

/** The limits of the bus client behind the agent. */
export type OvosAgentLimit =
  | 'busMaxMessageBytes'
  | 'busMaxBufferedBytes'
  | 'busMaxPendingMessages'
  | 'busMaxKnownSessions';

/** An agent behind an OVOS messagebus at `url`. */
export function ovosAgent(init: OvosAgentInit = {}): Agent {
  const limits = init.limits ?? {};
  const client = new BusClient({
    url: init.url ?? 'ws://127.0.0.1:8181/core',
    sessionSync: false,
    maxMessageBytes: limits.busMaxMessageBytes,
    maxBufferedBytes: limits.busMaxBufferedBytes,
    maxPendingMessages: limits.busMaxPendingMessages,
    maxKnownSessions: limits.busMaxKnownSessions,
  });
  const logger = init.logger;
  client.onState((event) => {
    if (event.type === 'open') logger?.info({ url: client.url }, 'agent bus connected');
    else if (event.type === 'close')
      logger?.warn({ url: client.url, code: event.code }, 'agent bus disconnected');
    else if (event.type === 'reconnecting')
      logger?.debug({ delayMs: event.delayMs }, 'agent bus reconnecting');
  });
  return {
    kind: 'ovos',
    bus: client,
    async start() {
      const opened = client.connect();
      if (init.waitForConnection === true) {
        await opened;
      } else {
        opened.catch((err: unknown) => logger?.warn({ err }, 'agent bus connect failed'));
      }
    },
    stop: () => client.close(),
  };
}
