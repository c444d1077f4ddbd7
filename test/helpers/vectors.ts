/**
 * Loads the known-answer vectors and captured reference sessions kept in the repository under
 * `test/fixtures/vectors/` (see its README for where each file comes from), so a fresh clone tests on its own.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const VECTORS_DIR = fileURLToPath(new URL('../fixtures/vectors/', import.meta.url));

/** Parses `test/fixtures/vectors/<relPath>` as JSON. */
export function loadVectors<T = unknown>(relPath: string): T {
  return JSON.parse(readFileSync(VECTORS_DIR + relPath, 'utf8')) as T;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function unhex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'));
}
