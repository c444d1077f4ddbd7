/**
 * The browser entry bundles with esbuild for `platform: 'browser'` without any Node built-in, within a size budget
 * (issue 5, "SDK for the browser"). The sizes are printed as test diagnostics.
 */
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { REPO_ROOT } from '../../helpers/vectors.js';

/** Budget for the minified, gzipped browser client (everything: protocol, crypto, session, client). */
const GZIP_BUDGET_BYTES = 200 * 1024;

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

describe('browser bundle of src/client/index.browser.ts', () => {
  it('builds for the browser with no Node built-in and fits the size budget', async (t) => {
    const result = await build({
      entryPoints: [`${REPO_ROOT}src/client/index.browser.ts`],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      minify: true,
      metafile: true,
      logLevel: 'silent',
    });
    assert.deepEqual(result.errors, []);
    const output = result.outputFiles[0]!;
    const text = output.text;

    // @hpke/common reaches for `import("crypto")` only where `globalThis.crypto` is missing (Node <= 18), inside a
    // try: a browser never runs it. That one fallback is allowed; any other import of a built-in is not.
    const webCryptoFallback = (from: string, path: string, kind: string) =>
      from.includes('node_modules/@hpke/common/') && path === 'crypto' && kind === 'dynamic-import';
    const imported = Object.entries(result.metafile.inputs).flatMap(([from, input]) =>
      input.imports.filter((i) => !webCryptoFallback(from, i.path, i.kind)).map((i) => i.path),
    );
    assert.deepEqual(
      imported.filter((path) => BUILTINS.has(path)),
      [],
      'no module of the bundle imports a Node built-in',
    );
    assert.doesNotMatch(text, /\bfrom\s*["']node:|import\(\s*["']node:/, 'no node: import remains');
    const required = [...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
    assert.deepEqual(
      required.filter((name) => BUILTINS.has(name)),
      [],
      'no require() of a Node built-in remains',
    );
    assert.ok(
      Object.keys(result.metafile.inputs).some((path) => path.endsWith('backend.browser.ts')),
      'the browser crypto backend is bundled',
    );
    assert.ok(
      !Object.keys(result.metafile.inputs).some(
        (path) => path.endsWith('.node.ts') || path.includes('node_modules/ws/'),
      ),
      'no Node-only module is bundled',
    );

    const gzipped = gzipSync(output.contents, { level: 9 }).length;
    t.diagnostic(`browser client: ${output.contents.length} bytes minified, ${gzipped} bytes gzipped`);
    assert.ok(
      gzipped < GZIP_BUDGET_BYTES,
      `${gzipped} bytes gzipped exceeds the ${GZIP_BUDGET_BYTES} byte budget`,
    );
  });
});
