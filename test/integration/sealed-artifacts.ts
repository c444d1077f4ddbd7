/**
 * Searching a hub process for what it must not hold (issue 12, docs/PROTOCOL.md §13): a heap snapshot of a
 * `hivelink hub` child started with Node's `--heapsnapshot-signal=SIGUSR2`, the files of its data dir, and a search
 * of such artifacts for a marker as UTF-8 or UTF-16LE bytes. Also the next value a listener gets.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HubProcess } from './cli-process.js';

/** Longest wait for the heap snapshot file to be written whole. */
const SNAPSHOT_WAIT_MS = 60_000;

/** `NODE_OPTIONS` for a hub child whose heap {@link heapSnapshot} takes, written to `dir`. */
export function heapSnapshotOptions(dir: string): string {
  return `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}`;
}

/** The next value `subscribe` hands its listener. */
export function next<T>(subscribe: (listener: (value: T) => void) => () => void): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((value) => {
      off();
      resolve(value);
    });
  });
}

/** Every file below `dir`. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** What holds `needle` (as UTF-8 or UTF-16LE bytes) among `artifacts`. */
export function holders(artifacts: ReadonlyMap<string, Buffer>, needle: string): string[] {
  const forms = [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')];
  return [...artifacts].filter(([, bytes]) => forms.some((f) => bytes.includes(f))).map(([name]) => name);
}

/**
 * Sends SIGUSR2 to the hub (started with {@link heapSnapshotOptions}) and resolves with the snapshot once its file
 * in `dir` is whole (the JSON closed), polling for it within a bound.
 */
export async function heapSnapshot(hub: Pick<HubProcess, 'proc'>, dir: string): Promise<Buffer> {
  const before = new Set(readdirSync(dir));
  hub.proc.child.kill('SIGUSR2');
  const deadline = Date.now() + SNAPSHOT_WAIT_MS;
  for (;;) {
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (file !== undefined) {
      const bytes = readFileSync(join(dir, file));
      if (bytes.subarray(-16).toString('latin1').trimEnd().endsWith(']}')) return bytes;
    }
    if (Date.now() > deadline) assert.fail(`no whole heap snapshot in ${dir} within ${SNAPSHOT_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling the file system: no event says "written"
  }
}
