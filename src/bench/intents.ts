/**
 * Intent-engine accuracy and speed on a labelled set (`test/fixtures/intents/en.json`: paraphrases and
 * out-of-domain sentences): the built-in skills alone, then with thousands of synthetic intents registered beside
 * them. `hivelink bench intents` (`npm run bench -- intents`) prints it; the unit tests use {@link evaluateIntents}
 * for the accuracy gate. A benchmark never asserts a speed.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IntentEngine } from '../assistant/engine/intent-engine.js';
import { ENGLISH } from '../assistant/engine/lang/en.js';
import { expandTemplate } from '../assistant/engine/template.js';
import type { SkillDefinition } from '../assistant/skill.js';
import { SkillRegistry } from '../assistant/skill-registry.js';
import { builtInSkills } from '../assistant/skills/index.js';
import { HiveLinkError } from '../errors.js';
import { machineLine } from './micro.js';

/** One labelled utterance: the intent it must match (`<skill_id>:<name>`), or `null` for out of domain. */
export interface LabelledUtterance {
  readonly utterance: string;
  readonly intent: string | null;
}

/** How an engine did on a labelled set. */
export interface AccuracyReport {
  readonly total: number;
  readonly correct: number;
  /** `correct / total`. */
  readonly accuracy: number;
  /** Cases labelled `null`. */
  readonly outOfDomain: number;
  /** Out-of-domain cases that matched an intent. */
  readonly falsePositives: number;
  readonly misses: readonly { utterance: string; expected: string | null; got: string | null }[];
}

/** Scores `engine` on `cases`: the intent the pipeline's intent stages would pick must equal the label. */
export function evaluateIntents(
  engine: IntentEngine,
  cases: readonly LabelledUtterance[],
  lang = 'en-US',
): AccuracyReport {
  let correct = 0;
  let outOfDomain = 0;
  let falsePositives = 0;
  const misses: { utterance: string; expected: string | null; got: string | null }[] = [];
  for (const c of cases) {
    const got = engine.bestMatch(c.utterance, lang)?.name ?? null;
    if (c.intent === null) outOfDomain++;
    if (got === c.intent) correct++;
    else {
      if (c.intent === null) falsePositives++;
      misses.push({ utterance: c.utterance, expected: c.intent, got });
    }
  }
  return {
    total: cases.length,
    correct,
    accuracy: cases.length === 0 ? 0 : correct / cases.length,
    outOfDomain,
    falsePositives,
    misses,
  };
}

/** An engine with `skills` registered (the built-ins by default). */
export function engineWithSkills(skills: readonly SkillDefinition[] = builtInSkills()): IntentEngine {
  const engine = new IntentEngine();
  const registry = new SkillRegistry(engine);
  for (const skill of skills) registry.add(skill);
  return engine;
}

/** A deterministic pseudo-random generator (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  'bra',
  'cor',
  'dex',
  'fin',
  'gol',
  'hax',
  'jum',
  'kel',
  'lum',
  'mox',
  'nir',
  'pav',
  'quo',
  'rex',
  'sul',
  'tib',
  'vor',
  'wix',
  'yel',
  'zan',
];
const FUNCTION_WORDS = [
  'the',
  'a',
  'to',
  'my',
  'is',
  'what',
  'please',
  'in',
  'on',
  'for',
  'me',
  'of',
  'can',
  'you',
];

/**
 * Registers `count` synthetic intents (example and keyword intents over pseudo-words mixed with English function
 * words, with alternatives, optional parts and slots) in `engine`, deterministically. Returns labelled utterances
 * that say one of each example intent's templates (slots filled).
 */
export function registerSyntheticIntents(
  engine: IntentEngine,
  count: number,
  seed = 42,
): LabelledUtterance[] {
  const labelled: LabelledUtterance[] = [];
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const pseudo = (): string => pick(SYLLABLES) + pick(SYLLABLES) + (rand() < 0.5 ? pick(SYLLABLES) : '');
  const vocabulary = Array.from({ length: 3000 }, pseudo);
  const word = (): string => (rand() < 0.3 ? pick(FUNCTION_WORDS) : pick(vocabulary));
  for (let i = 0; i < count; i++) {
    const namespace = `synthetic-${i}.bench`;
    if (i % 10 === 9) {
      engine.registerVocab('en', namespace, 'Thing', [`${pick(vocabulary)}|${pick(vocabulary)}`]);
      engine.registerVocab('en', namespace, 'Action', [pick(vocabulary)]);
      engine.registerKeywords('en', namespace, `${namespace}:KeywordIntent`, {
        requires: ['Thing'],
        optional: ['Action'],
      });
      continue;
    }
    const templates: string[] = [];
    const n = 3 + Math.floor(rand() * 3);
    for (let t = 0; t < n; t++) {
      const len = 3 + Math.floor(rand() * 4);
      const parts: string[] = [];
      for (let k = 0; k < len; k++) {
        const r = rand();
        if (r < 0.1) parts.push(`(${pick(vocabulary)}|${pick(vocabulary)})`);
        else if (r < 0.18) parts.push(`[${word()}]`);
        else parts.push(word());
      }
      if (rand() < 0.2) parts.push('{thing}');
      if (!parts.some((p) => vocabulary.includes(p))) parts.unshift(pick(vocabulary));
      templates.push(parts.join(' '));
    }
    const name = `${namespace}:intent_${i}.intent`;
    engine.registerExamples('en', name, templates);
    const spoken = expandTemplate(templates[0]!.replace('{thing}', 'blue widget'), ENGLISH)[0];
    if (spoken !== undefined) labelled.push({ utterance: spoken, intent: name });
  }
  return labelled;
}

/** One measured configuration. */
export interface IntentBenchRow {
  readonly label: string;
  readonly intents: number;
  readonly matchesPerSecond: number;
  /** Mean microseconds per match. */
  readonly microsPerMatch: number;
  readonly accuracy: AccuracyReport;
}

/** Options of {@link benchIntents}. */
export interface IntentBenchOptions {
  /** The labelled set. */
  readonly cases: readonly LabelledUtterance[];
  /** @default 'en-US' */
  readonly lang?: string;
  /** Synthetic intents registered for the second measurement. @default 2000 */
  readonly syntheticIntents?: number;
  /** Least time spent matching per configuration. @default 1000 */
  readonly minDurationMs?: number;
}

function measure(engine: IntentEngine, cases: readonly LabelledUtterance[], lang: string, minMs: number) {
  // Warm-up (JIT, lazy indexes) for a quarter of the measuring time.
  const warmUntil = performance.now() + minMs / 4;
  do for (const c of cases) engine.bestMatch(c.utterance, lang);
  while (performance.now() < warmUntil);
  let matches = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (const c of cases) engine.bestMatch(c.utterance, lang);
    matches += cases.length;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return { matchesPerSecond: (matches / elapsed) * 1000, microsPerMatch: (elapsed * 1000) / matches };
}

/** Measures accuracy and matches/s with the built-in skills, then with synthetic intents added. */
export function benchIntents(options: IntentBenchOptions): IntentBenchRow[] {
  const lang = options.lang ?? 'en-US';
  const minMs = options.minDurationMs ?? 1000;
  const synthetic = options.syntheticIntents ?? 2000;
  const rows: IntentBenchRow[] = [];
  const engine = engineWithSkills();
  const builtInCount = builtInSkills().reduce((n, s) => n + (s.intents?.length ?? 0), 0);
  rows.push({
    label: 'built-in skills',
    intents: builtInCount,
    ...measure(engine, options.cases, lang, minMs),
    accuracy: evaluateIntents(engine, options.cases, lang),
  });
  const syntheticCases = registerSyntheticIntents(engine, synthetic).slice(0, 500);
  rows.push({
    label: `built-in + ${synthetic} synthetic`,
    intents: builtInCount + synthetic,
    ...measure(engine, options.cases, lang, minMs),
    accuracy: evaluateIntents(engine, options.cases, lang),
  });
  rows.push({
    label: `  … synthetic utterances`,
    intents: builtInCount + synthetic,
    ...measure(engine, syntheticCases, lang, minMs),
    accuracy: evaluateIntents(engine, syntheticCases, lang),
  });
  return rows;
}

/** The rows of {@link benchIntents} as a plain-text table. */
export function formatIntentBench(rows: readonly IntentBenchRow[]): string {
  const lines = [
    'configuration                     intents   matches/s   µs/match   accuracy   OOD false positives',
  ];
  for (const r of rows) {
    lines.push(
      `${r.label.padEnd(32)} ${String(r.intents).padStart(8)} ${Math.round(r.matchesPerSecond).toString().padStart(11)} ${r.microsPerMatch.toFixed(1).padStart(10)} ${(r.accuracy.accuracy * 100).toFixed(1).padStart(9)}% ${`${r.accuracy.falsePositives}/${r.accuracy.outOfDomain}`.padStart(21)}`,
    );
  }
  return lines.join('\n');
}

/**
 * The labelled set of this repository (`test/fixtures/intents/en.json`, found from src/bench or dist/bench), or
 * `null` in an installed package, which ships no tests.
 */
export function defaultLabelledSetFile(): string | null {
  const file = fileURLToPath(new URL('../../test/fixtures/intents/en.json', import.meta.url));
  return existsSync(file) ? file : null;
}

/**
 * Reads a labelled set (`{ "cases": [{ "utterance", "intent" }] }`).
 *
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` when the file is missing or holds no `cases` list.
 */
export function readLabelledSet(file: string): LabelledUtterance[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `cannot read the labelled set ${file}: ${String(err)}`,
    );
  }
  const cases = (parsed as { cases?: unknown } | null)?.cases;
  if (!Array.isArray(cases)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${file} has no "cases" list`);
  }
  return cases as LabelledUtterance[];
}

/** The header and table `hivelink bench intents` prints for a run over `cases`. */
export function intentsReport(cases: readonly LabelledUtterance[], rows: readonly IntentBenchRow[]): string {
  return `\nintents: ${cases.length} labelled utterances\n${machineLine()}\n\n${formatIntentBench(rows)}\n`;
}
