/**
 * The house from the SDK and over REST (issue 11, docs/PROTOCOL.md §12): a hub built by compose.ts (embedded
 * assistant, 127.0.0.1 port 0) with SDK clients over real sockets.
 *
 * - SDK: `rooms()`, `tell()`, `askRoom()` and `subscribe()` work for a freshly added, non-admin client with the
 *   default allowed types; `announce()` is an admin's (its type is not a default one, and the hub checks the record).
 * - REST: `GET /v1/rooms` for any token (an admin's sees the whole snapshot); `/v1/subscriptions` for an admin's
 *   token, with the codes of `hivelink subscriptions`, and each change in the hub's scheduler when the answer comes.
 *
 * The subscription scheduler runs on a fake clock, so a tick happens when the test moves time; the tests wait on
 * events (a speak arriving, an answer), never on sleeps.
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
import { FakeTimers } from '../helpers/fake-timers.js';
import { composeTestHub, registered, SdkDevice } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';
import { type JsonAnswer, restJson } from './rest-harness.js';

failOnUnhandledRejection();

interface Connected {
  readonly device: SdkDevice;
  readonly client: HiveClient;
  /** Every `speak` utterance it received. */
  readonly speaks: MessageData[];
  /** The next speak (from index `from`) whose utterance matches. */
  heard(match: RegExp, from?: number): Promise<MessageData>;
}

/** A hub with the embedded assistant, subscriptions on a fake clock. */
class TestHouse {
  readonly clients: HiveClient[] = [];
  private constructor(
    readonly composed: ComposedHub,
    readonly url: string,
    readonly base: string,
    readonly clock: FakeTimers,
    readonly dirs: string[],
  ) {}

  static async start(): Promise<TestHouse> {
    const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-house-sdk-'));
    const skillsDir = mkdtempSync(join(tmpdir(), 'hivelink-house-sdk-skills-'));
    const clock = new FakeTimers();
    clock.now = Date.now();
    const { composed, url, port } = await composeTestHub(
      dataDir,
      { agent: 'embedded', limits: { policyRefreshMs: 50 } },
      { skillsDir, subscriptionClock: { timers: clock, now: clock.clock } },
    );
    return new TestHouse(composed, url, `http://127.0.0.1:${port}`, clock, [dataDir, skillsDir]);
  }

  /** A client record (a random strong password) and a bearer token of it. */
  async add(
    name: string,
    extra: Parameters<typeof SdkDevice.add>[2] = {},
  ): Promise<{ device: SdkDevice; token: string }> {
    const device = await SdkDevice.add(this.composed, name, extra);
    return { device, token: await this.composed.data.store.issueToken(device.id) };
  }

  /** Connects `device` and resolves once the hub counts its connection open. */
  async connect(device: SdkDevice): Promise<Connected> {
    const client = device.client(this.url);
    this.clients.push(client);
    const speaks: MessageData[] = [];
    const waiters = new Set<() => void>();
    client.onBus('speak', (m) => {
      speaks.push(m);
      for (const w of [...waiters]) w();
    });
    const open = registered(this.composed, device.id);
    await client.connect();
    await open;
    return {
      device,
      client,
      speaks,
      heard: (match, from = 0) =>
        new Promise((resolve) => {
          const check = () => {
            const m = speaks.slice(from).find((s) => match.test(String(s.data.utterance)));
            if (m === undefined) return;
            waiters.delete(check);
            resolve(m);
          };
          waiters.add(check);
          check();
        }),
    };
  }

  /** A REST call with a bearer token and an optional JSON body. */
  rest(method: string, path: string, token: string | null, body?: unknown): Promise<JsonAnswer> {
    return restJson(this.base, method, path, token, body);
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.close();
    await this.composed.stop();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

const codeOf = (r: { body: Record<string, unknown> }) =>
  (r.body.error as { code?: string } | undefined)?.code;

function rejectsWith(code: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(isHiveLinkError(err, code as never), `${code}: ${String(err)}`);
    return true;
  };
}

describe('the house from the SDK: a default, non-admin client', () => {
  let h: TestHouse;
  let office: Connected;
  let kitchen: Connected;
  let admin: Connected;
  let officeToken: string;
  let adminToken: string;

  before(async () => {
    h = await TestHouse.start();
    const o = await h.add('office-pc', { siteId: 'office' });
    // The kitchen takes messages from anyone in the house without being asked first (consent, §12.8).
    const k = await h.add('kitchen-pi', { siteId: 'kitchen', consent: 'allow' });
    const a = await h.add('ops', {
      isAdmin: true,
      allowedTypes: ['recognizer_loop:utterance', 'hive.house.announce'],
    });
    officeToken = o.token;
    adminToken = a.token;
    office = await h.connect(o.device);
    kitchen = await h.connect(k.device);
    admin = await h.connect(a.device);
  });
  after(() => h.close());

  it('lists the rooms, with who is online', async () => {
    const { rooms, unassigned } = await office.client.rooms();
    const kitchenRoom = rooms.find((r) => r.name === 'kitchen');
    assert.deepEqual(kitchenRoom, {
      name: 'kitchen',
      online: 1,
      conference: 'off',
      clients: [{ name: 'kitchen-pi', online: true, assistant: false }],
    });
    assert.ok(rooms.some((r) => r.name === 'office'));
    assert.deepEqual(unassigned, [{ name: 'ops', online: true }]);
  });

  it('tells the kitchen: its client hears "office says: …"', async () => {
    const from = kitchen.speaks.length;
    const told = await office.client.tell('kitchen', 'dinner is ready');
    assert.deepEqual(told, { room: 'kitchen', delivered: 1, clients: ['kitchen-pi'] });
    const speak = await kitchen.heard(/dinner is ready/, from);
    assert.equal(speak.data.utterance, 'office says: dinner is ready');
  });

  it("asks the kitchen: the hub's assistant answers in the kitchen's session (by: hub)", async () => {
    const answer = await office.client.askRoom('kitchen', 'what time is it');
    assert.equal(answer.room, 'kitchen');
    assert.equal(answer.by, 'hub');
    assert.equal(answer.responder, 'kitchen-pi');
    assert.equal(answer.answers.length, 1);
    assert.match(answer.answers[0]!, /\d/);
  });

  it("throws the hub's code on a refusal", async () => {
    await assert.rejects(office.client.tell('attic', 'hello'), rejectsWith('HL_ERR_ROOM_UNKNOWN'));
    await assert.rejects(
      office.client.askRoom('office', 'what time is it'),
      rejectsWith('HL_ERR_ROOM_EMPTY'),
    );
    await assert.rejects(office.client.tell('kitchen', ' '), rejectsWith('HL_ERR_INVALID_ARGUMENT'));
  });

  it('may not announce: the type is not a default one', async () => {
    await assert.rejects(office.client.announce('hello everyone'), rejectsWith('HL_ERR_POLICY_DENIED'));
  });

  it('an admin client allowed the type announces; the hub still checks the record', async () => {
    const from = kitchen.speaks.length;
    const said = await admin.client.announce('the soup is hot', { room: 'kitchen' });
    assert.deepEqual(said, { room: 'kitchen', delivered: 1, clients: ['kitchen-pi'] });
    assert.equal((await kitchen.heard(/soup/, from)).data.utterance, 'the soup is hot');
    const everywhere = await admin.client.announce('goodnight');
    assert.equal(everywhere.room, null);
    assert.equal(everywhere.delivered, 3);

    const sneaky = await h.add('sneaky', {
      allowedTypes: ['recognizer_loop:utterance', 'hive.house.announce'],
    });
    const client = (await h.connect(sneaky.device)).client;
    await assert.rejects(client.announce('I am the admin now'), rejectsWith('HL_ERR_ADMIN_REQUIRED'));
  });

  it('subscribes itself to a subscription added over REST, and hears its tick', async () => {
    const added = await h.rest('POST', '/v1/subscriptions', adminToken, {
      name: 'Morning News',
      every: '1h',
      text: 'Here is the news.',
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const sub = await office.client.subscribe('the morning news');
    assert.deepEqual(sub, { name: 'morning news', unchanged: false });

    const record = await h.composed.data.store.subscriptions.get('morning news');
    const at = h.composed.subscriptions.nextTickAt(record!.id);
    assert.ok(at !== null);
    const from = office.speaks.length;
    h.clock.advance(at - h.clock.now);
    const speak = await office.heard(/news/, from);
    assert.equal(speak.data.subscription, 'morning news');

    assert.deepEqual(await office.client.unsubscribe('morning news'), {
      name: 'morning news',
      unchanged: false,
    });
    assert.equal((await h.rest('DELETE', '/v1/subscriptions/morning%20news', adminToken)).status, 200);
  });

  it('GET /v1/rooms: any client; an admin sees the whole snapshot', async () => {
    const mine = await h.rest('GET', '/v1/rooms', officeToken);
    assert.equal(mine.status, 200);
    const rooms = mine.body.rooms as { name: string; clients: Record<string, unknown>[] }[];
    const kitchenRoom = rooms.find((r) => r.name === 'kitchen')!;
    assert.deepEqual(kitchenRoom.clients, [{ name: 'kitchen-pi', online: true, assistant: false }]);

    const all = await h.rest('GET', '/v1/rooms', adminToken);
    assert.equal(all.status, 200);
    const full = (all.body.rooms as { name: string; key: string; clients: Record<string, unknown>[] }[]).find(
      (r) => r.name === 'kitchen',
    )!;
    assert.equal(full.key, 'kitchen');
    assert.equal(full.clients[0]!.id, kitchen.device.id);
    assert.equal(full.clients[0]!.from, 'admin');
    assert.equal(full.clients[0]!.connections, 1);

    const none = await h.rest('GET', '/v1/rooms', null);
    assert.equal(none.status, 401);
    assert.equal(codeOf(none), 'HL_ERR_TOKEN_INVALID');
  });

  it('answers a consent question and runs an intercom line, both from the SDK', async () => {
    // A garage that asks (the default): the office's tell waits for the garage's answer.
    const g = await h.add('garage-pi', { siteId: 'garage' });
    const garage = await h.connect(g.device);
    const asked = garage.heard(/wants to talk to you/);
    const told = office.client.tell('garage', 'the car is ready');
    await asked;
    await assert.rejects(told, rejectsWith('HL_ERR_CONSENT_PENDING'));
    const heard = garage.heard(/the car is ready/);
    const answer = await garage.client.consent(true);
    assert.equal(answer.sender, 'office-pc');
    assert.equal(answer.allow, true);
    assert.equal(answer.released, 1);
    assert.equal((await heard).data.utterance, 'office says: the car is ready');

    // The consent is remembered: the line opens at once, and each side hears the other's utterances.
    const opened = new Promise<MessageData>((resolve) =>
      garage.client.onBus('hive.house.intercom.opened', resolve),
    );
    const line = await office.client.intercom('garage');
    assert.equal((await opened).data.side, 'called');
    assert.equal(line.state, 'open');
    assert.equal(line.with, 'garage');
    const relayed = garage.heard(/is the door locked/);
    office.client.emitBus('recognizer_loop:utterance', { utterances: ['is the door locked'] });
    assert.match(String((await relayed).data.utterance), /office.*: is the door locked/);
    assert.equal(await office.client.endIntercom(), line.line);
    await assert.rejects(office.client.endIntercom(), rejectsWith('HL_ERR_INTERCOM_NOT_OPEN'));
  });
});

describe('REST /v1/subscriptions (an admin client token)', () => {
  let h: TestHouse;
  let adminToken: string;
  let userToken: string;
  let listener: Connected;

  before(async () => {
    h = await TestHouse.start();
    adminToken = (await h.add('ops', { isAdmin: true })).token;
    const user = await h.add('office-pc');
    userToken = user.token;
    listener = await h.connect(user.device);
  });
  after(() => h.close());

  const idOf = async (name: string) => (await h.composed.data.store.subscriptions.get(name))?.id ?? -1;

  it("refuses another client's token, and no token", async () => {
    const r = await h.rest('GET', '/v1/subscriptions', userToken);
    assert.equal(r.status, 403);
    assert.equal(codeOf(r), 'HL_ERR_ADMIN_REQUIRED');
    const post = await h.rest('POST', '/v1/subscriptions', userToken, { name: 'x', every: '1h', text: 'x' });
    assert.equal(post.status, 403);
    assert.equal((await h.rest('GET', '/v1/subscriptions', null)).status, 401);
  });

  it('adds a subscription that the scheduler has when the answer comes', async () => {
    const r = await h.rest('POST', '/v1/subscriptions', adminToken, {
      name: 'Weather',
      every: '15m',
      utterance: 'what time is it',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.name, 'weather');
    assert.equal(r.body.schedule, 'every 15m');
    assert.equal(r.body.everyMs, 15 * 60_000);
    assert.equal(r.body.utterance, 'what time is it');
    assert.deepEqual(r.body.subscribers, []);
    assert.equal(typeof r.body.nextTickAt, 'number');
    assert.notEqual(h.composed.subscriptions.nextTickAt(await idOf('weather')), null);
  });

  it('refuses what `hivelink subscriptions add` refuses, with its codes', async () => {
    const add = (body: Record<string, unknown>) => h.rest('POST', '/v1/subscriptions', adminToken, body);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ name: 'a', every: '1m', cron: '* * * * *', text: 't' }, 400, 'HL_ERR_BAD_SCHEDULE'],
      [{ name: 'a', text: 't' }, 400, 'HL_ERR_BAD_SCHEDULE'],
      [{ name: 'a', every: 'soon', text: 't' }, 400, 'HL_ERR_BAD_SCHEDULE'],
      [{ name: 'a', every: '5s', text: 't' }, 400, 'HL_ERR_BAD_SCHEDULE'],
      [{ name: 'a', every: '1h' }, 400, 'HL_ERR_INVALID_ARGUMENT'],
      [{ name: 'a', every: '1h', text: 't', utterance: 'u' }, 400, 'HL_ERR_INVALID_ARGUMENT'],
      [{ name: 'no/slashes', every: '1h', text: 't' }, 400, 'HL_ERR_INVALID_ARGUMENT'],
      [{ name: 'weather', every: '1h', text: 't' }, 409, 'HL_ERR_ALREADY_EXISTS'],
      [{ every: '1h', text: 't' }, 400, 'HL_ERR_BAD_REQUEST'],
    ];
    for (const [body, status, code] of cases) {
      const r = await add(body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(codeOf(r), code, JSON.stringify(body));
    }
  });

  it('subscribes and unsubscribes a client by id or access key; a subscriber hears the next tick', async () => {
    const path = '/v1/subscriptions/weather/subscribers';
    const sub = await h.rest('POST', path, adminToken, { client: listener.device.id });
    assert.equal(sub.status, 200, JSON.stringify(sub.body));
    assert.deepEqual(sub.body, {
      name: 'weather',
      client: { id: listener.device.id, name: 'office-pc' },
      unchanged: false,
    });
    const again = await h.rest('POST', path, adminToken, { client: listener.device.accessKey });
    assert.equal(again.body.unchanged, true);

    const list = await h.rest('GET', '/v1/subscriptions', adminToken);
    const [weather] = list.body.subscriptions as { subscribers: unknown; subscriberNames: unknown }[];
    assert.deepEqual(weather!.subscribers, [listener.device.id]);
    assert.deepEqual(weather!.subscriberNames, ['office-pc']);

    const at = h.composed.subscriptions.nextTickAt(await idOf('weather'));
    assert.ok(at !== null);
    const from = listener.speaks.length;
    h.clock.advance(at - h.clock.now);
    const speak = await listener.heard(/./, from);
    assert.equal(speak.data.subscription, 'weather');

    const off = await h.rest('DELETE', `${path}/${listener.device.id}`, adminToken);
    assert.equal(off.status, 200);
    assert.equal(off.body.unchanged, false);
    const offAgain = await h.rest('DELETE', `${path}/${listener.device.id}`, adminToken);
    assert.equal(offAgain.body.unchanged, true);
  });

  it('answers 404 for an unknown subscription or client', async () => {
    const noSub = await h.rest('POST', '/v1/subscriptions/nothing/subscribers', adminToken, { client: 1 });
    assert.equal(noSub.status, 404);
    assert.equal(codeOf(noSub), 'HL_ERR_NO_SUBSCRIPTION');
    const noClient = await h.rest('POST', '/v1/subscriptions/weather/subscribers', adminToken, {
      client: 999,
    });
    assert.equal(noClient.status, 404);
    assert.equal(codeOf(noClient), 'HL_ERR_NOT_FOUND');
    const noRemove = await h.rest('DELETE', '/v1/subscriptions/nothing', adminToken);
    assert.equal(noRemove.status, 404);
    assert.equal(codeOf(noRemove), 'HL_ERR_NO_SUBSCRIPTION');
  });

  it('removes a subscription: the scheduler drops it when the answer comes', async () => {
    const id = await idOf('weather');
    const r = await h.rest('DELETE', '/v1/subscriptions/Weather', adminToken);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { name: 'weather', subscribers: 0 });
    assert.equal(h.composed.subscriptions.nextTickAt(id), null);
    assert.deepEqual((await h.rest('GET', '/v1/subscriptions', adminToken)).body, { subscriptions: [] });
  });
});
