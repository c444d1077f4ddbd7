import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadOrCreateHubIdentity } from '../../../src/store/identity.js';

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

describe('loadOrCreateHubIdentity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-identity-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const first = loadOrCreateHubIdentity(dir);

  it('creates the identity on first run, with private files of mode 0600', () => {
    assert.equal(first.created, true);
    assert.equal(statSync(join(dir, 'noise.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'rsa.pem')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, 'noise.key'), 'utf8'), /^[0-9a-f]{64}\n$/);
  });

  it('loads the same identity afterwards', () => {
    const again = loadOrCreateHubIdentity(dir);
    assert.equal(again.created, false);
    assert.deepEqual(again.noiseStatic, first.noiseStatic);
    assert.equal(again.rsaPublicPem, first.rsaPublicPem);
    assert.equal(again.rsaPrivatePem, first.rsaPrivatePem);
  });

  it('gives an X25519 pair whose public key matches the private key', () => {
    assert.equal(first.noiseStatic.privateKey.length, 32);
    assert.equal(first.noiseStatic.publicKey.length, 32);
    // DH with a peer must agree from both sides when the public key is the right one.
    const peer = generateKeyPairSync('x25519');
    const ours = createPrivateKey({
      key: Buffer.concat([X25519_PKCS8_PREFIX, first.noiseStatic.privateKey]),
      format: 'der',
      type: 'pkcs8',
    });
    const ourPublic = createPublicKey({
      key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(first.noiseStatic.publicKey).toString('base64url') },
      format: 'jwk',
    });
    assert.deepEqual(
      diffieHellman({ privateKey: ours, publicKey: peer.publicKey }),
      diffieHellman({ privateKey: peer.privateKey, publicKey: ourPublic }),
    );
  });

  it('gives an RSA-2048 SPKI public PEM for HELLO', () => {
    assert.match(first.rsaPublicPem, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    const key = createPublicKey(first.rsaPublicPem);
    assert.equal(key.asymmetricKeyType, 'rsa');
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  });

  it('refuses a corrupt key file with HL_ERR_STORE_UNAVAILABLE', () => {
    const bad = mkdtempSync(join(tmpdir(), 'hl-identity-bad-'));
    writeFileSync(join(bad, 'noise.key'), 'zz\n');
    assert.throws(() => loadOrCreateHubIdentity(bad), { code: 'HL_ERR_STORE_UNAVAILABLE' });
    rmSync(bad, { recursive: true, force: true });
  });
});
