/**
 * Installed skills on a live assistant (docs/PROTOCOL.md §15): a signed bundle installs and answers at once, an
 * upgrade replaces it live, a failing version is rolled back, every refusal has its code and leaves nothing on disk,
 * and a sandboxed skill that loops, throws or oversteps its manifest costs its own turn, never the assistant's.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { MessageData } from '../../../src/bus/types.js';
import { defaultLimits } from '../../../src/limits.js';
import { SkillService } from '../../../src/skills/service.js';
import {
  bundleOf,
  bundleOfModule,
  publisherKey,
  type TestSkill,
  tampered,
} from '../../helpers/skill-bundles.js';
import { type Harness, startHarness } from '../assistant/harness.js';

const ID = 'greeter.test';
const v = (version: string, extra: Partial<TestSkill> = {}): TestSkill => ({
  id: ID,
  version,
  utterance: 'greet the house',
  answer: `greetings from version ${version}`,
  ...extra,
});

function spoken(turn: readonly MessageData[]): string[] {
  return turn.filter((m) => m.type === 'speak').map((m) => String(m.data.utterance));
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
}

describe('installed skills on a live assistant', () => {
  const key = publisherKey();
  let root: string;
  let h: Harness;
  let service: SkillService;
  const lines: string[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'hl-skills-'));
    h = await startHarness({ timezone: 'UTC' });
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    service = new SkillService({
      assistant: h.assistant,
      skillsDir: join(root, 'skills'),
      dataDir: root,
      limits: { ...defaultLimits(), skillSandboxTimeoutMs: 300 },
      logger,
      acceptFrom: 'none',
    });
    await service.start();
    service.trust.add(key.publicKey);
  });

  after(async () => {
    await service.stop();
    h.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Only the index and the current (and previous) version on disk, no staging directory. */
  function onDisk(): string[] {
    const dir = join(root, 'skills', 'installed');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).flatMap((e) =>
      e === 'index.json' ? [e] : readdirSync(join(dir, e)).map((version) => `${e}/${version}`),
    );
  }

  it('refuses an untrusted, unsigned or tampered bundle with its code and a log line; nothing is installed', async () => {
    const stranger = publisherKey();
    assert.equal(
      await codeOf(service.install(bundleOf(v('1.0.0'), stranger.secret), { source: 'cli' })),
      'HL_ERR_SKILL_UNTRUSTED',
    );
    assert.equal(
      await codeOf(service.install(bundleOf(v('1.0.0'), null), { source: 'cli' })),
      'HL_ERR_SKILL_UNSIGNED',
    );
    assert.equal(
      await codeOf(service.install(tampered(bundleOf(v('1.0.0'), key.secret)), { source: 'cli' })),
      'HL_ERR_SKILL_TAMPERED',
    );
    assert.equal(
      await codeOf(service.install(bundleOf(v('1.0.0'), key.secret), { source: 'parent' })),
      'HL_ERR_SKILL_UNTRUSTED',
      'acceptFrom none: a parent offer is refused',
    );
    for (const code of ['HL_ERR_SKILL_UNTRUSTED', 'HL_ERR_SKILL_UNSIGNED', 'HL_ERR_SKILL_TAMPERED']) {
      assert.ok(
        lines.some((l) => l.includes(code) && l.includes('refused a bundle')),
        code,
      );
    }
    assert.deepEqual(onDisk(), []);
    assert.equal(
      h.assistant.skills().some((s) => s.id === ID),
      false,
    );
  });

  it('installs a trusted bundle live: the next utterance is answered from its sandbox', async () => {
    const result = await service.install(bundleOf(v('1.0.0'), key.secret), { source: 'cli' });
    assert.deepEqual(result, { name: ID, version: '1.0.0', previous: null, status: 'installed' });
    assert.deepEqual(spoken(await h.say('greet the house')), ['greetings from version 1.0.0']);
    const info = service.list().find((s) => s.id === ID)!;
    assert.equal(info.version, '1.0.0');
    assert.equal(info.publisher, key.publicKey);
    assert.deepEqual(info.intents, [`${ID}:answer.intent`]);
    assert.equal(info.source, 'cli');
    assert.equal(service.list().find((s) => s.id === 'hivelink-joke.hivelink')?.source, 'built-in');
  });

  it('upgrades live; refuses a downgrade unless allowed; the same version is left alone', async () => {
    await service.install(bundleOf(v('1.1.0'), key.secret), { source: 'cli' });
    assert.deepEqual(spoken(await h.say('greet the house')), ['greetings from version 1.1.0']);
    assert.equal(
      await codeOf(service.install(bundleOf(v('1.0.5'), key.secret), { source: 'cli' })),
      'HL_ERR_SKILL_DOWNGRADE',
    );
    assert.equal(
      (await service.install(bundleOf(v('1.1.0'), key.secret), { source: 'cli' })).status,
      'unchanged',
    );
    assert.deepEqual(onDisk().sort(), ['greeter.test/1.0.0', 'greeter.test/1.1.0', 'index.json']);
    await service.install(bundleOf(v('1.0.5'), key.secret), { source: 'cli', allowDowngrade: true });
    assert.deepEqual(spoken(await h.say('greet the house')), ['greetings from version 1.0.5']);
    await service.install(bundleOf(v('1.1.0'), key.secret), { source: 'cli' });
  });

  it('rolls back a version that throws on load, fails its selfCheck, imports what it may not or has the wrong id', async () => {
    const broken: Uint8Array[] = [
      bundleOf(v('2.0.0', { prelude: "throw new Error('broken at load');" }), key.secret),
      bundleOf(v('2.0.1', { exports: 'export function selfCheck() { return false; }' }), key.secret),
      bundleOf(v('2.0.2', { prelude: "import { readFileSync } from 'node:fs';" }), key.secret),
      // The manifest says greeter.test; the module's default export says other.test.
      bundleOfModule(ID, '2.0.3', "export default { id: 'other.test', intents: [] };", key.secret),
    ];
    for (const [i, bytes] of broken.entries()) {
      assert.equal(
        await codeOf(service.install(bytes, { source: 'cli' })),
        'HL_ERR_SKILL_ROLLED_BACK',
        `case ${i}`,
      );
      assert.deepEqual(
        spoken(await h.say('greet the house')),
        ['greetings from version 1.1.0'],
        'the old one answers',
      );
    }
    assert.ok(lines.some((l) => l.includes('broken at load')));
    assert.ok(
      lines.some((l) => l.includes('HL_ERR_SKILL_PERMISSION')),
      'node:fs refused',
    );
    assert.deepEqual(onDisk().sort(), ['greeter.test/1.0.5', 'greeter.test/1.1.0', 'index.json']);
  });

  it('a skill that loops is stopped after skillSandboxTimeoutMs; the assistant answers others meanwhile', async () => {
    const looping: TestSkill = {
      id: 'looper.test',
      version: '1.0.0',
      utterance: 'spin around forever',
      handler: 'for (;;) {}',
    };
    await service.install(bundleOf(looping, key.secret), { source: 'cli' });
    const started = Date.now();
    const loop = h.say('spin around forever', { sessionId: 'looping' });
    // While the worker spins, the assistant's own event loop is free: a built-in skill answers.
    const joke = await h.say('tell me a joke', { sessionId: 'other' });
    assert.ok(spoken(joke).length > 0);
    const turn = await loop;
    assert.ok(Date.now() - started >= 250, 'the watchdog waited for the limit');
    assert.ok(
      turn.some(
        (m) =>
          m.type === 'mycroft.skill.handler.error' &&
          String(m.data.exception).includes('did not answer for 300 ms'),
      ),
    );
    assert.ok(lines.some((l) => l.includes('HL_ERR_SKILL_TIMEOUT')));
    // The next call gets a fresh worker.
    const throwing: TestSkill = {
      id: 'thrower.test',
      version: '1.0.0',
      utterance: 'throw a tantrum',
      handler: "throw new Error('tantrum');",
    };
    await service.install(bundleOf(throwing, key.secret), { source: 'cli' });
    const thrown = await h.say('throw a tantrum', { sessionId: 'tantrum' });
    assert.ok(
      thrown.some(
        (m) => m.type === 'mycroft.skill.handler.error' && String(m.data.exception).includes('tantrum'),
      ),
    );
    assert.deepEqual(spoken(await h.say('greet the house')), ['greetings from version 1.1.0']);
  });

  it('a bus request the manifest does not grant is refused; a granted one goes through', async () => {
    const asker = (version: string, permissions: string[]): TestSkill => ({
      id: 'asker.test',
      version,
      utterance: 'ask the timers',
      permissions,
      handler:
        "try { const r = await ctx.request('hive.timer.list', {}, { timeoutMs: 50 }); ctx.speak('asked ' + (r === null ? 'no answer' : 'answered')); } catch (e) { ctx.speak('refused ' + e.code); }",
    });
    await service.install(bundleOf(asker('1.0.0', []), key.secret), { source: 'cli' });
    assert.deepEqual(spoken(await h.say('ask the timers', { sessionId: 'ask1' })), [
      'refused HL_ERR_SKILL_PERMISSION',
    ]);
    await service.install(bundleOf(asker('1.0.1', ['request:hive.timer.*']), key.secret), { source: 'cli' });
    assert.deepEqual(spoken(await h.say('ask the timers', { sessionId: 'ask2' })), ['asked no answer']);
  });
});
