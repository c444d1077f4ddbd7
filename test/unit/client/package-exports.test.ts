/**
 * Every `exports` / `browser` target in package.json names a file the build produces: `./dist/x.js` and
 * `./dist/x.d.ts` come from `src/x.ts` (tsconfig.build.json: rootDir src, outDir dist). A `browser` entry may also
 * name `./src/x.js` (the bundler reads the sources when it builds the chat page): that is `src/x.ts` too.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/vectors.js';

type Target = string | { [condition: string]: Target };

const pkg = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as {
  exports: Record<string, Target>;
  browser: Record<string, string>;
};

function targets(target: Target): string[] {
  return typeof target === 'string' ? [target] : Object.values(target).flatMap(targets);
}

function sourceOf(target: string): string | null {
  const m = /^\.\/(?:dist|src)\/(.+)\.(?:d\.ts|js)$/.exec(target);
  return m === null ? null : `src/${m[1]}.ts`;
}

describe('package.json exports', () => {
  it('maps every dist target to an existing source file', () => {
    const all = [...Object.values(pkg.exports).flatMap(targets), ...Object.entries(pkg.browser).flat()];
    for (const target of all) {
      if (target === './package.json') continue;
      const source = sourceOf(target);
      assert.ok(source !== null, `${target} is not a ./dist/*.js, *.d.ts or ./src/*.js path`);
      assert.ok(existsSync(REPO_ROOT + source), `${target} has no source ${source}`);
    }
  });

  it('lists types first and picks the browser build of ./client under the browser condition', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue;
      assert.equal(Object.keys(target)[0], 'types', `${subpath}: "types" must come first`);
      assert.equal(Object.keys(target).at(-1), 'default', `${subpath}: "default" must come last`);
    }
    assert.deepEqual(pkg.exports['./client'], {
      types: './dist/client/index.d.ts',
      browser: './dist/client/index.browser.js',
      default: './dist/client/index.js',
    });
    assert.equal(pkg.browser['./dist/client/index.js'], './dist/client/index.browser.js');
  });
});
