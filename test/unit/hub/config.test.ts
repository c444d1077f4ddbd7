import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HiveLinkError } from '../../../src/errors.js';
import { resolveHubConfig } from '../../../src/hub/config.js';
import { LIMIT_DEFS } from '../../../src/limits.js';

const invalid = (e: unknown) => e instanceof HiveLinkError && e.code === 'HL_ERR_INVALID_ARGUMENT';

describe('hub config', () => {
  it('has the documented defaults, Z85P off, and is deeply frozen', () => {
    const c = resolveHubConfig();
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.port, 5678);
    assert.equal(c.minProtocol, 2);
    assert.ok(!c.allowedEncodings.includes('JSON-Z85P'));
    assert.deepEqual([...c.allowedCiphers], ['CHACHA20-POLY1305', 'AES-GCM']);
    assert.equal(c.limits.handshakeTimeoutMs, LIMIT_DEFS.handshakeTimeoutMs.default);
    assert.equal(c.limits.inboundQueueMessages, 64);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.limits) && Object.isFrozen(c.allowedEncodings));
    assert.throws(() => {
      (c as { port: number }).port = 1;
    }, TypeError);
  });

  it('overrides keys and limits', () => {
    const c = resolveHubConfig({ port: 0, minProtocol: 3, limits: { handshakeTimeoutMs: 500 } });
    assert.equal(c.port, 0);
    assert.equal(c.minProtocol, 3);
    assert.equal(c.limits.handshakeTimeoutMs, 500);
  });

  it('names the bad key', () => {
    assert.throws(
      () => resolveHubConfig({ port: 70000 }),
      (e: unknown) => invalid(e) && /"port"/.test((e as Error).message),
    );
    assert.throws(() => resolveHubConfig({ allowedCiphers: [] }), invalid);
    assert.throws(() => resolveHubConfig({ noisePatterns: ['KKpsk0'] }), invalid);
    assert.throws(() => resolveHubConfig({ limits: { nope: 1 } as never }), invalid);
    assert.throws(() => resolveHubConfig({ limits: { maxConnections: 0 } }), invalid);
    assert.throws(() => resolveHubConfig({ extra: 1 } as never), invalid);
    // An unknown key is named, and a limit put at the top level is pointed to "limits".
    assert.throws(() => resolveHubConfig({ extra: 1 } as never), {
      message: 'hub config: unknown key "extra"',
    });
    assert.throws(() => resolveHubConfig({ maxFrameBytes: 1 } as never), {
      message: 'hub config: unknown key "maxFrameBytes" (a limit: put it under "limits")',
    });
    assert.throws(() => resolveHubConfig({ limits: { nope: 1 } as never }), {
      message: 'hub config "limits.nope": unknown limit',
    });
  });
});
