import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from '../../../src/hub/policy/rate-limit.js';

describe('RateLimiter', () => {
  it('accepts a burst of twice the rate, then denies, then asks to close a sustained flood', () => {
    let now = 0;
    const limiter = new RateLimiter(5, () => now);
    const decisions = Array.from({ length: 25 }, () => limiter.take());
    assert.deepEqual(decisions.slice(0, 10), Array(10).fill('accept'));
    assert.deepEqual(decisions.slice(10, 20), Array(10).fill('deny'));
    assert.equal(decisions[20], 'close');
    now = 1000; // one second refills 5 tokens
    assert.equal(limiter.take(), 'accept');
  });

  it('refills over time at the rate', () => {
    let now = 0;
    const limiter = new RateLimiter(10, () => now);
    for (let i = 0; i < 20; i++) assert.equal(limiter.take(), 'accept');
    assert.equal(limiter.take(), 'deny');
    now += 100;
    assert.equal(limiter.take(), 'accept');
  });

  it('takes a new rate from an admin change', () => {
    let now = 0;
    const limiter = new RateLimiter(1, () => now);
    limiter.take();
    limiter.take();
    assert.equal(limiter.take(), 'deny');
    limiter.setRate(100);
    assert.equal(limiter.ratePerSecond, 100);
    assert.equal(limiter.take(), 'accept');
    now = 0;
  });
});
