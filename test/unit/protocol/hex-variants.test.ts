/**
 * The two variants of the hex/base64 codec (`hex.node.ts`: Node's Buffer; `hex.browser.ts`: portable loops) give the
 * same text, the same bytes and the same refusals on the same known answers, and a browser bundle of the
 * encodings picks the portable one by file (package.json "browser"), with no Node built-in left.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import fc from 'fast-check';
import type { Base64Name, HexBase64Codec } from '../../../src/protocol/codec-shared.js';
import { hexBase64 as browserCodec } from '../../../src/protocol/hex.browser.js';
import { hexBase64 as nodeCodec } from '../../../src/protocol/hex.node.js';
import { hex, loadVectors, REPO_ROOT, unhex } from '../../helpers/vectors.js';

interface EncodingRow {
  bytes_hex: string;
  encoded: string;
}
const vectors = loadVectors<{ reference_run: { encodings: Record<string, EncodingRow[]> } }>('legacy.json')
  .reference_run.encodings;

/** Known answers beyond the reference run: a longer text, every byte value, upper-case hex. */
const EXTRA_HEX: EncodingRow[] = [
  { bytes_hex: '000102fdfeff', encoded: '000102fdfeff' },
  { bytes_hex: Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')).join(''), encoded: '' },
];
EXTRA_HEX[1]!.encoded = EXTRA_HEX[1]!.bytes_hex;

/** Texts every variant refuses, with the message both must give (the position is of the first bad character). */
const BAD_HEX: [string, string][] = [
  ['0', 'odd length'],
  ['abc', 'odd length'],
  ['zz', 'bad character at 0'],
  ['0g', 'bad character at 1'],
  [' 00', 'odd length'],
  ['é0', 'bad character at 0'],
  ['00 0', 'bad character at 2'],
  // Buffer reads U+0130 by its low byte (0x30, '0'): the Node variant must still refuse it.
  ['\u01300', 'bad character at 0'],
  ['0\u0161', 'bad character at 1'],
  ['\uff10\uff10', 'bad character at 0'],
];
const BAD_B64: [Base64Name, string, string][] = [
  ['JSON-B64', 'A', 'impossible length'],
  ['JSON-B64', 'AA=', 'misplaced padding'],
  ['JSON-B64', 'A===', 'misplaced padding'],
  ['JSON-B64', 'AA=A', 'bad character at 2'],
  ['JSON-B64', 'aGVs*G8=', 'bad character at 4'],
  ['JSON-B64', '-_8=', 'bad character at 0'],
  ['JSON-B64', 'aGVsbG8==', 'misplaced padding'],
  ['JSON-B64', 'QU JDRE=', 'bad character at 2'],
  ['JSON-B64', '\u0141QID', 'bad character at 0'],
  ['JSON-URLSAFE-B64', '+/8=', 'bad character at 0'],
  ['JSON-URLSAFE-B64', 'AAAAA', 'impossible length'],
];

const VARIANTS: [string, HexBase64Codec][] = [
  ['hex.node.ts', nodeCodec],
  ['hex.browser.ts', browserCodec],
];

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    assert.equal((err as { code?: unknown }).code, 'HL_ERR_INVALID_ENCODING', String(err));
    return (err as Error).message;
  }
  return 'accepted';
}

for (const [label, codec] of VARIANTS) {
  describe(`hex/base64 codec ${label}: known answers`, () => {
    it('JSON-HEX encodes and decodes every vector; upper case decodes', () => {
      for (const row of [...(vectors['JSON-HEX'] ?? []), ...EXTRA_HEX]) {
        assert.equal(codec.hexEncode(unhex(row.bytes_hex)), row.encoded);
        assert.equal(hex(codec.hexDecode(row.encoded)), row.bytes_hex);
      }
      assert.equal(hex(codec.hexDecode('DEADbeef')), 'deadbeef');
    });

    for (const name of ['JSON-B64', 'JSON-URLSAFE-B64'] as const) {
      it(`${name} encodes and decodes every vector, and decodes them unpadded`, () => {
        const rows = vectors[name] ?? [];
        assert.ok(rows.length > 0);
        for (const row of rows) {
          assert.equal(codec.base64Encode(name, unhex(row.bytes_hex)), row.encoded);
          assert.equal(hex(codec.base64Decode(name, row.encoded)), row.bytes_hex);
          assert.equal(hex(codec.base64Decode(name, row.encoded.replace(/=+$/, ''))), row.bytes_hex);
        }
      });
    }

    it('refuses odd-length and non-hex text with HL_ERR_INVALID_ENCODING, saying where', () => {
      for (const [text, why] of BAD_HEX) {
        assert.equal(
          refusal(() => codec.hexDecode(text)),
          `invalid JSON-HEX text: ${why}`,
          JSON.stringify(text),
        );
      }
    });

    it('refuses bad base64 padding, lengths and characters with HL_ERR_INVALID_ENCODING', () => {
      for (const [name, text, why] of BAD_B64) {
        assert.equal(
          refusal(() => codec.base64Decode(name, text)),
          `invalid ${name} text: ${why}`,
          `${name} ${JSON.stringify(text)}`,
        );
      }
    });

    it('returns plain Uint8Array views, never a Buffer', () => {
      assert.equal(Object.getPrototypeOf(codec.hexDecode('00ff')), Uint8Array.prototype);
      assert.equal(Object.getPrototypeOf(codec.base64Decode('JSON-B64', 'AP8=')), Uint8Array.prototype);
    });
  });
}

describe('hex/base64 codec: both variants agree', () => {
  it('on random bytes (same text) and on random text (same bytes or the same refusal)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        assert.equal(nodeCodec.hexEncode(bytes), browserCodec.hexEncode(bytes));
        for (const name of ['JSON-B64', 'JSON-URLSAFE-B64'] as const) {
          assert.equal(nodeCodec.base64Encode(name, bytes), browserCodec.base64Encode(name, bytes));
        }
      }),
      { numRuns: 300 },
    );
    const decodeAll = (codec: HexBase64Codec, text: string) =>
      [
        () => codec.hexDecode(text),
        () => codec.base64Decode('JSON-B64', text),
        () => codec.base64Decode('JSON-URLSAFE-B64', text),
      ].map((run) => {
        try {
          return hex(run() as Uint8Array);
        } catch (err) {
          return `refused: ${(err as Error).message}`;
        }
      });
    const hexish = fc.string({
      unit: fc.constantFrom(...'0123456789abcdefABCDEF=+/-_ g\u0130'),
      maxLength: 40,
    });
    fc.assert(
      fc.property(
        fc.oneof(hexish, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })),
        (t) => {
          assert.deepEqual(decodeAll(nodeCodec, t), decodeAll(browserCodec, t), JSON.stringify(t));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('hex/base64 codec: the variant of a browser build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hivelink-hex-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is hex.browser.ts, picked by package.json "browser", and the bundle encodes the vectors', async () => {
    const result = await build({
      entryPoints: [join(REPO_ROOT, 'src/protocol/encodings.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(
      inputs.some((p) => p.endsWith('src/protocol/hex.browser.ts')),
      inputs.join(', '),
    );
    assert.ok(!inputs.some((p) => p.endsWith('.node.ts')), inputs.join(', '));
    const code = result.outputFiles[0]!.text;
    assert.doesNotMatch(code, /["']node:|\bBuffer\b/);
    const file = join(dir, 'encodings.mjs');
    writeFileSync(file, code);
    const m = (await import(pathToFileURL(file).href)) as {
      encodeBytes(name: string, bytes: Uint8Array): string;
      decodeBytes(name: string, text: string): Uint8Array;
    };
    for (const name of ['JSON-HEX', 'JSON-B64', 'JSON-URLSAFE-B64']) {
      for (const row of vectors[name] ?? []) {
        assert.equal(m.encodeBytes(name, unhex(row.bytes_hex)), row.encoded);
        assert.equal(hex(m.decodeBytes(name, row.encoded)), row.bytes_hex);
      }
    }
    assert.throws(() => m.decodeBytes('JSON-HEX', '\u01300'), { code: 'HL_ERR_INVALID_ENCODING' });
  });
});
