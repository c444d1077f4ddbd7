import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, pythonJson } from '../../../src/protocol/json.js';
import { loadVectors } from '../../helpers/vectors.js';

describe('pythonJson', () => {
  it('uses Python default separators and key order', () => {
    assert.equal(
      pythonJson({ sample_rate: 16000, sample_width: 2 }),
      '{"sample_rate": 16000, "sample_width": 2}',
    );
    assert.equal(pythonJson({ a: [1, 2, { b: null }], c: true }), '{"a": [1, 2, {"b": null}], "c": true}');
    assert.equal(pythonJson({}), '{}');
    assert.equal(pythonJson([]), '[]');
  });

  it('escapes non-ASCII like ensure_ascii=True, and leaves DEL alone', () => {
    assert.equal(pythonJson('olá 😀\u007f'), '"ol\\u00e1 \\ud83d\\ude00\u007f"');
  });

  it('rejects values JSON cannot carry', () => {
    assert.throws(() => pythonJson(Number.NaN), { code: 'HL_ERR_INVALID_ARGUMENT' });
    assert.throws(() => pythonJson(new Uint8Array(1)), { code: 'HL_ERR_INVALID_ARGUMENT' });
    assert.throws(() => pythonJson({ f: () => 1 }), { code: 'HL_ERR_INVALID_ARGUMENT' });
  });
});

describe('canonicalJson', () => {
  it('reproduces the Noise prologue of the v3 vectors', () => {
    const v = loadVectors<Record<string, Record<string, unknown>>>('noise-v3.json').xxpsk2_chacha!;
    const prologue =
      canonicalJson(v.hello_payload) + canonicalJson(v.handshake_payload) + String(v.protocol_name);
    assert.equal(Buffer.from(prologue, 'utf8').toString('hex'), v.prologue_hex);
  });

  it('keeps non-ASCII unescaped', () => {
    assert.equal(canonicalJson({ b: 'é', a: 1 }), '{"a":1,"b":"é"}');
  });
});
