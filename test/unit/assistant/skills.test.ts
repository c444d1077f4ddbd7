/**
 * The built-in skills answer real utterances and their paraphrases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { colourOf } from '../../../src/assistant/skills/colour/index.js';
import { en as jokes } from '../../../src/assistant/skills/joke/locale/en.js';
import { formatNumber } from '../../../src/assistant/skills/math/index.js';
import { parseNumberEn } from '../../../src/assistant/skills/math/numbers-en.js';
import { type Harness, PEER, spoken, startHarness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness({ timezone: 'Europe/Lisbon', clock: () => new Date('2025-11-22T15:42:00Z') });
});
after(() => h.close());

async function answer(utterance: string, options: Parameters<Harness['say']>[1] = {}): Promise<string> {
  // A fresh session per question keeps converse pings of earlier turns out of the way.
  const sessionId = options.sessionId ?? `s-${Math.random().toString(36).slice(2)}`;
  return spoken(await h.say(utterance, { ...options, sessionId })).join(' ');
}

describe('greeting', () => {
  it('answers hello, how are you, thanks and goodbye in many phrasings', async () => {
    for (const u of ['hello', 'Hi there!', 'good morning', 'hey hivelink'])
      assert.equal(await answer(u), 'Hello!', u);
    for (const u of ['how are you', "how's it going?", 'how have you been']) {
      assert.equal(await answer(u), "I'm doing well, thank you for asking.", u);
    }
    for (const u of ['thanks', 'thank you so much', 'cheers'])
      assert.equal(await answer(u), "You're welcome!", u);
    for (const u of ['goodbye', 'see you later', 'good night']) assert.equal(await answer(u), 'Goodbye!', u);
  });
});

describe('time and date', () => {
  it('tells the time in the hub time zone from the injected clock', async () => {
    for (const u of [
      'what time is it',
      "what's the time?",
      'could you tell me the time please',
      'time please',
    ]) {
      assert.equal(await answer(u), "It's 15:42.", u);
    }
  });

  it('uses a 12-hour clock when the session asks for it', async () => {
    assert.equal(await answer('what time is it', { session: { time_format: 'half' } }), "It's 3:42 PM.");
  });

  it('tells the date', async () => {
    for (const u of ["what's the date", 'what day is it today', "what is today's date"]) {
      assert.equal(await answer(u), 'Today is Saturday, November 22, 2025.', u);
    }
  });

  it('follows the hub time zone across midnight', async () => {
    const tokyo = await startHarness({
      timezone: 'Asia/Tokyo',
      clock: () => new Date('2025-11-22T15:42:00Z'),
    });
    try {
      assert.deepEqual(spoken(await tokyo.say('what time is it')), ["It's 00:42."]);
      assert.deepEqual(spoken(await tokyo.say('what day is it', { sessionId: 'x' })), [
        'Today is Sunday, November 23, 2025.',
      ]);
    } finally {
      tokyo.close();
    }
  });
});

describe('jokes', () => {
  it('has at least 20 jokes and tells one of them for many phrasings', async () => {
    const all = jokes.dialogs?.joke ?? [];
    assert.ok(all.length >= 20);
    for (const u of [
      'tell me a joke',
      'do you know any jokes',
      'make me laugh',
      'could you please tell me a joke',
      'joke',
    ]) {
      assert.ok(all.includes(await answer(u)), u);
    }
  });

  it('does not tell the same joke twice in a row to one session', async () => {
    const first = await answer('tell me a joke', { sessionId: 'jokes' });
    const second = await answer('tell me another joke', { sessionId: 'jokes' });
    assert.notEqual(first, second);
  });
});

describe('who am I', () => {
  it('answers with the client name, site and peer from the context', async () => {
    assert.equal(
      await answer('who am i', { context: { client_name: 'kitchen-sat', site_id: 'kitchen' } }),
      `You are kitchen-sat, speaking from the kitchen. Your connection is ${PEER}.`,
    );
  });

  it('falls back to the name in the peer id and the session site', async () => {
    assert.equal(
      await answer('what am i', {
        context: { peer: 'ua::c9::living-room-pi::s1', source: 'ua::c9::living-room-pi::s1' },
        session: { site_id: 'living room' },
      }),
      'You are living-room-pi, speaking from the living room. Your connection is ua::c9::living-room-pi::s1.',
    );
  });

  it('says it does not know a client without identity', async () => {
    assert.equal(
      await answer('who am i', {
        context: { peer: undefined, source: 'debug_cli' },
        session: { site_id: 'unknown' },
      }),
      "I don't know who you are. You are talking to me directly on the bus.",
    );
  });

  it('does not name the OVOS placeholder site "unknown" as a place', async () => {
    assert.equal(
      await answer('who am i', {
        context: { client_name: 'kitchen', site_id: 'unknown' },
        session: { site_id: 'unknown' },
      }),
      `You are kitchen. Your connection is ${PEER}.`,
    );
  });

  it('tells where the client is', async () => {
    assert.equal(await answer('where am i', { context: { site_id: 'garage' } }), 'You are in the garage.');
  });
});

describe('what can you do', () => {
  it('lists the loaded skills', async () => {
    const text = await answer('what can you do');
    for (const part of [
      'tell jokes',
      'tell the time and the date',
      'do arithmetic',
      'tell you about hivelink',
    ]) {
      assert.ok(text.includes(part), part);
    }
  });
});

describe('say / repeat', () => {
  it('repeats the words as typed', async () => {
    assert.equal(await answer('Say Hello, World!'), 'Hello, World!');
    assert.equal(await answer('repeat after me: the cat sat on the mat'), 'the cat sat on the mat');
    assert.equal(await answer('can you say banana'), 'banana');
  });
});

describe('arithmetic', () => {
  const cases: [string, string][] = [
    ['what is 12 times 7', '12 times 7 is 84.'],
    ['what is twelve times seven', '12 times 7 is 84.'],
    ["what's 5 plus 3", '5 plus 3 is 8.'],
    ['what is 9 minus 14', '9 minus 14 is -5.'],
    ['how much is 100 divided by 8', '100 divided by 8 is 12.5.'],
    ['what is 22 divided by 7', '22 divided by 7 is 3.1429.'],
    ['what is 15 multiplied by 3', '15 times 3 is 45.'],
    ['what is 2+2', '2 plus 2 is 4.'],
    ['what is twenty one plus nineteen', '21 plus 19 is 40.'],
    ['what is a hundred and five minus five', '105 minus 5 is 100.'],
    ['add 5 and 7', '5 plus 7 is 12.'],
    ['subtract 4 from 10', '10 minus 4 is 6.'],
    ['multiply six by seven', '6 times 7 is 42.'],
    ['divide 100 by 5', '100 divided by 5 is 20.'],
  ];
  it('computes with digits and number words', async () => {
    for (const [u, expected] of cases) assert.equal(await answer(u), expected, u);
  });

  it('answers division by zero sensibly', async () => {
    assert.equal(
      await answer('what is 10 divided by 0'),
      "You can't divide by zero. The answer is undefined.",
    );
    assert.equal(await answer('divide ten by zero'), "You can't divide by zero. The answer is undefined.");
  });

  it('parses number words up to the thousands and formats results', () => {
    assert.equal(parseNumberEn('nineteen'), 19);
    assert.equal(parseNumberEn('twenty'), 20);
    assert.equal(parseNumberEn('two thousand and twenty five'), 2025);
    assert.equal(parseNumberEn('negative four'), -4);
    assert.equal(parseNumberEn('three point one four'), 3.14);
    assert.equal(parseNumberEn('-2.5'), -2.5);
    assert.equal(parseNumberEn('banana'), undefined);
    assert.equal(formatNumber(1 / 3), '0.3333');
    assert.equal(formatNumber(42), '42');
  });
});

describe('about hivelink', () => {
  it('describes hivelink', async () => {
    for (const u of ['tell me about hivelink', 'what is hivelink', 'who are you']) {
      assert.match(await answer(u), /hivelink/, u);
    }
  });
});

describe('favourite colour (two turns)', () => {
  it('asks, remembers per session, and recalls', async () => {
    const turn1 = await Promise.all([
      h.next('speak', 'col'),
      h.send('ask me a question', { sessionId: 'col' }),
    ]);
    assert.equal(turn1[0].data.utterance, 'What is your favourite colour?');
    assert.equal(
      await answer("it's dark blue", { sessionId: 'col' }),
      'I will remember that your favourite colour is dark blue.',
    );
    assert.equal(
      await answer('what is my favorite color', { sessionId: 'col' }),
      'Your favourite colour is dark blue.',
    );
  });

  it('extracts the colour from an answer', () => {
    assert.equal(colourOf('Blue'), 'blue');
    assert.equal(colourOf('my favourite colour is green'), 'green');
    assert.equal(colourOf('I think red'), 'red');
  });
});
