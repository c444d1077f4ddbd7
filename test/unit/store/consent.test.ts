/**
 * The consent part of the store: a client's consent setting (default `ask`, set and validated like its other
 * fields), and the answers per (sender, recipient) — recorded, changed, forgotten, listed, seen by a second
 * connection as the admin CLI would, and removed with either client.
 */
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { describeEngines } from '../../helpers/store-engines.js';
import { tempStore } from './temp-db.js';

describeEngines('consent store', 'hl-consent-', (engine) => {
  let clock = 1000;
  const db = tempStore(engine, { now: () => clock });
  let office: number;
  let kitchen: number;
  let garage: number;
  beforeEach(async () => {
    [office, kitchen, garage] = await db.addClientIds(
      'office',
      { name: 'kitchen', consent: 'deny' },
      'garage',
    );
  });

  it("keeps each client's setting: ask by default, set on add and by patch, validated", async () => {
    assert.equal((await db.store.getClient(String(office)))?.consent, 'ask');
    assert.equal((await db.store.getClient(String(kitchen)))?.consent, 'deny');
    const changed = await db.store.updateClient(office, { consent: 'allow' });
    assert.equal(changed.consent, 'allow');
    assert.equal((await db.cli.getClient(String(office)))?.consent, 'allow');
    await assert.rejects(db.store.updateClient(office, { consent: 'maybe' as never }), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
  });

  it('records, changes, lists and forgets answers per (sender, recipient)', async () => {
    assert.equal(await db.store.consent.get(office, kitchen), null);
    assert.deepEqual(await db.store.consent.set(office, kitchen, true), {
      senderId: office,
      recipientId: kitchen,
      allow: true,
      decidedAt: 1000,
    });
    clock = 2000;
    await db.store.consent.set(office, kitchen, false);
    await db.store.consent.set(garage, kitchen, true);
    await db.cli.consent.set(kitchen, office, true);
    // The pair is directed: the kitchen allowing the office says nothing about the office allowing the kitchen.
    assert.deepEqual(await db.cli.consent.get(office, kitchen), {
      senderId: office,
      recipientId: kitchen,
      allow: false,
      decidedAt: 2000,
    });
    assert.deepEqual(
      (await db.store.consent.list()).map((d) => [d.senderId, d.recipientId, d.allow]),
      [
        [kitchen, office, true],
        [office, kitchen, false],
        [garage, kitchen, true],
      ],
    );
    assert.deepEqual(
      (await db.store.consent.list(kitchen)).map((d) => d.senderId),
      [office, garage],
    );
    assert.equal(await db.cli.consent.forget(office, kitchen), true);
    assert.equal(await db.cli.consent.forget(office, kitchen), false);
    assert.equal(await db.store.consent.get(office, kitchen), null);
  });

  it('refuses bad pairs and unknown clients, and drops the answers with a removed client', async () => {
    await assert.rejects(db.store.consent.set(office, office, true), { code: 'HL_ERR_INVALID_ARGUMENT' });
    await assert.rejects(db.store.consent.get(0, office), { code: 'HL_ERR_INVALID_ARGUMENT' });
    await assert.rejects(db.store.consent.set(office, 999, true), { code: 'HL_ERR_NOT_FOUND' });
    await db.store.consent.set(office, garage, true);
    await db.store.consent.set(garage, kitchen, true);
    await db.store.removeClient(garage);
    assert.deepEqual(await db.store.consent.list(), []);
  });
});
