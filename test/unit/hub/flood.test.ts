import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HiveLinkError } from '../../../src/errors.js';
import { FloodCache } from '../../../src/hub/flood.js';

describe('FloodCache', () => {
  it('reports a key as seen from the second time on', () => {
    const cache = new FloodCache(4);
    assert.equal(cache.seen('a'), false);
    assert.equal(cache.seen('a'), true);
  });

  it('forgets the least recently seen key when full', () => {
    const cache = new FloodCache(2);
    cache.seen('a');
    cache.seen('b');
    cache.seen('a'); // a is now the most recent
    cache.seen('c'); // evicts b
    assert.equal(cache.size, 2);
    assert.equal(cache.has('b'), false);
    assert.equal(cache.has('a'), true);
  });

  it('rejects a size below one', () => {
    assert.throws(
      () => new FloodCache(0),
      (e: unknown) => e instanceof HiveLinkError && e.code === 'HL_ERR_INVALID_ARGUMENT',
    );
  });
});
