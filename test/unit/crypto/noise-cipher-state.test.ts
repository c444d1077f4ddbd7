/**
 * CipherState: counter nonces in each suite's byte order, refusal of replayed, reordered and tampered messages
 * without losing sync, and the nonce cap. Plus the HKDF of the Noise spec.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserBackend } from '../../../src/crypto/backend.browser.js';
import type { CryptoBackend } from '../../../src/crypto/backend.js';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { CipherState, NOISE_SUITES, noiseHkdf, noiseNonce } from '../../../src/crypto/noise/index.js';
import { isHiveLinkError } from '../../../src/errors.js';
import { hex, unhex } from '../../helpers/vectors.js';

const BACKENDS: [string, CryptoBackend][] = [
  ['node', nodeBackend],
  ['browser', browserBackend],
];
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const decryptFails = (err: unknown) => isHiveLinkError(err, 'HL_ERR_NOISE_DECRYPT') && err.closeCode === 1008;

describe('noiseNonce', () => {
  it('puts the counter little-endian after 4 zero bytes for ChaChaPoly', () => {
    assert.equal(hex(noiseNonce('25519_ChaChaPoly_SHA256', 0)), '000000000000000000000000');
    assert.equal(hex(noiseNonce('25519_ChaChaPoly_SHA256', 1)), '000000000100000000000000');
    assert.equal(hex(noiseNonce('25519_ChaChaPoly_SHA256', 0x1_0000_0002)), '000000000200000001000000');
  });

  it('puts the counter big-endian after 4 zero bytes for AESGCM', () => {
    assert.equal(hex(noiseNonce('25519_AESGCM_SHA256', 1)), '000000000000000000000001');
    assert.equal(hex(noiseNonce('25519_AESGCM_SHA256', 0x1_0000_0002)), '000000000000000100000002');
    assert.equal(hex(noiseNonce('25519_AESGCM_SHA256', Number.MAX_SAFE_INTEGER)), '00000000001fffffffffffff');
  });
});

for (const [backendName, backend] of BACKENDS) {
  describe(`noiseHkdf (${backendName} backend)`, () => {
    it('chains HMAC outputs as Noise §4.3 defines', () => {
      const ck = unhex('00'.repeat(32));
      const ikm = utf8('input');
      const temp = backend.hmacSha256(ck, ikm);
      const o1 = backend.hmacSha256(temp, Uint8Array.of(1));
      const o2 = backend.hmacSha256(temp, Uint8Array.of(...o1, 2));
      const o3 = backend.hmacSha256(temp, Uint8Array.of(...o2, 3));
      assert.deepEqual(noiseHkdf(backend, ck, ikm, 3).map(hex), [hex(o1), hex(o2), hex(o3)]);
      assert.deepEqual(noiseHkdf(backend, ck, ikm, 2).map(hex), [hex(o1), hex(o2)]);
    });
  });

  for (const suite of NOISE_SUITES) {
    describe(`CipherState ${suite} (${backendName} backend)`, () => {
      const key = backend.randomBytes(32);
      const pair = () =>
        [new CipherState(backend, suite, key), new CipherState(backend, suite, key)] as const;

      it('encrypts with the counter as nonce and empty AD by default', () => {
        const [tx] = pair();
        const sealed = tx.encrypt(utf8('hello'));
        const alg = suite === '25519_AESGCM_SHA256' ? 'aes-256-gcm' : 'chacha20-poly1305';
        assert.equal(tx.nonce, 1);
        assert.equal(
          text(backend.aeadOpen(alg, key, noiseNonce(suite, 0), sealed, new Uint8Array(0))!),
          'hello',
        );
        const second = tx.encrypt(utf8('again'), utf8('ad'));
        assert.equal(text(backend.aeadOpen(alg, key, noiseNonce(suite, 1), second, utf8('ad'))!), 'again');
      });

      it('refuses a replayed message and stays in step for the next real one', () => {
        const [tx, rx] = pair();
        const m0 = tx.encrypt(utf8('m0'));
        const m1 = tx.encrypt(utf8('m1'));
        assert.equal(text(rx.decrypt(m0)), 'm0');
        assert.throws(() => rx.decrypt(m0), decryptFails);
        assert.equal(rx.nonce, 1);
        assert.equal(text(rx.decrypt(m1)), 'm1');
      });

      it('refuses reordered messages', () => {
        const [tx, rx] = pair();
        const m0 = tx.encrypt(utf8('m0'));
        const m1 = tx.encrypt(utf8('m1'));
        assert.throws(() => rx.decrypt(m1), decryptFails);
        assert.equal(text(rx.decrypt(m0)), 'm0');
      });

      it('refuses any flipped bit, a wrong AD and a message shorter than a tag, without advancing', () => {
        const [tx, rx] = pair();
        const m0 = tx.encrypt(utf8('payload'), utf8('ad'));
        for (let i = 0; i < m0.length; i += 1) {
          const bad = m0.slice();
          bad[i]! ^= 0x80;
          assert.throws(() => rx.decrypt(bad, utf8('ad')), decryptFails, `byte ${i}`);
        }
        assert.throws(() => rx.decrypt(m0, utf8('AD')), decryptFails);
        assert.throws(() => rx.decrypt(m0.subarray(0, 15), utf8('ad')), decryptFails);
        assert.throws(() => rx.decrypt(new Uint8Array(0)), decryptFails);
        assert.equal(rx.nonce, 0);
        assert.equal(text(rx.decrypt(m0, utf8('ad'))), 'payload');
      });

      it('stops at maxNonce with HL_ERR_NONCE_EXHAUSTED, both ways', () => {
        const tx = new CipherState(backend, suite, key, { maxNonce: 16 });
        const rx = new CipherState(backend, suite, key, { maxNonce: 16 });
        for (let i = 0; i < 16; i += 1) rx.decrypt(tx.encrypt(new Uint8Array(0)));
        assert.equal(tx.remaining, 0);
        assert.throws(
          () => tx.encrypt(new Uint8Array(0)),
          (err) => isHiveLinkError(err, 'HL_ERR_NONCE_EXHAUSTED'),
        );
        assert.throws(
          () => rx.decrypt(new Uint8Array(16)),
          (err) => isHiveLinkError(err, 'HL_ERR_NONCE_EXHAUSTED'),
        );
      });

      it('rejects a key that is not 32 bytes and a bad maxNonce', () => {
        assert.throws(
          () => new CipherState(backend, suite, new Uint8Array(16)),
          (err) => isHiveLinkError(err, 'HL_ERR_INVALID_KEY'),
        );
        assert.throws(
          () => new CipherState(backend, suite, key, { maxNonce: 1.5 }),
          (err) => isHiveLinkError(err, 'HL_ERR_INVALID_ARGUMENT'),
        );
      });
    });
  }
}
