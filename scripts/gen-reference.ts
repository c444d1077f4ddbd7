// Writes docs/CLI.md, docs/CONFIG.md and docs/config.schema.json from the code (src/cli/reference.ts):
//   npx tsx scripts/gen-reference.ts
// test/unit/docs-reference.test.ts fails when a committed file differs from what this writes.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { buildProgram } from '../src/cli/main.js';
import { cliReference, configJsonSchema, configReference } from '../src/cli/reference.js';

const root = new URL('..', import.meta.url).pathname;
const program = await buildProgram([]);
writeFileSync(`${root}docs/CLI.md`, cliReference(program));
writeFileSync(`${root}docs/CONFIG.md`, configReference());
writeFileSync(`${root}docs/config.schema.json`, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
// In the repository's JSON style, so the lint step agrees (the test compares the parsed schema).
execFileSync('npx', ['biome', 'format', '--write', 'docs/config.schema.json'], {
  cwd: root,
  stdio: 'ignore',
});
console.log('wrote docs/CLI.md, docs/CONFIG.md, docs/config.schema.json');
