import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isHiveLinkError } from '../../../src/errors.js';
import {
  type BitstringFrame,
  decodeBitstring,
  encodeBitstring,
  packBitstring,
  unpackBitstring,
} from '../../../src/protocol/bitstring.js';
import type { JsonObject } from '../../../src/protocol/json.js';
import { createHiveMessage, type HiveMessage, parseHiveMessage } from '../../../src/protocol/message.js';
import {
  BinaryType,
  HiveMessageType,
  type HiveMessageTypeName,
} from '../../../src/protocol/message-types.js';
import { deflate } from '../../../src/protocol/zlib.js';
import { hex, loadVectors, unhex } from '../../helpers/vectors.js';
import { bitstringHiveMessage } from './arbitraries.js';

interface FixedVector {
  msg_type: HiveMessageTypeName;
  payload?: string;
  payload_hex?: string;
  metadata?: JsonObject;
  metadata_json?: string;
  bin_type?: number;
  compressed: boolean;
  versioned: boolean;
  hex: string;
}
interface ReferenceVector {
  msg_type: HiveMessageTypeName;
  metadata: JsonObject;
  compressed: boolean;
  bin_type: number;
  payload?: JsonObject;
  payload_hex?: string;
  payload_json?: string;
  hex: string;
}
const legacy = loadVectors<{
  bitstrings_fixed: FixedVector[];
  reference_run: { bitstrings: ReferenceVector[] };
}>('legacy.json');

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The message a reference vector describes. */
function referenceMessage(v: ReferenceVector): HiveMessage {
  if (v.msg_type === HiveMessageType.BINARY) {
    return createHiveMessage(v.msg_type, unhex(v.payload_hex!), {
      metadata: v.metadata,
      bin_type: v.bin_type,
    });
  }
  const payload = v.payload_json === undefined ? v.payload! : parseHiveMessage(v.payload_json);
  return createHiveMessage(v.msg_type, payload, { metadata: v.metadata });
}

/** What survives a bitstring: the outer route, node, site, pubkey and source_peer are not carried. */
function carried(msg: HiveMessage): HiveMessage {
  return createHiveMessage(msg.msg_type, msg.payload, {
    metadata: msg.metadata,
    ...(msg.msg_type === HiveMessageType.BINARY ? { bin_type: msg.bin_type ?? 0 } : {}),
  });
}

describe('bitstring: fixed vectors (docs/PROTOCOL.md §9.5)', () => {
  for (const v of legacy.bitstrings_fixed) {
    const label = `${v.msg_type}${v.versioned ? ' versioned' : ''}`;
    it(`${label}: packs the raw fields to ${v.hex.slice(0, 12)}…`, () => {
      const frame: BitstringFrame = {
        msgType: v.msg_type as BitstringFrame['msgType'],
        versioned: v.versioned,
        compressed: v.compressed,
        metadata: utf8(v.metadata_json ?? JSON.stringify(v.metadata)),
        payload: v.payload_hex === undefined ? utf8(v.payload!) : unhex(v.payload_hex),
        binType: v.bin_type ?? 0,
      };
      assert.equal(hex(packBitstring(frame)), v.hex);
      assert.deepEqual(unpackBitstring(unhex(v.hex)), frame);
    });

    it(`${label}: decodes to the message`, () => {
      const msg = decodeBitstring(unhex(v.hex));
      assert.equal(msg.msg_type, v.msg_type);
      if (v.payload_hex === undefined) {
        assert.deepEqual(msg.payload, JSON.parse(v.payload!));
        assert.deepEqual(msg.metadata, v.metadata);
      } else {
        assert.equal(hex(msg.payload as Uint8Array), v.payload_hex);
        assert.deepEqual(msg.metadata, JSON.parse(v.metadata_json!));
        assert.equal(msg.bin_type, v.bin_type);
      }
    });
  }

  it('writes the BINARY fields off the byte grid: 4 pad bits, then a 4-bit bin_type', () => {
    const bytes = encodeBitstring(
      createHiveMessage(HiveMessageType.BINARY, unhex('01020304'), {
        metadata: { sample_rate: 16000, sample_width: 2 },
        bin_type: BinaryType.RAW_AUDIO,
      }),
      { compress: false },
    );
    assert.equal(hex(bytes), legacy.bitstrings_fixed[2]!.hex);
  });
});

describe('bitstring: reference_run vectors', () => {
  for (const v of legacy.reference_run.bitstrings) {
    const label = `${v.msg_type}${v.compressed ? ' compressed' : ''}${v.bin_type ? ` bin_type ${v.bin_type}` : ''}`;
    it(`${label}: encodes byte-exactly`, () => {
      assert.equal(hex(encodeBitstring(referenceMessage(v), { compress: v.compressed })), v.hex);
    });
    it(`${label}: decodes back to the message`, () => {
      assert.deepEqual(decodeBitstring(unhex(v.hex)), referenceMessage(v));
    });
  }
});

describe('bitstring: the captured binarize session', () => {
  // The live reference client writes BUS payloads with OVOS Message.serialize() (compact JSON) and other payloads
  // with json.dumps (Python spacing); we always write Python spacing, as the reference_run vectors do.
  const session = loadVectors<{ frames: { kind?: string; plaintext_hex?: string }[] }>(
    'legacy-sessions/session4.json',
  );
  const bitstrings = session.frames.flatMap((f) =>
    f.kind === 'binary' && f.plaintext_hex ? [f.plaintext_hex] : [],
  );

  it('decodes every bitstring the reference peers exchanged', () => {
    assert.deepEqual(
      bitstrings.map((plain) => decodeBitstring(unhex(plain)).msg_type),
      ['bus', 'bus', 'ping'],
    );
    const answer = decodeBitstring(unhex(bitstrings[1]!)).payload as JsonObject;
    assert.deepEqual(answer.data, { utterance: 'echo: hello from the python reference client' });
  });

  it('re-encodes the PING byte-exactly, and every message to an equivalent bitstring', () => {
    assert.equal(hex(encodeBitstring(decodeBitstring(unhex(bitstrings[2]!)))), bitstrings[2]);
    for (const plain of bitstrings) {
      const msg = decodeBitstring(unhex(plain));
      assert.deepEqual(decodeBitstring(encodeBitstring(msg)), msg);
    }
  });
});

describe('bitstring: options', () => {
  const bus = createHiveMessage(HiveMessageType.BUS, {
    type: 'speak',
    data: { utterance: 'hi' },
    context: {},
  });
  const longBus = createHiveMessage(HiveMessageType.BUS, {
    type: 'speak',
    data: { utterance: 'hello world '.repeat(20) },
    context: {},
  });

  it('compresses by default (legacy peers read only compressed bitstrings)', () => {
    const bytes = encodeBitstring(bus);
    assert.equal(bytes[0]! & 1, 1, 'C bit');
    assert.equal(hex(bytes.subarray(1, 12)), '0a789cabae0500017500f9');
  });

  it("'auto' sends the shorter form", () => {
    assert.equal(
      hex(encodeBitstring(bus, { compress: 'auto' })),
      hex(encodeBitstring(bus, { compress: false })),
    );
    assert.equal(hex(encodeBitstring(longBus, { compress: 'auto' })), hex(encodeBitstring(longBus)));
  });

  it('writes the version byte when asked, and rejects versions above 1', () => {
    const bytes = encodeBitstring(bus, { versioned: true, compress: false });
    assert.equal(hex(bytes.subarray(0, 2)), 'c042');
    assert.deepEqual(decodeBitstring(bytes), bus);
    const v2 = Uint8Array.from(bytes);
    v2[0] = 0xc0;
    v2[1] = 0x82; // version 2: bits 1 1 00000010 …
    assert.throws(() => decodeBitstring(v2), { code: 'HL_ERR_BITSTRING_VERSION' });
  });

  it('refuses metadata over 255 bytes as sent, unless compression brings it under', () => {
    const big = createHiveMessage(HiveMessageType.BUS, { type: 'x' }, { metadata: { pad: 'a'.repeat(300) } });
    assert.throws(() => encodeBitstring(big, { compress: false }), { code: 'HL_ERR_METADATA_TOO_LARGE' });
    assert.deepEqual(decodeBitstring(encodeBitstring(big)).metadata, big.metadata);
    assert.deepEqual(decodeBitstring(encodeBitstring(big, { compress: 'auto' })).metadata, big.metadata);
    const random = createHiveMessage(
      HiveMessageType.BUS,
      { type: 'x' },
      { metadata: { k: hex(new Uint8Array(300).map((_, i) => (i * 7919) % 251)) } },
    );
    assert.throws(() => encodeBitstring(random, { compress: 'auto' }), { code: 'HL_ERR_METADATA_TOO_LARGE' });
  });

  it('never compresses a BINARY payload', () => {
    const payload = new Uint8Array(1000);
    const bytes = encodeBitstring(createHiveMessage(HiveMessageType.BINARY, payload, { bin_type: 3 }));
    assert.ok(bytes.length > 1000);
    const msg = decodeBitstring(bytes);
    assert.deepEqual(msg.payload, payload);
    assert.equal(msg.bin_type, 3);
  });

  it('refuses INTERCOM and 3rdparty, which have no usable type code', () => {
    for (const type of [HiveMessageType.INTERCOM, HiveMessageType.THIRDPRTY]) {
      assert.throws(() => encodeBitstring(createHiveMessage(type, { a: 1 })), {
        code: 'HL_ERR_INVALID_ARGUMENT',
      });
    }
  });
});

describe('bitstring: malformed input', () => {
  const frame = (fields: Partial<BitstringFrame>): Uint8Array =>
    packBitstring({
      msgType: 'bus',
      versioned: false,
      compressed: false,
      metadata: utf8('{}'),
      payload: utf8('{"type": "x"}'),
      binType: 0,
      ...fields,
    });

  it('no start bit in the first byte, empty or truncated → HL_ERR_BITSTRING_INVALID', () => {
    for (const bad of ['', '00', '0082027b7d', '80', '82', '8203', '82057b7d', 'c0', '098297b227']) {
      assert.throws(() => decodeBitstring(unhex(bad)), { code: 'HL_ERR_BITSTRING_INVALID' }, bad);
    }
  });

  it('a payload that is not whole bytes → HL_ERR_BITSTRING_INVALID', () => {
    // A BUS frame shifted right by 4 bits: the header parses, the payload ends mid-byte.
    const shifted = unhex(`0${'82027b7d7b2274797065223a2274657374227d'}0`);
    assert.throws(() => decodeBitstring(shifted), { code: 'HL_ERR_BITSTRING_INVALID' });
  });

  it('type code 11 or 13-31 → HL_ERR_UNKNOWN_MSG_TYPE', () => {
    for (const code of [11, 13, 31]) {
      const bytes = frame({});
      bytes[0] = 0x80 | (code << 1);
      assert.throws(() => decodeBitstring(bytes), { code: 'HL_ERR_UNKNOWN_MSG_TYPE' }, String(code));
    }
  });

  it('C=1 with fields that are not zlib → HL_ERR_DECOMPRESS_FAILED', () => {
    const bytes = frame({});
    bytes[0]! |= 1;
    assert.throws(() => decodeBitstring(bytes), { code: 'HL_ERR_DECOMPRESS_FAILED' });
  });

  it('fields that inflate beyond the limit → HL_ERR_DECOMPRESSED_TOO_LARGE', () => {
    const bomb = `{"type": "x", "pad": "${'a'.repeat(200_000)}"}`;
    const bytes = frame({ compressed: true, payload: utf8(bomb) });
    assert.ok(bytes.length < 1000);
    assert.throws(() => decodeBitstring(bytes, { maxDecompressedBytes: 100_000 }), {
      code: 'HL_ERR_DECOMPRESSED_TOO_LARGE',
      closeCode: 1009,
    });
    assert.equal(decodeBitstring(bytes, { maxDecompressedBytes: 300_000 }).msg_type, 'bus');
  });

  it('metadata or payload that is not UTF-8 JSON → HL_ERR_INVALID_JSON', () => {
    for (const bad of [
      frame({ metadata: new Uint8Array() }),
      frame({ metadata: utf8('{') }),
      frame({ payload: new Uint8Array([0xff, 0xfe]) }),
      frame({ payload: utf8('\ufeff{"type": "x"}') }),
      frame({ compressed: true, payload: deflate(utf8('not json')) }),
    ]) {
      assert.throws(() => decodeBitstring(bad), { code: 'HL_ERR_INVALID_JSON' });
    }
  });

  it('decoded messages are validated like JSON ones', () => {
    assert.throws(() => decodeBitstring(frame({ payload: utf8('{}') })), { code: 'HL_ERR_INVALID_PAYLOAD' });
    assert.throws(() => decodeBitstring(frame({ payload: utf8('[1]') })), { code: 'HL_ERR_INVALID_PAYLOAD' });
    assert.throws(() => decodeBitstring(frame({ metadata: utf8('[]') })), { code: 'HL_ERR_INVALID_MESSAGE' });
    assert.throws(() => decodeBitstring(frame({ msgType: 'broadcast' })), { code: 'HL_ERR_INVALID_WRAPPER' });
    assert.throws(() => decodeBitstring(frame({ msgType: 'bin', metadata: utf8('1') })), {
      code: 'HL_ERR_INVALID_MESSAGE',
    });
  });
});

describe('bitstring: properties', () => {
  for (const compress of [true, false, 'auto'] as const) {
    it(`random messages round-trip (compress: ${compress})`, () => {
      fc.assert(
        fc.property(bitstringHiveMessage, fc.boolean(), (msg, versioned) => {
          const decoded = decodeBitstring(encodeBitstring(msg, { compress, versioned }));
          assert.deepEqual(decoded, carried(msg));
        }),
        { numRuns: 200 },
      );
    });
  }

  it('random bytes make decodeBitstring throw only HiveLinkError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeBitstring(bytes, { maxDecompressedBytes: 4096 });
        } catch (err) {
          assert.ok(isHiveLinkError(err), String(err));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('corrupted valid bitstrings make decodeBitstring throw only HiveLinkError', () => {
    fc.assert(
      fc.property(
        bitstringHiveMessage,
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (msg, compress, edits, cut) => {
          const bytes = Uint8Array.from(encodeBitstring(msg, { compress }));
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          const input = cut % 3 === 0 ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes;
          try {
            decodeBitstring(input, { maxDecompressedBytes: 1 << 16 });
          } catch (err) {
            assert.ok(isHiveLinkError(err), String(err));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
