/**
 * Skill bundles (docs/PROTOCOL.md §15.1): the container round-trips, the signature covers the canonical manifest, and
 * every way a bundle can be wrong is refused with its own code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalJson,
  compareVersions,
  packBundle,
  parseBundle,
  safeRelativePath,
  verifyBundle,
} from '../../../src/skills/bundle.js';
import { bundleOf, publisherKey, tampered } from '../../helpers/skill-bundles.js';

const SKILL = { id: 'hello.test', version: '1.2.3', utterance: 'say hello', answer: 'hello' };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
}

describe('skill bundles', () => {
  it('round-trips: the manifest names the publisher, each file hash and size, the intents', () => {
    const key = publisherKey();
    const bundle = verifyBundle(bundleOf(SKILL, key.secret), { trusted: (k) => k === key.publicKey });
    assert.equal(bundle.manifest.name, 'hello.test');
    assert.equal(bundle.manifest.version, '1.2.3');
    assert.equal(bundle.manifest.publisher, key.publicKey);
    assert.deepEqual(bundle.manifest.intents, ['hello.test:answer.intent']);
    assert.equal(bundle.manifest.files.length, 1);
    assert.equal(bundle.manifest.files[0]!.size, bundle.files.get('skill.mjs')!.length);
    assert.equal(canonicalJson(bundle.manifest), Buffer.from(bundle.manifestBytes).toString('utf8'));
  });

  it('refuses tampered, unsigned, untrusted, re-signed-manifest and malformed bundles, each with its code', () => {
    const key = publisherKey();
    const good = bundleOf(SKILL, key.secret);
    assert.equal(
      codeOf(() => verifyBundle(tampered(good))),
      'HL_ERR_SKILL_TAMPERED',
    );
    assert.equal(
      codeOf(() => verifyBundle(bundleOf(SKILL, null))),
      'HL_ERR_SKILL_UNSIGNED',
    );
    assert.equal(
      codeOf(() => verifyBundle(good, { trusted: () => false })),
      'HL_ERR_SKILL_UNTRUSTED',
    );
    // A manifest edited after signing (a version bump): the signature no longer covers it.
    const text = Buffer.from(good).toString('latin1').replace('"version":"1.2.3"', '"version":"9.2.3"');
    assert.equal(
      codeOf(() => verifyBundle(new Uint8Array(Buffer.from(text, 'latin1')))),
      'HL_ERR_SKILL_TAMPERED',
    );
    // Another key's signature over the same manifest.
    const other = publisherKey();
    const forged = new Uint8Array(good);
    const resigned = bundleOf(SKILL, other.secret);
    const manifestLength = new DataView(good.buffer, good.byteOffset).getUint32(8);
    forged.set(
      resigned.subarray(12 + manifestLength + 4, 12 + manifestLength + 4 + 64),
      12 + manifestLength + 4,
    );
    assert.equal(
      codeOf(() => verifyBundle(forged)),
      'HL_ERR_SKILL_TAMPERED',
    );
    assert.equal(
      codeOf(() => parseBundle(good.subarray(0, good.length - 1))),
      'HL_ERR_SKILL_BUNDLE_INVALID',
    );
    assert.equal(
      codeOf(() => parseBundle(new TextEncoder().encode('PK\u0003\u0004zip'))),
      'HL_ERR_SKILL_BUNDLE_INVALID',
    );
    assert.equal(
      codeOf(() => parseBundle(good, 100)),
      'HL_ERR_SKILL_BUNDLE_INVALID',
    );
  });

  it('refuses unsafe paths and bad versions at pack time', () => {
    const files = new Map([['../escape.mjs', new Uint8Array([1])]]);
    const pack =
      (name: string, version: string, f: Map<string, Uint8Array>, entry = 'skill.mjs') =>
      () =>
        packBundle({ name, version, entry, files: f, secretKey: publisherKey().secret });
    assert.equal(codeOf(pack('a.b', '1.0.0', files, '../escape.mjs')), 'HL_ERR_SKILL_BUNDLE_INVALID');
    const ok = new Map([['skill.mjs', new Uint8Array([1])]]);
    assert.equal(codeOf(pack('a.b', '1.0', ok)), 'HL_ERR_SKILL_BUNDLE_INVALID');
    assert.equal(codeOf(pack('nodot', '1.0.0', ok)), 'HL_ERR_SKILL_BUNDLE_INVALID');
    for (const p of ['/abs', 'a/../b', '.hidden', 'a//b', 'a\\b'])
      assert.equal(safeRelativePath(p), false, p);
    assert.equal(safeRelativePath('lib/util.mjs'), true);
  });

  it('orders versions by semver precedence', () => {
    const ordered = [
      '0.9.0',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0',
      '1.0.1',
      '1.10.0',
    ];
    for (let i = 1; i < ordered.length; i++) {
      assert.ok(compareVersions(ordered[i - 1]!, ordered[i]!) < 0, `${ordered[i - 1]} < ${ordered[i]}`);
      assert.ok(compareVersions(ordered[i]!, ordered[i - 1]!) > 0);
    }
    assert.equal(compareVersions('2.0.0', '2.0.0'), 0);
  });
});
