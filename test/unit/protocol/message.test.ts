import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type ErrorCode, isHiveLinkError } from '../../../src/errors.js';
import {
  createHiveMessage,
  type HiveMessage,
  hiveMessageToJson,
  parseHiveMessage,
  serializeHiveMessage,
} from '../../../src/protocol/message.js';
import { HiveMessageType, WRAPPER_TYPES } from '../../../src/protocol/message-types.js';
import { loadVectors } from '../../helpers/vectors.js';
import { jsonHiveMessage } from './arbitraries.js';

const BUS = { type: 'speak', data: { utterance: 'hi' }, context: {} };
const envelope = (fields: Record<string, unknown>): string =>
  JSON.stringify({ msg_type: 'bus', payload: BUS, ...fields });

function rejects(input: unknown, code: ErrorCode, options = {}): void {
  const label = typeof input === 'string' ? input.slice(0, 80) : typeof input;
  assert.throws(() => parseHiveMessage(input, options), { name: 'HiveLinkError', code }, label);
}

describe('parseHiveMessage: accepts and fills defaults', () => {
  it('fills every missing optional key', () => {
    assert.deepEqual(parseHiveMessage('{"msg_type": "bus", "payload": {"type": "x"}}'), {
      msg_type: 'bus',
      payload: { type: 'x' },
      metadata: {},
      route: [],
      node: null,
      target_site_id: null,
      target_pubkey: null,
      source_peer: null,
    });
  });

  it('keeps every field of a full envelope, from text or from a parsed object', () => {
    const full = {
      msg_type: 'bus',
      payload: BUS,
      metadata: { k: [1, 2] },
      route: [{ source: 'a', targets: ['b', 'c'] }],
      node: 'n',
      target_site_id: 'site',
      target_pubkey: 'pem',
      source_peer: 'peer',
    };
    assert.deepEqual(parseHiveMessage(JSON.stringify(full)), full);
    assert.deepEqual(parseHiveMessage(full), full);
  });

  it('lets PING omit its payload, and lets PING and HELLO carry {}', () => {
    assert.deepEqual(parseHiveMessage('{"msg_type": "ping"}').payload, {});
    assert.deepEqual(parseHiveMessage('{"msg_type": "ping", "payload": {}}').payload, {});
    assert.deepEqual(parseHiveMessage('{"msg_type": "hello", "payload": {}}').payload, {});
  });

  it('parses a wrapper payload into a nested HiveMessage with its own defaults', () => {
    const msg = parseHiveMessage({
      msg_type: 'propagate',
      payload: { msg_type: 'ping', payload: { flood_id: 'f' } },
    });
    const inner = msg.payload as HiveMessage;
    assert.equal(inner.msg_type, 'ping');
    assert.deepEqual(inner.route, []);
    assert.equal(inner.source_peer, null);
  });
});

describe('parseHiveMessage: one rule, one code', () => {
  it('text that is not JSON → HL_ERR_INVALID_JSON', () => {
    rejects('{"msg_type": "bus",', 'HL_ERR_INVALID_JSON');
    rejects('', 'HL_ERR_INVALID_JSON');
    rejects('\ufeff{"msg_type": "ping"}', 'HL_ERR_INVALID_JSON');
  });

  it('not an object → HL_ERR_INVALID_MESSAGE', () => {
    for (const input of ['[]', '42', 'null', '"bus"', 42, null, undefined, [], new Uint8Array(2)]) {
      rejects(input, 'HL_ERR_INVALID_MESSAGE');
    }
  });

  it('no msg_type, or not a string → HL_ERR_INVALID_MESSAGE', () => {
    rejects('{"payload": {"type": "x"}}', 'HL_ERR_INVALID_MESSAGE');
    rejects('{"msg_type": 1, "payload": {"type": "x"}}', 'HL_ERR_INVALID_MESSAGE');
  });

  it('unknown msg_type → HL_ERR_UNKNOWN_MSG_TYPE', () => {
    rejects('{"msg_type": "pong", "payload": {}}', 'HL_ERR_UNKNOWN_MSG_TYPE');
    rejects('{"msg_type": "BUS", "payload": {"type": "x"}}', 'HL_ERR_UNKNOWN_MSG_TYPE');
  });

  it('a key outside the eight → HL_ERR_EXTRA_KEY (voice-sat#25)', () => {
    rejects(envelope({ ciphertext: 'abc' }), 'HL_ERR_EXTRA_KEY');
    rejects(envelope({ bin_type: 1 }), 'HL_ERR_EXTRA_KEY');
    rejects(envelope({ target_peers: [] }), 'HL_ERR_EXTRA_KEY');
  });

  it('bin as JSON → HL_ERR_INVALID_PAYLOAD', () => {
    rejects('{"msg_type": "bin", "payload": {}}', 'HL_ERR_INVALID_PAYLOAD');
    rejects({ msg_type: 'bin', payload: new Uint8Array(1) }, 'HL_ERR_INVALID_PAYLOAD');
  });

  it('payload missing (other than PING) → HL_ERR_INVALID_PAYLOAD', () => {
    for (const type of ['bus', 'hello', 'shake', 'broadcast', 'intercom']) {
      rejects(JSON.stringify({ msg_type: type }), 'HL_ERR_INVALID_PAYLOAD');
    }
  });

  it('payload not an object → HL_ERR_INVALID_PAYLOAD', () => {
    for (const payload of ['test', [], 1, null, true]) {
      rejects(JSON.stringify({ msg_type: 'hello', payload }), 'HL_ERR_INVALID_PAYLOAD');
      rejects(JSON.stringify({ msg_type: 'propagate', payload }), 'HL_ERR_INVALID_PAYLOAD');
    }
  });

  it('{} for BUS, SHARED_BUS and every wrapper → HL_ERR_INVALID_PAYLOAD', () => {
    for (const type of ['bus', 'shared_bus', ...WRAPPER_TYPES]) {
      rejects(JSON.stringify({ msg_type: type, payload: {} }), 'HL_ERR_INVALID_PAYLOAD');
    }
  });

  it('BUS payload without a string type → HL_ERR_INVALID_PAYLOAD', () => {
    rejects('{"msg_type": "bus", "payload": {"data": {}}}', 'HL_ERR_INVALID_PAYLOAD');
    rejects('{"msg_type": "bus", "payload": {"type": 7}}', 'HL_ERR_INVALID_PAYLOAD');
  });

  it('wrapper payload without msg_type → HL_ERR_INVALID_WRAPPER', () => {
    for (const type of WRAPPER_TYPES) {
      rejects(JSON.stringify({ msg_type: type, payload: BUS }), 'HL_ERR_INVALID_WRAPPER');
    }
  });

  it('an invalid inner message fails with the inner rule', () => {
    rejects({ msg_type: 'broadcast', payload: { msg_type: 'nope', payload: {} } }, 'HL_ERR_UNKNOWN_MSG_TYPE');
    rejects({ msg_type: 'broadcast', payload: { msg_type: 'bus', payload: BUS, x: 1 } }, 'HL_ERR_EXTRA_KEY');
    rejects({ msg_type: 'broadcast', payload: { msg_type: 'bus', payload: {} } }, 'HL_ERR_INVALID_PAYLOAD');
    rejects({ msg_type: 'escalate', payload: { msg_type: 'bin', payload: {} } }, 'HL_ERR_INVALID_PAYLOAD');
    rejects(
      { msg_type: 'escalate', payload: { msg_type: 'bus', payload: BUS, route: 'x' } },
      'HL_ERR_INVALID_MESSAGE',
    );
  });

  it('wrappers nested deeper than maxWrapperDepth → HL_ERR_INVALID_WRAPPER', () => {
    let value: Record<string, unknown> = { msg_type: 'bus', payload: BUS };
    for (let i = 0; i < 8; i++) value = { msg_type: 'propagate', payload: value };
    assert.equal(parseHiveMessage(value).msg_type, 'propagate');
    rejects({ msg_type: 'propagate', payload: value }, 'HL_ERR_INVALID_WRAPPER');
    rejects(
      { msg_type: 'propagate', payload: { msg_type: 'propagate', payload: BUS } },
      'HL_ERR_INVALID_WRAPPER',
      {
        maxWrapperDepth: 1,
      },
    );
  });

  it('JSON nested deeper than maxJsonDepth → HL_ERR_INVALID_PAYLOAD in the payload, HL_ERR_INVALID_MESSAGE elsewhere', () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    assert.ok(parseHiveMessage(`{"msg_type": "hello", "payload": {"a": ${deep(126)}}}`));
    rejects(`{"msg_type": "hello", "payload": {"a": ${deep(127)}}}`, 'HL_ERR_INVALID_PAYLOAD');
    rejects(`{"msg_type": "hello", "payload": {"a": ${deep(100_000)}}}`, 'HL_ERR_INVALID_PAYLOAD');
    rejects(
      `{"msg_type": "hello", "payload": {}, "metadata": {"a": ${deep(127)}}}`,
      'HL_ERR_INVALID_MESSAGE',
    );
    rejects(`{"msg_type": "hello", "payload": {"a": [[[[]]]]}}`, 'HL_ERR_INVALID_PAYLOAD', {
      maxJsonDepth: 4,
    });
  });

  it('depth options that are not whole numbers >= 1 → HL_ERR_INVALID_ARGUMENT', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      rejects(envelope({}), 'HL_ERR_INVALID_ARGUMENT', { maxJsonDepth: bad });
      rejects(envelope({}), 'HL_ERR_INVALID_ARGUMENT', { maxWrapperDepth: bad });
    }
  });

  it('metadata not an object → HL_ERR_INVALID_MESSAGE', () => {
    for (const metadata of [null, [], 'x', 1]) rejects(envelope({ metadata }), 'HL_ERR_INVALID_MESSAGE');
  });

  it('route not a list of {source, targets} hops → HL_ERR_INVALID_MESSAGE', () => {
    for (const route of [
      null,
      {},
      'a',
      [1],
      [{ source: 'a' }],
      [{ source: 1, targets: [] }],
      [{ source: 'a', targets: [1] }],
      [{ source: 'a', targets: 'b' }],
      [{ source: 'a', targets: [], extra: 1 }],
    ]) {
      rejects(envelope({ route }), 'HL_ERR_INVALID_MESSAGE');
    }
  });

  it('node, target_site_id, target_pubkey or source_peer not a string or null → HL_ERR_INVALID_MESSAGE', () => {
    for (const key of ['node', 'target_site_id', 'target_pubkey', 'source_peer']) {
      for (const bad of [1, {}, [], true]) rejects(envelope({ [key]: bad }), 'HL_ERR_INVALID_MESSAGE');
    }
  });

  it('numbers JSON cannot carry (1e400 → Infinity) → HL_ERR_INVALID_PAYLOAD', () => {
    rejects('{"msg_type": "hello", "payload": {"n": 1e400}}', 'HL_ERR_INVALID_PAYLOAD');
  });

  it('values that are not plain JSON in an object input → HL_ERR_INVALID_PAYLOAD / HL_ERR_INVALID_MESSAGE', () => {
    for (const bad of [() => 1, Number.NaN, new Date(0), new Uint8Array(1), 1n, Symbol('s'), new Map()]) {
      rejects({ msg_type: 'hello', payload: { bad } }, 'HL_ERR_INVALID_PAYLOAD');
      rejects({ msg_type: 'hello', payload: {}, metadata: { bad } }, 'HL_ERR_INVALID_MESSAGE');
    }
    rejects({ msg_type: 'hello', payload: { a: [undefined] } }, 'HL_ERR_INVALID_PAYLOAD');
  });

  it('hostile objects (throwing getters, cycles) → HiveLinkError', () => {
    const getter = { msg_type: 'hello' };
    Object.defineProperty(getter, 'payload', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    rejects(getter, 'HL_ERR_INVALID_MESSAGE');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    rejects({ msg_type: 'hello', payload: cyclic }, 'HL_ERR_INVALID_PAYLOAD');
  });
});

describe('createHiveMessage', () => {
  it('fills defaults and validates like parseHiveMessage', () => {
    const msg = createHiveMessage(HiveMessageType.BUS, BUS, { source_peer: 'p' });
    assert.deepEqual(msg, { ...parseHiveMessage(envelope({})), source_peer: 'p' });
    assert.throws(() => createHiveMessage(HiveMessageType.BUS, {}), { code: 'HL_ERR_INVALID_PAYLOAD' });
    assert.throws(() => createHiveMessage(HiveMessageType.BROADCAST, BUS), {
      code: 'HL_ERR_INVALID_WRAPPER',
    });
    assert.throws(() => createHiveMessage('pong' as HiveMessage['msg_type'], {}), {
      code: 'HL_ERR_UNKNOWN_MSG_TYPE',
    });
  });

  it('builds BINARY messages with bytes and a 4-bit bin_type (default 0)', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    assert.equal(createHiveMessage(HiveMessageType.BINARY, bytes).bin_type, 0);
    assert.equal(createHiveMessage(HiveMessageType.BINARY, bytes, { bin_type: 6 }).bin_type, 6);
    assert.throws(() => createHiveMessage(HiveMessageType.BINARY, bytes, { bin_type: 16 }), {
      code: 'HL_ERR_INVALID_MESSAGE',
    });
    assert.throws(() => createHiveMessage(HiveMessageType.BINARY, {}), { code: 'HL_ERR_INVALID_PAYLOAD' });
    assert.throws(() => createHiveMessage(HiveMessageType.HELLO, bytes), { code: 'HL_ERR_INVALID_PAYLOAD' });
    const bin = createHiveMessage(HiveMessageType.BINARY, bytes);
    assert.throws(() => createHiveMessage(HiveMessageType.PROPAGATE, bin), {
      code: 'HL_ERR_INVALID_PAYLOAD',
    });
  });

  it('drops a bin_type given for a message that is not BINARY (e.g. fields copied from a BINARY one)', () => {
    const m = createHiveMessage(HiveMessageType.PING, { flood_id: 'f' }, { bin_type: 3, source_peer: 'p' });
    assert.equal(Object.hasOwn(m, 'bin_type'), false);
    assert.equal(m.source_peer, 'p');
  });

  it('drops bin_type from non-BINARY messages', () => {
    assert.equal('bin_type' in createHiveMessage(HiveMessageType.HELLO, {}, { bin_type: 3 }), false);
  });
});

describe('serializeHiveMessage', () => {
  it('writes the eight keys in Python order with Python separators', () => {
    const inner = createHiveMessage(HiveMessageType.BUS, {
      type: 'speak',
      data: { utterance: 'all' },
      context: {},
    });
    assert.equal(
      serializeHiveMessage(
        createHiveMessage(HiveMessageType.BROADCAST, inner, { route: [{ source: 'a', targets: ['b'] }] }),
      ),
      '{"msg_type": "broadcast", "payload": {"msg_type": "bus", "payload": {"type": "speak", "data": {"utterance": "all"}, ' +
        '"context": {}}, "metadata": {}, "route": [], "node": null, "target_site_id": null, "target_pubkey": null, ' +
        '"source_peer": null}, "metadata": {}, "route": [{"source": "a", "targets": ["b"]}], "node": null, ' +
        '"target_site_id": null, "target_pubkey": null, "source_peer": null}',
    );
  });

  it('refuses BINARY messages', () => {
    const bin = createHiveMessage(HiveMessageType.BINARY, new Uint8Array(1));
    assert.throws(() => serializeHiveMessage(bin), { code: 'HL_ERR_INVALID_ARGUMENT' });
    assert.throws(() => hiveMessageToJson(bin), { code: 'HL_ERR_INVALID_ARGUMENT' });
  });

  it('reproduces every HiveMessage the reference peers sent in the captured legacy sessions', () => {
    let count = 0;
    for (const n of [1, 2, 3, 4]) {
      const session = loadVectors<{ frames: { kind?: string; text?: string; plaintext?: string }[] }>(
        `legacy-sessions/session${n}.json`,
      );
      for (const frame of session.frames) {
        const text = frame.plaintext ?? (frame.kind === 'text' ? frame.text : undefined);
        if (text === undefined || text.startsWith('{"ciphertext"')) continue;
        assert.equal(serializeHiveMessage(parseHiveMessage(text)), text);
        count++;
      }
    }
    assert.ok(count >= 20, `only ${count} messages checked`);
  });
});

describe('HiveMessage properties', () => {
  it('random valid messages round-trip through serialize → parse', () => {
    fc.assert(
      fc.property(jsonHiveMessage(3), (msg) => {
        const text = serializeHiveMessage(msg);
        assert.deepEqual(parseHiveMessage(text), msg);
        assert.equal(serializeHiveMessage(parseHiveMessage(text)), text);
      }),
      { numRuns: 300 },
    );
  });

  it('random garbage makes parseHiveMessage throw only HiveLinkError', () => {
    const keys = fc.constantFrom('msg_type', 'payload', 'metadata', 'route', 'node', 'source_peer', 'extra');
    const types = fc.constantFrom('bus', 'ping', 'propagate', 'bin', 'intercom', 'hello', 'x');
    const almost = fc.dictionary(keys, fc.oneof(fc.anything(), types), { maxKeys: 6 });
    const garbage = fc.oneof(
      fc.string(),
      fc.json(),
      fc.anything(),
      almost,
      almost.map((v) => JSON.stringify(v) ?? ''),
      fc.record({ msg_type: fc.constantFrom(...WRAPPER_TYPES), payload: almost }),
    );
    fc.assert(
      fc.property(garbage, (input) => {
        try {
          parseHiveMessage(input);
        } catch (err) {
          assert.ok(isHiveLinkError(err), String(err));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
