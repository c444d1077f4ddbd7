import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createFileOnce } from '../../../src/store/files.js';

describe('createFileOnce', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-files-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file once, mode 0600, and never makes its content again (a hub restart does not regenerate keys)', () => {
    const file = join(dir, 'secret.key');
    let made = 0;
    const make = () => {
      made += 1;
      return `content ${made}\n`;
    };
    assert.equal(createFileOnce(file, make), true);
    assert.equal(createFileOnce(file, make), false);
    assert.equal(createFileOnce(file, make), false);
    assert.equal(made, 1);
    assert.equal(readFileSync(file, 'utf8'), 'content 1\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});
