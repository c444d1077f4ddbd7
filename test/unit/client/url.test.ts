import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorizationToken, hubEndpoint } from '../../../src/client/url.js';

describe('hubEndpoint', () => {
  it('builds /?authorization= with the standard base64 token and the pin key host:port', () => {
    const token = Buffer.from('ua:key').toString('base64');
    assert.equal(authorizationToken('ua', 'key'), token);
    assert.deepEqual(hubEndpoint('ws://10.0.0.5:5678', 'ua', 'key', 'raw'), {
      connectUrl: `ws://10.0.0.5:5678/?authorization=${token}`,
      hostPort: '10.0.0.5:5678',
    });
  });

  it('encodes the useragent and key as UTF-8', () => {
    assert.equal(authorizationToken('küche', 'ключ'), Buffer.from('küche:ключ', 'utf8').toString('base64'));
  });

  it('keeps +, / and = raw by default and percent-encodes them on request', () => {
    const ua = 'sat~~~';
    const raw = Buffer.from(`${ua}:k?`).toString('base64');
    assert.match(raw, /[+/=]/);
    assert.equal(hubEndpoint('ws://h:1', ua, 'k?', 'raw').connectUrl, `ws://h:1/?authorization=${raw}`);
    assert.equal(
      hubEndpoint('ws://h:1', ua, 'k?', 'percent').connectUrl,
      `ws://h:1/?authorization=${encodeURIComponent(raw)}`,
    );
  });

  it('uses the scheme default port in the pin key and keeps a proxy path', () => {
    const e = hubEndpoint('wss://hub.example/hive', 'ua', 'key', 'raw');
    assert.equal(e.hostPort, 'hub.example:443');
    assert.match(e.connectUrl, /^wss:\/\/hub\.example\/hive\/\?authorization=/);
    assert.equal(hubEndpoint('ws://[::1]:5678/', 'ua', 'key', 'raw').hostPort, '[::1]:5678');
  });

  it('rejects what it cannot connect to, naming the option', () => {
    for (const url of ['http://h:1', 'h:1', 'ws://h:1/?x=1', 'ws://u:p@h:1', 'not a url']) {
      assert.throws(() => hubEndpoint(url, 'ua', 'key', 'raw'), {
        code: 'HL_ERR_INVALID_ARGUMENT',
        message: /^url:/,
      });
    }
    assert.throws(() => hubEndpoint('ws://h:1', 'a:b', 'key', 'raw'), { message: /^useragent:/ });
    assert.throws(() => hubEndpoint('ws://h:1', 'ua', '', 'raw'), { message: /^accessKey:/ });
  });
});
