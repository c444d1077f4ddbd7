import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nodeZlib } from '../../../src/crypto/zlib.node.js';
import { isHiveLinkError } from '../../../src/errors.js';
import { LIMIT_DEFS } from '../../../src/limits.js';
import { decodeBitstring, encodeBitstring } from '../../../src/protocol/bitstring.js';
import { createHiveMessage } from '../../../src/protocol/message.js';
import { HiveMessageType } from '../../../src/protocol/message-types.js';
import { deflate, inflate, pakoZlib, type ZlibCodec } from '../../../src/protocol/zlib.js';
import { hex } from '../../helpers/vectors.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('zlib', () => {
  it('deflates like Python zlib.compress (level 6)', () => {
    // Known answer from the reference run: zlib.compress(b'{}').
    assert.equal(hex(deflate(utf8('{}'))), '789cabae0500017500f9');
  });

  it('is what pakoZlib runs, so the codec cases below cover it', () => {
    assert.equal(pakoZlib.deflate, deflate);
    assert.equal(pakoZlib.inflate, inflate);
  });

  it('inflates up to maxDecompressedBytes when no limit is given', () => {
    const atLimit = new Uint8Array(LIMIT_DEFS.maxDecompressedBytes.default);
    assert.equal(inflate(nodeZlib.deflate(atLimit)).length, atLimit.length);
    assert.throws(() => inflate(nodeZlib.deflate(new Uint8Array(atLimit.length + 1))), {
      code: 'HL_ERR_DECOMPRESSED_TOO_LARGE',
    });
  });
});

const CODECS: [string, ZlibCodec][] = [
  ['pako', pakoZlib],
  ['node:zlib', nodeZlib],
];

for (const [name, codec] of CODECS) {
  describe(`ZlibCodec: ${name}`, () => {
    it('round-trips random bytes, and reads what the other codec wrote', () => {
      const other = codec === pakoZlib ? nodeZlib : pakoZlib;
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
          assert.deepEqual(codec.inflate(codec.deflate(bytes), 1 << 20), bytes);
          assert.deepEqual(codec.inflate(other.deflate(bytes), 1 << 20), bytes);
        }),
        { numRuns: 200 },
      );
    });

    it('returns plain Uint8Arrays', () => {
      const z = codec.deflate(utf8('plain'));
      assert.equal(Object.getPrototypeOf(z), Uint8Array.prototype);
      assert.equal(Object.getPrototypeOf(codec.inflate(z, 100)), Uint8Array.prototype);
    });

    it('stops at the limit (a zip bomb), and accepts output of exactly the limit', () => {
      const bomb = codec.deflate(new Uint8Array(1_000_000));
      assert.ok(bomb.length < 2000);
      assert.throws(() => codec.inflate(bomb, 100_000), {
        code: 'HL_ERR_DECOMPRESSED_TOO_LARGE',
        closeCode: 1009,
      });
      assert.equal(codec.inflate(bomb, 1_000_000).length, 1_000_000);
      assert.throws(() => codec.inflate(codec.deflate(new Uint8Array(1)), 0), {
        code: 'HL_ERR_DECOMPRESSED_TOO_LARGE',
      });
      assert.equal(codec.inflate(codec.deflate(new Uint8Array(0)), 0).length, 0);
    });

    it('rejects gzip, raw deflate, a preset dictionary, truncated streams, trailing bytes and nothing', () => {
      const z = deflate(utf8('hello hello hello'));
      // zlib header with FDICT set (0x78 0xbb: CMF/FLG checksum valid), then a dictionary id.
      const withDictionary = new Uint8Array([0x78, 0xbb, 0, 0, 0, 1, ...z.subarray(2)]);
      const gzip = new Uint8Array([
        0x1f,
        0x8b,
        8,
        0,
        0,
        0,
        0,
        0,
        0,
        3,
        ...z.subarray(2, -4),
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
      ]);
      for (const bad of [
        gzip,
        z.subarray(2, -4),
        withDictionary,
        z.subarray(0, z.length - 1),
        z.subarray(0, 3),
        new Uint8Array([...z, 0]),
        new Uint8Array(),
      ]) {
        assert.throws(() => codec.inflate(bad, 1 << 20), { code: 'HL_ERR_DECOMPRESS_FAILED' });
      }
    });

    it('random garbage throws only HL_ERR_DECOMPRESS_FAILED or HL_ERR_DECOMPRESSED_TOO_LARGE', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          try {
            codec.inflate(bytes, 4096);
          } catch (err) {
            assert.ok(
              isHiveLinkError(err, 'HL_ERR_DECOMPRESS_FAILED') ||
                isHiveLinkError(err, 'HL_ERR_DECOMPRESSED_TOO_LARGE'),
              String(err),
            );
          }
        }),
        { numRuns: 1000 },
      );
    });

    it('rejects a limit that is not a whole number', () => {
      for (const bad of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY]) {
        assert.throws(() => codec.inflate(codec.deflate(new Uint8Array(1)), bad), {
          code: 'HL_ERR_INVALID_ARGUMENT',
        });
      }
    });

    it('is the one the bitstring codec uses when given', () => {
      let deflated = 0;
      let inflated = 0;
      const counting: ZlibCodec = {
        deflate: (b) => {
          deflated++;
          return codec.deflate(b);
        },
        inflate: (b, max) => {
          inflated++;
          return codec.inflate(b, max);
        },
      };
      const message = createHiveMessage(HiveMessageType.BUS, {
        type: 'speak',
        data: { utterance: 'hi' },
        context: {},
      });
      const bits = encodeBitstring(message, { compress: true, zlib: counting });
      assert.equal(deflated, 2, 'metadata and payload');
      assert.deepEqual(decodeBitstring(bits, { zlib: counting }).payload, message.payload);
      assert.equal(inflated, 2);
      assert.deepEqual(decodeBitstring(bits).payload, message.payload, 'any codec reads it');
    });
  });
}
