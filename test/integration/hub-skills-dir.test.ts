/**
 * Issue 4: a skill file dropped in the hub's skills directory (`<data dir>/skills`) is loaded at start beside the
 * built-ins and answers through the hub; a broken one is reported on stderr and skipped while the others work.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addClient, buildOnce, childEnv, type HubProcess, run, startHub } from './cli-process.js';

const GREENHOUSE_SKILL = `export default {
  id: 'greenhouse.example',
  locale: {
    en: {
      intents: { 'water.intent': ['water the (greenhouse|tomatoes)', 'are the tomatoes watered'] },
      dialogs: { watered: ['The greenhouse is watered.'] },
    },
  },
  intents: [{ name: 'water.intent', handler: (ctx) => ctx.speakDialog('watered') }],
};
`;

describe('hub skills directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'hl-skills-dir-'));
  const dataDir = join(root, 'data');
  const env = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config') });
  let hub: HubProcess;

  before(async () => {
    buildOnce();
    mkdirSync(join(dataDir, 'skills'), { recursive: true });
    writeFileSync(join(dataDir, 'skills', 'greenhouse.mjs'), GREENHOUSE_SKILL);
    writeFileSync(join(dataDir, 'skills', 'broken.mjs'), 'export default {\n');
    hub = await startHub(dataDir, env);
  });

  after(async () => {
    await hub?.proc.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('reports the broken skill by file and keeps serving', async () => {
    await hub.proc.wait(/skipped a skill: .*broken\.mjs/, 'stderr');
    await hub.proc.wait(/skills: \d+ loaded \(drop \.mjs skills in .*skills\)/);
  });

  it('answers with the dropped-in skill and still with the built-ins', async () => {
    const client = await addClient(dataDir, env, 'greenhouse-sat');
    const creds = ['--url', hub.url, '--key', client.accessKey, '--password', client.password];
    const water = await run(['ask', ...creds, 'water the tomatoes'], env);
    assert.equal(water.code, 0, water.stderr);
    assert.equal(water.stdout.trim(), 'The greenhouse is watered.');
    const sum = await run(['ask', ...creds, 'what is 6 times 7'], env);
    assert.equal(sum.code, 0, sum.stderr);
    assert.match(sum.stdout, /42/);
  });

  it('reloads an edited skill without a restart, and logs the stack of a skill that throws', async () => {
    const client = await addClient(dataDir, env, 'greenhouse-sat-2');
    const creds = ['--url', hub.url, '--key', client.accessKey, '--password', client.password];
    writeFileSync(
      join(dataDir, 'skills', 'greenhouse.mjs'),
      GREENHOUSE_SKILL.replace('The greenhouse is watered.', 'The greenhouse is soaked.'),
    );
    // Each ask is a real turn; the reload lands once the file has settled (about 0.1 s), so a few turns at most.
    let answer = '';
    for (let i = 0; i < 20 && answer !== 'The greenhouse is soaked.'; i++) {
      answer = (await run(['ask', ...creds, 'water the tomatoes'], env)).stdout.trim();
    }
    assert.equal(answer, 'The greenhouse is soaked.');

    writeFileSync(
      join(dataDir, 'skills', 'thrower.mjs'),
      `export default {
  id: 'thrower.example',
  locale: { en: { intents: { 'boom.intent': ['blow the fuse'] } } },
  intents: [{ name: 'boom.intent', handler: function blowTheFuse() { throw new Error('fuse blown'); } }],
};
`,
    );
    const from = hub.proc.stderr().length;
    let said = '';
    for (let i = 0; i < 20 && !/went wrong/.test(said); i++) {
      said = (await run(['ask', ...creds, 'blow the fuse'], env)).stdout;
    }
    assert.match(said, /Sorry, something went wrong in the thrower\.example skill/);
    const line = await hub.proc.wait(/^\{.*"code":"HL_ERR_SKILL_FAILED".*\}$/m, 'stderr', from);
    const entry = JSON.parse(line[0]) as { err?: { message?: string; stack?: string } };
    assert.equal(entry.err?.message, 'fuse blown');
    assert.match(entry.err?.stack ?? '', /blowTheFuse .*thrower\.mjs/);
  });
});
