/**
 * Conference, a room as a chat room (issue 11, docs/PROTOCOL.md §12.10), over real sockets: a hub from compose.ts
 * with its embedded assistant and three SDK members (HiveClient, v3) in the kitchen, one in the office. Set by the
 * real `hivelink rooms set` child process against the running hub on its data dir, by an admin's voice, and over
 * REST: with `on` each member hears the other two's lines ("kitchen-tablet says: hello", with meta naming the
 * speaker) and never its own, and the speaker is still answered; with `only` it is not (its turn just ends); the
 * office hears nothing; non-admins are refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MessageData } from '../../src/bus/types.js';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import { buildOnce, childEnv, run } from './cli-process.js';
import { type House, startHouse, until } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

/** One SDK member: its client and every `speak` it got, in order. */
interface Member {
  readonly id: number;
  readonly name: string;
  readonly client: HiveClient;
  readonly heard: MessageData[];
  /** Resolves with the first `speak` (got already or later) whose utterance is `utterance`. */
  hears(utterance: string): Promise<MessageData>;
}

let counter = 0;

async function member(
  h: House,
  name: string,
  options: { siteId: string; isAdmin?: boolean; allowedTypes?: string[]; consent?: 'deny' },
): Promise<Member> {
  counter += 1;
  const password = `hl-conference-${counter}-Zq9vLw3k`;
  const { record } = await h.composed.data.store.addClient({ name, password, ...options });
  const client = createHiveClient({
    url: h.url,
    accessKey: record.accessKey,
    password,
    reconnect: { enabled: false },
  });
  const heard: MessageData[] = [];
  const waiters = new Set<() => void>();
  client.onBus('speak', (m) => {
    heard.push(m);
    for (const w of [...waiters]) w();
  });
  await client.connect();
  await until(() => [...h.composed.hub.ctx.peers.values()].some((p) => p.record.id === record.id));
  return {
    id: record.id,
    name,
    client,
    heard,
    hears: (utterance) =>
      new Promise((resolve) => {
        const check = () => {
          const m = heard.find((x) => x.data.utterance === utterance);
          if (m === undefined) return;
          waiters.delete(check);
          resolve(m);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Says `text` as a member without waiting for an answer. */
function speak(m: Member, text: string): void {
  m.client.emitBus('recognizer_loop:utterance', { utterances: [text], lang: 'en-US' });
}

/** The `says:` lines `m` heard. */
function lines(m: Member): string[] {
  return m.heard.map((x) => String(x.data.utterance)).filter((u) => u.includes(' says: '));
}

describe('conference: a room as a chat room', () => {
  let h: House;
  let boss: Member;
  let tablet: Member;
  let speaker: Member;
  let office: Member;
  const env = childEnv();

  before(async () => {
    buildOnce();
    h = await startHouse();
    boss = await member(h, 'kitchen-boss', { siteId: 'kitchen', isAdmin: true });
    tablet = await member(h, 'kitchen-tablet', { siteId: 'kitchen' });
    speaker = await member(h, 'kitchen-speaker', { siteId: 'Kitchen' });
    // It may send the house's bus request itself (and is refused: not an admin).
    office = await member(h, 'office-pc', {
      siteId: 'office',
      allowedTypes: ['recognizer_loop:utterance', 'hive.house.room.set'],
    });
  });
  after(async () => {
    for (const m of [boss, tablet, speaker, office]) m?.client.close();
    await h?.close();
  });

  it('is set by `hivelink rooms set` against the running hub, with only --data-dir', async () => {
    const r = await run(
      ['rooms', 'set', 'the kitchen', '--conference', 'on', '--json', '--data-dir', h.dataDir],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(
      { ...out, online: (out.online as string[]).sort() },
      {
        ok: true,
        room: 'kitchen',
        conference: 'on',
        was: 'off',
        online: ['kitchen-boss', 'kitchen-speaker', 'kitchen-tablet'],
        hubRunning: true,
      },
    );
    const listed = await run(['rooms', '--json', '--data-dir', h.dataDir], env);
    const rooms = (JSON.parse(listed.stdout) as { rooms: { name: string; conference: string }[] }).rooms;
    assert.deepEqual(
      rooms.map((x) => [x.name, x.conference]),
      [
        ['kitchen', 'on'],
        ['office', 'off'],
      ],
    );
    const unknown = await run(['rooms', 'set', 'attic', '--conference', 'on', '--data-dir', h.dataDir], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no room called "attic"/);
  });

  it("on: each member hears the other two's lines, not its own; another room hears nothing", async () => {
    const members = [boss, tablet, speaker];
    for (const m of members) speak(m, `hello from ${m.name}`);
    for (const m of members) {
      for (const other of members.filter((x) => x !== m)) {
        const line = await m.hears(`${other.name} says: hello from ${other.name}`);
        // What a stock HiveMind satellite speaks, with who said it for clients that show it.
        assert.equal(line.context.source, 'hivelink');
        assert.equal(line.data.expect_response, false);
        assert.deepEqual(line.data.meta, {
          skill: 'hivelink.house',
          conference: 'kitchen',
          speaker: other.name,
          text: `hello from ${other.name}`,
        });
      }
    }
    // Each heard the last member's line after its own would have come: none heard itself.
    for (const m of members) assert.ok(!lines(m).some((l) => l.startsWith(`${m.name} says:`)), m.name);
    // The office asks something after all that: had it been sent a line, it would have come first.
    const answer = await office.client.ask('what time is it');
    assert.equal(answer.answers.length, 1);
    assert.deepEqual(lines(office), []);
  });

  it('on: the speaker is still answered, and the others hear the question', async () => {
    const answer = await tablet.client.ask('what time is it');
    assert.match(answer.answers[0] ?? '', /\d{1,2}:\d{2}/);
    await boss.hears('kitchen-tablet says: what time is it');
    await speaker.hears('kitchen-tablet says: what time is it');
  });

  it('on: a member whose consent is deny hears no lines', async () => {
    const radio = await member(h, 'kitchen-radio', { siteId: 'kitchen', consent: 'deny' });
    try {
      speak(boss, 'is anyone listening');
      await tablet.hears('kitchen-boss says: is anyone listening');
      // Its own question comes after the line would have.
      assert.equal((await radio.client.ask('what time is it')).answers.length, 1);
      assert.deepEqual(lines(radio), []);
    } finally {
      radio.client.close();
    }
  });

  it('only, by the voice of an admin: lines are delivered and not answered', async () => {
    const set = await boss.client.ask('set the conference to only in the kitchen');
    assert.deepEqual(set.answers, [
      'The conference is on in the kitchen, without me: I will not answer there until it stops.',
    ]);
    const answer = await speaker.client.ask('what time is it');
    assert.deepEqual([answer.answers, answer.handled], [[], true], 'the turn ends unanswered');
    await boss.hears('kitchen-speaker says: what time is it');
    const line = await tablet.hears('kitchen-speaker says: what time is it');
    assert.equal((line.data.meta as { conference: string }).conference, 'kitchen');
  });

  it('refuses a non-admin by voice and on the bus, and lets an admin stop it from inside the room', async () => {
    const refused = await tablet.client.ask('stop the conference');
    assert.deepEqual(refused.answers, ['Only an admin can start or stop a conference.']);
    const response = new Promise<MessageData>((resolve) =>
      office.client.onBus('hive.house.room.set.response', resolve),
    );
    office.client.emitBus('hive.house.room.set', { room: 'kitchen', conference: 'off' });
    const refusal = (await response).data;
    assert.deepEqual([refusal.ok, refusal.code], [false, 'HL_ERR_ADMIN_REQUIRED']);
    // "stop the conference" names the conference: in `only` mode it still reaches the assistant.
    const stopped = await boss.client.ask('stop the conference');
    assert.deepEqual(stopped.answers, ['The conference in the kitchen is off.']);
    const after = await speaker.client.ask('what time is it');
    assert.equal(after.answers.length, 1, 'answered again');
    const started = await boss.client.ask('start a conference in the kitchen');
    assert.deepEqual(started.answers, [
      'The conference is on in the kitchen: everyone there hears each other.',
    ]);
    const off = await boss.client.ask('turn the conference off in the kitchen');
    assert.deepEqual(off.answers, ['The conference in the kitchen is off.']);
  });

  it('is set over REST with an admin token only', async () => {
    const store = h.composed.data.store;
    const post = async (token: string, room: string, body: unknown) => {
      const res = await fetch(`${h.base}/v1/rooms/${encodeURIComponent(room)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const code = (r: { body: Record<string, unknown> }) => (r.body.error as { code: string }).code;
    const admin = await store.issueToken(boss.id);
    const ok = await post(admin, 'Kitchen', { conference: 'only' });
    assert.equal(ok.status, 200);
    assert.deepEqual([ok.body.room, ok.body.conference, ok.body.was], ['kitchen', 'only', 'off']);
    const user = await post(await store.issueToken(tablet.id), 'kitchen', { conference: 'off' });
    assert.deepEqual([user.status, code(user)], [403, 'HL_ERR_ADMIN_REQUIRED']);
    const unknown = await post(admin, 'attic', { conference: 'on' });
    assert.deepEqual([unknown.status, code(unknown)], [404, 'HL_ERR_ROOM_UNKNOWN']);
    const bad = await post(admin, 'kitchen', { conference: 'loud' });
    assert.deepEqual([bad.status, code(bad)], [400, 'HL_ERR_BAD_REQUEST']);
    const off = await post(admin, 'kitchen', { conference: 'off' });
    assert.deepEqual([off.status, off.body.was], [200, 'only']);
  });
});
