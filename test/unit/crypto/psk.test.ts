/**
 * The v3 PSK: the argon2id and PBKDF2 known answers from test/fixtures/vectors/noise-v3.json on both backends, and
 * the provisioned forms.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserBackend } from '../../../src/crypto/backend.browser.js';
import type { CryptoBackend } from '../../../src/crypto/backend.js';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { derivePskArgon2id, derivePskPbkdf2, parseProvisionedPsk } from '../../../src/crypto/psk.js';
import { isHiveLinkError } from '../../../src/errors.js';
import { hex, loadVectors } from '../../helpers/vectors.js';

interface PskVectors {
  argon2id_psk: { password: string; node_id: string; salt_hex: string; expected_psk_hex: string };
  pbkdf2_psk: { password: string; node_id: string; iterations: number; expected_psk_hex: string };
}

const vectors = loadVectors<PskVectors>('noise-v3.json');
const BACKENDS: [string, CryptoBackend][] = [
  ['node', nodeBackend],
  ['browser', browserBackend],
];
const pskError = (err: unknown) => isHiveLinkError(err, 'HL_ERR_PSK_DERIVATION');

for (const [name, backend] of BACKENDS) {
  describe(`v3 PSK derivation (${name} backend)`, () => {
    it('salts with SHA-256 of the node id', () => {
      const v = vectors.argon2id_psk;
      assert.equal(hex(backend.sha256(new TextEncoder().encode(v.node_id))), v.salt_hex);
    });

    it('derives the argon2id vector (t=3, m=64 MiB, p=1)', async () => {
      const v = vectors.argon2id_psk;
      assert.equal(hex(await derivePskArgon2id(backend, v.password, v.node_id)), v.expected_psk_hex);
    });

    it('derives the PBKDF2 vector', async () => {
      const v = vectors.pbkdf2_psk;
      assert.equal(
        hex(await derivePskPbkdf2(backend, v.password, v.node_id, v.iterations)),
        v.expected_psk_hex,
      );
    });
  });
}

describe('v3 PSK input checks', () => {
  it('rejects an empty password or node id', async () => {
    await assert.rejects(derivePskArgon2id(nodeBackend, '', 'node'), pskError);
    await assert.rejects(derivePskArgon2id(nodeBackend, 'pw', ''), pskError);
    await assert.rejects(derivePskPbkdf2(nodeBackend, '', 'node', 1000), pskError);
  });

  it('rejects an iteration count that is not whole, below 1 or above the cap', async () => {
    for (const iterations of [0, -1, 1.5, Number.NaN, 1_000_001]) {
      await assert.rejects(
        derivePskPbkdf2(nodeBackend, 'pw', 'node', iterations),
        pskError,
        String(iterations),
      );
    }
    await assert.rejects(derivePskPbkdf2(nodeBackend, 'pw', 'node', 200, { maxIterations: 100 }), pskError);
  });

  it('wraps a backend failure in HL_ERR_PSK_DERIVATION', async () => {
    const broken: CryptoBackend = {
      ...nodeBackend,
      argon2id: () => Promise.reject(new Error('out of memory')),
      pbkdf2Sha256: () => Promise.resolve(new Uint8Array(31)),
    };
    await assert.rejects(derivePskArgon2id(broken, 'pw', 'node'), pskError);
    await assert.rejects(derivePskPbkdf2(broken, 'pw', 'node', 10), pskError);
  });
});

describe('parseProvisionedPsk', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);
  const keyHex = hex(key);

  it('accepts 32 bytes (copied) and 64 hex characters in either case, trimmed', () => {
    const parsed = parseProvisionedPsk(key);
    assert.equal(hex(parsed), keyHex);
    assert.notEqual(parsed, key);
    assert.equal(hex(parseProvisionedPsk(keyHex)), keyHex);
    assert.equal(hex(parseProvisionedPsk(` ${keyHex.toUpperCase()}\n`)), keyHex);
  });

  it('rejects anything else with HL_ERR_PSK_DERIVATION, without echoing the value', () => {
    const bad: unknown[] = [
      new Uint8Array(31),
      new Uint8Array(33),
      keyHex.slice(2),
      `${keyHex}00`,
      `zz${keyHex.slice(2)}`,
      '',
      42,
      null,
    ];
    for (const value of bad) {
      assert.throws(
        () => parseProvisionedPsk(value as string),
        (err) => pskError(err) && !(err as Error).message.includes(keyHex.slice(2, 20)),
      );
    }
  });
});
