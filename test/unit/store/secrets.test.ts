import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadOrCreateSecretsKey, openSecret, sealSecret } from '../../../src/store/secrets.js';

const KEY = new Uint8Array(32).fill(7);
const OTHER = new Uint8Array(32).fill(8);

describe('sealSecret / openSecret', () => {
  it('round-trips a secret in the v1 format, with a fresh nonce each time', () => {
    const a = sealSecret(KEY, 'hunter2 ünïcode');
    const b = sealSecret(KEY, 'hunter2 ünïcode');
    assert.match(a, /^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$/);
    assert.notEqual(a, b);
    assert.equal(openSecret(KEY, a), 'hunter2 ünïcode');
    assert.ok(!a.includes('hunter2'));
  });

  it('fails with HL_ERR_SECRET_UNREADABLE under a wrong key', () => {
    const sealed = sealSecret(KEY, 'pw');
    assert.throws(() => openSecret(OTHER, sealed), { code: 'HL_ERR_SECRET_UNREADABLE' });
  });

  it('fails when the context differs (a value copied to another row)', () => {
    const sealed = sealSecret(KEY, 'pw', 'password:1');
    assert.equal(openSecret(KEY, sealed, 'password:1'), 'pw');
    assert.throws(() => openSecret(KEY, sealed, 'password:2'), { code: 'HL_ERR_SECRET_UNREADABLE' });
  });

  it('fails on tampering and on malformed input', () => {
    const sealed = sealSecret(KEY, 'password');
    const [v, n, body] = sealed.split(':') as [string, string, string];
    const bytes = Buffer.from(body, 'base64');
    bytes[0]! ^= 1;
    for (const bad of [
      `${v}:${n}:${bytes.toString('base64')}`,
      `v2:${n}:${body}`,
      `${v}:${n}`,
      `${v}:AAAA:${body}`,
      `${v}:${n}:AAAA`,
      `${v}:${n}:not base64!`,
      '',
      42 as unknown as string,
    ]) {
      assert.throws(() => openSecret(KEY, bad), { code: 'HL_ERR_SECRET_UNREADABLE' }, String(bad));
    }
  });

  it('rejects a key of the wrong length', () => {
    assert.throws(() => sealSecret(new Uint8Array(16), 'x'), { code: 'HL_ERR_INVALID_KEY' });
  });
});

describe('loadOrCreateSecretsKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-secrets-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the key once (mode 0600) and loads the same key afterwards', () => {
    const first = loadOrCreateSecretsKey(dir);
    assert.equal(first.created, true);
    assert.equal(first.key.length, 32);
    assert.equal(statSync(join(dir, 'secrets.key')).mode & 0o777, 0o600);
    const second = loadOrCreateSecretsKey(dir);
    assert.equal(second.created, false);
    assert.deepEqual(second.key, first.key);
    assert.equal(
      readFileSync(join(dir, 'secrets.key'), 'utf8').trim(),
      Buffer.from(first.key).toString('hex'),
    );
  });

  it('refuses a malformed key file', () => {
    const bad = mkdtempSync(join(tmpdir(), 'hl-secrets-bad-'));
    writeFileSync(join(bad, 'secrets.key'), 'short\n');
    assert.throws(() => loadOrCreateSecretsKey(bad), { code: 'HL_ERR_SECRET_UNREADABLE' });
    rmSync(bad, { recursive: true, force: true });
  });
});
