import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatBytes } from '../../../src/protocol/bytes.js';

describe('concatBytes', () => {
  it('joins the parts in order into a fresh array', () => {
    const a = Uint8Array.of(1, 2);
    const joined = concatBytes([a, new Uint8Array(0), Uint8Array.of(3)]);
    assert.deepEqual(joined, Uint8Array.of(1, 2, 3));
    assert.deepEqual(concatBytes([]), new Uint8Array(0));
    const copy = concatBytes([a]);
    copy[0] = 9;
    assert.equal(a[0], 1, 'one part is copied, not shared');
  });
});
