import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BinaryType,
  HiveMessageType,
  isHiveMessageType,
  isWrapperType,
  MSG_TYPE_CODES,
  msgTypeFromCode,
  WRAPPER_TYPES,
} from '../../../src/protocol/message-types.js';

describe('message types', () => {
  it('maps every type but INTERCOM to its 5-bit code (docs/PROTOCOL.md §5.2)', () => {
    assert.deepEqual(MSG_TYPE_CODES, {
      shake: 0,
      bus: 1,
      shared_bus: 2,
      broadcast: 3,
      propagate: 4,
      escalate: 5,
      hello: 6,
      query: 7,
      cascade: 8,
      ping: 9,
      rendezvous: 10,
      '3rdparty': 11,
      bin: 12,
    });
    assert.equal(HiveMessageType.INTERCOM in MSG_TYPE_CODES, false);
  });

  it('decodes codes 0-10 and 12, and rejects 11 and 13-31', () => {
    for (const [name, code] of Object.entries(MSG_TYPE_CODES)) {
      if (code !== 11) assert.equal(msgTypeFromCode(code), name);
    }
    for (const code of [11, 13, 20, 31, 32, -1, 1.5, Number.NaN]) {
      assert.throws(() => msgTypeFromCode(code), { code: 'HL_ERR_UNKNOWN_MSG_TYPE' }, String(code));
    }
  });

  it('recognises exactly the wire strings', () => {
    for (const name of Object.values(HiveMessageType)) assert.ok(isHiveMessageType(name), name);
    for (const bad of ['BUS', 'THIRDPRTY', 'binary', '', null, 1, undefined])
      assert.equal(isHiveMessageType(bad), false);
  });

  it('names the five wrapper types', () => {
    assert.deepEqual([...WRAPPER_TYPES].sort(), ['broadcast', 'cascade', 'escalate', 'propagate', 'query']);
    assert.equal(isWrapperType(HiveMessageType.QUERY), true);
    assert.equal(isWrapperType(HiveMessageType.BUS), false);
  });

  it('numbers the binary types 0-6', () => {
    assert.deepEqual(Object.values(BinaryType), [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(BinaryType.TTS_AUDIO, 6);
  });
});
