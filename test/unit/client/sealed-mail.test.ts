/**
 * Sealed mail from the hub's mailbox in the SDK (docs/PROTOCOL.md §13, "Mail that waited"): an envelope that waited
 * days is still fresh when measured from when the hub took it, the same envelope delivered live that late is stale,
 * and the replay check still refuses a second copy. No hub: a scripted host.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PrivateMessage, type PrivateRefusal, SealedMessaging } from '../../../src/client/sealed.js';
import { MemoryIdentityStore } from '../../../src/client/stores.js';
import { replyKeyPair, sealEnvelope } from '../../../src/crypto/sealed.js';
import { SealedContent } from '../../../src/protocol/sealed.js';

const DAY = 86_400_000;

describe('sealed mail that waited in the mailbox', () => {
  it('is fresh from its deposit time, stale from now, and refused when it comes again', async () => {
    const sealedAt = Date.UTC(2025, 0, 1);
    let now = sealedAt + 3 * DAY;
    const messaging = new SealedMessaging({
      host: { onBus: () => () => {}, request: async () => ({}) },
      identityStore: new MemoryIdentityStore(),
      now: () => now,
    });
    const seen: (PrivateMessage | PrivateRefusal)[] = [];
    messaging.onMessage((m) => seen.push(m));
    messaging.onRefused((r) => seen.push(r));
    const me = await messaging.identity();
    const envelope = async () =>
      Buffer.from(
        (
          await sealEnvelope({
            recipientKey: me.x25519.publicKey,
            content: SealedContent.TEXT,
            payload: new TextEncoder().encode('while you were out'),
            sender: { replyKey: replyKeyPair().publicKey },
            timestamp: sealedAt,
          })
        ).envelope,
      ).toString('base64');

    const mail = await envelope();
    assert.equal(await messaging.receive(mail, { depositedAt: sealedAt + 1000 }), true);
    assert.equal((seen[0] as PrivateMessage).text, 'while you were out');
    assert.equal((seen[0] as PrivateMessage).depositedAt, sealedAt + 1000);
    await messaging.receive(mail, { depositedAt: sealedAt + 1000 });
    assert.equal((seen[1] as PrivateRefusal).error.code, 'HL_ERR_SEALED_REPLAY');
    await messaging.receive(await envelope());
    assert.equal((seen[2] as PrivateRefusal).error.code, 'HL_ERR_SEALED_STALE', 'live, three days late');
    now = sealedAt;
    await messaging.receive(await envelope());
    assert.equal((seen[3] as PrivateMessage).depositedAt, null, 'live and on time');
  });
});
