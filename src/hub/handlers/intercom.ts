/**
 * INTERCOM (docs/PROTOCOL.md §5.4): an end-to-end encrypted message for the client whose HELLO announced
 * `target_pubkey`. The policy stage has checked that it is signed ciphertext in a reference shape (and signed by the
 * sender's pinned key, when it has one); the hub cannot read it and relays it untouched to the one connection whose
 * client record that key is pinned to. With that client offline it is deposited in its mailbox (RENDEZVOUS, the sender
 * gets the `deposit` answer); when no client holds the key the sender gets a `no_route` policy error.
 *
 * @module
 */
import type { HiveMessage } from '../../protocol/message.js';
import { DenyCode } from '../policy/index.js';
import { readIntercomKey } from '../policy/intercom.js';
import type { HubContext, HubPeer } from '../types.js';

export function handleIntercom(ctx: HubContext, conn: HubPeer, message: HiveMessage): void | Promise<void> {
  // The policy stage checked that target_pubkey is there and reads as an RSA public key.
  const target = readIntercomKey(message.target_pubkey ?? '');
  const recipient = target === null ? undefined : ctx.peers.findByPubkey(target.id, conn);
  if (recipient !== undefined) {
    recipient.send(message);
    return;
  }
  const noRoute = () =>
    conn.deny(message.msg_type, DenyCode.NO_ROUTE, 'no connected client holds target_pubkey');
  if (ctx.mailbox === undefined) return noRoute();
  return ctx.mailbox.depositIntercom(conn, message).then((deposited) => {
    if (!deposited) noRoute();
  });
}
