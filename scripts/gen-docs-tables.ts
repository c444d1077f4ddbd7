// Prints the tables of docs/ERRORS.md and docs/LIMITS.md from the registries, for pasting when adding entries:
//   npx tsx scripts/gen-docs-tables.ts errors|limits
import { ERROR_CODES, type ErrorCodeInfo } from '../src/errors.js';
import { LIMIT_DEFS, type LimitDef } from '../src/limits.js';

const which = process.argv[2];
if (which === 'errors') {
  console.log('| code | close code | meaning |\n|---|---|---|');
  for (const [code, info] of Object.entries(ERROR_CODES) as [string, ErrorCodeInfo][]) {
    console.log(`| \`${code}\` | ${info.closeCode ?? '–'} | ${info.summary} |`);
  }
} else if (which === 'limits') {
  console.log('| setting | default | unit | what it bounds |\n|---|---|---|---|');
  for (const [name, def] of Object.entries(LIMIT_DEFS) as [string, LimitDef][]) {
    console.log(`| \`${name}\` | ${def.default} | ${def.unit} | ${def.summary} |`);
  }
} else {
  console.error('usage: gen-docs-tables.ts errors|limits');
  process.exitCode = 2;
}
