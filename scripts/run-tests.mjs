#!/usr/bin/env node
// Runs every test file with node:test through tsx. Node 20 does not expand globs, so the file list is built here
// and passed explicitly; one closing line, `N passed, N failed, N skipped`, ends the output.
//
// Each file has a time limit (TEST_FILE_TIMEOUT_MS, default 180 s; the longest file takes under a minute). A file
// that hits it is run once more, alone: on Node 20 a process started with `--import tsx` very rarely deadlocks in
// the module loader before any test starts (seen on this machine: the main thread waits on the loader thread
// forever), and without the limit that would hang the whole run. A file that times out twice fails the run.
// Usage: node scripts/run-tests.mjs [path-prefix ...]   (default: every *.test.ts under test/)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const fileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 180_000);
const scratch = mkdtempSync(join(tmpdir(), 'hivelink-tests-'));

/** Runs `list` under node:test; resolves with the per-file counts the summary reporter wrote. */
function runFiles(list, round) {
  const summaryFile = join(scratch, `summary-${round}.json`);
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        `--test-concurrency=${concurrency}`,
        `--test-timeout=${fileTimeoutMs}`,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=./scripts/summary-reporter.mjs',
        '--test-reporter-destination=stdout',
        ...list,
      ],
      { cwd: root, stdio: 'inherit', env: { ...process.env, HL_TEST_SUMMARY_FILE: summaryFile } },
    );
    child.on('exit', (code, signal) => {
      let counts = {};
      try {
        counts = JSON.parse(readFileSync(summaryFile, 'utf8'));
      } catch {
        // No summary: the runner itself failed; the exit status says so below.
      }
      resolve({ ok: signal === null && code === 0, counts });
    });
  });
}

const first = await runFiles(files, 1);
const byFile = { ...first.counts };
let ok = first.ok;
const timedOut = Object.entries(first.counts)
  .filter(([, c]) => c.timedOut)
  .map(([file]) => relative(root, file));
if (timedOut.length > 0 && timedOut.length <= 3) {
  console.log(
    `\nretrying ${timedOut.length} file(s) that ran out of time (${fileTimeoutMs} ms), once each: ${timedOut.join(', ')}`,
  );
  const again = await runFiles(timedOut, 2);
  for (const file of timedOut) delete byFile[join(root, file)];
  Object.assign(byFile, again.counts);
  const otherFailures = Object.values(byFile).some((c) => c.failed > 0);
  ok = again.ok && !otherFailures;
}
rmSync(scratch, { recursive: true, force: true });
const total = { passed: 0, failed: 0, skipped: 0 };
for (const c of Object.values(byFile)) {
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
}
console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(ok && total.failed === 0 ? 0 : 1);
