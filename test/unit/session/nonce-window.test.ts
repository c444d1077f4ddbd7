import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { NonceWindow } from '../../../src/session/nonce-window.js';

describe('NonceWindow', () => {
  it('admits each nonce once', () => {
    const w = new NonceWindow(16);
    const a = randomBytes(16);
    assert.equal(w.admit(a), true);
    assert.equal(w.admit(a), false);
    assert.equal(w.admit(Uint8Array.from(a)), false, 'by value, not by identity');
    assert.equal(w.admit(randomBytes(12)), true);
  });

  it('remembers at least `size` and at most `2 × size` nonces: memory stays flat in a long session', () => {
    const w = new NonceWindow(100);
    const nonces = Array.from({ length: 1000 }, () => randomBytes(16));
    for (const n of nonces) assert.equal(w.admit(n), true);
    assert.ok(w.remembered <= 200);
    for (const n of nonces.slice(-100))
      assert.equal(w.admit(n), false, 'the last `size` are always remembered');
    assert.equal(w.admit(nonces[0]!), true, 'a replay older than the window is not detected (documented)');
  });

  it('refuses a size that is not a whole number >= 1', () => {
    assert.throws(() => new NonceWindow(0), RangeError);
    assert.throws(() => new NonceWindow(1.5), RangeError);
  });
});
