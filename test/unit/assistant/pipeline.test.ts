/**
 * The messages a bus watcher sees, type by type, against docs/PROTOCOL.md §B3.4 (A handled, B not handled, C fallback,
 * D converse and get_response, E stop), with routing (destination = the asking peer) and session on each.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { defineSkill, type IntentDefinition, type SkillDefinition } from '../../../src/assistant/skill.js';
import type { MessageData } from '../../../src/bus/types.js';
import { FAILURE_TAIL, intentTurn } from '../../helpers/ovos-turns.js';
import { type Harness, PEER, spoken, startHarness, types } from './harness.js';

let h: Harness | undefined;
afterEach(() => h?.close());

function assertToPeer(turn: readonly MessageData[], sessionId = 'sat-kitchen'): void {
  for (const m of turn.slice(1)) {
    assert.equal(m.context.session?.session_id, sessionId, `${m.type} carries the session`);
    const keepsOrientation =
      /\.(?:converse|stop)\.(?:ping|request)$|^ovos\.skills\.fallback\.ping$/.test(m.type) ||
      (m.type.endsWith('.stop') && m.type !== 'mycroft.stop');
    if (keepsOrientation) {
      assert.deepEqual(m.context.destination, ['skills'], `${m.type} keeps the utterance orientation`);
      assert.equal(m.context.source, PEER);
    } else {
      assert.equal(m.context.destination, PEER, `${m.type} is addressed to the asking peer`);
      assert.deepEqual(m.context.source, ['skills'], `${m.type} comes from skills`);
    }
  }
}

/** A fallback skill at `priority` that says `text` and reports the utterance handled. */
const speakingFallback = (id: string, priority: number, text: string): SkillDefinition =>
  defineSkill({
    id,
    fallback: {
      priority,
      handler: (ctx) => {
        ctx.speak(text);
        return true;
      },
    },
  });

/** A fallback whose canHandle throws, from a named function (so that its stack can be looked for). */
const explodingFallback = (): SkillDefinition =>
  defineSkill({
    id: 'bad-fallback.test',
    fallback: {
      priority: 10,
      canHandle: function explodingFallbackCheck() {
        throw new Error('nope');
      },
      handler: () => true,
    },
  });

/** The data of every message of `type` in `turn`. */
const dataOf = (turn: readonly MessageData[], type: string) =>
  turn.filter((m) => m.type === type).map((m) => m.data);

/**
 * The one skill failure the assistant reported and counted: `HL_ERR_SKILL_FAILED` saying `message`, caused by the
 * `cause` thrown in the function named `thrower`.
 */
function assertOneFailure(h: Harness, message: RegExp, cause: ErrorConstructor, thrower: string): void {
  assert.equal(h.errors.length, 1);
  const [err] = h.errors;
  assert.equal(err?.code, 'HL_ERR_SKILL_FAILED');
  assert.match(err?.message ?? '', message);
  assert.ok(err?.cause instanceof cause, 'the thrown error is the cause');
  assert.match(err.cause.stack ?? '', new RegExp(thrower));
  assert.equal(h.assistant.stats.skillErrors, 1);
}

/** A skill with one intent, `intent`, matched by `examples` and run by `handler`; `extra` adds to it (stop, …). */
const intentSkill = (
  id: string,
  intent: string,
  examples: string[],
  handler: IntentDefinition['handler'],
  extra: Partial<SkillDefinition> = {},
): SkillDefinition =>
  defineSkill({
    id,
    locale: { en: { intents: { [intent]: examples } } },
    intents: [{ name: intent, handler }],
    ...extra,
  });

const echo = (id: string, extra: Partial<SkillDefinition> = {}): SkillDefinition =>
  intentSkill(id, 'echo.intent', ['start echo mode'], (ctx) => ctx.speak('echo on'), extra);

describe('A: an utterance handled by an example intent', () => {
  it('emits activate, the intent, handler start, speak, complete, handled — in that order, to the asker', async () => {
    h = await startHarness();
    const turn = await h.say('tell me a joke');
    assert.deepEqual(types(turn), [
      'recognizer_loop:utterance',
      ...intentTurn('hivelink-joke.hivelink', 'hivelink-joke.hivelink:joke.intent'),
    ]);
    assertToPeer(turn);
    const [, activate, intent, start, speak, complete, handled] = turn as [MessageData, ...MessageData[]];
    assert.equal(activate?.context.skill_id, 'hivelink-joke.hivelink');
    assert.deepEqual(
      activate?.context.session?.active_skills,
      [],
      'activation carries the session before it',
    );
    assert.deepEqual(intent?.data, {
      utterances: ['tell me a joke'],
      lang: 'en-US',
      utterance: 'tell me a joke',
    });
    assert.equal(intent?.context.skill_id, 'hivelink-joke.hivelink');
    assert.equal(intent?.context.lang, 'en-US');
    assert.equal(intent?.context.session?.active_skills?.[0]?.[0], 'hivelink-joke.hivelink');
    assert.deepEqual(start?.data, { name: 'JokeSkill.handle_joke' });
    assert.equal(speak?.data.expect_response, false);
    assert.equal(speak?.data.lang, 'en-US');
    assert.deepEqual(speak?.data.meta, { skill: 'hivelink-joke.hivelink' });
    assert.equal(typeof speak?.data.utterance, 'string');
    assert.deepEqual(complete?.data, { name: 'JokeSkill.handle_joke' });
    assert.deepEqual(handled?.data, { name: 'JokeSkill.handle_joke' });
    for (const m of turn.slice(1)) assert.equal(m.context.skill_id, 'hivelink-joke.hivelink');
    assert.equal(h.errors.length, 0);
  });

  it('a dialog speak carries meta.dialog and meta.data', async () => {
    h = await startHarness();
    const speak = (await h.say('what time is it')).find((m) => m.type === 'speak');
    assert.deepEqual(speak?.data.meta, {
      dialog: 'time',
      data: { time: '15:42' },
      skill: 'hivelink-time.hivelink',
    });
  });

  it('a keyword intent carries Adapt-shaped data with the munged keys', async () => {
    const skill = defineSkill({
      id: 'skill-weather.author',
      locale: { en: { vocab: { Weather: ['weather', 'forecast'] }, regex: ['in (?P<Location>[a-z ]+)'] } },
      intents: [
        {
          name: 'WeatherIntent',
          keywords: { requires: ['Weather'], optional: ['Location'] },
          handler: (ctx) => ctx.speak(`weather in ${ctx.entities.Location ?? 'here'}`),
        },
      ],
    });
    h = await startHarness({ skills: [skill] });
    const turn = await h.say("what's the weather in paris");
    const intent = turn.find((m) => m.type === 'skill-weather.author:WeatherIntent');
    assert.equal(intent?.data.intent_type, 'skill-weather.author:WeatherIntent');
    assert.equal(intent?.data.skill_weather_authorWeather, 'weather');
    assert.equal(intent?.data.skill_weather_authorLocation, 'paris');
    assert.equal(intent?.data.target, null);
    assert.ok(Array.isArray(intent?.data.__tags__));
    assert.deepEqual(spoken(turn), ['weather in paris']);
    assert.deepEqual(turn.find((m) => m.type === 'mycroft.skill.handler.start')?.data, {
      name: 'SkillWeatherSkill.handle_WeatherIntent',
    });
  });
});

describe('B: an utterance nobody handles', () => {
  it('emits play_sound error, complete_intent_failure, handled {} — replies to the asker', async () => {
    h = await startHarness();
    const turn = await h.say('purple monkey dishwasher');
    assert.deepEqual(types(turn), ['recognizer_loop:utterance', ...FAILURE_TAIL]);
    assertToPeer(turn);
    assert.deepEqual(turn[1]?.data, { uri: 'snd/error.mp3' });
    assert.deepEqual(turn[2]?.data, { utterances: ['purple monkey dishwasher'], lang: 'en-US' });
    assert.deepEqual(turn[3]?.data, {});
  });

  it('an utterance with no usable transcription fails the same way', async () => {
    h = await startHarness();
    const turn = await h.say(['', '   ']);
    assert.deepEqual(types(turn).slice(1), FAILURE_TAIL);
  });
});

describe('C: fallbacks', () => {
  it('pings, pongs, requests the first willing skill by priority, and reports its result', async () => {
    const unwilling = defineSkill({
      id: 'fallback-picky.test',
      fallback: { priority: 50, canHandle: () => false, handler: () => true },
    });
    const unknown = speakingFallback('fallback-unknown.test', 100, "Sorry, I didn't catch that");
    h = await startHarness({ skills: [unwilling, unknown] });
    const turn = await h.say('hello world');
    assert.deepEqual(types(turn), [
      'recognizer_loop:utterance',
      'ovos.skills.fallback.ping',
      'ovos.skills.fallback.pong',
      'ovos.skills.fallback.ping',
      'ovos.skills.fallback.pong',
      'ovos.skills.fallback.fallback-unknown.test.request',
      'ovos.skills.fallback.fallback-unknown.test.start',
      'speak',
      'ovos.skills.fallback.fallback-unknown.test.response',
      'ovos.utterance.handled',
    ]);
    assertToPeer(turn);
    assert.deepEqual(turn[1]?.data.range, [5, 90]);
    assert.deepEqual(turn[2]?.data, { skill_id: 'fallback-picky.test', can_handle: false });
    assert.deepEqual(turn[3]?.data.range, [90, 101]);
    assert.deepEqual(turn[5]?.data, {
      utterances: ['hello world'],
      lang: 'en-US',
      range: [90, 101],
      skill_id: 'fallback-unknown.test',
      utterance: 'hello world',
    });
    assert.deepEqual(turn[8]?.data, {
      result: true,
      fallback_handler: 'FallbackUnknownSkill.handle_fallback',
    });
  });

  it('a fallback that declines lets the next one try, then the failure sequence', async () => {
    const declines = defineSkill({
      id: 'fallback-declines.test',
      fallback: { priority: 3, handler: () => false },
    });
    h = await startHarness({ skills: [declines] });
    const turn = await h.say('hello world');
    assert.deepEqual(types(turn).slice(1), [
      'ovos.skills.fallback.ping',
      'ovos.skills.fallback.pong',
      'ovos.skills.fallback.fallback-declines.test.request',
      'ovos.skills.fallback.fallback-declines.test.start',
      'ovos.skills.fallback.fallback-declines.test.response',
      ...FAILURE_TAIL,
    ]);
    assert.equal(turn[5]?.data.result, false);
  });
});

describe('D: converse and get_response', () => {
  it('an active skill that wants the next utterance gets it through converse', async () => {
    const parrot = echo('parrot.test', {
      converse: {
        canHandle: ({ utterances }) => utterances[0] !== 'stop echo',
        handler: (ctx) => ctx.speak(ctx.utterance),
      },
    });
    h = await startHarness({ skills: [parrot] });
    await h.say('start echo mode');
    const turn = await h.say('echo test');
    assert.deepEqual(types(turn), [
      'recognizer_loop:utterance',
      'parrot.test.converse.ping',
      'skill.converse.pong',
      'parrot.test.activate',
      'converse:skill',
      'parrot.test.converse.request',
      'speak',
      'skill.converse.response',
      'ovos.utterance.handled',
    ]);
    assertToPeer(turn);
    assert.deepEqual(turn[2]?.data, { skill_id: 'parrot.test', can_handle: true });
    assert.deepEqual(turn[4]?.data, {
      utterances: ['echo test'],
      lang: 'en-US',
      skill_id: 'parrot.test',
      utterance: 'echo test',
    });
    assert.deepEqual(spoken(turn), ['echo test']);
    assert.deepEqual(turn[7]?.data, { skill_id: 'parrot.test', result: true });
  });

  it('a skill that declines converse lets the pipeline go on', async () => {
    const parrot = echo('parrot.test', { converse: { canHandle: () => false, handler: () => true } });
    h = await startHarness({ skills: [parrot] });
    await h.say('start echo mode');
    const turn = await h.say('purple monkey dishwasher');
    assert.deepEqual(types(turn), [
      'recognizer_loop:utterance',
      'parrot.test.converse.ping',
      'skill.converse.pong',
      ...FAILURE_TAIL,
    ]);
  });

  it('ask() sends the next utterance of the session straight to the asking skill', async () => {
    h = await startHarness();
    const first = await Promise.all([h.next('speak'), h.send('ask me a question')]).then(([speak]) => speak);
    assert.equal(first.data.utterance, 'What is your favourite colour?');
    assert.equal(first.data.expect_response, true);
    const enable = h.log.find((m) => m.type === 'skill.converse.get_response.enable');
    assert.deepEqual(enable?.data, { skill_id: 'hivelink-colour.hivelink' });
    const turn = await h.say('blue');
    assert.deepEqual(types(turn), [
      'recognizer_loop:utterance',
      'hivelink-colour.hivelink.activate',
      'hivelink-colour.hivelink.converse.get_response',
      'skill.converse.get_response.disable',
      'speak',
      'mycroft.skill.handler.complete',
      'ovos.utterance.handled',
    ]);
    assertToPeer(turn);
    assert.equal(turn[2]?.context.session?.utterance_states?.['hivelink-colour.hivelink'], 'response');
    assert.deepEqual(spoken(turn), ['I will remember that your favourite colour is blue.']);
    assert.deepEqual(spoken(await h.say('what is my favourite colour')), ['Your favourite colour is blue.']);
  });

  it('an unanswered question resolves null after the timeout', async () => {
    h = await startHarness({ responseTimeoutMs: 20 });
    const turn = await h.say('ask me a question');
    assert.deepEqual(spoken(turn), ['What is your favourite colour?', 'Never mind, you can tell me later.']);
    assert.ok(types(turn).includes('skill.converse.get_response.disable'));
    // The next utterance is matched normally again.
    assert.ok(types(await h.say('blue')).includes('complete_intent_failure'));
  });

  it('two sessions interleaving a two-turn dialogue each get their own answer', async () => {
    h = await startHarness();
    const asked = Promise.all([h.next('speak', 'sat-a'), h.next('speak', 'sat-b')]);
    h.send('ask me a question', { sessionId: 'sat-a' });
    h.send('ask me a question', { sessionId: 'sat-b' });
    await asked;
    const [b, a] = await Promise.all([
      h.say('green', { sessionId: 'sat-b' }),
      h.say('red', { sessionId: 'sat-a' }),
    ]);
    assert.deepEqual(spoken(a), ['I will remember that your favourite colour is red.']);
    assert.deepEqual(spoken(b), ['I will remember that your favourite colour is green.']);
    assert.deepEqual(spoken(await h.say('what is my favourite colour', { sessionId: 'sat-a' })), [
      'Your favourite colour is red.',
    ]);
    assert.deepEqual(spoken(await h.say('what is my favourite colour', { sessionId: 'sat-b' })), [
      'Your favourite colour is green.',
    ]);
    assert.deepEqual(spoken(await h.say('what is my favourite colour', { sessionId: 'sat-c' })), [
      "I don't know your favourite colour yet. Say: ask me a question.",
    ]);
  });
});

describe('E: stop', () => {
  it('with nothing running: stop:global, mycroft.stop, handled', async () => {
    h = await startHarness();
    const turn = await h.say('stop');
    assert.deepEqual(types(turn), [
      'recognizer_loop:utterance',
      'stop.openvoiceos.activate',
      'stop:global',
      'mycroft.stop',
      'ovos.utterance.handled',
    ]);
    assertToPeer(turn);
  });

  it('a skill waiting for an answer is pinged, stopped, and its question ends', async () => {
    let stopped = 0;
    const asker = intentSkill(
      'asker.test',
      'ask.intent',
      ['quiz time'],
      async (ctx) => {
        const answer = await ctx.ask('ready?');
        ctx.speak(answer === null ? 'stopped' : answer);
      },
      {
        stop: () => {
          stopped++;
          return true;
        },
      },
    );
    h = await startHarness({ skills: [asker] });
    await Promise.all([h.next('speak'), h.send('quiz time')]);
    const originalEnd = h.next('ovos.utterance.handled');
    const stopTurn = h.next('asker.test.stop.response');
    h.send('please stop');
    const response = await stopTurn;
    await originalEnd;
    const order = types(h.log).slice(types(h.log).lastIndexOf('recognizer_loop:utterance'));
    assert.deepEqual(order.slice(0, 7), [
      'recognizer_loop:utterance',
      'asker.test.stop.ping',
      'skill.stop.pong',
      'stop.openvoiceos.activate',
      'stop:skill',
      'asker.test.stop',
      'skill.converse.get_response.disable',
    ]);
    assert.deepEqual(response.data, { skill_id: 'asker.test', result: true });
    assert.equal(response.context.destination, PEER);
    assert.equal(stopped, 1);
    assert.ok(spoken(h.log).includes('stopped'));
  });

  it('mycroft.stop from the bus stops what runs in that session only', async () => {
    h = await startHarness();
    await Promise.all([h.next('speak', 'sat-a'), h.send('ask me a question', { sessionId: 'sat-a' })]);
    await Promise.all([h.next('speak', 'sat-b'), h.send('ask me a question', { sessionId: 'sat-b' })]);
    const ended = h.next('speak', 'sat-a');
    h.bus.emit({ type: 'mycroft.stop', data: {}, context: { session: { session_id: 'sat-a' } } });
    assert.equal((await ended).data.utterance, 'Never mind, you can tell me later.');
    assert.deepEqual(spoken(await h.say('yellow', { sessionId: 'sat-b' })), [
      'I will remember that your favourite colour is yellow.',
    ]);
  });
});

describe('sessions and blacklists', () => {
  it('a skill blocked by session.blacklisted_skills never runs for that session, and still runs for another', async () => {
    h = await startHarness();
    const blocked = await h.say('tell me a joke', {
      sessionId: 'sat-kids',
      session: { blacklisted_skills: ['hivelink-joke.hivelink'] },
    });
    assert.ok(!types(blocked).some((t) => t.startsWith('hivelink-joke.hivelink')));
    assert.ok(types(blocked).includes('complete_intent_failure'));
    const allowed = await h.say('tell me a joke', { sessionId: 'sat-adults' });
    assert.ok(types(allowed).includes('hivelink-joke.hivelink:joke.intent'));
  });

  it('a blocked intent is skipped and the next candidate wins', async () => {
    const a = intentSkill('first.test', 'x.intent', ['do the thing'], (ctx) => ctx.speak('first'));
    const b = intentSkill('second.test', 'x.intent', ['do the thing'], (ctx) => ctx.speak('second'));
    h = await startHarness({ skills: [a, b] });
    assert.deepEqual(
      spoken(await h.say('do the thing', { session: { blacklisted_intents: ['first.test:x.intent'] } })),
      ['second'],
    );
    assert.deepEqual(
      spoken(
        await h.say('do the thing', {
          sessionId: 'other',
          session: { blacklisted_intents: ['second.test:x.intent'] },
        }),
      ),
      ['first'],
    );
  });

  it('a blocked skill is not pinged for converse', async () => {
    const parrot = echo('parrot.test', { converse: { handler: (ctx) => ctx.speak(ctx.utterance) } });
    h = await startHarness({ skills: [parrot] });
    await h.say('start echo mode');
    const turn = await h.say('echo test', { session: { blacklisted_skills: ['parrot.test'] } });
    assert.ok(!types(turn).some((t) => t.startsWith('parrot.test')));
  });

  it('the default session is synced with ovos.session.update_default', async () => {
    h = await startHarness();
    const sync = h.next('ovos.session.update_default');
    await h.say('tell me a joke', { sessionId: 'default' });
    const update = await sync;
    assert.equal((update.data.session_data as { session_id: string }).session_id, 'default');
  });

  it('remembers active skills even when the client does not send them back', async () => {
    h = await startHarness();
    await h.say('tell me a joke');
    const turn = await h.say('what time is it');
    assert.equal(turn[1]?.type, 'hivelink-joke.hivelink.converse.ping');
  });

  it('resolves the language from the context hints, the data, then the session', async () => {
    h = await startHarness();
    const turn = await h.say('hello', { lang: 'en-gb' });
    assert.equal(turn.find((m) => m.type === 'speak')?.data.lang, 'en-GB');
    const hinted = await h.say('hello', { context: { stt_lang: 'en-AU' } });
    assert.equal(hinted.find((m) => m.type === 'speak')?.data.lang, 'en-AU');
  });
});

describe('handler failures', () => {
  it('a throwing handler: start, error speak, handler.error, complete, handled; the assistant carries on', async () => {
    const broken = intentSkill('broken.test', 'boom.intent', ['blow up'], () => {
      throw new Error('kaboom');
    });
    h = await startHarness({ skills: [broken] });
    const turn = await h.say('blow up');
    assert.deepEqual(types(turn).slice(1), [
      'broken.test.activate',
      'broken.test:boom.intent',
      'mycroft.skill.handler.start',
      'speak',
      'mycroft.skill.handler.error',
      'mycroft.skill.handler.complete',
      'ovos.utterance.handled',
    ]);
    assert.deepEqual(turn[5]?.data, { name: 'BrokenSkill.handle_boom', exception: 'Error: kaboom' });
    assert.equal(h.errors[0]?.code, 'HL_ERR_SKILL_FAILED');
    assert.equal(h.assistant.stats.skillErrors, 1, 'a failing handler is counted');
    assert.ok(types(await h.say('blow up')).includes('mycroft.skill.handler.error'), 'still serving');
    assert.equal(h.assistant.stats.skillErrors, 2);
  });

  it('throwing canHandle hooks count as "cannot handle"', async () => {
    h = await startHarness({ skills: [explodingFallback()] });
    const turn = await h.say('zzz');
    assert.equal(turn.find((m) => m.type === 'ovos.skills.fallback.pong')?.data.can_handle, false);
    assert.ok(types(turn).includes('complete_intent_failure'));
  });

  it('a throwing fallback canHandle is reported with its stack, counted, and the next fallback answers', async () => {
    const bad = explodingFallback();
    const good = speakingFallback('good-fallback.test', 50, 'I can take that');
    h = await startHarness({ skills: [bad, good] });
    assert.equal(h.assistant.stats.skillErrors, 0);
    const turn = await h.say('zzz');
    assert.deepEqual(dataOf(turn, 'ovos.skills.fallback.pong'), [
      { skill_id: 'bad-fallback.test', can_handle: false },
      { skill_id: 'good-fallback.test', can_handle: true },
    ]);
    assert.deepEqual(spoken(turn), ['I can take that']);
    assert.ok(!types(turn).includes('complete_intent_failure'));
    assertOneFailure(
      h,
      /bad-fallback\.test \(fallback\.canHandle\) failed: Error: nope/,
      Error,
      'explodingFallbackCheck',
    );
  });

  it('a throwing converse canHandle is reported, counted, and another active skill takes the utterance', async () => {
    const waking = (id: string, example: string, converse: SkillDefinition['converse']): SkillDefinition =>
      intentSkill(id, 'wake.intent', [example], (ctx) => ctx.speak(`${id} awake`), { converse });
    const steady = waking('steady.test', 'wake the steady one', {
      canHandle: ({ utterances }) => utterances[0] === 'purple monkey dishwasher',
      handler: (ctx) => ctx.speak(`steady heard ${ctx.utterance}`),
    });
    const shaky = waking('shaky.test', 'wake the shaky one', {
      canHandle: async function rejectingConverseCheck() {
        throw new TypeError('shaky check');
      },
      handler: () => true,
    });
    h = await startHarness({ skills: [steady, shaky] });
    await h.say('wake the steady one');
    await h.say('wake the shaky one');
    assert.equal(h.errors.length, 0, 'both skills are active and nothing failed yet');
    const turn = await h.say('purple monkey dishwasher');
    assert.deepEqual(dataOf(turn, 'skill.converse.pong'), [
      { skill_id: 'shaky.test', can_handle: false },
      { skill_id: 'steady.test', can_handle: true },
    ]);
    assert.deepEqual(spoken(turn), ['steady heard purple monkey dishwasher']);
    assertOneFailure(
      h,
      /shaky\.test \(converse\.canHandle\) failed: TypeError: shaky check/,
      TypeError,
      'rejectingConverseCheck',
    );
  });

  it("the default error sink writes the failing skill's stack to stderr", async () => {
    h = await startHarness({ skills: [explodingFallback()], onError: undefined });
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      await h.say('zzz');
    } finally {
      process.stderr.write = write;
    }
    const out = written.join('');
    assert.match(
      out,
      /^hivelink assistant: HL_ERR_SKILL_FAILED: skill bad-fallback\.test \(fallback\.canHandle\)/,
    );
    assert.match(out, /\n {4}Error: nope\n {4}\s*at explodingFallbackCheck/);
    assert.equal(h.assistant.stats.skillErrors, 1);
  });
});

describe('core services', () => {
  it('answers train, is_ready, skill list, active skills and session sync', async () => {
    h = await startHarness();
    const ctx = { source: PEER, destination: ['skills'], session: { session_id: 'sat-kitchen' } };
    const trained = h.next('mycroft.skills.trained');
    h.bus.emit({ type: 'mycroft.skills.train', data: {}, context: ctx });
    assert.equal((await trained).context.destination, PEER);

    const ready = h.next('mycroft.intents.is_ready.response');
    h.bus.emit({ type: 'mycroft.intents.is_ready', data: {}, context: ctx });
    assert.deepEqual((await ready).data, { status: true });

    const list = h.next('mycroft.skills.list');
    h.bus.emit({ type: 'skillmanager.list', data: {}, context: {} });
    const skills = (await list).data;
    assert.deepEqual(skills['hivelink-joke.hivelink'], { active: true, id: 'hivelink-joke.hivelink' });
    assert.ok(Object.keys(skills).length >= 9);

    await h.say('tell me a joke');
    const active = h.next('intent.service.active_skills.reply');
    h.bus.emit({ type: 'intent.service.active_skills.get', data: {}, context: ctx });
    assert.deepEqual((await active).data, { skills: ['hivelink-joke.hivelink'] });

    const update = h.next('ovos.session.update_default');
    h.bus.emit({ type: 'ovos.session.sync', data: {}, context: {} });
    assert.equal(((await update).data.session_data as { session_id: string }).session_id, 'default');
  });

  it('intent.service.intent.get says what would match without running it', async () => {
    h = await startHarness();
    const answer = h.next('intent.service.intent.reply');
    h.bus.emit({
      type: 'intent.service.intent.get',
      data: { utterance: 'what is 12 times 7', lang: 'en-US' },
      context: { source: PEER, destination: ['skills'] },
    });
    const reply = await answer;
    const intent = reply.data.intent as Record<string, unknown>;
    assert.equal(intent.intent_name, 'hivelink-math.hivelink:calculate.intent');
    assert.equal(intent.skill_id, 'hivelink-math.hivelink');
    assert.equal(intent.a, '12');
    assert.equal(reply.context.destination, PEER);
    assert.ok(!types(h.log).includes('hivelink-math.hivelink:calculate.intent'), 'nothing ran');

    const none = h.next('intent.service.intent.reply');
    h.bus.emit({
      type: 'intent.service.intent.get',
      data: { utterance: 'purple monkey dishwasher' },
      context: {},
    });
    assert.equal((await none).data.intent, null);
  });

  it('stop() unsubscribes: later utterances get no answer', async () => {
    h = await startHarness();
    h.close();
    h.send('tell me a joke');
    const seen = await h.bus.waitForMessage('ovos.utterance.handled', 50);
    assert.equal(seen, undefined);
  });
});

describe('robustness', () => {
  it('malformed utterance messages never break the assistant', async () => {
    h = await startHarness();
    const junk: unknown[] = [
      { utterances: 'not a list' },
      { utterances: [42, null, {}, ['tuple', 0.9]] },
      { utterances: ['x'.repeat(100_000)] },
      { utterances: [`${'tell me a joke '.repeat(40)}`] },
      { utterances: ['hello'], lang: { evil: true } },
      { utterances: ['(((', '[[[', '{{{', '***', '\\'] },
    ];
    let handled = 0;
    const allHandled = new Promise<void>((resolve) => {
      h!.bus.on('ovos.utterance.handled', (m) => {
        if (m.context.session?.session_id === 'default' && ++handled === junk.length + 1) resolve();
      });
    });
    for (const data of junk) {
      h.bus.emit({ type: 'recognizer_loop:utterance', data: data as Record<string, unknown>, context: {} });
    }
    h.bus.emit({
      type: 'recognizer_loop:utterance',
      data: { utterances: ['hi'] },
      context: { session: 'not an object' as never, stt_lang: 7, valid_langs: 'en' },
    });
    await allHandled;
    const turn = await h.say('tell me a joke');
    assert.ok(types(turn).includes('hivelink-joke.hivelink:joke.intent'));
    assert.deepEqual(h.errors, []);
    const failures = h.log.filter((m) => m.type === 'complete_intent_failure').length;
    assert.equal(
      failures,
      5,
      'five junk turns ended in the failure sequence; the two greetings were answered',
    );
  });

  it('a session may name its own pipeline stages (OVOS ids or short names)', async () => {
    h = await startHarness();
    const onlyFallbacks = await h.say('tell me a joke', { session: { pipeline: ['fallback_low'] } });
    assert.ok(types(onlyFallbacks).includes('complete_intent_failure'));
    const padatious = await h.say('tell me a joke', { session: { pipeline: ['padatious_high'] } });
    assert.ok(types(padatious).includes('hivelink-joke.hivelink:joke.intent'));
  });
});
