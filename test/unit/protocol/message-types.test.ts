import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { REPO_ROOT } from '../../helpers/vectors.js';

/** The rows of a table of docs/PROTOCOL.md §5.2 whose first cells match `row`. */
function section52Rows(row: RegExp): RegExpMatchArray[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs/PROTOCOL.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### 5.2 Message types'), doc.indexOf('### 5.3'));
  return [...section.matchAll(row)];
}

describe('message types', () => {
  it('names each type, its wire string and its 5-bit code as docs/PROTOCOL.md §5.2 does (INTERCOM has none)', () => {
    const rows = section52Rows(/^\| ([A-Z_]+) \| `([^`]+)` \| (\d+|none)\b/gm);
    assert.equal(rows.length, Object.keys(HiveMessageType).length);
    assert.deepEqual(HiveMessageType, Object.fromEntries(rows.map(([, name, wire]) => [name, wire])));
    const coded = rows.filter(([, , , code]) => code !== 'none');
    assert.deepEqual(
      MSG_TYPE_CODES,
      Object.fromEntries(coded.map(([, , wire, code]) => [wire, Number(code)])),
    );
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

  it('numbers the binary types as the bin_type table of docs/PROTOCOL.md §5.2 does', () => {
    const rows = section52Rows(/^\| (\d+) \| ([A-Z_]+) \|/gm);
    assert.equal(rows.length, 7);
    assert.deepEqual(BinaryType, Object.fromEntries(rows.map(([, value, name]) => [name, Number(value)])));
  });
});
