import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isHiveLinkError } from '../../../src/errors.js';
import {
  decodeBytes,
  ENCODING_NAMES,
  type EncodingName,
  encodeBytes,
  isEncodingName,
} from '../../../src/protocol/encodings.js';
import { hex, loadVectors, unhex } from '../../helpers/vectors.js';

interface EncodingRow {
  bytes_hex: string;
  encoded: string;
}
const vectors = loadVectors<{ reference_run: { encodings: Record<string, EncodingRow[]> } }>('legacy.json')
  .reference_run.encodings;

describe('encodings: reference_run vectors', () => {
  it('covers all seven encodings', () => {
    assert.deepEqual(Object.keys(vectors).sort(), [...ENCODING_NAMES].sort());
  });

  for (const [name, rows] of Object.entries(vectors)) {
    it(`${name} encodes every row like the reference`, () => {
      assert.ok(isEncodingName(name));
      for (const row of rows) {
        assert.equal(encodeBytes(name, unhex(row.bytes_hex)), row.encoded, `bytes ${row.bytes_hex}`);
      }
    });
    it(`${name} decodes every reference row`, () => {
      assert.ok(isEncodingName(name));
      for (const row of rows) {
        assert.equal(
          hex(decodeBytes(name, row.encoded)),
          row.bytes_hex,
          `text ${JSON.stringify(row.encoded)}`,
        );
      }
    });
  }
});

function assertInvalid(name: EncodingName, text: string): void {
  assert.throws(
    () => decodeBytes(name, text),
    { code: 'HL_ERR_INVALID_ENCODING' },
    `${name} ${JSON.stringify(text)}`,
  );
}

describe('encodings: strict decoding', () => {
  it('JSON-HEX accepts upper case and rejects odd lengths and non-hex', () => {
    assert.equal(hex(decodeBytes('JSON-HEX', 'DEADbeef')), 'deadbeef');
    for (const bad of ['0', 'abc', 'zz', '0g', ' 00', 'é0', '\u01300']) assertInvalid('JSON-HEX', bad);
  });

  it('JSON-B64 accepts missing padding and rejects bad padding and foreign characters', () => {
    assert.equal(hex(decodeBytes('JSON-B64', 'aGVsbG8')), '68656c6c6f');
    for (const bad of ['A', 'AA=', 'A===', '====', 'AA=A', 'aGVs*G8=', '-_8=', 'AAAA====', 'aGVsbG8==']) {
      assertInvalid('JSON-B64', bad);
    }
  });

  it('JSON-URLSAFE-B64 uses - and _ and rejects + and /', () => {
    assert.equal(hex(decodeBytes('JSON-URLSAFE-B64', '-_8=')), 'fbff');
    assertInvalid('JSON-URLSAFE-B64', '+/8=');
  });

  it('JSON-B32 accepts missing padding and rejects impossible lengths and lower case', () => {
    assert.equal(hex(decodeBytes('JSON-B32', 'NBSWY3DP')), '68656c6c6f');
    assert.equal(hex(decodeBytes('JSON-B32', 'AEBAG')), '010203');
    for (const bad of ['A', 'AAA=====', 'A=======', 'nbswy3dp', 'AEBAG==', 'AEBAG1==', '========']) {
      assertInvalid('JSON-B32', bad);
    }
  });

  it('JSON-B91 rejects characters outside its alphabet', () => {
    for (const bad of ["'", 'AB-', 'A\\', ' AA', 'AAé']) assertInvalid('JSON-B91', bad);
  });

  it('JSON-Z85B rejects a lone trailing digit, overflow and foreign characters', () => {
    // '#' is digit 84: five of them exceed 2^32, two of them exceed one byte.
    for (const bad of ['0', '000000', '#####', '##', '0000"', 'abc~']) assertInvalid('JSON-Z85B', bad);
  });

  it('JSON-Z85P rejects a missing or bad pad byte, bad lengths and non-zero padding', () => {
    for (const bad of ['', '\u0004', '00000', '\u0001', '\u00010000', '\u0001#####', '\u000300001']) {
      assertInvalid('JSON-Z85P', bad);
    }
  });

  it('an unknown encoding name is HL_ERR_UNKNOWN_ENCODING both ways', () => {
    const name = 'JSON-B85' as EncodingName;
    assert.equal(isEncodingName(name), false);
    assert.throws(() => encodeBytes(name, new Uint8Array(1)), { code: 'HL_ERR_UNKNOWN_ENCODING' });
    assert.throws(() => decodeBytes(name, '00'), { code: 'HL_ERR_UNKNOWN_ENCODING' });
  });
});

describe('encodings: properties', () => {
  for (const name of ENCODING_NAMES) {
    it(`${name}: random bytes round-trip`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          const text = encodeBytes(name, bytes);
          assert.ok(
            [...text].every((c) => c.charCodeAt(0) < 128),
            'ASCII only',
          );
          assert.deepEqual(decodeBytes(name, text), bytes);
        }),
        { numRuns: 300 },
      );
    });

    it(`${name}: random text decodes or throws HL_ERR_INVALID_ENCODING`, () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })),
          (text) => {
            try {
              decodeBytes(name, text);
            } catch (err) {
              assert.ok(isHiveLinkError(err, 'HL_ERR_INVALID_ENCODING'), String(err));
            }
          },
        ),
        { numRuns: 500 },
      );
    });
  }
});
