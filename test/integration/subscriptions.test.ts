/**
 * Subscriptions ("newsletters", issue 11) through a real hub built by compose.ts (embedded assistant, 127.0.0.1 port
 * 0) and SDK clients over real sockets. The scheduler runs on the shared fake clock, so a tick happens when the test
 * moves time; everything else (sockets, the store, the assistant) is real. The tests wait on events — a speak
 * arriving, an answer to an ask, the service going idle — never on sleeps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MessageData } from '../../src/bus/types.js';
import type { HiveClient } from '../../src/client/index.js';
import { isHiveLinkError } from '../../src/errors.js';
import type { ComposedHub } from '../../src/hub/compose.js';
import type { HubConfigInput } from '../../src/hub/config.js';
import { FakeTimers } from '../helpers/fake-timers.js';
import { buildOnce, childEnv, run } from './cli-process.js';
import { composeTestHub, registered, SdkDevice } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';
import { startedForSuite } from './suite-fixture.js';

failOnUnhandledRejection();

const MIN = 60_000;

/** A speak the hub sent for a subscription, as a client saw it. */
interface Heard {
  readonly utterance: string;
  readonly subscription: string;
  readonly tick: number;
  readonly missed: boolean;
}

interface Satellite {
  readonly id: number;
  readonly name: string;
  readonly client: HiveClient;
  /** Every subscription speak this connection received, in order. */
  readonly heard: Heard[];
  /** Resolves with the next subscription speak (or the one already heard beyond `count`). */
  next(count?: number): Promise<Heard>;
}

interface House {
  readonly composed: ComposedHub;
  readonly clock: FakeTimers;
  readonly dataDir: string;
  readonly url: string;
  addClient(name: string, extra?: { isAdmin?: boolean; allowedTypes?: string[] }): Promise<SdkDevice>;
  connect(device: SdkDevice): Promise<Satellite>;
  close(): Promise<void>;
}

async function startHouse(input: HubConfigInput = {}): Promise<House> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-subs-'));
  const clock = new FakeTimers();
  clock.now = Date.now();
  const { composed, url } = await composeTestHub(
    dataDir,
    { ...input, limits: { policyRefreshMs: 50, ...input.limits } },
    { subscriptionClock: { timers: clock, now: clock.clock } },
  );
  const clients: HiveClient[] = [];
  return {
    composed,
    clock,
    dataDir,
    url,
    addClient: (name, extra = {}) => SdkDevice.add(composed, name, extra),
    async connect(device) {
      const client = device.client(url);
      clients.push(client);
      const heard: Heard[] = [];
      const waiters: { count: number; resolve: (h: Heard) => void }[] = [];
      client.onBus('speak', (m: MessageData) => {
        if (typeof m.data.subscription !== 'string') return;
        heard.push({
          utterance: String(m.data.utterance),
          subscription: m.data.subscription,
          tick: Number(m.data.tick),
          missed: m.data.missed === true,
        });
        for (const w of [...waiters]) {
          if (heard.length > w.count) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(heard[w.count]!);
          }
        }
      });
      // Open for the hub too (it registers a connection once the client's first frame proves its key), and what a
      // returning client missed already said: every test starts from a settled hub.
      const open = registered(composed, device.id);
      await client.connect();
      await open;
      await composed.subscriptions.settled();
      return {
        id: device.id,
        name: device.name,
        client,
        heard,
        next(count = heard.length) {
          if (heard.length > count) return Promise.resolve(heard[count]!);
          return new Promise((resolve) => waiters.push({ count, resolve }));
        },
      };
    },
    async close() {
      for (const c of clients) c.close();
      await composed.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Moves the fake clock to the next tick of subscription `name` and waits until the hub has delivered it. */
async function tick(house: House, name: string): Promise<void> {
  const record = await house.composed.data.store.subscriptions.get(name);
  const at = record === null ? null : house.composed.subscriptions.nextTickAt(record.id);
  assert.ok(at !== null, `${name} is scheduled`);
  house.clock.advance(at - house.clock.now);
  await house.composed.subscriptions.settled();
}

/** Closes `sat` and resolves once the hub no longer counts any connection of its client as open. */
async function disconnect(house: House, sat: Satellite): Promise<void> {
  const { hub } = house.composed;
  const online = () => [...hub.ctx.peers.values()].some((c) => c.record.id === sat.id);
  const gone = new Promise<void>((resolve) => {
    const off = hub.onPeersChanged(() => {
      if (!online()) {
        off();
        resolve();
      }
    });
  });
  sat.client.close();
  await gone;
}

/**
 * Proves `sat` got nothing more: an ask round trip on the same connection (a speak sent before the answer arrives
 * before it), then the service idle.
 */
async function quiet(house: House, sat: Satellite): Promise<void> {
  await sat.client.ask('what time is it');
  await house.composed.subscriptions.settled();
}

describe('subscriptions over real sockets', () => {
  const house = startedForSuite(() => startHouse());

  it('delivers a tick to the online subscribers only', async () => {
    const kitchen = await house.connect(await house.addClient('kitchen'));
    const office = await house.connect(await house.addClient('office'));
    const garage = await house.connect(await house.addClient('garage'));
    const subs = house.composed.data.store.subscriptions;
    await subs.add({ name: 'Dinner Bell', everyMs: 10 * MIN, text: 'Dinner is ready.' });
    await subs.subscribe('dinner bell', kitchen.id);
    await subs.subscribe('dinner bell', office.id);
    await house.composed.subscriptions.reload();

    await tick(house, 'dinner bell');
    const [k, o] = await Promise.all([kitchen.next(0), office.next(0)]);
    assert.deepEqual(k, {
      utterance: 'Dinner is ready.',
      subscription: 'dinner bell',
      tick: 1,
      missed: false,
    });
    assert.deepEqual(o, k);
    await quiet(house, garage);
    assert.deepEqual(garage.heard, [], 'a client that did not subscribe hears nothing');
    await tick(house, 'dinner bell');
    assert.equal((await kitchen.next(1)).tick, 2);
    for (const s of [kitchen, office, garage]) s.client.close();
    await subs.remove('dinner bell');
  });

  it('says the last tick missed while offline once, when the subscriber reconnects', async () => {
    const creds = await house.addClient('bedroom');
    const subs = house.composed.data.store.subscriptions;
    await subs.add({ name: 'night news', everyMs: 5 * MIN, text: 'Here is the news.' });
    await subs.subscribe('night news', creds.id);
    await house.composed.subscriptions.reload();

    const first = await house.connect(creds);
    await tick(house, 'night news');
    assert.equal((await first.next(0)).tick, 1);
    await disconnect(house, first);

    await tick(house, 'night news'); // tick 2: nobody online
    await tick(house, 'night news'); // tick 3: nobody online
    const back = await house.connect(creds);
    assert.deepEqual(await back.next(0), {
      utterance: 'Here is the news.',
      subscription: 'night news',
      tick: 3,
      missed: true,
    });
    await quiet(house, back);
    assert.equal(back.heard.length, 1, 'the last missed tick only, once');
    await disconnect(house, back);

    const again = await house.connect(creds);
    await quiet(house, again);
    assert.deepEqual(again.heard, [], 'heard already: not said again');
    again.client.close();
    await subs.remove('night news');
  });

  it('subscribes and unsubscribes by voice, and the next tick follows', async () => {
    const subs = house.composed.data.store.subscriptions;
    await subs.add({ name: 'morning news', cron: '*/5 * * * *', text: 'Good morning, here is the news.' });
    await house.composed.subscriptions.reload();
    const hall = await house.connect(await house.addClient('hall'));

    const said = async (utterance: string) => (await hall.client.ask(utterance)).answers;
    assert.deepEqual(await said('subscribe me to the morning news'), [
      'You are now subscribed to morning news.',
    ]);
    assert.deepEqual(await said('what am I subscribed to'), ['You are subscribed to morning news.']);
    assert.deepEqual(await said('subscribe me to the weather'), [
      'There is no subscription called weather. You can subscribe to morning news.',
    ]);
    assert.deepEqual(
      (await subs.get('morning news'))?.subscribers,
      [hall.id],
      'the asking client, by the hub',
    );

    await tick(house, 'morning news');
    assert.equal((await hall.next(0)).utterance, 'Good morning, here is the news.');
    assert.deepEqual(await said('unsubscribe me from the morning news'), [
      'You are no longer subscribed to morning news.',
    ]);
    await tick(house, 'morning news');
    await quiet(house, hall);
    assert.equal(hall.heard.length, 1, 'nothing after unsubscribing');
    hall.client.close();
    await subs.remove('morning news');
  });

  it('subscribes from the SDK as the connection, refusing a type the client may not send', async () => {
    const subs = house.composed.data.store.subscriptions;
    await subs.add({ name: 'jokes', everyMs: 30 * MIN, text: 'A joke a day.' });
    // A new client may subscribe by default (§7.1); one whose list an admin narrowed may not.
    const plain = await house.connect(
      await house.addClient('plain', { allowedTypes: ['recognizer_loop:utterance'] }),
    );
    await assert.rejects(plain.client.subscribe('jokes'), (err: unknown) =>
      isHiveLinkError(err, 'HL_ERR_POLICY_DENIED'),
    );
    const allowed = await house.connect(
      await house.addClient('porch', {
        allowedTypes: ['hive.subscriptions.subscribe', 'hive.subscriptions.unsubscribe'],
      }),
    );
    assert.deepEqual(await allowed.client.subscribe('Jokes'), { name: 'jokes', unchanged: false });
    assert.deepEqual(await allowed.client.subscribe('jokes'), { name: 'jokes', unchanged: true });
    await assert.rejects(allowed.client.subscribe('weather'), (err: unknown) =>
      isHiveLinkError(err, 'HL_ERR_NO_SUBSCRIPTION'),
    );
    assert.deepEqual((await subs.get('jokes'))?.subscribers, [allowed.id]);
    assert.deepEqual(await allowed.client.unsubscribe('jokes'), { name: 'jokes', unchanged: false });
    assert.deepEqual((await subs.get('jokes'))?.subscribers, []);
    plain.client.close();
    allowed.client.close();
    await subs.remove('jokes');
  });

  it("says the assistant's answer of an --utterance subscription", async () => {
    const subs = house.composed.data.store.subscriptions;
    const sat = await house.connect(await house.addClient('study'));
    await subs.add({ name: 'speaking clock', everyMs: 15 * MIN, utterance: 'what time is it' });
    await subs.subscribe('speaking clock', sat.id);
    await house.composed.subscriptions.reload();
    await tick(house, 'speaking clock');
    const heard = await sat.next(0);
    assert.equal(heard.subscription, 'speaking clock');
    assert.match(heard.utterance, /^(It's|The time is) \d{1,2}:\d{2}\.$/, 'what the time skill says');
    sat.client.close();
    await subs.remove('speaking clock');
  });
});

describe('subscriptions from the CLI (child processes) reach a running hub', () => {
  let house: House;
  before(async () => {
    buildOnce();
    house = await startHouse();
  });
  after(() => house.close());

  it('adds, subscribes, lists and removes; the hub schedules and delivers without a restart', async () => {
    const sat = await house.connect(await house.addClient('kitchen'));
    const env = childEnv({ XDG_CONFIG_HOME: join(house.dataDir, 'config') });
    const cli = (...args: string[]) => run(['subscriptions', ...args, '--data-dir', house.dataDir], env);

    const scheduled = new Promise<void>((resolve) => {
      const off = house.composed.subscriptions.onReload((names) => {
        if (names.includes('tea time')) {
          off();
          resolve();
        }
      });
    });
    const added = await cli('add', 'Tea-Time', '--every', '30m', '--text', 'Time for tea.');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Added subscription "tea time": every 30m, says "Time for tea."/);
    const subscribed = await cli('subscribe', 'tea time', String(sat.id));
    assert.equal(subscribed.code, 0, subscribed.stderr);
    assert.match(subscribed.stdout, /Subscribed client \d+ "kitchen" to "tea time"/);
    await scheduled;

    await tick(house, 'tea time');
    assert.deepEqual(await sat.next(0), {
      utterance: 'Time for tea.',
      subscription: 'tea time',
      tick: 1,
      missed: false,
    });

    const listed = await cli('list', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    const [row] = JSON.parse(listed.stdout) as {
      name: string;
      schedule: string;
      subscribers: number[];
      ticks: number;
    }[];
    assert.deepEqual(
      { name: row!.name, schedule: row!.schedule, subscribers: row!.subscribers, ticks: row!.ticks },
      { name: 'tea time', schedule: 'every 30m', subscribers: [sat.id], ticks: 1 },
    );

    const tooOften = await cli('add', 'spam', '--every', '10s', '--text', 'x');
    assert.equal(tooOften.code, 1);
    assert.match(tooOften.stderr, /HL_ERR_BAD_SCHEDULE|shortest interval allowed is 1m/);
    const bad = await cli('add', 'broken', '--cron', 'every morning', '--text', 'x');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a cron expression/);

    const removed = await new Promise<void>((resolve) => {
      const off = house.composed.subscriptions.onReload((names) => {
        if (!names.includes('tea time')) {
          off();
          resolve();
        }
      });
      void cli('remove', 'tea time').then((r) => assert.equal(r.code, 0, r.stderr));
    });
    await removed;
    assert.equal(house.composed.subscriptions.nextTickAt(1), null, 'no longer scheduled');
    sat.client.close();
  });
});
