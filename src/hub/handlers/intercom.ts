/**
 * INTERCOM (docs/PROTOCOL.md §5.4): an end-to-end encrypted message for the client whose HELLO announced
 * `target_pubkey`. The hub cannot read it and relays it untouched; with no such client connected the sender gets a
 * `no_route` policy error.
 *
 * @module
 */
import type { HiveMessage } from '../../protocol/message.js';
import { DenyCode } from '../policy/index.js';
import type { HubContext, HubPeer } from '../types.js';

export function handleIntercom(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  const target = message.target_pubkey as string; // the policy stage checked it is there
  const recipient = ctx.peers.findByPubkey(target, conn);
  if (recipient === undefined) {
    conn.deny(message.msg_type, DenyCode.NO_ROUTE, 'no connected client holds target_pubkey');
    return;
  }
  recipient.send(message);
}
