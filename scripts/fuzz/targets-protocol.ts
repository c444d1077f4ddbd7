/**
 * Fuzz targets of the protocol layer: HiveMessage parsing (from text and from JS values), the bitstring codec, the
 * seven binary-to-text encodings (node and browser hex/base64 codecs compared) and zlib (pako and node:zlib
 * compared).
 *
 * @module
 */
import { nodeZlib } from '../../src/crypto/zlib.node.js';
import { HiveLinkError } from '../../src/errors.js';
import {
  decodeBitstring,
  encodeBitstring,
  packBitstring,
  unpackBitstring,
} from '../../src/protocol/bitstring.js';
import { decodeBytes, ENCODING_NAMES, type EncodingName, encodeBytes } from '../../src/protocol/encodings.js';
import { hexBase64 as browserHex } from '../../src/protocol/hex.browser.js';
import { hexBase64 as nodeHex } from '../../src/protocol/hex.node.js';
import {
  createHiveMessage,
  type HiveMessage,
  hiveMessageToJson,
  parseHiveMessage,
  serializeHiveMessage,
} from '../../src/protocol/message.js';
import {
  HiveMessageType,
  type HiveMessageTypeName,
  MSG_TYPE_CODES,
} from '../../src/protocol/message-types.js';
import { pakoZlib } from '../../src/protocol/zlib.js';
import { concat, mutateBytes, mutateText, mutateValue, randomJson, randomString } from './mutate.js';
import type { Rng } from './rng.js';
import {
  contractBreach,
  type DecoderTarget,
  describeValue,
  type FuzzInput,
  inputTarget,
  OracleFailure,
  sameBytes,
  stringifyOrUndefined,
  type TargetContext,
  utf8Bytes,
} from './target.js';

const lossy = new TextDecoder('utf-8');

/** A mutated HiveMessage JSON text: structural, textual or byte-level, from the corpus. */
export function mutatedMessageText(rng: Rng, ctx: TargetContext): string {
  const text = anyMutatedText(rng, ctx);
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

/** Longest text input: beyond what any frame limit lets through, short enough to stay quick. */
const MAX_TEXT = 1024 * 1024;

function anyMutatedText(rng: Rng, ctx: TargetContext): string {
  const { jsonTexts, jsonValues } = ctx.corpus;
  const mode = rng.weighted([
    [5, 'value'],
    [4, 'text'],
    [1, 'bytes'],
    [1, 'random'],
  ] as const);
  if (mode === 'value') {
    const text = stringifyOrUndefined(mutateValue(rng, rng.pick(jsonValues), jsonValues));
    if (text !== undefined) return text;
  }
  if (mode === 'bytes') {
    const others = [utf8Bytes(rng.pick(jsonTexts))];
    return lossy.decode(mutateBytes(rng, utf8Bytes(rng.pick(jsonTexts)), others));
  }
  if (mode === 'random') return stringifyOrUndefined(randomJson(rng)) ?? randomString(rng);
  return mutateText(rng, rng.pick(jsonTexts), jsonTexts);
}

/** The canonical JSON of a message, for comparing two decodings. */
function canonical(message: HiveMessage): string {
  return JSON.stringify(hiveMessageToJson(message));
}

/**
 * What the hub does with a message it accepted: serialize it again (to forward it), and a peer parses that. Both
 * must work and give the same message.
 */
export function checkJsonRoundTrip(message: HiveMessage): void {
  if (message.msg_type === HiveMessageType.BINARY) return;
  let text: string;
  let again: HiveMessage;
  try {
    text = serializeHiveMessage(message);
    again = parseHiveMessage(text);
  } catch (err) {
    throw new OracleFailure(
      'roundtrip',
      `accepted message does not serialize and parse again: ${String((err as Error)?.message ?? err)}`,
    );
  }
  if (canonical(again) !== canonical(message)) {
    throw new OracleFailure('roundtrip', 'accepted message changes when serialized and parsed again');
  }
}

const messageTarget = inputTarget({
  name: 'message',
  summary:
    'parseHiveMessage(text): mutated HiveMessage JSON; accepted messages must serialize and parse again',
  input(ctx, rng) {
    const text = mutatedMessageText(rng, ctx);
    let message: HiveMessage | null = null;
    return {
      bytes: utf8Bytes(text),
      run() {
        message = parseHiveMessage(text);
      },
      check() {
        if (message !== null) checkJsonRoundTrip(message);
      },
    };
  },
});

class Opaque {
  msg_type = 'bus';
  payload = { type: 'x' };
}

/** Values JSON.parse never gives: what a caller of the library could pass. */
function exoticValue(rng: Rng): unknown {
  const base = { msg_type: 'bus', payload: { type: 'x', data: {}, context: {} } as Record<string, unknown> };
  switch (rng.int(16)) {
    case 0:
      return undefined;
    case 1:
      return { ...base, payload: { type: 'x', n: rng.pick([Number.NaN, Infinity, -Infinity]) } };
    case 2:
      return { ...base, payload: { type: 'x', n: 10n } };
    case 3:
      return { ...base, payload: { type: 'x', s: Symbol('s') } };
    case 4:
      return { ...base, payload: { type: 'x', f: () => 1 } };
    case 5:
      return { ...base, payload: { type: 'x', d: new Date(0), m: new Map([[1, 2]]) } };
    case 6:
      return { ...base, payload: new Uint8Array(4) };
    case 7:
      return new Opaque();
    case 8: {
      const o = Object.create(null) as Record<string, unknown>;
      o.msg_type = 'ping';
      o.payload = Object.create(null);
      return o;
    }
    case 9:
      return Object.defineProperty({ ...base }, 'metadata', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      });
    case 10:
      return new Proxy(base, {
        ownKeys() {
          throw new Error('trap');
        },
      });
    case 11: {
      const cyclic: Record<string, unknown> = { type: 'x' };
      cyclic.self = cyclic;
      return { ...base, payload: cyclic };
    }
    case 12:
      // biome-ignore lint/suspicious/noSparseArray: a hole is an input JSON cannot make
      return { ...base, route: [{ source: 'a', targets: [, 'b'] }] };
    case 13:
      return { ...base, payload: { type: 'x', a: [undefined] } };
    case 14:
      return Object.freeze({ ...base, payload: Object.freeze({ type: 'x' }) });
    default:
      return { ...base, payload: { type: 'x', deep: nest(rng.range(129, 5000)) } };
  }
}

function nest(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = { v };
  return v;
}

const TYPES = Object.values(HiveMessageType) as HiveMessageTypeName[];

const messageValueTarget: DecoderTarget = {
  name: 'message-value',
  summary:
    'parseHiveMessage(value) and createHiveMessage(type, payload, fields) on mutated and exotic JS values',
  make(ctx) {
    const { jsonValues } = ctx.corpus;
    return (rng) => {
      const exotic = rng.chance(0.25);
      const value: unknown = exotic ? exoticValue(rng) : mutateValue(rng, rng.pick(jsonValues), jsonValues);
      // createHiveMessage builds what the caller holds: only plain values (a throwing getter is the caller's own)
      const build = !exotic && rng.chance(0.3);
      let message: HiveMessage | null = null;
      return {
        get bytes() {
          return describeValue(value);
        },
        check() {
          if (message !== null && !exotic) checkJsonRoundTrip(message);
        },
        run() {
          if (build) {
            const v = (value ?? {}) as Record<string, unknown>;
            const { msg_type: _t, payload, ...fields } = typeof v === 'object' ? v : {};
            const type = rng.chance(0.8) ? rng.pick(TYPES) : (randomJson(rng) as HiveMessageTypeName);
            createHiveMessage(type, payload as never, fields as never);
            return;
          }
          message = parseHiveMessage(value);
        },
      };
    };
  },
};

/** Raw bitstring header bits, values allowed or not, followed by random bytes. */
function rawBitstring(rng: Rng): Uint8Array {
  const bits: number[] = [];
  const put = (v: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) bits.push((v >> i) & 1);
  };
  put(1, 1);
  const versioned = rng.chance(0.5);
  put(versioned ? 1 : 0, 1);
  if (versioned) put(rng.pick([0, 1, 2, 255]), 8);
  put(rng.int(32), 5);
  put(rng.int(2), 1);
  const body = rng.bytes(rng.small(300));
  put(rng.chance(0.5) ? Math.min(255, body.length) : rng.int(256), 8);
  while (bits.length % 8 !== 0) bits.unshift(0);
  const head = new Uint8Array(bits.length / 8);
  bits.forEach((b, i) => {
    if (b) head[i >> 3]! |= 0x80 >> (i & 7);
  });
  return concat(head, body);
}

const CODED_TYPES = (Object.keys(MSG_TYPE_CODES) as (keyof typeof MSG_TYPE_CODES)[]).filter(
  (t) => t !== HiveMessageType.THIRDPRTY,
);

/** A bitstring of valid layout whose metadata or payload (the JSON inside) is mutated. */
function repackedBitstring(rng: Rng, ctx: TargetContext): Uint8Array {
  const frame = unpackBitstring(rng.pick(ctx.corpus.bitstrings), { zlib: nodeZlib });
  const text = (bytes: Uint8Array) =>
    utf8Bytes(rng.chance(0.5) ? mutatedMessageText(rng, ctx) : mutateText(rng, lossy.decode(bytes)));
  const metadata = rng.chance(0.3) ? text(frame.metadata) : frame.metadata;
  const payload = rng.chance(0.8) ? text(frame.payload) : mutateBytes(rng, frame.payload);
  const packed = {
    ...frame,
    msgType: rng.chance(0.2) ? rng.pick(CODED_TYPES) : frame.msgType,
    compressed: rng.chance(0.5),
    versioned: rng.chance(0.3),
    metadata: metadata.length > 200 ? metadata.subarray(0, rng.int(200)) : metadata,
    payload,
    binType: rng.int(16),
  };
  try {
    return packBitstring(packed, nodeZlib);
  } catch {
    return packBitstring({ ...packed, metadata: new Uint8Array(0) }, nodeZlib);
  }
}

/** Compressed fields that inflate to about the decompression limit (made once: deflating 16 MiB takes a while). */
function bombs(): Uint8Array[] {
  const limit = 16 * 1024 * 1024;
  const zeros = new Uint8Array(limit + 1);
  const nested = utf8Bytes('['.repeat(4_000_000));
  return [
    nodeZlib.deflate(zeros),
    nodeZlib.deflate(zeros.subarray(0, limit - 4096)),
    nodeZlib.deflate(nested),
  ];
}

/** Whether a message that decoded from a bitstring encodes again and decodes to the same. */
function checkBitstringRoundTrip(message: HiveMessage): void {
  let again: HiveMessage;
  try {
    again = decodeBitstring(encodeBitstring(message, { zlib: nodeZlib }), { zlib: nodeZlib });
  } catch (err) {
    // A metadata field that grows past 255 bytes when written again (Python escapes non-ASCII) cannot be sent as a
    // bitstring; the sender falls back to JSON.
    if (err instanceof HiveLinkError && err.code === 'HL_ERR_METADATA_TOO_LARGE') return;
    throw new OracleFailure(
      'roundtrip',
      `decoded bitstring does not encode and decode again: ${String((err as Error)?.message ?? err)}`,
    );
  }
  if (message.msg_type !== HiveMessageType.BINARY) {
    if (canonical(again) !== canonical(message))
      throw new OracleFailure('roundtrip', 'decoded bitstring changes when encoded and decoded again');
    checkJsonRoundTrip(message);
  } else if (!sameBytes(again.payload as Uint8Array, message.payload as Uint8Array)) {
    throw new OracleFailure('roundtrip', 'decoded bin payload changes when encoded and decoded again');
  }
}

const bitstringTarget: DecoderTarget = {
  name: 'bitstring',
  summary:
    'decodeBitstring: mutated bitstrings, repacked mutated fields, raw headers, zlib bombs; round trip',
  make(ctx) {
    const { bitstrings } = ctx.corpus;
    let bombList: Uint8Array[] | null = null;
    return (rng) => {
      const mode = rng.weighted([
        [10, 'bytes'],
        [7, 'repack'],
        [2, 'raw'],
        [0.05, 'bomb'],
      ] as const);
      let bytes: Uint8Array;
      if (mode === 'bytes') bytes = mutateBytes(rng, rng.pick(bitstrings), bitstrings);
      else if (mode === 'repack') bytes = repackedBitstring(rng, ctx);
      else if (mode === 'raw') bytes = rawBitstring(rng);
      else {
        bombList ??= bombs();
        // a compressed PING: deflated "{}" as metadata, the bomb as the payload (packed raw, then C set: bit 7)
        bytes = packBitstring(
          {
            msgType: 'ping',
            versioned: false,
            compressed: false,
            metadata: nodeZlib.deflate(utf8Bytes('{}')),
            payload: rng.pick(bombList),
            binType: 0,
          },
          nodeZlib,
        );
        bytes[0]! |= 0x01;
      }
      let message: HiveMessage | null = null;
      return {
        bytes,
        // inflating to the 16 MiB limit is work by design; a bomb that costs the decoder seconds is still found
        ...(mode === 'bomb' ? { budgetMs: 1000 } : {}),
        run() {
          message = decodeBitstring(bytes, { zlib: nodeZlib });
        },
        check() {
          if (message !== null) checkBitstringRoundTrip(message);
        },
      };
    };
  },
};

const BASE64: readonly EncodingName[] = ['JSON-B64', 'JSON-URLSAFE-B64'];

type Outcome = { ok: true; bytes: Uint8Array } | { ok: false; code: string; message: string };

function outcomeOf(fn: () => Uint8Array): Outcome {
  try {
    return { ok: true, bytes: fn() };
  } catch (err) {
    const breach = contractBreach(err);
    if (breach !== null) throw err;
    const e = err as HiveLinkError;
    return { ok: false, code: e.code, message: e.message };
  }
}

/**
 * Throws a divergence unless both accepted the input with the same bytes, or both refused it (with the same code,
 * and the same message when `strict`: the hex/base64 codecs promise identical errors; the two zlibs only the same
 * refusals — a stream both truncated and too large may be reported either way).
 */
function agree(a: Outcome, b: Outcome, what: string, strict: boolean): void {
  const same =
    a.ok && b.ok
      ? sameBytes(a.bytes, b.bytes)
      : !a.ok && !b.ok && (!strict || (a.code === b.code && a.message === b.message));
  if (!same) {
    const show = (o: Outcome) => (o.ok ? `${o.bytes.length} bytes` : `${o.code}: ${o.message}`);
    throw new OracleFailure('divergence', `${what} disagree: ${show(a)} vs ${show(b)}`);
  }
}

const encodingsTarget = inputTarget({
  name: 'encodings',
  summary:
    'decodeBytes for the seven encodings (and unknown names); hex/base64: node and browser codecs agree',
  input(_ctx, rng) {
    const name = rng.chance(0.02)
      ? (rng.pick(['json-hex', 'JSON-B85', '', 'JSON-HEX ', '__proto__']) as EncodingName)
      : rng.pick(ENCODING_NAMES);
    const source = rng.bytes(rng.small(200));
    const valid = ENCODING_NAMES.includes(name) ? encodeBytes(name, source) : 'abcd';
    // capped: decoding is linear, and a nesting flood is no test of an encoding
    const text = rng.chance(0.1) ? valid : mutateText(rng, valid).slice(0, 256 * 1024);
    return {
      bytes: utf8Bytes(`${name}\n${text}`),
      run() {
        const main = outcomeOf(() => decodeBytes(name, text));
        if (name === 'JSON-HEX')
          agree(
            outcomeOf(() => nodeHex.hexDecode(text)),
            outcomeOf(() => browserHex.hexDecode(text)),
            'hex codecs',
            true,
          );
        if (BASE64.includes(name)) {
          const n = name as 'JSON-B64';
          agree(
            outcomeOf(() => nodeHex.base64Decode(n, text)),
            outcomeOf(() => browserHex.base64Decode(n, text)),
            'base64 codecs',
            true,
          );
        }
        if (main.ok) {
          const again = decodeBytes(name, encodeBytes(name, main.bytes));
          if (!sameBytes(again, main.bytes))
            throw new OracleFailure(
              'roundtrip',
              `${name}: decoded bytes change when encoded and decoded again`,
            );
        }
      },
    };
  },
});

const zlibTarget: DecoderTarget = {
  name: 'zlib',
  summary: 'inflate: mutated zlib streams; pako and node:zlib must accept and refuse the same streams',
  make(ctx) {
    const streams = [
      ...ctx.corpus.jsonTexts.slice(0, 40).map((t) => nodeZlib.deflate(utf8Bytes(t))),
      pakoZlib.deflate(new Uint8Array(70_000)),
      pakoZlib.deflate(new Uint8Array(0)),
    ];
    return (rng) => {
      const bytes = rng.chance(0.05) ? rng.pick(streams) : mutateBytes(rng, rng.pick(streams), streams);
      const limit = rng.chance(0.7) ? 16 * 1024 * 1024 : rng.pick([0, 1, 100, 16 * 1024, 65_536]);
      return {
        bytes,
        run() {
          agree(
            outcomeOf(() => pakoZlib.inflate(bytes, limit)),
            outcomeOf(() => nodeZlib.inflate(bytes, limit)),
            'pako and node:zlib',
            false,
          );
        },
      };
    };
  },
};

export const PROTOCOL_TARGETS: readonly DecoderTarget[] = [
  messageTarget,
  messageValueTarget,
  bitstringTarget,
  encodingsTarget,
  zlibTarget,
];

export type { FuzzInput };
