/**
 * The self-signed TLS pair in `<dataDir>/tls/`: generated only when missing (ENOENT); a file that exists but cannot be
 * read, or half a pair, fails with HL_ERR_STORE_UNAVAILABLE and leaves the files as they were.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { isHiveLinkError } from '../../../src/errors.js';
import {
  loadOrCreateSelfSigned,
  SELF_SIGNED_CERT_FILE,
  SELF_SIGNED_KEY_FILE,
} from '../../../src/http/server.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hivelink-tls-'));
  dirs.push(d);
  return d;
}

describe('loadOrCreateSelfSigned', () => {
  it('generates a matching pair when both files are missing, and reads the same pair back', async () => {
    const dir = dataDir();
    const first = await loadOrCreateSelfSigned(dir);
    const cert = new X509Certificate(first.cert);
    assert.ok(cert.checkPrivateKey(createPrivateKey(first.key)), 'the certificate matches the key');
    assert.equal(statSync(join(dir, 'tls', SELF_SIGNED_KEY_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(await loadOrCreateSelfSigned(dir), first);
  });

  it('a certificate that exists but cannot be read (a directory: EISDIR) fails instead of regenerating', async () => {
    const dir = dataDir();
    const tls = join(dir, 'tls');
    // Running as root ignores mode 000, so a directory in the file's place provokes the non-ENOENT read error.
    mkdirSync(join(tls, SELF_SIGNED_CERT_FILE), { recursive: true });
    writeFileSync(join(tls, SELF_SIGNED_KEY_FILE), 'the old key', { mode: 0o600 });
    await assert.rejects(loadOrCreateSelfSigned(dir), (err: unknown) => {
      assert.ok(isHiveLinkError(err, 'HL_ERR_STORE_UNAVAILABLE'), String(err));
      assert.match(err.message, /cannot read the self-signed TLS certificate .*hivelink\.crt/);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'EISDIR');
      return true;
    });
    assert.ok(statSync(join(tls, SELF_SIGNED_CERT_FILE)).isDirectory(), 'nothing replaced the certificate');
    assert.equal(
      readFileSync(join(tls, SELF_SIGNED_KEY_FILE), 'utf8'),
      'the old key',
      'the key is untouched',
    );
  });

  it('an unreadable key fails the same way', async () => {
    const dir = dataDir();
    const tls = join(dir, 'tls');
    mkdirSync(join(tls, SELF_SIGNED_KEY_FILE), { recursive: true });
    await assert.rejects(loadOrCreateSelfSigned(dir), (err: unknown) => {
      assert.ok(isHiveLinkError(err, 'HL_ERR_STORE_UNAVAILABLE'), String(err));
      assert.match(err.message, /cannot read the self-signed TLS key .*hivelink\.key/);
      return true;
    });
    assert.throws(() => statSync(join(tls, SELF_SIGNED_CERT_FILE)), { code: 'ENOENT' });
  });

  it('half a pair fails, naming the file to remove, and generates nothing', async () => {
    const dir = dataDir();
    const tls = join(dir, 'tls');
    mkdirSync(tls, { recursive: true });
    writeFileSync(join(tls, SELF_SIGNED_KEY_FILE), 'the old key', { mode: 0o600 });
    await assert.rejects(loadOrCreateSelfSigned(dir), (err: unknown) => {
      assert.ok(isHiveLinkError(err, 'HL_ERR_STORE_UNAVAILABLE'), String(err));
      assert.match(err.message, /incomplete: .*hivelink\.key exists but .*hivelink\.crt does not/);
      return true;
    });
    assert.throws(() => statSync(join(tls, SELF_SIGNED_CERT_FILE)), { code: 'ENOENT' });
    assert.equal(readFileSync(join(tls, SELF_SIGNED_KEY_FILE), 'utf8'), 'the old key');
  });
});
