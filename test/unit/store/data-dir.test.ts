import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDataDir, resolveDataDir } from '../../../src/store/data-dir.js';

describe('resolveDataDir', () => {
  it('prefers the flag, then $HIVELINK_HOME, then $XDG_DATA_HOME, then ~/.local/share', () => {
    const env = { HIVELINK_HOME: '/h', XDG_DATA_HOME: '/x', HOME: '/home/u' };
    assert.equal(resolveDataDir({ flag: '/f', env }), '/f');
    assert.equal(resolveDataDir({ env }), '/h');
    assert.equal(resolveDataDir({ flag: '', env }), '/h');
    assert.equal(resolveDataDir({ env: { XDG_DATA_HOME: '/x', HOME: '/home/u' } }), '/x/hivelink');
    assert.equal(
      resolveDataDir({ env: { XDG_DATA_HOME: 'relative', HOME: '/home/u' } }),
      '/home/u/.local/share/hivelink',
    );
    assert.equal(resolveDataDir({ env: { HOME: '/home/u' } }), '/home/u/.local/share/hivelink');
  });

  it('makes a relative flag absolute', () => {
    assert.equal(resolveDataDir({ flag: 'data', env: {} }), resolve('data'));
  });
});

describe('openDataDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'hl-datadir-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates the dir (0700), the secrets key and the database; the identity only on demand', async () => {
    const dir = join(root, 'nested', 'data');
    const data = openDataDir(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.ok(existsSync(data.paths.secretsKey));
    assert.ok(existsSync(data.paths.database));
    assert.ok(!existsSync(data.paths.rsaKey), 'no RSA key until the hub asks');
    const { record, password } = await data.store.addClient({ name: 'a' });
    await data.close();

    const again = openDataDir(dir);
    assert.deepEqual(again.secrets, data.secrets);
    assert.equal(await again.store.getPassword(record.id), password);
    const id = again.loadIdentity();
    assert.equal(again.loadIdentity(), id);
    assert.ok(existsSync(again.paths.rsaKey));
    await again.close();
  });

  it('fails with HL_ERR_STORE_UNAVAILABLE when the path is a file', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    assert.throws(() => openDataDir(file), { code: 'HL_ERR_STORE_UNAVAILABLE' });
  });
});
