import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CODES, type ErrorCodeInfo } from '../../src/errors.js';
import { LIMIT_DEFS, type LimitDef } from '../../src/limits.js';
import { REPO_ROOT } from '../helpers/vectors.js';

function tableRows(file: string): string[][] {
  const text = readFileSync(REPO_ROOT + file, 'utf8');
  return text
    .split('\n')
    .filter((line) => /^\|\s*`/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('docs/ERRORS.md', () => {
  const rows = tableRows('docs/ERRORS.md');
  const documented = new Map(rows.map((r) => [r[0]!.replaceAll('`', ''), r[1]!]));

  it('documents every code in the registry with its close code', () => {
    for (const [code, info] of Object.entries(ERROR_CODES) as [string, ErrorCodeInfo][]) {
      assert.ok(documented.has(code), `${code} is missing from docs/ERRORS.md`);
      assert.equal(documented.get(code), String(info.closeCode ?? '–'), `close code of ${code}`);
    }
  });

  it('lists no code the registry does not have', () => {
    for (const code of documented.keys())
      assert.ok(code in ERROR_CODES, `${code} is documented but not in src/errors.ts`);
  });
});

describe('docs/LIMITS.md', () => {
  const rows = tableRows('docs/LIMITS.md');
  const documented = new Map(rows.map((r) => [r[0]!.replaceAll('`', ''), r[1]!]));

  it('documents every limit with its default', () => {
    for (const [name, def] of Object.entries(LIMIT_DEFS) as [string, LimitDef][]) {
      assert.ok(documented.has(name), `${name} is missing from docs/LIMITS.md`);
      assert.equal(documented.get(name), String(def.default), `default of ${name}`);
    }
  });

  it('lists no limit the registry does not have', () => {
    for (const name of documented.keys())
      assert.ok(name in LIMIT_DEFS, `${name} is documented but not in src/limits.ts`);
  });
});
