/**
 * Compliance suite for {@link CryptoBackend}: the same known answers run against every implementation
 * (node:crypto and @noble/*), then the two are checked against each other on random inputs.
 *
 * Glossary: "sealed" = ciphertext ‖ tag(16), the AEAD layout of the backend interface.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { browserBackend, createBrowserBackend } from '../../../src/crypto/backend.browser.js';
import type { AeadAlgorithm, CryptoBackend } from '../../../src/crypto/backend.js';
import { createNodeBackend, nodeBackend } from '../../../src/crypto/backend.node.js';
import { hex, loadVectors, unhex } from '../../helpers/vectors.js';

interface LegacyVectors {
  pbkdf2: { password: string; salt_hex: string; iterations: number; expected_key_hex: string };
  aes_gcm: { key_hex: string; nonce_hex: string; plaintext: string; ciphertext_hex: string; tag_hex: string };
  chacha20_json_b64_envelope: {
    key_hex: string;
    plaintext: string;
    frame: { ciphertext: string; tag: string; nonce: string };
  };
}
interface Argon2Vector {
  password: string;
  salt_hex: string;
  time_cost: number;
  memory_cost_kib: number;
  parallelism: number;
  hash_len: number;
  expected_psk_hex: string;
}

const legacy = loadVectors<LegacyVectors>('legacy.json');
const argon = loadVectors<{ argon2id_psk: Argon2Vector }>('noise-v3.json').argon2id_psk;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** RFC 7748 §6.1. */
const RFC7748 = {
  alicePriv: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
  alicePub: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  bobPriv: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
  bobPub: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
};

function assertPlainBytes(value: unknown, length: number): void {
  assert.ok(value instanceof Uint8Array);
  assert.equal(Object.getPrototypeOf(value), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer');
  assert.equal(value.length, length);
}

function backendSuite(name: string, backend: CryptoBackend): void {
  describe(`CryptoBackend: ${name}`, () => {
    it('draws random bytes of the asked length, different each time', () => {
      const a = backend.randomBytes(32);
      const b = backend.randomBytes(32);
      assertPlainBytes(a, 32);
      assert.notDeepEqual(a, b);
      assert.equal(backend.randomBytes(0).length, 0);
      const big = backend.randomBytes(200_000);
      assertPlainBytes(big, 200_000);
      assert.ok(
        big.subarray(150_000).some((x) => x !== 0),
        'the tail past 65 536 bytes is filled too',
      );
      assert.throws(() => backend.randomBytes(-1), { code: 'HL_ERR_INVALID_ARGUMENT' });
      assert.throws(() => backend.randomBytes(1.5), { code: 'HL_ERR_INVALID_ARGUMENT' });
    });

    it('never repeats small draws (nonces), across many refills of any internal buffer', () => {
      const seen = new Set<string>();
      for (let i = 0; i < 3000; i++) {
        const nonce = backend.randomBytes(i % 2 === 0 ? 12 : 16);
        assertPlainBytes(nonce, i % 2 === 0 ? 12 : 16);
        const hex = Buffer.from(nonce).toString('hex');
        assert.ok(!seen.has(hex), 'a nonce came out twice');
        seen.add(hex);
      }
      const held = backend.randomBytes(16);
      const copy = held.slice();
      for (let i = 0; i < 600; i++) backend.randomBytes(16);
      assert.deepEqual(held, copy, 'a returned array is never changed afterwards');
    });

    it('hashes SHA-256 (FIPS 180-2 "abc") and HMAC-SHA256 (RFC 4231 case 2)', () => {
      const digest = backend.sha256(utf8('abc'));
      assertPlainBytes(digest, 32);
      assert.equal(hex(digest), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      assert.equal(
        hex(backend.hmacSha256(utf8('Jefe'), utf8('what do ya want for nothing?'))),
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      );
    });

    it('derives the legacy PBKDF2 session key vector', async () => {
      const v = legacy.pbkdf2;
      const key = await backend.pbkdf2Sha256(utf8(v.password), unhex(v.salt_hex), v.iterations, 32);
      assertPlainBytes(key, 32);
      assert.equal(hex(key), v.expected_key_hex);
    });

    it('rejects impossible PBKDF2 parameters with HL_ERR_INVALID_ARGUMENT', async () => {
      await assert.rejects(backend.pbkdf2Sha256(utf8('p'), utf8('s'), 0, 32), {
        code: 'HL_ERR_INVALID_ARGUMENT',
      });
      await assert.rejects(backend.pbkdf2Sha256(utf8('p'), utf8('s'), 1, 0), {
        code: 'HL_ERR_INVALID_ARGUMENT',
      });
    });

    it('derives the Noise argon2id PSK vector (t=3, m=64 MiB, p=1)', async () => {
      const psk = await backend.argon2id(utf8(argon.password), unhex(argon.salt_hex), {
        timeCost: argon.time_cost,
        memoryKiB: argon.memory_cost_kib,
        parallelism: argon.parallelism,
        hashLength: argon.hash_len,
      });
      assertPlainBytes(psk, 32);
      assert.equal(hex(psk), argon.expected_psk_hex);
    });

    it('rejects an argon2id salt shorter than 8 bytes', async () => {
      const params = { timeCost: 1, memoryKiB: 8, parallelism: 1, hashLength: 32 };
      await assert.rejects(backend.argon2id(utf8('p'), new Uint8Array(7), params), {
        code: 'HL_ERR_INVALID_ARGUMENT',
      });
    });

    it('seals the legacy AES-256-GCM vector with a 16-byte nonce, and opens it', () => {
      const v = legacy.aes_gcm;
      const sealed = backend.aeadSeal('aes-256-gcm', unhex(v.key_hex), unhex(v.nonce_hex), utf8(v.plaintext));
      assert.equal(hex(sealed), v.ciphertext_hex + v.tag_hex);
      const opened = backend.aeadOpen('aes-256-gcm', unhex(v.key_hex), unhex(v.nonce_hex), sealed);
      assert.ok(opened);
      assert.equal(new TextDecoder().decode(opened), v.plaintext);
    });

    it('selects AES-128/192/256 by key length (GCM spec test cases 1, 2, 7, 13)', () => {
      const nonce = new Uint8Array(12);
      const empty = new Uint8Array(0);
      assert.equal(
        hex(backend.aeadSeal('aes-256-gcm', new Uint8Array(16), nonce, empty)),
        '58e2fccefa7e3061367f1d57a4e7455a',
      );
      assert.equal(
        hex(backend.aeadSeal('aes-256-gcm', new Uint8Array(16), nonce, new Uint8Array(16))),
        '0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf',
      );
      assert.equal(
        hex(backend.aeadSeal('aes-256-gcm', new Uint8Array(24), nonce, empty)),
        'cd33b28ac773f74ba00ed1f312572435',
      );
      assert.equal(
        hex(backend.aeadSeal('aes-256-gcm', new Uint8Array(32), nonce, empty)),
        '530f8afbc74536b9a963b4f1c4cb738b',
      );
    });

    it('seals the legacy ChaCha20-Poly1305 vector', () => {
      const v = legacy.chacha20_json_b64_envelope;
      const nonce = b64(v.frame.nonce);
      const sealed = backend.aeadSeal('chacha20-poly1305', unhex(v.key_hex), nonce, utf8(v.plaintext));
      assert.equal(Buffer.from(sealed.subarray(0, -16)).toString('base64'), v.frame.ciphertext);
      assert.equal(Buffer.from(sealed.subarray(-16)).toString('base64'), v.frame.tag);
      const opened = backend.aeadOpen('chacha20-poly1305', unhex(v.key_hex), nonce, sealed);
      assert.ok(opened);
      assert.equal(new TextDecoder().decode(opened), v.plaintext);
    });

    for (const alg of ['aes-256-gcm', 'chacha20-poly1305'] as const) {
      it(`${alg}: returns null, never throws, for any tampering`, () => {
        const key = backend.randomBytes(32);
        const nonce = backend.randomBytes(12);
        const ad = utf8('header');
        const sealed = backend.aeadSeal(alg, key, nonce, utf8('attack at dawn'), ad);
        assert.ok(backend.aeadOpen(alg, key, nonce, sealed, ad));
        for (let i = 0; i < sealed.length; i++) {
          const bad = sealed.slice();
          bad[i]! ^= 0x01;
          assert.equal(backend.aeadOpen(alg, key, nonce, bad, ad), null, `flipped byte ${i}`);
        }
        const otherKey = key.slice();
        otherKey[0]! ^= 0x80;
        assert.equal(backend.aeadOpen(alg, otherKey, nonce, sealed, ad), null, 'wrong key');
        const otherNonce = nonce.slice();
        otherNonce[11]! ^= 0x80;
        assert.equal(backend.aeadOpen(alg, key, otherNonce, sealed, ad), null, 'wrong nonce');
        assert.equal(backend.aeadOpen(alg, key, nonce, sealed, utf8('Header')), null, 'wrong AD');
        assert.equal(backend.aeadOpen(alg, key, nonce, sealed), null, 'missing AD');
        assert.equal(
          backend.aeadOpen(alg, key, nonce, sealed.subarray(0, sealed.length - 1), ad),
          null,
          'truncated',
        );
        assert.equal(backend.aeadOpen(alg, key, nonce, new Uint8Array(15)), null, 'shorter than a tag');
        assert.equal(backend.aeadOpen(alg, key, nonce, new Uint8Array(16)), null, 'a bare zero tag');
      });
    }

    it('throws HL_ERR_INVALID_KEY for impossible keys and nonces, HL_ERR_UNKNOWN_CIPHER for unknown algorithms', () => {
      const pt = new Uint8Array(4);
      const cases: [AeadAlgorithm, number, number][] = [
        ['aes-256-gcm', 15, 12],
        ['aes-256-gcm', 33, 12],
        ['aes-256-gcm', 32, 8],
        ['aes-256-gcm', 32, 13],
        ['chacha20-poly1305', 16, 12],
        ['chacha20-poly1305', 32, 16],
        ['chacha20-poly1305', 32, 24],
      ];
      for (const [alg, keyLen, nonceLen] of cases) {
        const key = new Uint8Array(keyLen);
        const nonce = new Uint8Array(nonceLen);
        assert.throws(
          () => backend.aeadSeal(alg, key, nonce, pt),
          { code: 'HL_ERR_INVALID_KEY' },
          `${alg} ${keyLen}/${nonceLen}`,
        );
        assert.throws(() => backend.aeadOpen(alg, key, nonce, new Uint8Array(20)), {
          code: 'HL_ERR_INVALID_KEY',
        });
      }
      const unknown = 'aes-128-cbc' as AeadAlgorithm;
      assert.throws(() => backend.aeadSeal(unknown, new Uint8Array(32), new Uint8Array(12), pt), {
        code: 'HL_ERR_UNKNOWN_CIPHER',
      });
    });

    it('computes the RFC 7748 §6.1 X25519 key pairs and shared secret', () => {
      const alice = backend.x25519KeyPair(unhex(RFC7748.alicePriv));
      const bob = backend.x25519KeyPair(unhex(RFC7748.bobPriv));
      assert.equal(hex(alice.publicKey), RFC7748.alicePub);
      assert.equal(hex(bob.publicKey), RFC7748.bobPub);
      assert.equal(hex(alice.privateKey), RFC7748.alicePriv);
      assert.equal(hex(backend.x25519(alice.privateKey, bob.publicKey)), RFC7748.shared);
      assert.equal(hex(backend.x25519(bob.privateKey, alice.publicKey)), RFC7748.shared);
    });

    it('computes the RFC 7748 §5.2 scalar multiplication vector', () => {
      const out = backend.x25519(
        unhex('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4'),
        unhex('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c'),
      );
      assert.equal(hex(out), 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552');
    });

    it('makes fresh X25519 key pairs that agree', () => {
      const a = backend.x25519KeyPair();
      const b = backend.x25519KeyPair();
      assertPlainBytes(a.privateKey, 32);
      assertPlainBytes(a.publicKey, 32);
      assert.notDeepEqual(a.privateKey, b.privateKey);
      assert.deepEqual(backend.x25519(a.privateKey, b.publicKey), backend.x25519(b.privateKey, a.publicKey));
    });

    it('fresh key pairs match the pair derived from their private key; DH follows a private key changed in place', () => {
      const fresh = backend.x25519KeyPair();
      assert.deepEqual(backend.x25519KeyPair(fresh.privateKey).publicKey, fresh.publicKey);
      const bob = backend.x25519KeyPair(unhex(RFC7748.bobPriv));
      const priv = Uint8Array.from(fresh.privateKey);
      const before = backend.x25519(priv, bob.publicKey);
      priv.set(unhex(RFC7748.alicePriv));
      assert.notDeepEqual(backend.x25519(priv, bob.publicKey), before);
      assert.equal(hex(backend.x25519(priv, bob.publicKey)), RFC7748.shared);
    });

    it('refuses a low-order X25519 public key and wrong-length keys with HL_ERR_INVALID_KEY', () => {
      const priv = unhex(RFC7748.alicePriv);
      assert.throws(() => backend.x25519(priv, new Uint8Array(32)), { code: 'HL_ERR_INVALID_KEY' });
      const one = new Uint8Array(32);
      one[0] = 1;
      assert.throws(() => backend.x25519(priv, one), { code: 'HL_ERR_INVALID_KEY' });
      assert.throws(() => backend.x25519(priv, new Uint8Array(31)), { code: 'HL_ERR_INVALID_KEY' });
      assert.throws(() => backend.x25519(new Uint8Array(33), unhex(RFC7748.bobPub)), {
        code: 'HL_ERR_INVALID_KEY',
      });
      assert.throws(() => backend.x25519KeyPair(new Uint8Array(16)), { code: 'HL_ERR_INVALID_KEY' });
    });
  });
}

backendSuite('node:crypto', nodeBackend);
backendSuite('@noble (browser)', browserBackend);

describe('CryptoBackend: node and browser agree', () => {
  const backends = [createNodeBackend(), createBrowserBackend()] as const;
  const algArb = fc.constantFrom<AeadAlgorithm>('aes-256-gcm', 'chacha20-poly1305');

  it('AEAD: what one seals the other opens, byte for byte', () => {
    fc.assert(
      fc.property(
        algArb,
        fc.constantFrom(16, 24, 32),
        fc.constantFrom(12, 16),
        fc.uint8Array({ maxLength: 300 }),
        fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (alg, keyLen, nonceLen, plaintext, ad, keyBytes, nonceBytes) => {
          const key = alg === 'chacha20-poly1305' ? keyBytes : keyBytes.subarray(0, keyLen);
          const nonce =
            alg === 'chacha20-poly1305' ? nonceBytes.subarray(0, 12) : nonceBytes.subarray(0, nonceLen);
          const [a, b] = backends;
          const sealedA = a.aeadSeal(alg, key, nonce, plaintext, ad);
          const sealedB = b.aeadSeal(alg, key, nonce, plaintext, ad);
          assert.deepEqual(sealedA, sealedB);
          assert.deepEqual(b.aeadOpen(alg, key, nonce, sealedA, ad), plaintext);
          assert.deepEqual(a.aeadOpen(alg, key, nonce, sealedB, ad), plaintext);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hashes, HMAC and X25519 agree', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 100 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (data, key, privA, privB) => {
          const [a, b] = backends;
          assert.deepEqual(a.sha256(data), b.sha256(data));
          assert.deepEqual(a.hmacSha256(key, data), b.hmacSha256(key, data));
          const pairA = a.x25519KeyPair(privA);
          assert.deepEqual(pairA.publicKey, b.x25519KeyPair(privA).publicKey);
          const pubB = b.x25519KeyPair(privB).publicKey;
          assert.deepEqual(a.x25519(privA, pubB), b.x25519(privA, pubB));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('PBKDF2 agrees', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 32 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 80 }),
        async (password, salt, iterations, length) => {
          const [a, b] = backends;
          assert.deepEqual(
            await a.pbkdf2Sha256(password, salt, iterations, length),
            await b.pbkdf2Sha256(password, salt, iterations, length),
          );
        },
      ),
      { numRuns: 50 },
    );
  });
});
