import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../../../src/client/backoff.js';

describe('Backoff', () => {
  it('doubles from 5 s up to 60 s with no jitter at uniform 0.5', () => {
    const b = new Backoff(undefined, undefined, () => 0.5);
    assert.deepEqual(
      Array.from({ length: 7 }, () => b.next()),
      [5000, 10000, 20000, 40000, 60000, 60000, 60000],
    );
    b.reset();
    assert.equal(b.next(), 5000);
  });

  it('scales each delay by uniform(0.5, 1.5)', () => {
    assert.equal(new Backoff(1000, 8000, () => 0).next(), 500);
    assert.equal(new Backoff(1000, 8000, () => 0.75).next(), 1250);
    const high = new Backoff(1000, 1000, () => 0.9999);
    high.next();
    assert.equal(high.next(), 1500);
  });

  it('rejects a maximum below the initial delay', () => {
    assert.throws(() => new Backoff(10, 5), { code: 'HL_ERR_INVALID_ARGUMENT', message: /maxDelayMs/ });
    assert.throws(() => new Backoff(-1, 5), { code: 'HL_ERR_INVALID_ARGUMENT', message: /initialDelayMs/ });
  });
});
