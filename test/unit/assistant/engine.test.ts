import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntentEngine } from '../../../src/assistant/engine/intent-engine.js';
import { ENGLISH } from '../../../src/assistant/engine/lang/en.js';
import { langFallbacks } from '../../../src/assistant/engine/lang/index.js';
import { normalizeText } from '../../../src/assistant/engine/normalize.js';
import { editDistance, SpellingIndex } from '../../../src/assistant/engine/spelling.js';
import { compileTemplate, expandTemplate } from '../../../src/assistant/engine/template.js';
import { isHiveLinkError } from '../../../src/errors.js';

const NUMBER = '-?\\d+|(?:one|two|three|seven|twelve)(?: (?:one|two|three|seven|twelve))*';

function top(engine: IntentEngine, utterance: string, lang = 'en-US') {
  return engine.match(utterance, lang)[0];
}

describe('normalization (English)', () => {
  it('lowercases, expands contractions and strips punctuation', () => {
    assert.equal(normalizeText("What's the time?", ENGLISH), 'what is the time');
    assert.equal(normalizeText("I can't hear you, it's loud!", ENGLISH), 'i can not hear you it is loud');
    assert.equal(normalizeText('Who’s there…', ENGLISH), 'who is there');
    assert.equal(normalizeText("hivelink's features", ENGLISH), 'hivelink features');
    assert.equal(
      normalizeText("we'll see, they're here, I'm done", ENGLISH),
      'we will see they are here i am done',
    );
  });

  it('keeps numbers and turns arithmetic symbols into words', () => {
    assert.equal(normalizeText('what is 12*7', ENGLISH), 'what is 12 times 7');
    assert.equal(normalizeText('3.5 + -2', ENGLISH), '3.5 plus -2');
    assert.equal(normalizeText('10/4', ENGLISH), '10 divided by 4');
    assert.equal(normalizeText('9-3', ENGLISH), '9 minus 3');
    assert.equal(normalizeText('1,000 people', ENGLISH), '1000 people');
    assert.equal(normalizeText('twenty-one', ENGLISH), 'twenty one');
  });

  it('turns anything into a string of tokens without throwing', () => {
    for (const s of ['', '   ', '!!!', '\u0000\u0001', '🙂', 'a'.repeat(10000)]) {
      assert.equal(typeof normalizeText(s, ENGLISH), 'string');
    }
    assert.equal(normalizeText('!!!', ENGLISH), '');
  });
});

describe('templates', () => {
  it('expands alternatives and optional parts', () => {
    assert.deepEqual(expandTemplate('(hi|hello) [there] friend', ENGLISH).sort(), [
      'hello friend',
      'hello there friend',
      'hi friend',
      'hi there friend',
    ]);
  });

  it('compiles slots into named captures and records anchors', () => {
    const t = compileTemplate('what is the weather in {city}', ENGLISH);
    assert.equal(t.freeSlots, 1);
    const m = t.regex.exec('what is the weather in new york ');
    assert.equal(m?.groups?.g0, 'new york ');
    assert.ok(t.anchors?.has('weather'), 'a content word anchors the template');
    assert.equal(t.samples.length, 0, 'slot templates give no fuzzy samples');
  });

  it('rejects malformed templates with HL_ERR_INVALID_ARGUMENT', () => {
    for (const bad of ['(a|b', 'a]', '{x', '{}', '[only|optional]', '{slot}', 'a {x:nope} b']) {
      assert.throws(
        () => compileTemplate(bad, ENGLISH),
        (err: unknown) => isHiveLinkError(err, 'HL_ERR_INVALID_ARGUMENT'),
        bad,
      );
    }
  });
});

describe('spelling', () => {
  it('measures edit distance with swaps, bounded by a limit', () => {
    assert.equal(editDistance('joke', 'joke', 1), 0);
    assert.equal(editDistance('joke', 'jkoe', 1), 1);
    assert.equal(editDistance('joke', 'joker', 1), 1);
    assert.equal(editDistance('joke', 'poker', 1), 2);
  });

  it('corrects a word one edit from a known word, and nothing else', () => {
    const index = new SpellingIndex();
    for (const w of ['joke', 'weather', 'time']) index.add(w);
    assert.equal(index.correct('jokke'), 'joke');
    assert.equal(index.correct('wether'), 'weather');
    assert.equal(index.correct('joke'), undefined, 'known words stay');
    assert.equal(index.correct('tim'), undefined, 'short words are not guessed');
    assert.equal(index.correct('banana'), undefined);
  });
});

describe('IntentEngine: example intents', () => {
  const engine = new IntentEngine();
  engine.registerExamples('en', 'joke:joke.intent', [
    '(tell|give) me a [funny] joke',
    'make me laugh',
    'do you know any jokes',
  ]);
  engine.registerExamples('en', 'time:time.intent', [
    'what time is it',
    'what is the time',
    'tell me the time',
  ]);
  engine.registerExamples('en', 'say:say.intent', ['say {words}']);
  engine.registerExamples('en', 'math:calc.intent', ['what is {a:number} times {b:number}'], {
    number: { pattern: NUMBER },
  });
  engine.registerExamples('en', 'colour:colour.intent', ['my favourite colour is {colour:colour}'], {
    colour: ['red', 'dark (blue|green)'],
  });

  it('an exact match scores 1.0 in the high tier', () => {
    const m = top(engine, 'Tell me a joke!');
    assert.equal(m?.name, 'joke:joke.intent');
    assert.equal(m?.confidence, 1);
    assert.equal(m?.tier, 'high');
    assert.equal(m?.matcher, 'examples');
  });

  it('captures slots, scoring them a little lower', () => {
    const m = top(engine, 'say Hello World');
    assert.equal(m?.name, 'say:say.intent');
    assert.deepEqual(m?.entities, { words: 'hello world' });
    assert.ok(m !== undefined && m.confidence < 1 && m.confidence >= 0.95);
  });

  it('typed slots only take what their entity allows', () => {
    assert.deepEqual(top(engine, 'what is twelve times seven')?.entities, { a: 'twelve', b: 'seven' });
    assert.deepEqual(top(engine, 'what is 12 * 7')?.entities, { a: '12', b: '7' });
    assert.equal(top(engine, 'what is love times pain'), undefined);
    assert.deepEqual(top(engine, 'my favourite colour is dark green')?.entities, { colour: 'dark green' });
    assert.equal(top(engine, 'my favourite colour is purple'), undefined);
  });

  it('peels polite fillers and still matches in the high tier', () => {
    const m = top(engine, 'hey, could you please tell me a joke please');
    assert.equal(m?.name, 'joke:joke.intent');
    assert.equal(m?.tier, 'high');
    assert.ok(m !== undefined && m.confidence < 1);
  });

  it('tolerates a typo at a lower confidence', () => {
    const m = top(engine, 'tell me a jokke');
    assert.equal(m?.name, 'joke:joke.intent');
    assert.equal(m?.tier, 'medium');
  });

  it('matches near-paraphrases in the fuzzy tier', () => {
    const m = top(engine, 'know any good jokes');
    assert.equal(m?.name, 'joke:joke.intent');
    assert.notEqual(m?.tier, 'high');
  });

  it('matches nothing out of domain', () => {
    for (const u of [
      'purple monkey dishwasher',
      'what is love',
      'set a timer',
      'the',
      '',
      '?!',
      'joke'.repeat(100),
    ]) {
      assert.equal(top(engine, u), undefined, u);
    }
  });

  it('leaves out candidates the caller skips (blacklists)', () => {
    const names = engine
      .match('tell me a joke', 'en', { skip: (n) => n.startsWith('joke:') })
      .map((m) => m.name);
    assert.ok(!names.includes('joke:joke.intent'));
  });

  it('removes an intent', () => {
    const e = new IntentEngine();
    e.registerExamples('en', 'a:x.intent', ['hello world']);
    assert.equal(top(e, 'hello world')?.name, 'a:x.intent');
    assert.equal(e.remove('a:x.intent'), true);
    assert.equal(top(e, 'hello world'), undefined);
    assert.equal(e.remove('a:x.intent'), false);
  });

  it('ignores utterances longer than maxUtteranceWords', () => {
    const e = new IntentEngine({ maxUtteranceWords: 3 });
    e.registerExamples('en', 'a:x.intent', ['say {words}']);
    assert.equal(top(e, 'say a b')?.name, 'a:x.intent');
    assert.equal(top(e, 'say a b c d'), undefined);
  });
});

describe('IntentEngine: keyword intents', () => {
  const engine = new IntentEngine();
  engine.registerVocab('en', 'weather.author', 'Weather', ['weather', 'forecast', '(rain|raining)']);
  engine.registerVocab('en', 'weather.author', 'Tomorrow', ['tomorrow']);
  engine.registerVocab('en', 'weather.author', 'Music', ['song', 'music']);
  engine.registerRegex('en', 'weather.author', 'in (?P<Location>[a-z ]+)');
  engine.registerKeywords('en', 'weather.author', 'weather.author:WeatherIntent', {
    requires: ['Weather'],
    optional: ['Location', 'Tomorrow'],
    excludes: ['Music'],
  });

  it('tags vocabulary and regex groups; confidence is the share of the utterance explained', () => {
    const m = top(engine, 'what is the weather in paris');
    assert.equal(m?.name, 'weather.author:WeatherIntent');
    assert.equal(m?.matcher, 'keywords');
    assert.deepEqual(m?.entities, { Weather: 'weather', Location: 'paris' });
    const full = top(engine, 'weather in lisbon tomorrow');
    assert.ok(m !== undefined && full !== undefined && full.confidence > m.confidence);
    assert.equal(full?.tier, 'high');
  });

  it('aliases carry the canonical value', () => {
    const m = top(engine, 'is it raining');
    assert.equal(m?.tags[0]?.value, 'rain');
    assert.equal(m?.tags[0]?.match, 'raining');
  });

  it('needs what it requires and nothing it excludes', () => {
    assert.equal(top(engine, 'paris tomorrow'), undefined);
    assert.equal(top(engine, 'play the weather song'), undefined);
  });

  it('oneOf needs one of the group', () => {
    const e = new IntentEngine();
    e.registerVocab('en', 's.a', 'Lights', ['lights', 'lamp']);
    e.registerVocab('en', 's.a', 'On', ['on']);
    e.registerVocab('en', 's.a', 'Off', ['off']);
    e.registerKeywords('en', 's.a', 's.a:Switch', { requires: ['Lights'], oneOf: [['On', 'Off']] });
    assert.equal(top(e, 'lights on')?.name, 's.a:Switch');
    assert.equal(top(e, 'turn the lamp off')?.name, 's.a:Switch');
    assert.equal(top(e, 'lights'), undefined);
  });

  it('rejects an intent that requires nothing, and a regex without a named group', () => {
    const e = new IntentEngine();
    assert.throws(
      () => e.registerKeywords('en', 'x.y', 'x.y:I', { optional: ['A'] }),
      (err: unknown) => isHiveLinkError(err, 'HL_ERR_INVALID_ARGUMENT'),
    );
    assert.throws(
      () => e.registerRegex('en', 'x.y', 'in (.*)'),
      (err: unknown) => isHiveLinkError(err, 'HL_ERR_INVALID_ARGUMENT'),
    );
  });

  it('namespaces keep two skills apart', () => {
    const e = new IntentEngine();
    e.registerVocab('en', 'a.x', 'Thing', ['apple']);
    e.registerVocab('en', 'b.x', 'Thing', ['banana']);
    e.registerKeywords('en', 'a.x', 'a.x:I', { requires: ['Thing'] });
    assert.equal(top(e, 'apple')?.name, 'a.x:I');
    assert.equal(top(e, 'banana'), undefined);
    e.removeNamespace('a.x');
    assert.equal(top(e, 'apple'), undefined);
  });
});

describe('IntentEngine: languages', () => {
  it('falls back from en-us to en, and keeps languages apart', () => {
    const e = new IntentEngine();
    e.registerExamples('en', 'g:hello.intent', ['hello']);
    e.registerExamples('pt-pt', 'g:ola.intent', ['olá']);
    assert.equal(top(e, 'hello', 'en-US')?.name, 'g:hello.intent');
    assert.equal(top(e, 'hello', 'EN_gb')?.name, 'g:hello.intent');
    assert.equal(top(e, 'olá', 'pt-PT')?.name, 'g:ola.intent');
    assert.equal(top(e, 'hello', 'pt-PT'), undefined);
    assert.equal(top(e, 'hello', 'not a tag'), undefined);
    assert.deepEqual(langFallbacks('en-US'), ['en-us', 'en']);
  });

  it('registers nothing under a malformed language tag', () => {
    const e = new IntentEngine();
    assert.throws(
      () => e.registerExamples('??', 'x:y', ['a']),
      (err: unknown) => isHiveLinkError(err, 'HL_ERR_INVALID_ARGUMENT'),
    );
  });
});
