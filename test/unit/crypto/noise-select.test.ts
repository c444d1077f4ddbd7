/**
 * The client's choice of pattern and suite from the hub's offer (docs/PROTOCOL.md §3.5), and the prologue bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildNoisePrologue,
  NOISE_PATTERNS,
  NOISE_SUITES,
  type NoiseOffer,
  noiseProtocolName,
  selectNoiseOffer,
} from '../../../src/crypto/noise/index.js';
import { isHiveLinkError } from '../../../src/errors.js';

const CHACHA = '25519_ChaChaPoly_SHA256';
const AESGCM = '25519_AESGCM_SHA256';
const PIN = new Uint8Array(32).fill(7);

describe('selectNoiseOffer', () => {
  it('lists the patterns and suites in preference order', () => {
    assert.deepEqual([...NOISE_PATTERNS], ['XXpsk2', 'KKpsk0']);
    assert.deepEqual([...NOISE_SUITES], [CHACHA, AESGCM]);
    assert.equal(noiseProtocolName('KKpsk0', AESGCM), 'Noise_KKpsk0_25519_AESGCM_SHA256');
  });

  it("takes the first suite in the client's own order that the hub offers, whatever the hub's order", () => {
    const offer = { patterns: ['XXpsk2'], suites: [AESGCM, CHACHA] };
    assert.deepEqual(selectNoiseOffer(offer, {}), { pattern: 'XXpsk2', suite: CHACHA });
    assert.deepEqual(selectNoiseOffer({ patterns: ['XXpsk2'], suites: [AESGCM] }, {}), {
      pattern: 'XXpsk2',
      suite: AESGCM,
    });
    assert.deepEqual(selectNoiseOffer(offer, { suites: [AESGCM, CHACHA] }), {
      pattern: 'XXpsk2',
      suite: AESGCM,
    });
  });

  it('chooses KKpsk0 only with a pinned hub key and when the hub offers it', () => {
    const both = { patterns: ['XXpsk2', 'KKpsk0'], suites: [CHACHA] };
    assert.deepEqual(selectNoiseOffer(both, { pinnedServerKey: PIN }), { pattern: 'KKpsk0', suite: CHACHA });
    assert.deepEqual(selectNoiseOffer(both, {}), { pattern: 'XXpsk2', suite: CHACHA });
    assert.deepEqual(selectNoiseOffer(both, { pinnedServerKey: null }), { pattern: 'XXpsk2', suite: CHACHA });
    assert.deepEqual(selectNoiseOffer({ patterns: ['XXpsk2'], suites: [CHACHA] }, { pinnedServerKey: PIN }), {
      pattern: 'XXpsk2',
      suite: CHACHA,
    });
  });

  it('returns null when nothing fits', () => {
    assert.equal(selectNoiseOffer(undefined, {}), null);
    assert.equal(selectNoiseOffer({ patterns: ['XXpsk2'], suites: ['448_ChaChaPoly_BLAKE2b'] }, {}), null);
    assert.equal(selectNoiseOffer({ patterns: ['IKpsk2'], suites: [CHACHA] }, {}), null);
    assert.equal(selectNoiseOffer({ patterns: ['KKpsk0'], suites: [CHACHA] }, {}), null);
    assert.equal(selectNoiseOffer({ patterns: ['XXpsk2'], suites: [AESGCM] }, { suites: [CHACHA] }), null);
  });

  it('survives a malformed offer from the wire', () => {
    const junk = [
      { patterns: 'XXpsk2', suites: [CHACHA] },
      { patterns: [1, null], suites: {} },
      null,
      'x',
      {},
    ];
    for (const offer of junk) assert.equal(selectNoiseOffer(offer as unknown as NoiseOffer, {}), null);
  });
});

describe('buildNoisePrologue', () => {
  it('concatenates the canonical JSON of both payloads and the protocol name', () => {
    const hello = { pubkey: '-----BEGIN-----\nk\n', peer: 'p', node_id: 'ñode' };
    const handshake = { noise: { suites: [CHACHA], patterns: ['XXpsk2'] }, binarize: false };
    const out = new TextDecoder().decode(
      buildNoisePrologue(hello, handshake, 'Noise_XXpsk2_25519_ChaChaPoly_SHA256'),
    );
    assert.equal(
      out,
      '{"node_id":"ñode","peer":"p","pubkey":"-----BEGIN-----\\nk\\n"}' +
        '{"binarize":false,"noise":{"patterns":["XXpsk2"],"suites":["25519_ChaChaPoly_SHA256"]}}' +
        'Noise_XXpsk2_25519_ChaChaPoly_SHA256',
    );
  });

  it('rejects a payload that is not JSON', () => {
    assert.throws(
      () => buildNoisePrologue({ n: Number.NaN }, {}, 'x'),
      (err) => isHiveLinkError(err, 'HL_ERR_INVALID_ARGUMENT'),
    );
  });
});
