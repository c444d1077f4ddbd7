/**
 * Skills from a directory (good ones load, broken ones are reported by file name and skipped), and the checks a
 * skill definition goes through.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IntentEngine } from '../../../src/assistant/engine/intent-engine.js';
import { defineSkill } from '../../../src/assistant/skill.js';
import { loadSkillDirectory } from '../../../src/assistant/skill-loader.js';
import {
  defaultClassName,
  defaultHandlerName,
  renderDialog,
  SkillRegistry,
} from '../../../src/assistant/skill-registry.js';
import { validateSkill } from '../../../src/assistant/skill-validate.js';
import { isHiveLinkError } from '../../../src/errors.js';
import { spoken, startHarness } from './harness.js';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hivelink-skills-'));
  writeFileSync(
    join(dir, 'a-good.mjs'),
    `export default {
      id: 'ping.tester',
      locale: { en: { intents: { 'ping.intent': ['ping the hub'] }, dialogs: { pong: ['pong from {who}'] } } },
      intents: [{ name: 'ping.intent', handler: (ctx) => ctx.speakDialog('pong', { who: 'the skills dir' }) }],
    };\n`,
  );
  writeFileSync(
    join(dir, 'b-commonjs.js'),
    `module.exports = {
      id: 'marco.tester',
      locale: { en: { intents: { 'marco.intent': ['marco'] } } },
      intents: [{ name: 'marco.intent', handler: (ctx) => ctx.speak('polo') }],
    };\n`,
  );
  writeFileSync(join(dir, 'c-syntax.mjs'), 'export default {\n');
  writeFileSync(join(dir, 'd-invalid.mjs'), "export default { id: 'no dots here' };\n");
  writeFileSync(join(dir, 'e-throws.mjs'), "throw new Error('boom at import');\n");
  writeFileSync(
    join(dir, 'f-bad-template.mjs'),
    `export default {
      id: 'bad.template',
      locale: { en: { intents: { 'x.intent': ['(unclosed'] } } },
      intents: [{ name: 'x.intent', handler: () => {} }],
    };\n`,
  );
  writeFileSync(join(dir, 'g-duplicate.mjs'), `export { default } from './a-good.mjs';\n`);
  writeFileSync(join(dir, 'notes.txt'), 'not a skill');
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('loadSkillDirectory', () => {
  it('imports .js/.mjs modules and reports broken ones by file', async () => {
    const { skills, errors } = await loadSkillDirectory(dir);
    assert.deepEqual(
      skills.map((s) => s.definition.id),
      ['ping.tester', 'marco.tester', 'bad.template', 'ping.tester'],
    );
    assert.equal(errors.length, 3);
    for (const { file, error } of errors) {
      assert.equal(error.code, 'HL_ERR_SKILL_LOAD');
      assert.ok(error.message.includes(file), `${error.message} names ${file}`);
    }
    assert.deepEqual(
      errors.map((e) => e.file.split('/').pop()),
      ['c-syntax.mjs', 'd-invalid.mjs', 'e-throws.mjs'],
    );
    assert.match(errors[2]!.error.message, /boom at import/);
  });

  it('fails with HL_ERR_SKILL_LOAD for a directory that cannot be read', async () => {
    await assert.rejects(loadSkillDirectory(join(dir, 'missing')), (err: unknown) =>
      isHiveLinkError(err, 'HL_ERR_SKILL_LOAD'),
    );
  });
});

describe('Assistant with a skills directory', () => {
  it('loads the good skills beside the built-ins, skips the broken ones and keeps serving', async () => {
    const h = await startHarness({ skillsDir: dir });
    try {
      const failed = h.assistant.loadErrors.map((e) => e.message);
      assert.equal(failed.length, 5);
      for (const name of [
        'c-syntax.mjs',
        'd-invalid.mjs',
        'e-throws.mjs',
        'f-bad-template.mjs',
        'g-duplicate.mjs',
      ]) {
        assert.ok(
          failed.some((m) => m.includes(join(dir, name))),
          `${name} is reported`,
        );
      }
      assert.ok(failed.some((m) => m.includes('already loaded')));
      assert.deepEqual(
        h.errors.map((e) => e.code),
        Array(5).fill('HL_ERR_SKILL_LOAD'),
      );
      assert.deepEqual(spoken(await h.say('ping the hub')), ['pong from the skills dir']);
      assert.deepEqual(spoken(await h.say('marco')), ['polo']);
      assert.equal(spoken(await h.say('tell me a joke')).length, 1, 'built-ins still there');
      assert.ok(!h.assistant.skills().some((s) => s.id === 'bad.template'));
    } finally {
      h.close();
    }
  });
});

describe('skill definitions', () => {
  it('rejects malformed definitions with a message naming the origin', () => {
    const bad: unknown[] = [
      null,
      'a string',
      { id: 'nodot' },
      { id: 'a.b', intents: 'nope' },
      { id: 'a.b', intents: [{ name: 'x' }] },
      { id: 'a.b', intents: [{ name: 'has space', handler: () => {} }] },
      {
        id: 'a.b',
        intents: [
          { name: 'x', handler: () => {} },
          { name: 'x', handler: () => {} },
        ],
      },
      { id: 'a.b', fallback: { priority: 0, handler: () => true } },
      { id: 'a.b', fallback: { priority: 102, handler: () => true } },
      { id: 'a.b', locale: { en: { intents: { x: 'not a list' } } } },
      { id: 'a.b', locale: { en: { entities: { n: 42 } } } },
      { id: 'a.b', stop: 'no' },
      { id: 'a.b', intents: [{ name: 'x', handler: () => {}, keywords: { requires: 'A' } }] },
    ];
    for (const value of bad) {
      assert.throws(
        () => validateSkill(value, '/skills/x.mjs'),
        (err: unknown) =>
          isHiveLinkError(err, 'HL_ERR_SKILL_LOAD') && err.message.startsWith('skill /skills/x.mjs:'),
        JSON.stringify(value),
      );
    }
  });

  it('registers nothing when a skill fails half way, and unloads cleanly', () => {
    const engine = new IntentEngine();
    const registry = new SkillRegistry(engine);
    const half = defineSkill({
      id: 'half.test',
      locale: { en: { intents: { 'ok.intent': ['fine words'], 'bad.intent': ['(broken'] } } },
      intents: [
        { name: 'ok.intent', handler: () => {} },
        { name: 'bad.intent', handler: () => {} },
      ],
    });
    assert.throws(
      () => registry.add(half),
      (err: unknown) => isHiveLinkError(err, 'HL_ERR_SKILL_LOAD'),
    );
    assert.equal(engine.match('fine words', 'en').length, 0);
    assert.equal(registry.get('half.test'), undefined);

    const noExamples = defineSkill({ id: 'empty.test', intents: [{ name: 'x.intent', handler: () => {} }] });
    assert.throws(() => registry.add(noExamples), /has no examples in any language/);

    const good = defineSkill({
      id: 'good.test',
      locale: { en: { intents: { 'ok.intent': ['fine words'] } } },
      intents: [{ name: 'ok.intent', handler: () => {} }],
    });
    registry.add(good);
    assert.equal(engine.match('fine words', 'en')[0]?.name, 'good.test:ok.intent');
    assert.equal(registry.remove('good.test'), true);
    assert.equal(engine.match('fine words', 'en').length, 0);
  });

  it('derives OVOS-style class and handler names', () => {
    assert.equal(defaultClassName('hivelink-joke.hivelink'), 'HivelinkJokeSkill');
    assert.equal(defaultClassName('ovos-skill-hello-world.openvoiceos'), 'OvosSkillHelloWorldSkill');
    assert.equal(defaultHandlerName('JokeSkill', 'tell_joke.intent'), 'JokeSkill.handle_tell_joke');
  });

  it('renders dialogs per language with variables, falling back to English, then to the name', () => {
    const registry = new SkillRegistry(new IntentEngine());
    const skill = registry.add(
      defineSkill({
        id: 'dialogs.test',
        locale: { en: { dialogs: { hi: ['hello {name}'] } }, 'pt-PT': { dialogs: { hi: ['olá {name}'] } } },
      }),
    );
    assert.equal(renderDialog(skill, 'hi', 'pt-PT', { name: 'Ana' }), 'olá Ana');
    assert.equal(renderDialog(skill, 'hi', 'en-US', { name: 'Ann' }), 'hello Ann');
    assert.equal(renderDialog(skill, 'hi', 'de-DE', {}), 'hello {name}');
    assert.equal(renderDialog(skill, 'no_such.dialog', 'en'), 'no such dialog');
  });
});
