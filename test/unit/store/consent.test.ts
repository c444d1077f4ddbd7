/**
 * The consent part of the store: a client's consent setting (default `ask`, set and validated like its other
 * fields), and the answers per (sender, recipient) — recorded, changed, forgotten, listed, seen by a second
 * connection as the admin CLI would, and removed with either client.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import type { ClientStore } from '../../../src/store/types.js';
import { tempDatabases } from './temp-db.js';

const SECRETS = new Uint8Array(32).fill(3);
const freshDb = tempDatabases('hl-consent-');

describe('consent store', () => {
  let store: ClientStore;
  let cli: ClientStore;
  let office: number;
  let kitchen: number;
  let garage: number;
  let clock = 1000;
  beforeEach(async () => {
    const file = freshDb();
    store = openSqliteStore(file, { secrets: SECRETS, now: () => clock });
    cli = openSqliteStore(file, { secrets: SECRETS });
    office = (await store.addClient({ name: 'office' })).record.id;
    kitchen = (await store.addClient({ name: 'kitchen', consent: 'deny' })).record.id;
    garage = (await store.addClient({ name: 'garage' })).record.id;
  });
  afterEach(async () => {
    await store.close();
    await cli.close();
  });

  it("keeps each client's setting: ask by default, set on add and by patch, validated", async () => {
    assert.equal((await store.getClient(String(office)))?.consent, 'ask');
    assert.equal((await store.getClient(String(kitchen)))?.consent, 'deny');
    const changed = await store.updateClient(office, { consent: 'allow' });
    assert.equal(changed.consent, 'allow');
    assert.equal((await cli.getClient(String(office)))?.consent, 'allow');
    await assert.rejects(store.updateClient(office, { consent: 'maybe' as never }), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
  });

  it('records, changes, lists and forgets answers per (sender, recipient)', async () => {
    assert.equal(await store.consent.get(office, kitchen), null);
    assert.deepEqual(await store.consent.set(office, kitchen, true), {
      senderId: office,
      recipientId: kitchen,
      allow: true,
      decidedAt: 1000,
    });
    clock = 2000;
    await store.consent.set(office, kitchen, false);
    await store.consent.set(garage, kitchen, true);
    await cli.consent.set(kitchen, office, true);
    // The pair is directed: the kitchen allowing the office says nothing about the office allowing the kitchen.
    assert.deepEqual(await cli.consent.get(office, kitchen), {
      senderId: office,
      recipientId: kitchen,
      allow: false,
      decidedAt: 2000,
    });
    assert.deepEqual(
      (await store.consent.list()).map((d) => [d.senderId, d.recipientId, d.allow]),
      [
        [kitchen, office, true],
        [office, kitchen, false],
        [garage, kitchen, true],
      ],
    );
    assert.deepEqual(
      (await store.consent.list(kitchen)).map((d) => d.senderId),
      [office, garage],
    );
    assert.equal(await cli.consent.forget(office, kitchen), true);
    assert.equal(await cli.consent.forget(office, kitchen), false);
    assert.equal(await store.consent.get(office, kitchen), null);
  });

  it('refuses bad pairs and unknown clients, and drops the answers with a removed client', async () => {
    await assert.rejects(store.consent.set(office, office, true), { code: 'HL_ERR_INVALID_ARGUMENT' });
    await assert.rejects(store.consent.get(0, office), { code: 'HL_ERR_INVALID_ARGUMENT' });
    await assert.rejects(store.consent.set(office, 999, true), { code: 'HL_ERR_NOT_FOUND' });
    await store.consent.set(office, garage, true);
    await store.consent.set(garage, kitchen, true);
    await store.removeClient(garage);
    assert.deepEqual(await store.consent.list(), []);
  });
});
