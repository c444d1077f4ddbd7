/**
 * The house (issue 11) over real sockets: a hub from compose.ts with its embedded assistant, and satellites in three
 * rooms — kitchen, office, garage — placed by the admin's record site or by their HELLO. By voice: the rooms and who
 * is in them; "tell the kitchen …" heard as "office says: …" by every other online kitchen client, both ways;
 * "ask the kitchen …" answered by the hub's assistant in the kitchen's session, and "ask the office …" by the
 * office's own assistant (a client whose HELLO says so), both ways; unknown, empty and offline rooms and a room that
 * does not answer in time each get a clear spoken answer; announcements by voice (admins only) and REST.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Assistant } from '../../src/assistant/assistant.js';
import type { MessageData } from '../../src/bus/types.js';
import type { BusClient } from '../../src/bus/ws-client.js';
import { BusServer } from '../../src/bus/ws-server.js';
import { createHiveClient } from '../../src/client/index.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { type House, heard, type Satellite, say, speeches, startHouse, until } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

/** Answers relayed questions as the office's own assistant would: one speak, then handled. */
function answerAsAssistant(sat: Satellite, answer: (utterance: string) => string): void {
  const seen = new Set<string>();
  const loop = async (): Promise<void> => {
    for (;;) {
      const m = await sat.peer.waitFor((x) => {
        const p = x.payload as unknown as MessageData;
        return (
          x.msg_type === HiveMessageType.BUS &&
          p.type === 'recognizer_loop:utterance' &&
          !seen.has(String(p.context?.hivelink_relay))
        );
      });
      const question = m.payload as unknown as MessageData;
      const relay = String(question.context.hivelink_relay);
      seen.add(relay);
      const utterance = String((question.data.utterances as string[])[0]);
      sat.peer.sendBus('speak', { utterance: answer(utterance), lang: 'en-US' }, { hivelink_relay: relay });
      sat.peer.sendBus('ovos.utterance.handled', {}, { hivelink_relay: relay });
    }
  };
  void loop();
}

describe('the house: rooms, relayed orders and questions, announcements', () => {
  let h: House;
  let kitchen: Satellite;
  let kitchenTablet: Satellite;
  let office: Satellite;
  let officeAssistant: Satellite;
  let boss: Satellite;

  before(async () => {
    h = await startHouse();
    // The admin's site, a HELLO site, and an admin site that wins over the HELLO's.
    kitchen = await h.satellite('kitchen-speaker', { siteId: 'kitchen' });
    kitchenTablet = await h.satellite('kitchen-tablet', { helloSite: 'Kitchen' });
    office = await h.satellite('office-pc', { siteId: 'office', helloSite: 'kitchen' });
    officeAssistant = await h.satellite('office-mycroft', { siteId: 'office', assistant: true });
    boss = await h.satellite('boss-phone', { isAdmin: true });
    await h.client('garage-pi', { siteId: 'garage' }); // never connects: the garage is offline
    await h.composed.data.store.house.setRoom('pantry'); // a room with no client
    answerAsAssistant(officeAssistant, (u) => `The office assistant heard "${u}".`);
  });
  after(() => h?.close());

  it('knows the rooms and who is in them', async () => {
    assert.equal(
      await say(office.peer, 'what rooms are there'),
      'The rooms are garage, kitchen, office and pantry.',
    );
    assert.equal(
      await say(office.peer, 'who is in the kitchen'),
      'In the kitchen: kitchen-speaker and kitchen-tablet, online.',
    );
    assert.equal(await say(kitchen.peer, 'is the garage online'), 'No, the garage is offline.');
    assert.equal(
      await say(kitchen.peer, 'is the office online'),
      'Yes, the office is online: office-pc and office-mycroft.',
    );
  });

  it('relays "tell the kitchen …" to every other online kitchen client, as a speak from the hub', async () => {
    assert.equal(await say(office.peer, 'tell the kitchen dinner is ready'), 'Told the kitchen.');
    for (const sat of [kitchen, kitchenTablet]) {
      const speak = await heard(sat.peer, 'office says: dinner is ready');
      // What stock HiveMind satellites speak: BUS speak from the hub, addressed to the connection.
      assert.equal(speak.context.source, 'hivelink');
      assert.equal(typeof speak.context.destination, 'string');
      assert.equal(speak.data.expect_response, false);
    }
    assert.ok(!speeches(boss.peer).some((s) => s.includes('dinner')), 'nobody outside the kitchen hears it');
    assert.ok(!speeches(office.peer).some((s) => s.includes('office says')), 'not the asker');
  });

  it('relays the other way, and the kitchen tablet is named by its room', async () => {
    assert.equal(await say(kitchenTablet.peer, 'tell the office that the car is here'), 'Told the office.');
    await heard(office.peer, 'Kitchen says: the car is here');
    await heard(officeAssistant.peer, 'Kitchen says: the car is here');
    assert.ok(!speeches(kitchen.peer).some((s) => s.includes('car is here')));
  });

  it('asks the kitchen: the hub assistant answers in the kitchen session, and the office hears it', async () => {
    const answer = await say(office.peer, 'ask the kitchen what time it is');
    assert.match(answer, /^The kitchen says: (It's|The time is) \d{1,2}:\d{2}\.$/);
    assert.ok(!speeches(kitchen.peer).some((s) => s.includes('time')), 'the kitchen is not disturbed');
  });

  it('asks the office: a full-assistant client answers itself, and the kitchen hears what it said', async () => {
    assert.equal(
      await say(kitchen.peer, 'ask the office what time it is'),
      'The office says: The office assistant heard "what time is it".',
    );
  });

  it('answers clearly for an unknown, an empty and an offline room, never with silence', async () => {
    assert.equal(await say(office.peer, 'tell the attic hello'), "I don't know a room called attic.");
    assert.equal(await say(office.peer, 'tell the pantry hello'), 'Nobody is in the pantry.');
    assert.equal(await say(office.peer, 'tell the garage hello'), 'The garage is offline right now.');
    assert.equal(
      await say(office.peer, 'ask the garage what time it is'),
      'The garage is offline right now.',
    );
    assert.equal(await say(boss.peer, 'announce hello in the garage'), 'The garage is offline right now.');
  });

  it('announces by voice for admins only', async () => {
    assert.equal(
      await say(office.peer, 'announce cake in the kitchen'),
      'Only an admin can make announcements.',
    );
    assert.ok(!speeches(kitchen.peer).includes('cake'));
    const done = heard(boss.peer, 'Announced on 5 devices.');
    boss.peer.sendBus('recognizer_loop:utterance', { utterances: ['announce dinner is ready everywhere'] });
    for (const sat of [kitchen, kitchenTablet, office, officeAssistant, boss])
      await heard(sat.peer, 'dinner is ready');
    await done;
    assert.equal(
      await say(boss.peer, 'announce the soup is hot in the kitchen'),
      'Announced in the kitchen, on 2 devices.',
    );
    await heard(kitchen.peer, 'the soup is hot');
    await heard(kitchenTablet.peer, 'the soup is hot');
    assert.ok(!speeches(office.peer).includes('the soup is hot'));
  });

  it('announces over REST with an admin client token only', async () => {
    const store = h.composed.data.store;
    const post = async (token: string, body: unknown) => {
      const res = await fetch(`${h.base}/v1/announce`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const admin = await store.issueToken(boss.id);
    const ok = await post(admin, { text: 'the taxi is here', room: 'office' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { room: 'office', delivered: 2, clients: ['office-pc', 'office-mycroft'] });
    await heard(office.peer, 'the taxi is here');
    await heard(officeAssistant.peer, 'the taxi is here');
    const everyone = await post(admin, { text: 'good night', all: true });
    assert.equal(everyone.status, 200);
    assert.equal(everyone.body.delivered, 5);
    await heard(kitchen.peer, 'good night');
    const code = (r: { body: Record<string, unknown> }) => (r.body.error as { code: string }).code;
    const user = await post(await store.issueToken(office.id), { text: 'hi', all: true });
    assert.deepEqual([user.status, code(user)], [403, 'HL_ERR_ADMIN_REQUIRED']);
    const unknown = await post(admin, { text: 'hi', room: 'attic' });
    assert.deepEqual([unknown.status, code(unknown)], [404, 'HL_ERR_ROOM_UNKNOWN']);
    const offline = await post(admin, { text: 'hi', room: 'garage' });
    assert.deepEqual([offline.status, code(offline)], [409, 'HL_ERR_ROOM_OFFLINE']);
    const empty = await post(admin, { text: 'hi', room: 'pantry' });
    assert.deepEqual([empty.status, code(empty)], [409, 'HL_ERR_ROOM_EMPTY']);
    const bad = await post(admin, { text: '' });
    assert.deepEqual([bad.status, code(bad)], [400, 'HL_ERR_BAD_REQUEST']);
  });

  it('takes a room answer only from the client asked, while it waits', async () => {
    kitchen.peer.sendBus('speak', { utterance: 'forged' }, { hivelink_relay: 'no-such-relay' });
    const denied = await kitchen.peer.waitForBus('hive.policy.denied');
    assert.deepEqual([denied.data.denied_type, denied.data.code], ['speak', 'no_route']);
    // Without a relay id a client's speak is refused by its allowed types, as before.
    office.peer.sendBus('speak', { utterance: 'plain' });
    const acl = await office.peer.waitForBus('hive.policy.denied');
    assert.equal(acl.data.code, 'acl_disallowed_type');
  });
});

describe("the house: a question runs in the asked room's session", () => {
  it("tells the time in the room's time zone, not the asker's or the hub's", async () => {
    const h = await startHouse();
    try {
      const tokyo = (d: Date) =>
        new Intl.DateTimeFormat('en-US', {
          hour: 'numeric',
          minute: '2-digit',
          hourCycle: 'h23',
          timeZone: 'Asia/Tokyo',
        }).format(d);
      await h.satellite('dojo-sat', {
        siteId: 'dojo',
        session: { location: { timezone: { code: 'Asia/Tokyo' } } },
      });
      const asker = await h.satellite('lisbon-sat', {
        siteId: 'lisbon',
        session: { location: { timezone: { code: 'Europe/Lisbon' } } },
      });
      const before = tokyo(new Date());
      const answer = await say(asker.peer, 'ask the dojo what time it is');
      const after = tokyo(new Date());
      assert.ok(
        [before, after].some(
          (t) => answer === `The dojo says: It's ${t}.` || answer === `The dojo says: The time is ${t}.`,
        ),
        `${answer} (Tokyo: ${before})`,
      );
    } finally {
      await h.close();
    }
  });
});

describe('the house and the SDK client', () => {
  it('a HiveClient in a room (by its HELLO site) hears an order, and asks the house over the bus itself', async () => {
    const h = await startHouse();
    try {
      const office = await h.satellite('office-sat', { siteId: 'office' });
      const c = await h.client('kitchen-sdk', {
        allowedTypes: ['recognizer_loop:utterance', 'hive.house.rooms'],
        password: 'hl-house-sdk-Zq9vLw3k',
      });
      const client = createHiveClient({
        url: h.url,
        accessKey: c.accessKey,
        password: 'hl-house-sdk-Zq9vLw3k',
        siteId: 'kitchen',
        reconnect: { enabled: false },
      });
      await client.connect();
      try {
        await until(() => [...h.composed.hub.ctx.peers.values()].some((p) => p.siteId === 'kitchen'));
        const spoken = new Promise<string>((resolve) =>
          client.onBus('speak', (m) => resolve(String(m.data.utterance))),
        );
        assert.equal(await say(office.peer, 'tell the kitchen dinner is ready'), 'Told the kitchen.');
        assert.equal(await spoken, 'office says: dinner is ready');
        const answer = new Promise<MessageData>((resolve) =>
          client.onBus('hive.house.rooms.response', resolve),
        );
        client.emitBus('hive.house.rooms', { room: 'kitchen' });
        const room = (await answer).data.room as {
          name: string;
          clients: { name: string; online: boolean }[];
        };
        assert.deepEqual(room.clients, [{ name: 'kitchen-sdk', online: true, assistant: false }]);
      } finally {
        await client.close();
      }
    } finally {
      await h.close();
    }
  });
});

describe('the house with a separate assistant (agent ovos)', () => {
  it('relays by voice when the assistant runs on an OVOS bus of its own', async () => {
    const server = new BusServer({ port: 0, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const { port } = await server.start();
    const assistant = new Assistant({ bus: server.localBus(), onError: () => undefined });
    await assistant.start();
    const h = await startHouse({ agent: 'ovos', ovosUrl: `ws://127.0.0.1:${port}/core` });
    try {
      await (h.composed.bus as BusClient).connect();
      const kitchen = await h.satellite('kitchen-sat', { siteId: 'kitchen' });
      const office = await h.satellite('office-sat', { siteId: 'office' });
      assert.equal(await say(office.peer, 'tell the kitchen dinner is ready'), 'Told the kitchen.');
      await heard(kitchen.peer, 'office says: dinner is ready');
      assert.match(await say(office.peer, 'ask the kitchen what time it is'), /^The kitchen says: /);
      assert.equal(await say(kitchen.peer, 'what rooms are there'), 'The rooms are kitchen and office.');
    } finally {
      await h.close();
      assistant.stop();
      await server.stop();
    }
  });
});

describe('the house: bounds', () => {
  it('says the room did not answer within relayAskTimeoutMs', async () => {
    const h = await startHouse({ limits: { relayAskTimeoutMs: 300 } });
    try {
      const asker = await h.satellite('hall-sat', { siteId: 'hall' });
      const mute = await h.satellite('cellar-mycroft', { siteId: 'cellar', assistant: true });
      const asked = mute.peer.waitForBus('recognizer_loop:utterance');
      assert.equal(await say(asker.peer, 'ask the cellar what time it is'), 'The cellar did not answer.');
      const question = await asked;
      // Its answer after the wait is refused: nobody waits for it any more.
      mute.peer.sendBus('speak', { utterance: 'late' }, { hivelink_relay: question.context.hivelink_relay });
      assert.equal((await mute.peer.waitForBus('hive.policy.denied')).data.code, 'no_route');
    } finally {
      await h.close();
    }
  });

  it('refuses a relayed question past maxPendingRelays, and a relay from within a relay', async () => {
    const h = await startHouse({ limits: { maxPendingRelays: 1, relayAskTimeoutMs: 2000 } });
    try {
      const a = await h.satellite('attic-sat', { siteId: 'attic' });
      const b = await h.satellite('basement-sat', { siteId: 'basement' });
      const mute = await h.satellite('cellar-mycroft', { siteId: 'cellar', assistant: true });
      const first = say(a.peer, 'ask the cellar what time it is');
      await mute.peer.waitForBus('recognizer_loop:utterance');
      assert.equal(
        await say(b.peer, 'ask the cellar what time it is'),
        'Too many questions are waiting for their rooms. Try again in a moment.',
      );
      assert.equal(await first, 'The cellar did not answer.');
      // The basement's question runs in the basement's session on the hub's assistant: it may not relay again.
      assert.equal(
        await say(a.peer, 'ask the basement to tell the attic hello'),
        'The basement says: I cannot pass that on from a relayed question.',
      );
      assert.ok(!speeches(a.peer).includes('basement says: hello'));
      await until(() => h.composed.hub.ctx.peers.size === 3);
    } finally {
      await h.close();
    }
  });

  it('refuses an announcement longer than maxUtteranceChars', async () => {
    const h = await startHouse({ limits: { maxUtteranceChars: 64 } });
    try {
      const boss = await h.satellite('boss', { isAdmin: true, siteId: 'office' });
      const token = await h.composed.data.store.issueToken(boss.id);
      const res = await fetch(`${h.base}/v1/announce`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ text: 'x'.repeat(65), all: true }),
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'HL_ERR_BAD_REQUEST');
    } finally {
      await h.close();
    }
  });
});
