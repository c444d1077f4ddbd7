/**
 * Fresh database files for store tests: one temp dir per test file, removed after its tests, so each test opens a
 * store of its own without the files writing out the same set-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * Creates a temp dir named after `prefix` (removed by an `after` hook) and returns a function giving a new database
 * path in it on each call.
 */
export function tempDatabases(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return () => join(root, `db-${++n}.db`);
}
