/**
 * The protocol, crypto and session layers bundle for a browser (esbuild, platform "browser") with no Node
 * built-in left, and the bundle — loaded with only the browser crypto backend — completes a v3 Noise handshake,
 * a legacy password handshake and a legacy envelope round trip.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { REPO_ROOT } from '../helpers/vectors.js';

describe('browser bundle of protocol + crypto + session', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hivelink-bundle-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles without Node built-ins and runs v3 + legacy handshakes from the bundle', async () => {
    const result = await build({
      entryPoints: [join(REPO_ROOT, 'test/fixtures/browser-selftest.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    assert.doesNotMatch(code, /from\s*["']node:/, 'no node: import');
    assert.doesNotMatch(
      code,
      /require\(["'](node:)?(crypto|zlib|buffer|fs|os|path)["']\)/,
      'no Node built-in require',
    );
    const file = join(dir, 'selftest.mjs');
    writeFileSync(file, code);
    const mod = (await import(pathToFileURL(file).href)) as {
      runSelfTest: () => Promise<Record<string, unknown>>;
    };
    const results = await mod.runSelfTest();
    assert.deepEqual(results, {
      v3: { version: 3, utterance: 'hello over v3' },
      legacy: { version: 2, utterance: 'hello over legacy' },
      envelope: '{"x": 1}',
    });
  });
});
