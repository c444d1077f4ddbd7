/**
 * INTERCOM (docs/PROTOCOL.md §5.4): an end-to-end encrypted message for the client whose HELLO announced
 * `target_pubkey`. The policy stage has checked that it is signed ciphertext in a reference shape (and signed by the
 * sender's pinned key, when it has one); the hub cannot read it and relays it untouched to the one connection whose
 * client record that key is pinned to. With no such client connected the sender gets a `no_route` policy error.
 *
 * @module
 */
import type { HiveMessage } from '../../protocol/message.js';
import { DenyCode } from '../policy/index.js';
import { readIntercomKey } from '../policy/intercom.js';
import type { HubContext, HubPeer } from '../types.js';

export function handleIntercom(ctx: HubContext, conn: HubPeer, message: HiveMessage): void {
  // The policy stage checked that target_pubkey is there and reads as an RSA public key.
  const target = readIntercomKey(message.target_pubkey ?? '');
  const recipient = target === null ? undefined : ctx.peers.findByPubkey(target.id, conn);
  if (recipient === undefined) {
    conn.deny(message.msg_type, DenyCode.NO_ROUTE, 'no connected client holds target_pubkey');
    return;
  }
  recipient.send(message);
}
