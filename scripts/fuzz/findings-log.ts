/**
 * Collects findings: prints each new kind of failure (input in hex, truncated, and the stack), saves the first few
 * inputs of each under the findings dir (`<n>-<target>-<kind>.json` with the full input in hex and how to replay it,
 * plus the raw `.bin`), and counts the rest, so that one bug hit a hundred thousand times is one line and three
 * files.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBytes } from '../../src/protocol/encodings.js';
import type { Finding } from './finding.js';

/** One kind of failure: same target, kind, error and place. */
export interface FindingGroup {
  readonly signature: string;
  readonly first: Finding;
  count: number;
  readonly files: string[];
}

const KEEP_PER_GROUP = 3;
const PRINT_HEX_BYTES = 256;

/** What makes two findings the same bug: target, kind, error name and message shape, and the first stack frame. */
export function signatureOf(f: Finding): string {
  const shape = f.message.replace(/\d+/g, 'N').slice(0, 120);
  const frame = (f.stack ?? '').split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
  return `${f.target}|${f.kind}|${shape}|${frame.trim()}`;
}

export function hexPreview(bytes: Uint8Array | null): string {
  if (bytes === null) return '(not available)';
  const head = encodeBytes('JSON-HEX', bytes.subarray(0, PRINT_HEX_BYTES));
  return bytes.length > PRINT_HEX_BYTES
    ? `${head}… (${bytes.length} bytes)`
    : `${head} (${bytes.length} bytes)`;
}

export class FindingsLog {
  readonly groups = new Map<string, FindingGroup>();
  readonly #dir: string;
  readonly #print: (line: string) => void;
  #saved = 0;
  #total = 0;

  constructor(dir: string, print: (line: string) => void) {
    this.#dir = dir;
    this.#print = print;
  }

  get total(): number {
    return this.#total;
  }

  get dir(): string {
    return this.#dir;
  }

  add(f: Finding): void {
    this.#total++;
    const signature = signatureOf(f);
    let group = this.groups.get(signature);
    if (group === undefined) {
      group = { signature, first: f, count: 0, files: [] };
      this.groups.set(signature, group);
      const where =
        f.index === null
          ? ''
          : ` input #${f.index} (replay: --target ${f.target} --seed ${f.seed} --replay ${f.index})`;
      this.#print(
        `FINDING ${f.kind} in ${f.target}${where}\n  ${f.message}\n  input: ${hexPreview(f.input)}`,
      );
      if (f.stack !== null)
        this.#print(
          f.stack
            .split('\n')
            .slice(0, 12)
            .map((l) => `    ${l}`)
            .join('\n'),
        );
    }
    group.count++;
    if (group.files.length < KEEP_PER_GROUP) group.files.push(this.#save(f));
  }

  #save(f: Finding): string {
    mkdirSync(this.#dir, { recursive: true });
    const base = `${String(++this.#saved).padStart(4, '0')}-${f.target}-${f.kind}`;
    const file = join(this.#dir, `${base}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          ...f,
          input: f.input === null ? null : encodeBytes('JSON-HEX', f.input),
          replay:
            f.index === null
              ? null
              : `npm run fuzz -- --target ${f.target} --seed ${f.seed} --replay ${f.index}`,
        },
        null,
        2,
      )}\n`,
    );
    if (f.input !== null) writeFileSync(join(this.#dir, `${base}.bin`), f.input);
    return file;
  }
}
