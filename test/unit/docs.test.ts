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

/** A registry documented as a table: its first column names each entry, its second shows one value of it. */
interface DocumentedRegistry {
  readonly doc: string;
  readonly source: string;
  /** What the second column holds, in test names ("close code", "default"). */
  readonly column: string;
  readonly entries: ReadonlyMap<string, string>;
}

const REGISTRIES: readonly DocumentedRegistry[] = [
  {
    doc: 'docs/ERRORS.md',
    source: 'src/errors.ts',
    column: 'close code',
    entries: new Map(
      (Object.entries(ERROR_CODES) as [string, ErrorCodeInfo][]).map(([code, info]) => [
        code,
        String(info.closeCode ?? '–'),
      ]),
    ),
  },
  {
    doc: 'docs/LIMITS.md',
    source: 'src/limits.ts',
    column: 'default',
    entries: new Map(
      (Object.entries(LIMIT_DEFS) as [string, LimitDef][]).map(([name, def]) => [name, String(def.default)]),
    ),
  },
];

for (const { doc, source, column, entries } of REGISTRIES) {
  describe(doc, () => {
    const rows = tableRows(doc);
    const documented = new Map(rows.map((r) => [r[0]!.replaceAll('`', ''), r[1]!]));

    it(`documents every entry of ${source} with its ${column}`, () => {
      for (const [name, value] of entries) {
        assert.ok(documented.has(name), `${name} is missing from ${doc}`);
        assert.equal(documented.get(name), value, `${column} of ${name}`);
      }
    });

    it(`lists nothing ${source} does not have`, () => {
      for (const name of documented.keys())
        assert.ok(entries.has(name), `${name} is documented but not in ${source}`);
    });
  });
}
