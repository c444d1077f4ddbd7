/**
 * Hot reload of the skills directory (issue: "skills load only at start"): with `watchSkillsDir`, a skill file that
 * is edited answers with its new version, a new file loads, a removed one unloads, and an edit that breaks the file
 * is reported while the previous version keeps answering. Real files, real fs.watch; each step waits for the
 * assistant's own bus message (`mycroft.skills.loaded`, `.shutdown`, `.loading_failure`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spoken, startHarness } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'hivelink-hot-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const skill = (id: string, phrase: string, answer: string) => `export default {
  id: '${id}',
  locale: { en: { intents: { 'say.intent': ['${phrase}'] } } },
  intents: [{ name: 'say.intent', handler: (ctx) => ctx.speak('${answer}') }],
};\n`;

describe('Assistant: hot reload of the skills directory', () => {
  it('edits, additions, removals and a broken edit, without a restart', async () => {
    const porch = join(dir, 'porch.mjs');
    writeFileSync(porch, skill('porch.tester', 'how is the porch', 'the porch is fine'));
    const h = await startHarness({ skillsDir: dir, watchSkillsDir: true });
    try {
      assert.deepEqual(spoken(await h.say('how is the porch')), ['the porch is fine']);

      let loaded = h.next('mycroft.skills.loaded');
      writeFileSync(porch, skill('porch.tester', 'how is the porch', 'the porch is wet'));
      assert.equal((await loaded).data.id, 'porch.tester');
      assert.deepEqual(
        spoken(await h.say('how is the porch')),
        ['the porch is wet'],
        'the edited version answers',
      );

      loaded = h.next('mycroft.skills.loaded');
      writeFileSync(join(dir, 'attic.mjs'), skill('attic.tester', 'how is the attic', 'the attic is dusty'));
      assert.equal((await loaded).data.id, 'attic.tester');
      assert.deepEqual(spoken(await h.say('how is the attic')), ['the attic is dusty'], 'a new file loads');

      const failed = h.next('mycroft.skills.loading_failure');
      writeFileSync(porch, 'export default {\n');
      assert.equal((await failed).data.path, porch);
      assert.match(h.errors.at(-1)?.message ?? '', /porch\.mjs/);
      assert.deepEqual(
        spoken(await h.say('how is the porch')),
        ['the porch is wet'],
        'the old version stays',
      );

      const shutdown = h.next('mycroft.skills.shutdown');
      unlinkSync(join(dir, 'attic.mjs'));
      assert.equal((await shutdown).data.id, 'attic.tester');
      assert.equal(
        h.assistant.skills().some((s) => s.id === 'attic.tester'),
        false,
        'a removed file unloads its skill',
      );
    } finally {
      h.close();
    }
  });
});
