/**
 * Docs that stay true: docs/CLI.md, docs/CONFIG.md and docs/config.schema.json are what src/cli/reference.ts makes
 * from the code — the commander tree the binary runs and the zod schema the hub validates its config with.
 * Regenerate with `npx tsx scripts/gen-reference.ts`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildProgram } from '../../src/cli/main.js';
import { cliReference, configJsonSchema, configReference } from '../../src/cli/reference.js';
import { defaultHubConfig } from '../../src/hub/config.js';
import { CONFIG_DOCS } from '../../src/hub/config-docs.js';
import { REPO_ROOT } from '../helpers/vectors.js';

const HINT = 'out of date: run npx tsx scripts/gen-reference.ts';
const doc = (name: string) => readFileSync(join(REPO_ROOT, 'docs', name), 'utf8');

describe('generated reference docs', () => {
  it('docs/CLI.md is the CLI as it is, every command and option', async () => {
    const program = await buildProgram([]);
    assert.equal(doc('CLI.md'), cliReference(program), `docs/CLI.md ${HINT}`);
    for (const cmd of program.commands) assert.ok(doc('CLI.md').includes(`\`${cmd.name()}`), cmd.name());
  });

  it('docs/CONFIG.md and docs/config.schema.json are the config file as the hub reads it', () => {
    assert.equal(doc('CONFIG.md'), configReference(), `docs/CONFIG.md ${HINT}`);
    assert.deepEqual(JSON.parse(doc('config.schema.json')), configJsonSchema(), `schema ${HINT}`);
  });

  it('every config key is described, and the schema lists exactly the keys the hub takes', () => {
    const keys = Object.keys(defaultHubConfig()).sort();
    assert.deepEqual(Object.keys(CONFIG_DOCS).sort(), keys);
    const properties = Object.keys((configJsonSchema().properties ?? {}) as object).sort();
    assert.deepEqual(properties, [...keys, 'limits'].sort());
  });
});
