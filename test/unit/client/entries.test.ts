/** Both client entry points export the same API, and the default useragent carries the package version. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as browser from '../../../src/client/index.browser.js';
import * as node from '../../../src/client/index.js';
import { REPO_ROOT } from '../../helpers/vectors.js';
import { FakeNetwork } from './helpers/fake-net.js';

describe('client entry points', () => {
  it('export the same names, plus the file stores and TLS trust in Node', () => {
    const nodeOnly = new Set([
      'FileIdentityStore',
      'FilePinStore',
      'certificateFingerprint',
      'fetchCertificate',
      'normalizeFingerprint',
      'pinnedTrust',
      'trustingWebSocket',
    ]);
    assert.deepEqual(
      Object.keys(browser).sort(),
      Object.keys(node)
        .filter((n) => !nodeOnly.has(n))
        .sort(),
    );
  });

  it('createHiveClient binds ws in Node and the global WebSocket in the browser entry', () => {
    const options = { url: 'ws://127.0.0.1:5678', accessKey: 'k', password: 'p' };
    const client = node.createHiveClient(options);
    assert.equal(client.state.type, 'idle');
    assert.equal(client.useragent, node.DEFAULT_USERAGENT);
    const original = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
    try {
      Object.defineProperty(globalThis, 'WebSocket', {
        value: undefined,
        configurable: true,
        writable: true,
      });
      assert.throws(() => browser.createHiveClient(options), {
        code: 'HL_ERR_INVALID_ARGUMENT',
        message: /^WebSocket:/,
      });
      Object.defineProperty(globalThis, 'WebSocket', {
        value: new FakeNetwork().WebSocket,
        configurable: true,
      });
      assert.equal(browser.createHiveClient(options).state.type, 'idle');
    } finally {
      if (original === undefined) delete (globalThis as { WebSocket?: unknown }).WebSocket;
      else Object.defineProperty(globalThis, 'WebSocket', original);
    }
  });

  it('names the package version in the default useragent', () => {
    const pkg = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { version: string };
    assert.equal(node.CLIENT_VERSION, pkg.version);
    assert.equal(node.DEFAULT_USERAGENT, `hivelink-client/${pkg.version}`);
  });
});
