import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAuthorization, percentDecode, rawAuthorizationParam } from '../../../src/hub/auth.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('connect authorization', () => {
  it('reads the raw token of the request target', () => {
    assert.deepEqual(parseAuthorization(`/?authorization=${b64('ua:key1')}`), {
      useragent: 'ua',
      accessKey: 'key1',
    });
    assert.equal(rawAuthorizationParam('/?x=1&authorization=abc&y=2'), 'abc');
    assert.equal(rawAuthorizationParam('/'), null);
  });

  it('accepts a token with + / = both raw and percent-encoded, and never turns + into a space', () => {
    const token = b64('ua:k>>?'); // dWE6az4+Pw==
    assert.match(token, /\+.*=/);
    const expected = { useragent: 'ua', accessKey: 'k>>?' };
    assert.deepEqual(parseAuthorization(`/?authorization=${token}`), expected);
    assert.deepEqual(parseAuthorization(`/?authorization=${encodeURIComponent(token)}`), expected);
    assert.equal(parseAuthorization(`/?authorization=${token.replaceAll('+', ' ')}`), null);
  });

  it('splits at the first colon, so an access key may contain colons', () => {
    assert.deepEqual(parseAuthorization(`/?authorization=${b64('ua:a:b')}`), {
      useragent: 'ua',
      accessKey: 'a:b',
    });
  });

  it('refuses missing parts, lenient base64 and non-UTF-8 tokens', () => {
    for (const bad of [
      b64('nocolon'),
      b64(':key'),
      b64('ua:'),
      'YWJj',
      '!!!!',
      `${b64('ua:key')}junk`,
      '%zz',
      '',
    ]) {
      assert.equal(parseAuthorization(`/?authorization=${bad}`), null, bad);
    }
    assert.equal(
      parseAuthorization(`/?authorization=${Buffer.from([0x75, 0x3a, 0xff, 0xfe]).toString('base64')}`),
      null,
    );
  });

  it('decodes %XX only', () => {
    assert.equal(percentDecode('a%2Bb+c'), 'a+b+c');
    assert.equal(percentDecode('%4'), null);
  });
});
