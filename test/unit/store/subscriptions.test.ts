/**
 * Subscriptions at rest: names match however they are spelled, the caps hold, and a subscriber is owed exactly the
 * last tick it missed — never one from before it subscribed, never the same one twice.
 */
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { isHiveLinkError } from '../../../src/errors.js';
import { normalizeSubscriptionName } from '../../../src/store/subscriptions.js';
import { describeEngines } from '../../helpers/store-engines.js';
import { tempStore } from './temp-db.js';

const code = (c: string) => (err: unknown) => isHiveLinkError(err) && err.code === c;

describeEngines('subscription store', 'hl-subs-', (engine) => {
  let clock: number;
  const db = tempStore(engine, { now: () => clock });
  let kitchen: number;
  let office: number;
  beforeEach(async () => {
    clock = 1_700_000_000_000;
    [kitchen, office] = await db.addClientIds('kitchen', 'office');
  });

  it('spells a name one way: case, dashes, underscores and spaces', () => {
    assert.equal(normalizeSubscriptionName('  Morning-News_ '), 'morning news');
    assert.equal(normalizeSubscriptionName("Dad's  Jokes"), "dad's jokes");
    assert.throws(() => normalizeSubscriptionName('  '), code('HL_ERR_INVALID_ARGUMENT'));
    assert.throws(() => normalizeSubscriptionName('news; drop table'), code('HL_ERR_INVALID_ARGUMENT'));
    assert.throws(() => normalizeSubscriptionName('x'.repeat(65)), code('HL_ERR_INVALID_ARGUMENT'));
  });

  it('adds, finds by any spelling, lists and removes', async () => {
    const added = await db.store.subscriptions.add({
      name: 'Morning-News',
      cron: '0 7 * * *',
      text: 'Good morning',
    });
    assert.equal(added.name, 'morning news');
    assert.equal(added.cron, '0 7 * * *');
    assert.equal(added.everyMs, null);
    assert.equal(added.createdAt, clock);
    assert.equal(added.ticks, 0);
    assert.deepEqual(added.subscribers, []);
    await db.store.subscriptions.add({ name: 'time', everyMs: 3_600_000, utterance: 'what time is it' });
    assert.equal((await db.store.subscriptions.get('MORNING NEWS'))?.id, added.id);
    assert.deepEqual(
      (await db.store.subscriptions.list()).map((s) => [s.name, s.everyMs, s.utterance, s.lang]),
      [
        ['morning news', null, null, 'en-us'],
        ['time', 3_600_000, 'what time is it', 'en-us'],
      ],
    );
    await assert.rejects(
      db.store.subscriptions.add({ name: 'morning news', everyMs: 60_000, text: 'again' }),
      code('HL_ERR_ALREADY_EXISTS'),
    );
    await db.store.subscriptions.remove('morning_news');
    assert.equal(await db.store.subscriptions.get('morning news'), null);
    await assert.rejects(db.store.subscriptions.remove('morning news'), code('HL_ERR_NO_SUBSCRIPTION'));
  });

  it('refuses a subscription with both or neither schedule, or both or neither message', async () => {
    const s = db.store.subscriptions;
    await assert.rejects(s.add({ name: 'a', text: 'x' }), code('HL_ERR_INVALID_ARGUMENT'));
    await assert.rejects(
      s.add({ name: 'a', everyMs: 1000, cron: '* * * * *', text: 'x' }),
      code('HL_ERR_INVALID_ARGUMENT'),
    );
    await assert.rejects(s.add({ name: 'a', everyMs: 1000 }), code('HL_ERR_INVALID_ARGUMENT'));
    await assert.rejects(
      s.add({ name: 'a', everyMs: 1000, text: 'x', utterance: 'y' }),
      code('HL_ERR_INVALID_ARGUMENT'),
    );
    await assert.rejects(s.add({ name: 'a', everyMs: 1000, text: '   ' }), code('HL_ERR_INVALID_ARGUMENT'));
  });

  it('keeps at most maxSubscriptions subscriptions and maxSubscribers per subscription', async () => {
    const s = db.store.subscriptions;
    await s.add({ name: 'one', everyMs: 60_000, text: '1' }, { maxSubscriptions: 2 });
    await s.add({ name: 'two', everyMs: 60_000, text: '2' }, { maxSubscriptions: 2 });
    await assert.rejects(
      s.add({ name: 'three', everyMs: 60_000, text: '3' }, { maxSubscriptions: 2 }),
      code('HL_ERR_TOO_MANY_SUBSCRIPTIONS'),
    );
    assert.equal(await s.subscribe('one', kitchen, { maxSubscribers: 1 }), 'subscribed');
    assert.equal(
      await s.subscribe('one', kitchen, { maxSubscribers: 1 }),
      'already',
      'again is not one more',
    );
    await assert.rejects(
      s.subscribe('one', office, { maxSubscribers: 1 }),
      code('HL_ERR_TOO_MANY_SUBSCRIBERS'),
    );
  });

  it('subscribes and unsubscribes known clients only, and forgets subscribers of a removed client', async () => {
    const s = db.store.subscriptions;
    await s.add({ name: 'news', everyMs: 60_000, text: 'n' });
    await assert.rejects(s.subscribe('weather', kitchen), code('HL_ERR_NO_SUBSCRIPTION'));
    await assert.rejects(s.subscribe('news', 999), code('HL_ERR_NOT_FOUND'));
    await s.subscribe('news', kitchen);
    await s.subscribe('news', office);
    assert.deepEqual((await s.get('news'))?.subscribers, [kitchen, office]);
    assert.deepEqual(
      (await s.subscriptionsOf(kitchen)).map((r) => r.name),
      ['news'],
    );
    assert.equal(await s.unsubscribe('news', kitchen), true);
    assert.equal(await s.unsubscribe('news', kitchen), false);
    await db.store.removeClient(office);
    assert.deepEqual((await s.get('news'))?.subscribers, []);
  });

  it('owes a subscriber the last tick it missed, once, and nothing from before it subscribed', async () => {
    const s = db.store.subscriptions;
    const news = await s.add({ name: 'news', everyMs: 60_000, text: 'n' });
    assert.equal(await s.recordTick(news.id, clock + 60_000, 'before anyone'), 1);
    await s.subscribe('news', kitchen);
    assert.deepEqual(await s.pendingFor(kitchen), [], 'a new subscriber owes nothing');
    assert.equal(await s.recordTick(news.id, clock + 120_000, 'second'), 2);
    assert.equal(await s.recordTick(news.id, clock + 180_000, 'third'), 3);
    assert.deepEqual(await s.pendingFor(kitchen), [
      { subscriptionId: news.id, name: 'news', tick: 3, tickAt: clock + 180_000, message: 'third' },
    ]);
    await s.markDelivered(news.id, kitchen, 3);
    assert.deepEqual(await s.pendingFor(kitchen), []);
    await s.markDelivered(news.id, kitchen, 2);
    assert.deepEqual(await s.pendingFor(kitchen), [], 'a late mark never moves it back');
    assert.equal(await s.recordTick(999, clock, 'gone'), 0, 'a removed subscription counts nothing');
  });
});
