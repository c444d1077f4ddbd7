/**
 * Who asks the house for something, and the names the house puts on the bus (docs/PROTOCOL.md §12).
 *
 * @module
 */
import type { HubPeer } from '../types.js';
import { siteRoom } from './rooms.js';

/** `context.source` of what the house puts on the agent bus, and `meta.skill` of what it speaks. */
export const HOUSE_SOURCE = 'hivelink.house';
/** The context key that ties a relayed question and its answers together (docs/PROTOCOL.md §12.3). */
export const RELAY_KEY = 'hivelink_relay';
/** A relayed question's session id starts with this. */
export const RELAY_SESSION_PREFIX = 'hivelink.house:';
/** The bus types a room's answer to a relayed question may have. */
export const RELAY_ANSWER_TYPES: ReadonlySet<string> = new Set([
  'speak',
  'ovos.utterance.speak',
  'ovos.utterance.handled',
  'complete_intent_failure',
]);

/** Who asks the house for something. */
export interface Asker {
  /** The connection that asked (a websocket client, or a REST ask's virtual one), when there is one. */
  readonly peer: HubPeer | null;
  /** How a room hears who it was: the asker's room, else its client name. */
  readonly label: string;
  readonly isAdmin: boolean;
  /** The request comes from the turn of a relayed question: it may not relay again. */
  readonly relayed: boolean;
}

/** The asker `peer` is: labelled by its room, else its name. */
export function askerOf(peer: HubPeer | null, options: { name?: string; relayed?: boolean } = {}): Asker {
  const room = siteRoom(peer?.siteId ?? null);
  return {
    peer,
    label: room ?? peer?.record.name ?? options.name ?? 'someone',
    isAdmin: peer?.record.isAdmin === true,
    relayed: options.relayed === true,
  };
}

/** The admin CLI or an admin REST token: announces without a connection. */
export function adminAsker(label: string): Asker {
  return { peer: null, label, isAdmin: true, relayed: false };
}
