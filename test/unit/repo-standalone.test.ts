/**
 * The repository stands alone (issue 9): a fresh clone with nothing beside it must pass `npm test`. So nothing in
 * the repository reads or cites the reference notes that used to sit outside it, every `PROTOCOL.md §id` a
 * comment or document cites is a heading of docs/PROTOCOL.md, and the known-answer vectors the tests load are
 * kept inside the repository in the shape the tests expect.
 *
 * The forbidden names are built from parts, so this file does not trip its own check.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { loadVectors, REPO_ROOT, VECTORS_DIR } from '../helpers/vectors.js';

/** The folders whose files must not point outside the repository, and the top-level files that count too. */
const SCANNED_DIRS = ['src', 'test', 'docs', 'scripts', 'bench'];
const SCANNED_FILES = ['README.md'];

/** Files larger than this are data, not prose or code; none of ours is. */
const MAX_SCANNED_BYTES = 4 * 1024 * 1024;

const OUTSIDE_PATH = ['..', 'shared'].join('/');
const OLD_NOTES = ['hivemind', 'ovos-bus'].map((name) => `${name}.md`);

/** Every text file under the scanned folders and the scanned top-level files, as repository-relative paths. */
function scannedFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && statSync(path).size <= MAX_SCANNED_BYTES)
        out.push(relative(REPO_ROOT, path));
    }
  };
  for (const dir of SCANNED_DIRS) if (existsSync(join(REPO_ROOT, dir))) walk(join(REPO_ROOT, dir));
  for (const file of SCANNED_FILES) if (existsSync(join(REPO_ROOT, file))) out.push(file);
  return out.sort();
}

/** The file's text, or null for a binary file (one with a NUL byte). */
function textOf(file: string): string | null {
  const bytes = readFileSync(join(REPO_ROOT, file));
  return bytes.includes(0) ? null : bytes.toString('utf8');
}

/**
 * The text with comment continuations joined, so a citation wrapped over two comment lines reads as one: a line
 * break followed by `*` or `//` (and the spaces around them) becomes one space.
 */
function unwrapped(text: string): string {
  return text.replace(/\s*\n\s*(?:\*(?!\/)|\/\/)?\s*/g, ' ');
}

/** A section id as headings and citations write it: `3.5`, `10`, `B2.3`. */
const ID = String.raw`B?\d+(?:\.\d+)*`;
/** One cited id or range after a `§`: `§3.5`, `§B1.1–B1.3`. */
const ITEM = `§(${ID})(?:[–-](${ID}))?`;
/** `PROTOCOL.md` (maybe in backticks) and a list of cited ids joined by `, ` or ` and `. */
const CITATION = new RegExp(String.raw`PROTOCOL\.md\`?\s+(${ITEM}(?:(?:,\s*|\s+and\s+)${ITEM})*)`, 'g');
const ITEM_GLOBAL = new RegExp(ITEM, 'g');

/** The ids of one citation list. A range end without `B` keeps the `B` of its start (`§B3.2–3.4`). */
function idsOf(list: string): string[] {
  const ids: string[] = [];
  for (const m of list.matchAll(ITEM_GLOBAL)) {
    const start = m[1]!;
    ids.push(start);
    const end = m[2];
    if (end !== undefined) ids.push(start.startsWith('B') && !end.startsWith('B') ? `B${end}` : end);
  }
  return ids;
}

/** The section ids of docs/PROTOCOL.md: `## 3. Handshakes` → `3`, `### B2.3 The session` → `B2.3`. */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  for (const m of markdown.matchAll(new RegExp(String.raw`^#{1,6}\s+(${ID})\.?\s`, 'gm'))) ids.add(m[1]!);
  return ids;
}

describe('the repository stands alone', () => {
  const files = scannedFiles();

  it('scans the source, the tests and the docs', () => {
    for (const expected of ['src/index.ts', 'docs/PROTOCOL.md', 'test/helpers/vectors.ts']) {
      assert.ok(files.includes(expected), `${expected} was not scanned`);
    }
  });

  it('reads and cites nothing outside the repository', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const text = textOf(file);
      if (text === null) continue;
      for (const needle of [OUTSIDE_PATH, ...OLD_NOTES]) {
        if (text.includes(needle)) offenders.push(`${file}: ${needle}`);
      }
    }
    assert.deepEqual(
      offenders,
      [],
      'these files point outside the repository; cite docs/PROTOCOL.md instead',
    );
  });

  it('loads the vectors from inside the repository', () => {
    assert.ok(VECTORS_DIR.startsWith(REPO_ROOT), `${VECTORS_DIR} is outside ${REPO_ROOT}`);
    assert.ok(existsSync(VECTORS_DIR), `${VECTORS_DIR} is missing`);
  });
});

describe('docs/PROTOCOL.md section ids', () => {
  const protocol = readFileSync(join(REPO_ROOT, 'docs/PROTOCOL.md'), 'utf8');
  const headings = headingIds(protocol);

  it('has the numbered sections of both parts', () => {
    for (const id of ['1.2', '3.5', '5.3', '6', '9.5', 'B1.1', 'B2.3', 'B3.4', 'B7']) {
      assert.ok(headings.has(id), `no heading §${id}`);
    }
  });

  it('has a heading for every id cited in the source, the tests and the docs', () => {
    const missing: string[] = [];
    let cited = 0;
    for (const file of scannedFiles()) {
      const text = textOf(file);
      if (text === null) continue;
      for (const m of unwrapped(text).matchAll(CITATION)) {
        for (const id of idsOf(m[1]!)) {
          cited += 1;
          if (!headings.has(id)) missing.push(`${file}: §${id}`);
        }
      }
    }
    assert.ok(cited > 50, `only ${cited} citations found: is the citation pattern still right?`);
    assert.deepEqual(missing, [], 'these files cite sections docs/PROTOCOL.md does not have');
  });

  it('refers only to its own sections', () => {
    const missing: string[] = [];
    for (const m of unwrapped(protocol).matchAll(ITEM_GLOBAL)) {
      for (const id of idsOf(m[0])) if (!headings.has(id)) missing.push(`§${id}`);
    }
    assert.deepEqual(missing, []);
  });
});

describe('test/fixtures/vectors', () => {
  type Json = Record<string, unknown>;

  function assertKeys(value: unknown, keys: readonly string[], where: string): asserts value is Json {
    assert.ok(
      typeof value === 'object' && value !== null && !Array.isArray(value),
      `${where} is not an object`,
    );
    for (const key of keys) assert.ok(key in value, `${where} has no "${key}"`);
  }

  it('legacy.json holds the fixed vectors, the reference run and its quirks', () => {
    const legacy = loadVectors<Json>('legacy.json');
    assertKeys(
      legacy,
      [
        'about',
        'hsub',
        'pbkdf2',
        'password_handshake_fixed',
        'aes_gcm',
        'aes_gcm_json_hex_envelope',
        'aes_gcm_binary_frame',
        'chacha20_json_b64_envelope',
        'bitstrings_fixed',
        'reference_run',
        'reference_quirks',
      ],
      'legacy.json',
    );
    assertKeys(legacy.hsub, ['password', 'iv_hex', 'expected_envelope'], 'legacy.json hsub');
    assertKeys(
      legacy.password_handshake_fixed,
      ['client_envelope', 'server_envelope', 'salt_hex', 'key_hex'],
      'legacy.json password_handshake_fixed',
    );
    assert.ok(Array.isArray(legacy.bitstrings_fixed) && legacy.bitstrings_fixed.length > 0);
    assertKeys(legacy.reference_run, ['source', 'encodings'], 'legacy.json reference_run');
    assert.ok(
      Array.isArray(legacy.reference_quirks) && legacy.reference_quirks.every((q) => typeof q === 'string'),
    );
  });

  it('noise-v3.json holds all four pattern/suite pairs and both PSK derivations', () => {
    const noise = loadVectors<Json>('noise-v3.json');
    for (const name of ['xxpsk2_chacha', 'kkpsk0_chacha', 'xxpsk2_aesgcm', 'kkpsk0_aesgcm']) {
      assertKeys(
        noise[name],
        [
          'psk_hex',
          'initiator_static_hex',
          'initiator_ephemeral_hex',
          'responder_static_pub_hex',
          'protocol_name',
          'prologue_hex',
          'msg1_hex',
          'msg2_hex',
          'handshake_hash_hex',
          'server_transport_frame_hex',
          'expected_client_transport_frame_hex',
        ],
        `noise-v3.json ${name}`,
      );
      if (name.startsWith('xx')) assertKeys(noise[name], ['msg3_hex'], `noise-v3.json ${name}`);
    }
    assertKeys(noise.argon2id_psk, ['password', 'node_id', 'salt_hex', 'expected_psk_hex'], 'argon2id_psk');
    assertKeys(noise.pbkdf2_psk, ['password', 'node_id', 'iterations', 'expected_psk_hex'], 'pbkdf2_psk');
  });

  for (const n of [1, 2, 3, 4]) {
    it(`legacy-sessions/session${n}.json is a whole captured session`, () => {
      const session = loadVectors<Json>(`legacy-sessions/session${n}.json`);
      assertKeys(
        session,
        [
          'description',
          'reference',
          'access_key',
          'password',
          'useragent',
          'site_id',
          'session_id',
          'negotiated',
          'client_envelope',
          'server_envelope',
          'salt_hex',
          'session_key_hex',
          'frames',
        ],
        `session${n}.json`,
      );
      assertKeys(session.negotiated, ['cipher', 'encoding'], `session${n}.json negotiated`);
      assert.ok(Array.isArray(session.frames) && session.frames.length > 0, `session${n}.json has no frames`);
    });
  }

  it('the README names every file beside it', () => {
    const readme = readFileSync(join(VECTORS_DIR, 'README.md'), 'utf8');
    const names = [
      ...readdirSync(VECTORS_DIR).filter((f) => f.endsWith('.json')),
      ...readdirSync(join(VECTORS_DIR, 'legacy-sessions')).map((f) => `legacy-sessions/${f}`),
    ];
    for (const name of names) assert.ok(readme.includes(name), `README.md does not describe ${name}`);
  });
});
