#!/usr/bin/env node
// Runs every test file with node:test through tsx. Node 20 does not expand globs, so the file list is built here
// and passed explicitly; the reporter's summary line (`# pass N`, `# fail N`) ends the output.
// Usage: node scripts/run-tests.mjs [path-prefix ...]   (default: every *.test.ts under test/)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    t = Math.max(t, st.isDirectory() ? newest(p) : st.mtimeMs);
  }
  return t;
}

// The CLI and browser tests run the built package (bin/ → dist/). Build here, once, before any test starts, and
// only when the sources are newer than the build: a test that rebuilt dist/ while another test's child process
// was starting would break that child's imports.
const built = join(root, 'dist/cli/main.js');
const sourcesChanged = Math.max(
  newest(join(root, 'src')),
  statSync(join(root, 'scripts/build-chat.mjs')).mtimeMs,
);
if (
  !existsSync(built) ||
  statSync(built).mtimeMs < sourcesChanged ||
  newest(join(root, 'dist')) < sourcesChanged
) {
  console.log('building dist/ (sources changed) …');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('npm run build failed; not running the tests');
    process.exit(1);
  }
}

const prefixes = process.argv.slice(2);
const files = walk(join(root, 'test')).filter(
  (f) => prefixes.length === 0 || prefixes.some((p) => f.startsWith(p)),
);
if (files.length === 0) {
  console.error(`no test files match ${prefixes.join(' ') || 'test/'}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/summary-reporter.mjs',
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
