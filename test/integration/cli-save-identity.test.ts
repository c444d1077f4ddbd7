/**
 * `hivelink clients add --save-identity` as a new user runs it next to a hub on another port than 5678: the saved
 * identity names the hub's real URL (which the running hub keeps in `<data dir>/hub.url`), so `hivelink ask` needs no
 * flags afterwards; with no hub running it falls back to the default URL, and `--url` always wins.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildOnce, childEnv, run, startHub } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-save-identity-'));
after(() => rmSync(root, { recursive: true, force: true }));

const savedUrl = (configDir: string) =>
  (JSON.parse(readFileSync(join(configDir, 'identity.json'), 'utf8')) as { url?: string }).url;

describe('clients add --save-identity', () => {
  it("saves the running hub's own port, and ask then works with no flags", async () => {
    buildOnce();
    const dataDir = join(root, 'hub');
    const config = join(root, 'config-running');
    const env = childEnv({ HIVELINK_CONFIG_DIR: config });
    const hub = await startHub(dataDir, env, ['--no-mdns']);
    try {
      assert.notEqual(hub.port, 5678);
      assert.equal(readFileSync(join(dataDir, 'hub.url'), 'utf8'), `${hub.url}\n`);
      const add = await run(
        ['clients', 'add', '--name', 'kitchen', '--save-identity', '--data-dir', dataDir],
        env,
      );
      assert.equal(add.code, 0, add.stderr);
      assert.match(add.stdout, new RegExp(`Saved for ${hub.url} `));
      assert.equal(savedUrl(config), hub.url);
      const ask = await run(['ask', 'what time is it'], env);
      assert.equal(ask.code, 0, ask.stderr);
      assert.match(ask.stdout, /\d/);
    } finally {
      await hub.proc.stop();
    }
    assert.equal(existsSync(join(dataDir, 'hub.url')), false, 'removed when the hub stops');
  });

  it('with no hub running: the default URL; --url wins over both', async () => {
    const dataDir = join(root, 'idle');
    const config = join(root, 'config-idle');
    const env = childEnv({ HIVELINK_CONFIG_DIR: config });
    const add = await run(
      ['clients', 'add', '--name', 'hall', '--save-identity', '--data-dir', dataDir],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    assert.equal(savedUrl(config), 'ws://127.0.0.1:5678');
    const flagged = await run(
      [
        'clients',
        'add',
        '--name',
        'attic',
        '--save-identity',
        '--url',
        'ws://10.0.0.9:7000',
        '--data-dir',
        dataDir,
      ],
      env,
    );
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.equal(savedUrl(config), 'ws://10.0.0.9:7000');
  });
});
