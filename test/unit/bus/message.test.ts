import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createMessage,
  destinationIncludes,
  forward,
  parseMessage,
  publish,
  reply,
  response,
  serializeMessage,
  sessionIdOf,
} from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import { HiveLinkError } from '../../../src/errors.js';

function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof HiveLinkError && err.code === code);
}

describe('createMessage', () => {
  it('defaults data and context to empty objects', () => {
    assert.deepEqual(createMessage('ping'), { type: 'ping', data: {}, context: {} });
  });

  it('copies its inputs, so the caller can keep changing them', () => {
    const data = { nested: { n: 1 } };
    const m = createMessage('x', data);
    data.nested.n = 2;
    assert.equal((m.data.nested as { n: number }).n, 1);
  });

  it('refuses a non-string type', () => {
    assertCode(() => createMessage(5 as unknown as string), 'HL_ERR_INVALID_MESSAGE');
  });
});

describe('forward', () => {
  it('keeps source and destination, takes only the new data', () => {
    const m = createMessage(
      'a',
      { x: 1 },
      { source: 'audio', destination: ['skills'], session: { session_id: 's' } },
    );
    const f = forward(m, 'b', { y: 2 });
    assert.deepEqual(f, {
      type: 'b',
      data: { y: 2 },
      context: { source: 'audio', destination: ['skills'], session: { session_id: 's' } },
    });
  });

  it('copies the context: changing the forward leaves the original alone', () => {
    const m = createMessage('a', {}, { destination: ['skills'] });
    const f = forward(m, 'b');
    (f.context.destination as string[]).push('other');
    f.context.skill_id = 'x';
    assert.deepEqual(m.context, { destination: ['skills'] });
  });
});

describe('reply', () => {
  it('swaps source and destination when both exist (list and string keep their shape)', () => {
    const m = createMessage('recognizer_loop:utterance', {}, { source: 'audio', destination: ['skills'] });
    const r = reply(m, 'speak', { utterance: 'hi' });
    assert.deepEqual(r.context, { source: ['skills'], destination: 'audio' });
    assert.deepEqual(r.data, { utterance: 'hi' });
    assert.equal(r.type, 'speak');
  });

  it('keeps a lone source as it is', () => {
    const r = reply(createMessage('a', {}, { source: 'cli' }), 'b');
    assert.deepEqual(r.context, { source: 'cli' });
  });

  it('keeps a lone destination as it is', () => {
    const r = reply(createMessage('a', {}, { destination: 'cli' }), 'b');
    assert.deepEqual(r.context, { destination: 'cli' });
  });

  it('data.destination becomes the destination before the swap (the Python quirk)', () => {
    const r = reply(createMessage('a', {}, { source: 'S' }), 'b', { destination: 'X' });
    assert.deepEqual(r.context, { source: 'X', destination: 'S' });
    assert.deepEqual(r.data, { destination: 'X' });
  });

  it('data.destination replaces an existing destination, then swaps', () => {
    const r = reply(createMessage('a', {}, { source: 'S', destination: 'D' }), 'b', { destination: ['X'] });
    assert.deepEqual(r.context, { source: ['X'], destination: 'S' });
  });

  it('lays the given context over a deep copy of the original, then swaps', () => {
    const m = createMessage('a', {}, { source: 'S', destination: 'D', session: { session_id: 'one' } });
    const r = reply(m, 'b', {}, { session: { session_id: 'two' }, skill_id: 'k' });
    assert.deepEqual(r.context, {
      source: 'D',
      destination: 'S',
      session: { session_id: 'two' },
      skill_id: 'k',
    });
    (r.context.session as { lang?: string }).lang = 'x';
    assert.deepEqual(m.context.session, { session_id: 'one' });
  });

  it('an overlaid source takes part in the swap', () => {
    const r = reply(createMessage('a', {}, { destination: 'D' }), 'b', {}, { source: 'me' });
    assert.deepEqual(r.context, { source: 'D', destination: 'me' });
  });
});

describe('response', () => {
  it('is a reply of type <type>.response', () => {
    const m = createMessage('mycroft.intents.is_ready', {}, { source: 'a', destination: 'b' });
    const r = response(m, { status: true });
    assert.deepEqual(r, {
      type: 'mycroft.intents.is_ready.response',
      data: { status: true },
      context: { source: 'b', destination: 'a' },
    });
  });
});

describe('publish', () => {
  it('keeps routing, overlays context and removes target', () => {
    const m = createMessage('a', {}, { source: 'S', destination: 'D', target: 'T' });
    const p = publish(m, 'b', { z: 1 }, { skill_id: 'k' });
    assert.deepEqual(p, {
      type: 'b',
      data: { z: 1 },
      context: { source: 'S', destination: 'D', skill_id: 'k' },
    });
    assert.equal(m.context.target, 'T');
  });
});

describe('parseMessage', () => {
  it('reads a full message', () => {
    const m = parseMessage('{"type": "speak", "data": {"utterance": "hi"}, "context": {"source": "x"}}');
    assert.deepEqual(m, { type: 'speak', data: { utterance: 'hi' }, context: { source: 'x' } });
  });

  it('is lenient like Python: missing data/context are {}, a missing type is ""', () => {
    assert.deepEqual(parseMessage('{}'), { type: '', data: {}, context: {} });
    assert.deepEqual(parseMessage('{"type":"a","data":null}'), { type: 'a', data: {}, context: {} });
  });

  it('rejects text that is not JSON', () => {
    for (const text of ['', '{', 'not json', '{"type": "a",}'])
      assertCode(() => parseMessage(text), 'HL_ERR_INVALID_JSON');
  });

  it('rejects JSON that is not a message', () => {
    for (const text of ['null', '[]', '"speak"', '5', '{"type": 5}', '{"data": []}', '{"context": "x"}'])
      assertCode(() => parseMessage(text), 'HL_ERR_INVALID_MESSAGE');
  });

  it('keeps a "__proto__" key as data, without touching prototypes', () => {
    const m = parseMessage('{"type":"a","data":{"__proto__":{"polluted":true}}}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(m.data), ['__proto__']);
  });
});

describe('serializeMessage', () => {
  it('round-trips through parseMessage with exactly type, data and context', () => {
    const m = {
      type: 't',
      data: { a: [1, 'é'] },
      context: { session: { session_id: 's' } },
      extra: 1,
    } as MessageData;
    const text = serializeMessage(m);
    assert.deepEqual(Object.keys(JSON.parse(text)), ['type', 'data', 'context']);
    assert.deepEqual(parseMessage(text), {
      type: 't',
      data: { a: [1, 'é'] },
      context: { session: { session_id: 's' } },
    });
  });

  it('reports a message that cannot be JSON as HL_ERR_INVALID_MESSAGE', () => {
    const data: Record<string, unknown> = {};
    data.self = data;
    assertCode(() => serializeMessage({ type: 'a', data, context: {} }), 'HL_ERR_INVALID_MESSAGE');
    assertCode(() => serializeMessage({ type: 'a', data: { n: 1n }, context: {} }), 'HL_ERR_INVALID_MESSAGE');
  });
});

describe('destinationIncludes', () => {
  it('matches a string destination exactly and a list by membership', () => {
    assert.equal(destinationIncludes(createMessage('a', {}, { destination: 'p1' }), 'p1'), true);
    assert.equal(destinationIncludes(createMessage('a', {}, { destination: 'p10' }), 'p1'), false);
    assert.equal(destinationIncludes(createMessage('a', {}, { destination: ['x', 'p1'] }), 'p1'), true);
    assert.equal(destinationIncludes(createMessage('a', {}, { destination: ['x'] }), 'p1'), false);
    assert.equal(destinationIncludes(createMessage('a'), 'p1'), false);
  });
});

describe('sessionIdOf', () => {
  it('reads context.session.session_id and falls back to "default"', () => {
    assert.equal(sessionIdOf(createMessage('a', {}, { session: { session_id: 'abc' } })), 'abc');
    assert.equal(sessionIdOf(createMessage('a')), 'default');
    assert.equal(sessionIdOf(parseMessage('{"type":"a","context":{"session":{"session_id":5}}}')), 'default');
  });
});

describe('parseMessage on malformed input', () => {
  it('returns a message or throws a HiveLinkError for any text, never anything else', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = [
      '{',
      '}',
      '[',
      ']',
      '"',
      ':',
      ',',
      'type',
      'data',
      'context',
      'null',
      '1',
      'é',
      '\\',
      ' ',
      '\u0000',
    ];
    for (let i = 0; i < 5000; i++) {
      let text = '';
      for (let j = rand(30); j > 0; j--) text += alphabet[rand(alphabet.length)];
      try {
        const m = parseMessage(text);
        assert.equal(typeof m.type, 'string');
        assert.equal(typeof m.data, 'object');
        assert.equal(typeof m.context, 'object');
      } catch (err) {
        assert.ok(err instanceof HiveLinkError, `${JSON.stringify(text)} threw ${String(err)}`);
      }
    }
  });

  it('handles a frame nested far deeper than the call stack', () => {
    const depth = 500_000;
    const text = `{"type":"deep","data":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const m = parseMessage(text);
    assert.equal(m.type, 'deep');
    assertCode(() => serializeMessage(m), 'HL_ERR_INVALID_MESSAGE');
  });
});
