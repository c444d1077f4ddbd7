/**
 * The timer skill against a stand-in for the hub's timer service on the bus: what people say becomes the right
 * `hive.timer.*` request (kind, duration or clock time, name, the texts to speak when it fires), and the answers
 * become the right words — set, list, cancel one of several (by name, by asking which), refusals, no service.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMER_SKILL_ID } from '../../../src/assistant/skills/timer/index.js';
import { response } from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import { type Harness, spoken, withHarness } from './harness.js';

const NOW = Date.parse('2025-11-22T15:42:00Z');

interface Stored {
  id: number;
  kind: string;
  name: string | null;
  due_at: number;
  duration_ms: number | null;
  fired_at: null;
}

/** A timer service on the harness bus, in UTC, at the harness clock's time. */
function fakeService(h: Harness, options: { refuse?: string } = {}) {
  const requests: MessageData[] = [];
  const timers: Stored[] = [];
  let next = 1;
  const answer = (m: MessageData, data: Record<string, unknown>) =>
    h.bus.emit(response(m, { now: NOW, ...data }));
  h.bus.on('hive.timer.set', (m) => {
    requests.push(m);
    if (options.refuse !== undefined) {
      answer(m, { ok: false, code: options.refuse, error: 'no', max: 3, max_ms: 86_400_000 });
      return;
    }
    const d = m.data;
    let due = NOW + Number(d.duration_ms ?? 0);
    if (typeof d.at === 'object' && d.at !== null) {
      const at = d.at as { hour: number; minute: number };
      due = Date.UTC(2025, 10, 22, at.hour, at.minute);
      if (due <= NOW) due += 86_400_000;
    }
    const t: Stored = {
      id: next++,
      kind: String(d.kind),
      name: (d.name as string | null) ?? null,
      due_at: due,
      duration_ms: typeof d.duration_ms === 'number' ? d.duration_ms : null,
      fired_at: null,
    };
    timers.push(t);
    answer(m, { ok: true, timer: t });
  });
  h.bus.on('hive.timer.list', (m) => {
    requests.push(m);
    const kind = m.data.kind;
    answer(m, { ok: true, timers: timers.filter((t) => kind === undefined || t.kind === kind) });
  });
  h.bus.on('hive.timer.cancel', (m) => {
    requests.push(m);
    const ids = m.data.ids as number[];
    const cancelled = timers.filter((t) => ids.includes(t.id));
    for (const t of cancelled) timers.splice(timers.indexOf(t), 1);
    answer(m, { ok: true, cancelled });
  });
  return { requests, timers };
}

describe('timer skill', () => {
  it('sets timers of many phrasings, with what to say when they fire', async () => {
    await withHarness(async (h) => {
      const s = fakeService(h);
      const said: [string, number, string | null][] = [
        ['set a timer for 5 minutes', 300_000, null],
        ['set a timer for 1 hour and 30 minutes', 5_400_000, null],
        ['start a 90 second timer', 90_000, null],
        ['timer for ten minutes', 600_000, null],
        ['set a pasta timer for 12 minutes', 720_000, 'pasta'],
        ['set a timer for an hour and a half called bread', 5_400_000, 'bread'],
      ];
      for (const [utterance, ms, name] of said) {
        const turn = await h.say(utterance);
        const req = s.requests.at(-1)!;
        assert.equal(req.type, 'hive.timer.set', utterance);
        assert.equal(req.context.skill_id, TIMER_SKILL_ID);
        assert.equal(req.data.kind, 'timer');
        assert.equal(req.data.duration_ms, ms, utterance);
        assert.equal(req.data.name, name, utterance);
        assert.equal(req.data.lang, 'en-US');
        assert.equal(typeof req.data.utterance, 'string');
        assert.match(String(req.data.room_utterance), /kitchen-sat/);
        assert.equal(spoken(turn).length, 1, utterance);
      }
      assert.deepEqual(spoken(await h.say('set a timer for 5 minutes')), ['Timer set for 5 minutes.']);
      assert.equal(s.requests.at(-1)!.data.utterance, 'Your timer for 5 minutes is done.');
      assert.deepEqual(spoken(await h.say('set a pasta timer for 12 minutes')), [
        'pasta timer set for 12 minutes.',
      ]);
      assert.equal(s.requests.at(-1)!.data.utterance, 'Your pasta timer is done.');
    });
  });

  it('asks how long when the utterance says no duration', async () => {
    await withHarness(async (h) => {
      const s = fakeService(h);
      const question = await Promise.all([h.next('speak'), h.send('set a timer')]);
      assert.equal(question[0].data.utterance, 'For how long?');
      assert.equal(question[0].data.expect_response, true);
      assert.deepEqual(spoken(await h.say('3 minutes')), ['Timer set for 3 minutes.']);
      assert.equal(s.requests.at(-1)!.data.duration_ms, 180_000);
    });
  });

  it('sets alarms and wake-ups at a clock time in the session time zone', async () => {
    await withHarness(async (h) => {
      const s = fakeService(h);
      assert.deepEqual(spoken(await h.say('wake me up at 7')), ["OK, I'll wake you up at 07:00 tomorrow."]);
      let req = s.requests.at(-1)!;
      assert.equal(req.data.kind, 'alarm');
      assert.deepEqual(req.data.at, { hour: 7, minute: 0, tomorrow: false });
      assert.equal(req.data.timezone, 'UTC');
      assert.equal(req.data.utterance, "Good morning! It's 07:00. Time to wake up.");

      assert.deepEqual(spoken(await h.say('set an alarm for 7:30 pm')), ['Alarm set for 19:30 today.']);
      req = s.requests.at(-1)!;
      assert.deepEqual(req.data.at, { hour: 19, minute: 30, tomorrow: false });

      await h.say('set an alarm for tomorrow at half past six', {
        session: { location: { timezone: { code: 'Europe/Lisbon', name: 'Lisbon' } } },
      });
      req = s.requests.at(-1)!;
      assert.deepEqual(req.data.at, { hour: 6, minute: 30, tomorrow: true });
      assert.equal(req.data.timezone, 'Europe/Lisbon');
    });
  });

  it('sets reminders in a while or at a time, facing the listener', async () => {
    await withHarness(async (h) => {
      const s = fakeService(h);
      assert.deepEqual(spoken(await h.say('remind me to call my mum in 2 hours')), [
        "OK, I'll remind you to call your mum in 2 hours.",
      ]);
      const req = s.requests.at(-1)!;
      assert.equal(req.data.kind, 'reminder');
      assert.equal(req.data.duration_ms, 7_200_000);
      assert.equal(req.data.name, 'call your mum');
      assert.equal(req.data.utterance, 'Reminder: call your mum.');
      assert.equal(req.data.room_utterance, 'Reminder for kitchen-sat: call your mum.');

      await h.say('remind me at 6 pm to take out the bins');
      assert.deepEqual(s.requests.at(-1)!.data.at, { hour: 18, minute: 0, tomorrow: false });
      assert.equal(s.requests.at(-1)!.data.name, 'take out the bins');
    });
  });

  it('lists what is set, and only the kind asked for', async () => {
    await withHarness(async (h) => {
      fakeService(h);
      assert.deepEqual(spoken(await h.say('what timers do i have')), ["You don't have any timers."]);
      await h.say('set a timer for 5 minutes');
      await h.say('set a pasta timer for 12 minutes');
      await h.say('wake me up at 7');
      assert.deepEqual(spoken(await h.say('what timers do i have')), [
        'You have 2 timers: a timer for 5 minutes with 5 minutes left and the pasta timer with 12 minutes left.',
      ]);
      assert.deepEqual(spoken(await h.say('what alarms do i have')), [
        'You have an alarm at 07:00 tomorrow.',
      ]);
      assert.deepEqual(
        spoken(await h.say('what time is it')),
        ["It's 15:42."],
        'the time skill still answers',
      );
    });
  });

  it('cancels the only timer, a named one, all of them, or asks which', async () => {
    await withHarness(async (h) => {
      const s = fakeService(h);
      assert.deepEqual(spoken(await h.say('cancel the timer')), ["You don't have any timers."]);
      await h.say('set a timer for 5 minutes');
      assert.deepEqual(spoken(await h.say('cancel the timer')), ['Cancelled your timer for 5 minutes.']);
      assert.equal(s.timers.length, 0);

      await h.say('set a timer for 5 minutes');
      await h.say('set a pasta timer for 12 minutes');
      await h.say('set a timer for 20 minutes');
      assert.deepEqual(spoken(await h.say('cancel the pasta timer')), ['Cancelled your pasta timer.']);
      assert.deepEqual(
        s.timers.map((t) => t.duration_ms),
        [300_000, 1_200_000],
      );
      const [which] = await Promise.all([h.next('speak'), h.send('cancel the timer')]);
      assert.match(String(which.data.utterance), /^You have 2 timers: .*Which one should I cancel\?$/);
      assert.deepEqual(spoken(await h.say('the 20 minute one')), ['Cancelled your timer for 20 minutes.']);
      assert.deepEqual(
        s.timers.map((t) => t.duration_ms),
        [300_000],
      );
      await h.say('remind me to stretch in 10 minutes');
      assert.deepEqual(spoken(await h.say('cancel all my timers')), ['Cancelled your timer for 5 minutes.']);
      assert.equal(s.timers.length, 1, 'the reminder stays');
    });
  });

  it('says why the service refused', async () => {
    await withHarness(async (h) => {
      fakeService(h, { refuse: 'HL_ERR_TIMER_LIMIT' });
      assert.deepEqual(spoken(await h.say('set a timer for 5 minutes')), [
        'You already have 3 timers, alarms and reminders. Cancel one first.',
      ]);
    });
    await withHarness(async (h) => {
      fakeService(h, { refuse: 'HL_ERR_TIMER_TOO_LONG' });
      assert.deepEqual(spoken(await h.say('set a timer for 3 days')), [
        "That's too far ahead. The longest I can keep is 1 day.",
      ]);
    });
  });
});
