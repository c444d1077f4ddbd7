/**
 * The mailbox part of the store: deposits bounded per recipient in count and bytes (expired mail not counted),
 * pending mail oldest first and never expired, acknowledgement scoped to the recipient, the purge, the lookup of a
 * pinned INTERCOM key, and mail removed with its recipient.
 */
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { isHiveLinkError } from '../../../src/errors.js';
import { describeEngines } from '../../helpers/store-engines.js';
import { tempStore } from './temp-db.js';

const bounds = { maxMessages: 3, maxBytes: 100, expiryMs: 1000 };

describeEngines('mailbox store', 'hl-mailbox-', (engine) => {
  let clock = 10_000;
  const db = tempStore(engine, { now: () => clock });
  let kitchen: number;
  let office: number;
  beforeEach(async () => {
    [kitchen, office] = await db.addClientIds('kitchen', 'office');
  });

  const mail = (recipientId: number, body = 'c1ph3r') => ({ recipientId, kind: 'intercom' as const, body });

  it("deposits within the bounds, hands out oldest first, acknowledges only the recipient's own", async () => {
    const a = await db.store.mailbox.deposit(mail(kitchen, 'one'), bounds);
    const b = await db.store.mailbox.deposit(mail(kitchen, 'two'), bounds);
    await db.store.mailbox.deposit(mail(office, 'other'), bounds);
    assert.notEqual(a.depositId, b.depositId);
    assert.equal(a.expiresAt, clock + bounds.expiryMs);
    assert.deepEqual(
      (await db.store.mailbox.pending(kitchen)).map((m) => m.body),
      ['one', 'two'],
    );
    assert.deepEqual(
      (await db.store.mailbox.pending(kitchen)).map((m) => m.body),
      ['one', 'two'],
      'reading deletes nothing',
    );
    assert.equal(
      await db.store.mailbox.ack(office, [a.depositId]),
      0,
      "another recipient cannot ack kitchen's mail",
    );
    assert.equal(await db.store.mailbox.ack(kitchen, [a.depositId, a.depositId, 'nope']), 1);
    assert.deepEqual(
      (await db.store.mailbox.pending(kitchen)).map((m) => m.body),
      ['two'],
    );
    assert.equal(await db.store.mailbox.count(), 2);
  });

  it('refuses past the count and the byte bound, not counting expired mail, and purges what expired', async () => {
    for (let i = 0; i < 3; i++) await db.store.mailbox.deposit(mail(kitchen), bounds);
    const full = (err: unknown) => isHiveLinkError(err, 'HL_ERR_MAILBOX_FULL');
    await assert.rejects(db.store.mailbox.deposit(mail(kitchen), bounds), full);
    await assert.rejects(db.store.mailbox.deposit(mail(office, 'x'.repeat(101)), bounds), full);
    clock += bounds.expiryMs;
    assert.deepEqual(await db.store.mailbox.pending(kitchen), [], 'expired mail is never handed out');
    await db.store.mailbox.deposit(mail(kitchen), bounds);
    assert.equal(await db.store.mailbox.purgeExpired(), 3);
    assert.equal(await db.store.mailbox.count(kitchen), 1);
    await assert.rejects(db.store.mailbox.deposit(mail(9999), bounds), (err) =>
      isHiveLinkError(err, 'HL_ERR_NOT_FOUND'),
    );
  });

  it('finds the client of a pinned INTERCOM key, and drops mail with its recipient', async () => {
    await db.store.pinIntercomKey(kitchen, 'S1BLSUQ=');
    assert.equal(await db.store.mailbox.recipientOfIntercomKey('S1BLSUQ='), kitchen);
    assert.equal(await db.store.mailbox.recipientOfIntercomKey('b3RoZXI='), null);
    await db.store.mailbox.deposit(mail(kitchen), bounds);
    await db.store.removeClient(kitchen);
    assert.equal(await db.store.mailbox.count(), 0);
  });
});
