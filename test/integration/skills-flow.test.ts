/**
 * Signed skills flow down a three-level tree of real `hivelink hub` processes (issue 13 Done means): cloud → house →
 * room, the house taking its parent's word (`acceptSkillsFrom: parent`), the room only what its own trusted keys
 * signed (`trusted`), neither escalating (so an answer at the room is the room's own). A bundle packed and published
 * with the real CLI at the top answers an utterance at the bottom without a restart, an upgrade replaces it live, and
 * each refusal — untrusted, downgraded, tampered, unsigned, a version that fails to load — has its code, a log line
 * and leaves nothing half-installed. Every wait is on a hub's log or an answer.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleOf, type TestSkill, tampered, writeSkillDir } from '../helpers/skill-bundles.js';
import { buildOnce, run } from './cli-process.js';
import { MeshHub, meshRoot, startAll } from './mesh-process-harness.js';

const ID = 'hello-world.example';
const UTTERANCE = 'say hello to the whole world';
const skill = (version: string, extra: Partial<TestSkill> = {}): TestSkill => ({
  id: ID,
  version,
  utterance: UTTERANCE,
  answer: `hello world from version ${version}`,
  ...extra,
});

describe('signed skills flow down a three-level tree of hivelink hub processes', () => {
  const { root, remove } = meshRoot();
  let cloud: MeshHub;
  let house: MeshHub;
  let room: MeshHub;
  const keyFile = join(root, 'publisher.key');
  const otherKeyFile = join(root, 'other.key');

  const cli = async (hub: MeshHub, args: string[]) => run([...args, '--data-dir', hub.dataDir], hub.env);

  /** `hivelink skills pack` of `s` with `key`; returns the bundle file. */
  async function pack(s: TestSkill, key = keyFile): Promise<string> {
    const out = join(root, `${s.id}-${s.version}-${key === keyFile ? 'a' : 'b'}.hlskill`);
    const r = await run(
      ['skills', 'pack', writeSkillDir(join(root, 'src'), s), '--key', key, '-o', out],
      cloud.env,
    );
    assert.equal(r.code, 0, r.stderr);
    return out;
  }

  async function ask(hub: MeshHub, text: string): Promise<string[]> {
    const sat = await hub.satellite();
    try {
      return (await sat.ask(text)).answers;
    } finally {
      sat.close();
    }
  }

  function installedDirs(hub: MeshHub): string[] {
    const dir = join(hub.dataDir, 'skills', 'installed');
    return readdirSync(dir).flatMap((e) =>
      e === 'index.json' ? [e] : readdirSync(join(dir, e)).map((v) => `${e}/${v}`),
    );
  }

  before(async () => {
    buildOnce();
    cloud = await MeshHub.create(root, { name: 'cloud' });
    house = await MeshHub.create(root, {
      name: 'house',
      config: { acceptSkillsFrom: 'parent', escalate: 'never' },
    });
    room = await MeshHub.create(root, {
      name: 'room',
      config: { acceptSkillsFrom: 'trusted', escalate: 'never' },
      limits: { skillSandboxTimeoutMs: 300 },
    });
    await house.linkTo(cloud);
    await room.linkTo(house);
    for (const file of [keyFile, otherKeyFile]) {
      const r = await run(['skills', 'keygen', '--out', file], cloud.env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
      assert.equal(readFileSync(`${file}.pub`, 'utf8'), r.stdout);
    }
    // The top and the bottom trust the publisher; the house takes its parent's word.
    for (const hub of [cloud, room])
      assert.equal((await cli(hub, ['skills', 'trust', `${keyFile}.pub`])).code, 0);
    await startAll([cloud, house, room]);
    await Promise.all([
      cloud.waitLog(/skills: a child subscribed/),
      house.waitLog(/skills: a child subscribed/),
    ]);
  });

  after(async () => {
    await Promise.all([cloud, house, room].map((h) => h?.stop()));
    remove();
  });

  it('a bundle published at the top answers at the bottom within seconds, without a restart', async () => {
    const bundle = await pack(skill('1.0.0'));
    const verify = await cli(room, ['skills', 'verify', bundle]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /signature and 1 file hashes verify[\s\S]*trusted by this hub/);
    assert.ok(
      !(await ask(room, UTTERANCE)).some((a) => a.includes('hello world')),
      'not known at the room before',
    );
    const pid = room.proc.child.pid;
    const mark = room.mark();
    const started = Date.now();
    const published = await cli(cloud, ['skills', 'publish', bundle]);
    assert.equal(published.code, 0, published.stderr);
    assert.match(
      published.stdout,
      /Installed hello-world\.example 1\.0\.0 on the running hub[\s\S]*Offered to 1/,
    );
    await room.waitLog(/skills: installed hello-world\.example 1\.0\.0/, mark);
    assert.deepEqual(await ask(room, UTTERANCE), ['hello world from version 1.0.0']);
    assert.ok(Date.now() - started < 15_000, `at the bottom after ${Date.now() - started} ms`);
    assert.equal(room.proc.child.pid, pid, 'the same process: no restart');
    const list = await cli(room, ['skills', 'list', '--json']);
    const mine = (
      JSON.parse(list.stdout) as { id: string; version: string; source: string; intents: string[] }[]
    ).find((s) => s.id === ID);
    assert.deepEqual(
      { version: mine?.version, source: mine?.source, intents: mine?.intents },
      { version: '1.0.0', source: 'parent', intents: [`${ID}:answer.intent`] },
    );
  });

  it('an upgrade published at the top replaces the running version at every level', async () => {
    const marks = [house.mark(), room.mark()];
    assert.equal((await cli(cloud, ['skills', 'publish', await pack(skill('1.1.0'))])).code, 0);
    await Promise.all([
      house.waitLog(/skills: installed hello-world\.example 1\.1\.0/, marks[0]),
      room.waitLog(/skills: installed hello-world\.example 1\.1\.0/, marks[1]),
    ]);
    assert.deepEqual(await ask(room, UTTERANCE), ['hello world from version 1.1.0']);
    assert.deepEqual(await ask(house, UTTERANCE), ['hello world from version 1.1.0']);
  });

  it('the bottom refuses a publisher only its parent trusts (untrusted), logged with the code', async () => {
    assert.equal((await cli(cloud, ['skills', 'trust', `${otherKeyFile}.pub`])).code, 0);
    const marks = [house.mark(), room.mark()];
    const other: TestSkill = {
      id: 'other-skill.example',
      version: '1.0.0',
      utterance: 'sing the other song',
      answer: 'la',
    };
    assert.equal((await cli(cloud, ['skills', 'publish', await pack(other, otherKeyFile)])).code, 0);
    await house.waitLog(/skills: installed other-skill\.example 1\.0\.0/, marks[0]);
    await room.waitLog(/"code":"HL_ERR_SKILL_UNTRUSTED"[^\n]*refused a bundle/, marks[1]);
    assert.deepEqual(await ask(house, 'sing the other song'), ['la']);
  });

  it('a downgrade published at the top (allowed there) is refused below', async () => {
    const mark = house.mark();
    const older = await pack(skill('1.0.0'));
    const refused = await cli(cloud, ['skills', 'publish', older]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /HL_ERR_SKILL_DOWNGRADE/);
    assert.equal((await cli(cloud, ['skills', 'publish', older, '--allow-downgrade'])).code, 0);
    await house.waitLog(/"code":"HL_ERR_SKILL_DOWNGRADE"[^\n]*refused a bundle/, mark);
    assert.deepEqual(await ask(room, UTTERANCE), ['hello world from version 1.1.0']);
  });

  it('tampered, unsigned and failing bundles are refused on a running hub with their codes; nothing half-installed', async () => {
    const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { secret: string };
    const secret = new Uint8Array(Buffer.from(key.secret, 'hex'));
    const cases: [string, Uint8Array, string][] = [
      ['tampered', tampered(bundleOf(skill('1.2.0'), secret)), 'HL_ERR_SKILL_TAMPERED'],
      ['unsigned', bundleOf(skill('1.2.0'), null), 'HL_ERR_SKILL_UNSIGNED'],
      [
        'throws on load',
        bundleOf(skill('1.2.0', { prelude: "throw new Error('broken 1.2.0');" }), secret),
        'HL_ERR_SKILL_ROLLED_BACK',
      ],
      [
        'a skill that loops at load',
        bundleOf(skill('1.2.1', { prelude: 'for (;;) {}' }), secret),
        'HL_ERR_SKILL_ROLLED_BACK',
      ],
    ];
    for (const [name, bytes, code] of cases) {
      const file = join(root, `${name}.hlskill`);
      writeFileSync(file, bytes);
      const mark = room.mark();
      const r = await cli(room, ['skills', 'install', file]);
      assert.equal(r.code, 1, name);
      assert.match(r.stderr, new RegExp(code), name);
      await room.waitLog(new RegExp(`"code":"${code}"[^\\n]*refused a bundle`), mark);
      assert.deepEqual(
        await ask(room, UTTERANCE),
        ['hello world from version 1.1.0'],
        `${name}: the old version answers`,
      );
    }
    assert.deepEqual(installedDirs(room).sort(), [`${ID}/1.0.0`, `${ID}/1.1.0`, 'index.json']);
  });
});
