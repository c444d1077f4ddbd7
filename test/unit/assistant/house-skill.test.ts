/**
 * The house skill against a stand-in for the hub's house service on the bus: what people say becomes the right
 * `hive.house.*` request (the room found among the known ones, the text as spoken, the question made direct, the
 * announcement's target), and the answers become the right words — including every refusal and no service at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOUSE_SKILL_ID } from '../../../src/assistant/skills/house/index.js';
import {
  announceTarget,
  askText,
  splitRoom,
  tellText,
} from '../../../src/assistant/skills/house/parse-en.js';
import { response } from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import { assertReplies, type Harness, spoken, withHarness } from './harness.js';

const ROOMS = [
  {
    name: 'kitchen',
    online: 1,
    conference: 'off',
    clients: [
      { name: 'kitchen-sat', online: true },
      { name: 'tablet', online: false },
    ],
  },
  { name: 'living room', online: 0, conference: 'off', clients: [{ name: 'tv', online: false }] },
  { name: 'garage', online: 1, conference: 'off', clients: [{ name: 'garage-pi', online: true }] },
];

/** A house service on the harness bus; `answers` overrides the answer per request type. */
function fakeHouse(h: Harness, answers: Record<string, Record<string, unknown>> = {}) {
  const requests: MessageData[] = [];
  for (const type of ['rooms', 'tell', 'ask', 'announce']) {
    h.bus.on(`hive.house.${type}`, (m) => {
      requests.push(m);
      let data: Record<string, unknown>;
      if (answers[type] !== undefined) data = answers[type];
      else if (type === 'rooms' && typeof m.data.room === 'string') {
        const room = ROOMS.find((r) => r.name === m.data.room);
        data =
          room === undefined
            ? { ok: false, code: 'HL_ERR_ROOM_UNKNOWN', room: m.data.room }
            : { ok: true, room };
      } else if (type === 'rooms') data = { ok: true, rooms: ROOMS, unassigned: [] };
      else if (type === 'ask') data = { ok: true, room: m.data.room, answers: ["It's 14:02."], by: 'hub' };
      else data = { ok: true, room: type === 'announce' ? (m.data.room ?? null) : m.data.room, delivered: 3 };
      h.bus.emit(response(m, data));
    });
  }
  return {
    requests,
    last: (type: string) => requests.filter((r) => r.type === `hive.house.${type}`).at(-1)!,
  };
}

describe('house skill: phrasing', () => {
  it('finds the longest known room, else takes the first word', () => {
    const rooms = ['living', 'living room', 'kitchen'];
    assert.deepEqual(splitRoom('living room dinner is ready', rooms), {
      room: 'living room',
      message: 'dinner is ready',
    });
    assert.deepEqual(splitRoom('Kitchen, Dinner is READY!', rooms), {
      room: 'kitchen',
      message: 'Dinner is READY!',
    });
    assert.deepEqual(splitRoom('the attic hello', rooms), { room: 'attic', message: 'hello' });
    assert.deepEqual(splitRoom('living_room hi', ['living_room']), { room: 'living_room', message: 'hi' });
    assert.equal(splitRoom('  ', rooms), null);
    assert.equal(tellText('that dinner is ready'), 'dinner is ready');
    assert.equal(askText('what time it is'), 'what time is it');
    assert.equal(askText('to set a timer for 5 minutes'), 'set a timer for 5 minutes');
    assert.equal(askText('what time is it'), 'what time is it');
  });

  it('reads where an announcement goes', () => {
    const rooms = ['kitchen', 'living room'];
    const cases: [string, { all: true } | { room: string }, string][] = [
      ['dinner is ready everywhere', { all: true }, 'dinner is ready'],
      ['to everyone that we leave at 8', { all: true }, 'we leave at 8'],
      ['dinner is ready in the living room', { room: 'living room' }, 'dinner is ready'],
      ['in the kitchen that dinner is ready', { room: 'kitchen' }, 'dinner is ready'],
      ['dinner is ready', { all: true }, 'dinner is ready'],
      ['dinner is ready in the attic', { room: 'attic' }, 'dinner is ready'],
    ];
    for (const [said, target, text] of cases) {
      assert.deepEqual(announceTarget(said, rooms), { target, text }, said);
    }
  });
});

describe('house skill', () => {
  it('lists the rooms and who is in one', async () => {
    await withHarness(async (h) => {
      fakeHouse(h);
      await assertReplies(h, 'what rooms are there', 'The rooms are kitchen, living room and garage.');
      await assertReplies(
        h,
        'who is in the kitchen',
        'In the kitchen: kitchen-sat online, and tablet offline.',
      );
      await assertReplies(h, 'is the garage online', 'Yes, the garage is online: garage-pi.');
      await assertReplies(h, 'is anyone in the living room', 'No, the living room is offline.');
      await assertReplies(h, 'who is in the attic', "I don't know a room called attic.");
    });
  });

  it('tells and asks a room, by the known room names, in the words spoken', async () => {
    await withHarness(async (h) => {
      const s = fakeHouse(h);
      await assertReplies(h, 'tell the living room that Dinner is ready!', 'Told the living room.');
      const told = s.last('tell');
      assert.deepEqual(told.data, { room: 'living room', text: 'Dinner is ready!' });
      assert.equal(told.context.skill_id, HOUSE_SKILL_ID);
      assert.equal(typeof told.context.peer, 'string', 'the hub knows who asks');
      await assertReplies(h, 'ask the kitchen what time it is', "The kitchen says: It's 14:02.");
      assert.deepEqual(s.last('ask').data, { room: 'kitchen', utterance: 'what time is it' });
    });
  });

  it('announces everywhere or in a room', async () => {
    await withHarness(async (h) => {
      const s = fakeHouse(h);
      await assertReplies(h, 'announce dinner is ready everywhere', 'Announced on 3 devices.');
      assert.deepEqual(s.last('announce').data, { text: 'dinner is ready', all: true });
      await assertReplies(
        h,
        'announce dinner is ready in the kitchen',
        'Announced in the kitchen, on 3 devices.',
      );
      assert.deepEqual(s.last('announce').data, { text: 'dinner is ready', room: 'kitchen' });
    });
  });

  it('says every refusal clearly', async () => {
    const cases: [string, string, string][] = [
      ['HL_ERR_ROOM_EMPTY', 'tell the garage hi', 'Nobody is in the garage.'],
      ['HL_ERR_ROOM_OFFLINE', 'tell the garage hi', 'The garage is offline right now.'],
      ['HL_ERR_ROOM_UNKNOWN', 'tell the attic hi', "I don't know a room called attic."],
      ['HL_ERR_RELAY_TIMEOUT', 'ask the garage what time is it', 'The garage did not answer.'],
      ['HL_ERR_NOT_UNDERSTOOD', 'ask the garage blorp', 'The garage did not understand that.'],
      [
        'HL_ERR_RELAY_LOOP',
        'ask the garage what time is it',
        'I cannot pass that on from a relayed question.',
      ],
      ['HL_ERR_ADMIN_REQUIRED', 'announce hello everywhere', 'Only an admin can make announcements.'],
    ];
    for (const [code, utterance, words] of cases) {
      await withHarness(async (h) => {
        const type = utterance.split(' ')[0]!;
        fakeHouse(h, { [type]: { ok: false, code, error: 'no' } });
        assert.deepEqual(spoken(await h.say(utterance)), [words], code);
      });
    }
  });

  it('says so when the hub does not answer', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    await withHarness(async (h) => {
      const asked = new Promise<void>((resolve) => h.bus.on('hive.house.rooms', () => resolve()));
      const turn = h.say('what rooms are there');
      await asked;
      t.mock.timers.tick(4000);
      assert.deepEqual(spoken(await turn), ["I can't reach the house right now."]);
    });
  });
});
