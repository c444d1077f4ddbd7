/**
 * `npm run bench -- <scenario> [options]`. Scenarios: protocol, intents, hub (`hub …` is `hivelink bench …`, the
 * same code run from source). (A benchmark, never a test: no assertion on speed.)
 */
import { main as cli } from '../src/cli/main.js';
import { main as intents } from './intents.js';
import { main as protocol } from './protocol.js';

async function hub(args: string[]): Promise<void> {
  process.exitCode = await cli([process.argv[0]!, 'hivelink', 'bench', ...args]);
}

const scenarios: Record<string, (args: string[]) => Promise<void>> = { protocol, intents, hub };

const [name = 'protocol', ...rest] = process.argv.slice(2);
const run = scenarios[name];
if (run === undefined) {
  console.error(`unknown scenario "${name}"; choose one of: ${Object.keys(scenarios).join(', ')}`);
  process.exitCode = 2;
} else {
  await run(rest);
}
