/**
 * The mailbox part of the store: deposits bounded per recipient in count and bytes (expired mail not counted),
 * pending mail oldest first and never expired, acknowledgement scoped to the recipient, the purge, the lookup of a
 * pinned INTERCOM key, and mail removed with its recipient.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isHiveLinkError } from '../../../src/errors.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import type { ClientStore } from '../../../src/store/types.js';
import { tempDatabases } from './temp-db.js';

const SECRETS = new Uint8Array(32).fill(5);
const freshDb = tempDatabases('hl-mailbox-');
const bounds = { maxMessages: 3, maxBytes: 100, expiryMs: 1000 };

describe('mailbox store', () => {
  let store: ClientStore;
  let kitchen: number;
  let office: number;
  let clock = 10_000;
  beforeEach(async () => {
    store = openSqliteStore(freshDb(), { secrets: SECRETS, now: () => clock });
    kitchen = (await store.addClient({ name: 'kitchen' })).record.id;
    office = (await store.addClient({ name: 'office' })).record.id;
  });
  afterEach(() => store.close());

  const mail = (recipientId: number, body = 'c1ph3r') => ({ recipientId, kind: 'intercom' as const, body });

  it("deposits within the bounds, hands out oldest first, acknowledges only the recipient's own", async () => {
    const a = await store.mailbox.deposit(mail(kitchen, 'one'), bounds);
    const b = await store.mailbox.deposit(mail(kitchen, 'two'), bounds);
    await store.mailbox.deposit(mail(office, 'other'), bounds);
    assert.notEqual(a.depositId, b.depositId);
    assert.equal(a.expiresAt, clock + bounds.expiryMs);
    assert.deepEqual(
      (await store.mailbox.pending(kitchen)).map((m) => m.body),
      ['one', 'two'],
    );
    assert.deepEqual(
      (await store.mailbox.pending(kitchen)).map((m) => m.body),
      ['one', 'two'],
      'reading deletes nothing',
    );
    assert.equal(
      await store.mailbox.ack(office, [a.depositId]),
      0,
      "another recipient cannot ack kitchen's mail",
    );
    assert.equal(await store.mailbox.ack(kitchen, [a.depositId, a.depositId, 'nope']), 1);
    assert.deepEqual(
      (await store.mailbox.pending(kitchen)).map((m) => m.body),
      ['two'],
    );
    assert.equal(await store.mailbox.count(), 2);
  });

  it('refuses past the count and the byte bound, not counting expired mail, and purges what expired', async () => {
    for (let i = 0; i < 3; i++) await store.mailbox.deposit(mail(kitchen), bounds);
    const full = (err: unknown) => isHiveLinkError(err, 'HL_ERR_MAILBOX_FULL');
    await assert.rejects(store.mailbox.deposit(mail(kitchen), bounds), full);
    await assert.rejects(store.mailbox.deposit(mail(office, 'x'.repeat(101)), bounds), full);
    clock += bounds.expiryMs;
    assert.deepEqual(await store.mailbox.pending(kitchen), [], 'expired mail is never handed out');
    await store.mailbox.deposit(mail(kitchen), bounds);
    assert.equal(await store.mailbox.purgeExpired(), 3);
    assert.equal(await store.mailbox.count(kitchen), 1);
    await assert.rejects(store.mailbox.deposit(mail(9999), bounds), (err) =>
      isHiveLinkError(err, 'HL_ERR_NOT_FOUND'),
    );
  });

  it('finds the client of a pinned INTERCOM key, and drops mail with its recipient', async () => {
    await store.pinIntercomKey(kitchen, 'S1BLSUQ=');
    assert.equal(await store.mailbox.recipientOfIntercomKey('S1BLSUQ='), kitchen);
    assert.equal(await store.mailbox.recipientOfIntercomKey('b3RoZXI='), null);
    await store.mailbox.deposit(mail(kitchen), bounds);
    await store.removeClient(kitchen);
    assert.equal(await store.mailbox.count(), 0);
  });
});
