/**
 * The labelled set (test/fixtures/intents/en.json): paraphrases of every built-in intent and out-of-domain sentences.
 * The engine must pick the labelled intent for at least 90% of them, and never match an out-of-domain sentence.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { builtInSkills } from '../../../src/assistant/skills/index.js';
import { engineWithSkills, evaluateIntents, type LabelledUtterance } from '../../../src/bench/intents.js';
import { REPO_ROOT } from '../../helpers/vectors.js';

const set = JSON.parse(readFileSync(`${REPO_ROOT}test/fixtures/intents/en.json`, 'utf8')) as {
  lang: string;
  cases: LabelledUtterance[];
};

describe('labelled intent set (en)', () => {
  it('has at least 200 utterances, out-of-domain ones included, for real intents only', () => {
    assert.ok(set.cases.length >= 200, `${set.cases.length} cases`);
    const ood = set.cases.filter((c) => c.intent === null).length;
    assert.ok(ood >= 50, `${ood} out-of-domain cases`);
    const known = new Set(builtInSkills().flatMap((s) => (s.intents ?? []).map((i) => `${s.id}:${i.name}`)));
    for (const c of set.cases) if (c.intent !== null) assert.ok(known.has(c.intent), c.intent);
    for (const intent of known)
      assert.ok(
        set.cases.some((c) => c.intent === intent),
        `${intent} has cases`,
      );
  });

  const report = evaluateIntents(engineWithSkills(), set.cases, set.lang);
  const detail = report.misses
    .map((m) => `  ${JSON.stringify(m.utterance)}: expected ${m.expected}, got ${m.got}`)
    .join('\n');

  it('picks the labelled intent for at least 90% of the set', () => {
    assert.ok(report.accuracy >= 0.9, `accuracy ${(report.accuracy * 100).toFixed(1)}%\n${detail}`);
  });

  it('matches no out-of-domain sentence', () => {
    assert.equal(report.falsePositives, 0, detail);
  });
});
