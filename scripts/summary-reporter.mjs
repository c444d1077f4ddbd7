// A node:test reporter for the closing line, `N passed, N failed, N skipped`, after the spec reporter's output.
// Only leaf tests count (suites are not tests). With HL_TEST_SUMMARY_FILE set (scripts/run-tests.mjs sets it),
// it writes the counts per test file there as JSON instead, with the files that hit the file timeout, so that the
// runner can run those once more and print one line for the whole run.
import { writeFileSync } from 'node:fs';

export default async function* summaryReporter(source) {
  const files = new Map();
  const total = { passed: 0, failed: 0, skipped: 0 };
  const fileOf = (data) => {
    const key = data.file ?? '';
    let counts = files.get(key);
    if (counts === undefined) {
      counts = { passed: 0, failed: 0, skipped: 0, timedOut: false };
      files.set(key, counts);
    }
    return counts;
  };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const data = event.data;
    if (data.details?.type === 'suite') continue;
    const counts = fileOf(data);
    const kind = data.skip || data.todo ? 'skipped' : event.type === 'test:pass' ? 'passed' : 'failed';
    counts[kind]++;
    total[kind]++;
    // The file itself (nesting 0, named by its path) ran out of time: it hung, possibly before any test started.
    if (
      event.type === 'test:fail' &&
      data.nesting === 0 &&
      data.name === data.file &&
      data.details?.error?.failureType === 'testTimeoutFailure'
    ) {
      counts.timedOut = true;
    }
  }
  const out = process.env.HL_TEST_SUMMARY_FILE;
  if (out) {
    writeFileSync(out, JSON.stringify(Object.fromEntries(files)));
    return;
  }
  yield `\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`;
}
