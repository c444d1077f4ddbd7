/**
 * Writing a skill from nothing, as the README tells it: `hivelink skills new` makes a directory that `skills pack`
 * accepts as it is, whose skill.mjs answers through a running hub once copied into its skills directory (no
 * restart), and whose types come from the package's own `hivelink/skill` entry. Real `hivelink` child processes.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addClient, buildOnce, childEnv, type HubProcess, run, startHub } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-skills-new-'));
const env = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config') });

describe('hivelink skills new', () => {
  let hub: HubProcess;
  const dataDir = join(root, 'hub');

  before(async () => {
    buildOnce();
    hub = await startHub(dataDir, env, ['--no-mdns']);
  });
  after(async () => {
    await hub?.proc.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('makes a skill that packs as it is and answers through the hub without a restart', async () => {
    const made = await run(['skills', 'new', 'porch-light.tester', '--dir', root], env);
    assert.equal(made.code, 0, made.stderr);
    const dir = join(root, 'porch-light.tester');
    assert.match(made.stdout, new RegExp(`Made ${dir} \\(skill\\.json, skill\\.mjs\\)`));
    const meta = JSON.parse(readFileSync(join(dir, 'skill.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([meta.name, meta.version, meta.entry], ['porch-light.tester', '0.1.0', 'skill.mjs']);

    assert.equal((await run(['skills', 'keygen', '--out', join(root, 'pub.key')], env)).code, 0);
    const packed = await run(
      ['skills', 'pack', dir, '--key', join(root, 'pub.key'), '-o', join(root, 'p.hlskill')],
      env,
    );
    assert.equal(packed.code, 0, packed.stderr);
    assert.ok(existsSync(join(root, 'p.hlskill')));

    copyFileSync(join(dir, 'skill.mjs'), join(dataDir, 'skills', 'porch-light.mjs'));
    const client = await addClient(dataDir, env, 'porch');
    const creds = ['--url', hub.url, '--key', client.accessKey, '--password', client.password];
    // The hub loads the file once it has settled (about 0.1 s): a few real turns at most.
    let hello = '';
    for (let i = 0; i < 20 && !/porch light/i.test(hello); i++) {
      hello = (await run(['ask', ...creds, 'say hello to porch light'], env)).stdout.trim();
    }
    assert.match(hello, /^(Hello from porch light!|porch light says hi\.)$/);
    const counted = await run(['ask', ...creds, 'count to 3'], env);
    assert.equal(counted.stdout.trim(), '1, 2, 3.');
  });

  it('refuses a name that is not a skill id, and a directory that exists', async () => {
    const bad = await run(['skills', 'new', 'porch', '--dir', root], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /"porch" is not a skill id: a name and an owner joined by a dot/);
    assert.equal((await run(['skills', 'new', 'twice.tester', '--dir', root], env)).code, 0);
    const again = await run(['skills', 'new', 'twice.tester', '--dir', root], env);
    assert.match(again.stderr, /twice\.tester already exists/);
  });

  it("the package's hivelink/skill entry gives defineSkill", async () => {
    // Resolved by the package's own exports map, as an author's code resolves it (a variable specifier, so the
    // type-check, which runs before the build, does not look for dist/).
    const entry = 'hivelink/skill';
    const mod = (await import(entry)) as { defineSkill?: (d: unknown) => unknown };
    const definition = { id: 'x.tester', intents: [] };
    assert.equal(mod.defineSkill?.(definition), definition);
  });
});
