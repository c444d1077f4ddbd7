/**
 * Issue 10, finding 6: `secrets.key` sits beside the database, so a copy of the data dir (a backup) holds both the
 * sealed passwords and the key that opens them. `--secrets-key-file` (and `$HIVELINK_SECRETS_KEY_FILE`, and
 * `secretsKeyFile` in the hub config) keep the key elsewhere, for the admin CLI and the hub alike; a database whose
 * key is missing is refused instead of being given a new key that cannot open it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveSecretsKeyFile } from '../../src/store/data-dir.js';
import { buildOnce, childEnv, run, secretFile, startHub } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-secrets-key-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('the secrets key outside the data dir', () => {
  const data = join(root, 'data');
  const vault = join(root, 'vault');
  const key = join(vault, 'hivelink-secrets.key');
  const env = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config') });
  let added: { accessKey: string; password: string };

  before(() => {
    buildOnce();
    mkdirSync(vault, { mode: 0o700 });
  });

  it('clients add --secrets-key-file creates the key there (0600), and none beside the database', async () => {
    const r = await run(
      ['clients', 'add', '--name', 'kitchen', '--data-dir', data, '--secrets-key-file', key, '--json'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    added = JSON.parse(r.stdout) as { accessKey: string; password: string };
    assert.equal(statSync(key).mode & 0o777, 0o600);
    assert.equal(existsSync(join(data, 'secrets.key')), false);
    assert.ok(existsSync(join(data, 'hivelink.db')));
  });

  it('$HIVELINK_SECRETS_KEY_FILE does the same; without either, the database is refused, not re-keyed', async () => {
    const listed = await run(['clients', 'list', '--data-dir', data], {
      ...env,
      HIVELINK_SECRETS_KEY_FILE: key,
    });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /kitchen/);
    const lost = await run(['clients', 'list', '--data-dir', data], env);
    assert.equal(lost.code, 1);
    assert.match(
      lost.stderr,
      /the secrets key .*secrets\.key is missing, but the client database exists: restore the key/,
    );
    assert.equal(existsSync(join(data, 'secrets.key')), false, 'no new key was made');
  });

  it('the hub reads the key from --secrets-key-file (and secretsKeyFile in its config): the client connects', async () => {
    for (const how of ['flag', 'config'] as const) {
      const extra =
        how === 'flag'
          ? ['--secrets-key-file', key]
          : ['--config', writeConfig(join(root, 'hivelink.json'), { secretsKeyFile: key })];
      const hub = await startHub(data, env, extra);
      try {
        const r = await run(
          [
            'ask',
            '--url',
            hub.url,
            '--key',
            added.accessKey,
            '--password-file',
            secretFile(added.password),
            'hello',
          ],
          env,
        );
        assert.equal(r.code, 0, `${how}: ${r.stderr}`);
        assert.notEqual(r.stdout, '');
      } finally {
        await hub.proc.stop();
      }
    }
  });

  it('resolves the flag first, then the environment, then the config; null means <data dir>/secrets.key', () => {
    const env2 = { HIVELINK_SECRETS_KEY_FILE: '/env/key' };
    assert.equal(resolveSecretsKeyFile({ flag: '/flag/key', env: env2, config: '/config/key' }), '/flag/key');
    assert.equal(resolveSecretsKeyFile({ env: env2, config: '/config/key' }), '/env/key');
    assert.equal(resolveSecretsKeyFile({ env: {}, config: '/config/key' }), '/config/key');
    assert.equal(resolveSecretsKeyFile({ env: {} }), null);
  });
});

function writeConfig(file: string, value: object): string {
  writeFileSync(file, JSON.stringify(value));
  return file;
}
