import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  DEFAULT_MIN_PASSWORD_BITS,
  estimatePasswordBits,
  isStrongPassword,
} from '../../../src/crypto/password-strength.js';

describe('password strength estimate', () => {
  it('puts short, common and patterned passwords under the 40-bit floor', () => {
    for (const weak of [
      'a',
      'pw',
      'password',
      'Password1',
      'P@ssw0rd!',
      'qwerty123',
      'abcdefgh',
      '12345678',
      'aaaaaaaaaaaaaaaaaaaa',
      'x'.repeat(1024),
      'ab'.repeat(300),
      'letmein2024',
      'hivemind',
    ]) {
      assert.ok(
        estimatePasswordBits(weak) < DEFAULT_MIN_PASSWORD_BITS,
        `${weak.slice(0, 20)} counts as weak`,
      );
      assert.equal(isStrongPassword(weak), false);
    }
  });

  it('puts generated passwords (32 random hex characters) and long passphrases well above it', () => {
    for (let i = 0; i < 50; i++) {
      const generated = randomBytes(16).toString('hex');
      assert.ok(estimatePasswordBits(generated) >= 100, `${generated} is strong`);
    }
    assert.ok(isStrongPassword('correct horse battery staple'));
    assert.ok(isStrongPassword('Tr0ub4dor&3-blue-kettle'));
  });

  it('is 0 for the empty string, capped at 256, and fast for the longest password the store takes', () => {
    assert.equal(estimatePasswordBits(''), 0);
    const long = randomBytes(512).toString('hex');
    const started = performance.now();
    assert.equal(estimatePasswordBits(long), 256);
    assert.ok(performance.now() - started < 200);
  });
});
