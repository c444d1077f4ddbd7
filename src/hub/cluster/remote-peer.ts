/**
 * A connection of another node of the cluster, as this node's services see it: the record and room of its client,
 * its HELLO session (for speech in its language), and a `send` that hands the message to the node holding it
 * (`cluster.ts`). It is never registered in this node's {@link PeerRegistry}; `PeerRegistry.everywhere()` lists it.
 *
 * @module
 */

import type { SessionData } from '../../bus/types.js';
import type { HiveMessage } from '../../protocol/message.js';
import { hiveMessageToJson } from '../../protocol/message.js';
import type { ClientRecord } from '../../store/types.js';
import { hubBusMessage } from '../replies.js';
import { SessionNat } from '../session-nat.js';
import type { HubPeer } from '../types.js';
import type { PeerEntry } from './names.js';

/** The stand-in of `entry` (a client of `record`); `forward` sends the message's JSON to its node. */
export function remotePeer(
  entry: PeerEntry,
  record: ClientRecord,
  forward: (message: unknown) => boolean,
): HubPeer {
  const send = (message: HiveMessage): boolean => forward(hiveMessageToJson(message));
  return {
    id: -1,
    peer: entry.peer,
    useragent: entry.useragent,
    ip: '',
    rateKey: `cluster:${entry.peer}`,
    record,
    protocolVersion: entry.protocolVersion,
    siteId: entry.siteId,
    helloSiteId: entry.helloSiteId,
    isAssistant: entry.assistant,
    pubkey: null,
    nat: new SessionNat(`cluster:${entry.peer}`),
    session: { hello: entry.hello as SessionData | null, latest: null },
    send,
    deny: (deniedType, code, reason) =>
      void send(hubBusMessage(entry.peer, 'hive.policy.denied', { denied_type: deniedType, code, reason })),
    // The node holding the connection closes it (a revoke reaches it through the store).
    close: () => undefined,
    applyHello: () => undefined,
    rekey: async () => undefined,
  };
}
