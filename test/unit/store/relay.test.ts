/**
 * The relay part of the store (issue 12): end-to-end keys pinned on first use (same again is fine, other keys or
 * another client's keys are refused, a reset lets new ones in), accept-anonymous (default yes), and the audit log
 * (newest first, per client, trimmed to its bound, removed with nothing of the message in it).
 */
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { describeEngines } from '../../helpers/store-engines.js';
import { tempStore } from './temp-db.js';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');

describeEngines('relay store', 'hl-relay-', (engine) => {
  const db = tempStore(engine, { now: () => 5000 });
  let a: number;
  let b: number;
  beforeEach(async () => {
    [a, b] = await db.addClientIds('a', 'b');
  });

  it('pins keys on first use, refuses others and taken ones, and forgets them on reset', async () => {
    assert.equal(await db.store.relay.keys(a), null);
    assert.equal(await db.store.relay.pinKeys(a, key(1), key(2)), 'pinned');
    assert.equal(await db.store.relay.pinKeys(a, key(1), key(2)), 'same');
    assert.equal(await db.store.relay.pinKeys(a, key(1), key(3)), 'mismatch');
    assert.equal(await db.store.relay.pinKeys(b, key(4), key(2)), 'taken');
    assert.deepEqual(await db.cli.relay.keys(a), {
      clientId: a,
      x25519: key(1),
      ed25519: key(2),
      publishedAt: 5000,
    });
    assert.equal((await db.store.relay.findByEd25519(key(2)))?.clientId, a);
    assert.deepEqual(
      (await db.store.relay.listKeys()).map((k) => k.clientId),
      [a],
    );
    await db.cli.relay.clearKeys(a);
    assert.equal(await db.store.relay.keys(a), null);
    assert.equal(await db.store.relay.pinKeys(b, key(4), key(2)), 'pinned');
    await assert.rejects(db.store.relay.pinKeys(a, 'nope', key(2)), { code: 'HL_ERR_INVALID_ARGUMENT' });
    await assert.rejects(db.store.relay.pinKeys(999, key(7), key(8)), { code: 'HL_ERR_NOT_FOUND' });
  });

  it('accepts anonymous messages by default, until told not to; keys and setting go with the client', async () => {
    assert.equal(await db.store.relay.acceptsAnonymous(a), true);
    await db.cli.relay.setAcceptAnonymous(a, false);
    assert.equal(await db.store.relay.acceptsAnonymous(a), false);
    await db.store.relay.pinKeys(a, key(1), key(2));
    assert.equal(await db.store.relay.acceptsAnonymous(a), false, 'pinning keeps the setting');
    await db.store.removeClient(a);
    assert.equal(await db.store.relay.findByEd25519(key(2)), null);
  });

  it('keeps the newest audit rows, per client on request', async () => {
    for (let i = 0; i < 5; i++) {
      await db.store.relay.audit(
        {
          senderId: a,
          recipientId: b,
          mode: i % 2 ? 'anonymous' : 'signed',
          messageId: `id${i}`,
          bytes: 100 + i,
          outcome: 'delivered',
        },
        3,
      );
    }
    const rows = await db.cli.relay.listAudit();
    assert.deepEqual(
      rows.map((r) => r.messageId),
      ['id4', 'id3', 'id2'],
    );
    assert.deepEqual(Object.keys(rows[0]!).sort(), [
      'at',
      'bytes',
      'id',
      'messageId',
      'mode',
      'outcome',
      'recipientId',
      'senderId',
    ]);
    assert.equal((await db.store.relay.listAudit({ clientId: b, limit: 1 })).length, 1);
  });
});
