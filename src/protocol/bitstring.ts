/**
 * The bitstring codec ("binarize", docs/PROTOCOL.md §5.3): the binary form of a HiveMessage used in binary frames.
 *
 * Bits are MSB-first:
 * ```
 * [0-7 zero bits] 1 V [version(8) if V] type(5) C metadata_len(8) metadata [bin_type(4) if BINARY] payload
 * ```
 * The zero padding on the left makes the total a whole number of bytes (4 bits for BINARY, none otherwise).
 * With C=1 metadata and (non-BINARY) payload are zlib streams. The metadata is JSON, at most 255 bytes as sent.
 * The payload is raw bytes for BINARY and JSON for the rest: the OVOS message for BUS/SHARED_BUS, the inner
 * HiveMessage for wrappers, the payload object otherwise. `route`, `node`, `source_peer`, `target_site_id` and
 * `target_pubkey` of the outer message are not carried (a wrapper's inner message keeps its own).
 *
 * {@link packBitstring}/{@link unpackBitstring} work on the raw fields; {@link encodeBitstring}/
 * {@link decodeBitstring} turn HiveMessages into bitstrings and back.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { type JsonObject, pythonJson } from './json.js';
import {
  createHiveMessage,
  DEPTH_SCAN_MIN_CHARS,
  type HiveMessage,
  type ParseOptions,
  parseHiveMessage,
  refuseDeepText,
  serializeHiveMessage,
} from './message.js';
import {
  type CodedHiveMessageTypeName,
  HiveMessageType,
  type HiveMessageTypeName,
  MSG_TYPE_CODES,
  msgTypeFromCode,
  WRAPPER_TYPES,
} from './message-types.js';
import { pakoZlib, type ZlibCodec } from './zlib.js';

/** The only bitstring format version (`V=1` frames carry it; later versions are rejected). */
export const BITSTRING_VERSION = 1;
/** Largest metadata field, in bytes as sent (after compression). */
export const MAX_BITSTRING_METADATA_BYTES = 255;

/** The fields of one bitstring, with metadata and payload uncompressed. */
export interface BitstringFrame {
  msgType: CodedHiveMessageTypeName;
  /** Whether the frame carries the format version byte. */
  versioned: boolean;
  /** Whether metadata and (non-BINARY) payload are zlib-compressed on the wire. */
  compressed: boolean;
  /** The metadata JSON bytes, uncompressed. */
  metadata: Uint8Array;
  /** The payload bytes, uncompressed: raw for BINARY, JSON otherwise. */
  payload: Uint8Array;
  /** BINARY only: the 4-bit `bin_type`; 0 for other types. */
  binType: number;
}

export interface EncodeBitstringOptions {
  /**
   * Compress metadata and payload with zlib. `'auto'` builds both forms and sends the shorter (the compressed one on
   * a tie). Legacy peers (hivemind-bus-client 0.4.x) can only read compressed bitstrings.
   * @default true
   */
  compress?: boolean | 'auto';
  /**
   * Include the format version byte (`V=1`).
   * @default false
   */
  versioned?: boolean;
  /** The zlib implementation. @default pakoZlib */
  zlib?: ZlibCodec;
}

export interface DecodeBitstringOptions extends ParseOptions {
  /**
   * Most bytes the compressed fields of one bitstring may inflate to, metadata and payload together.
   * @default LIMIT_DEFS.maxDecompressedBytes.default (16 MiB)
   */
  maxDecompressedBytes?: number;
  /** The zlib implementation. @default pakoZlib */
  zlib?: ZlibCodec;
}

function invalid(why: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_BITSTRING_INVALID', `invalid bitstring: ${why}`);
}

/** Writes MSB-first bit fields into a buffer whose size is known up front. */
class BitWriter {
  readonly bytes: Uint8Array;
  #pos: number;

  constructor(byteLength: number, startBit: number) {
    this.bytes = new Uint8Array(byteLength);
    this.#pos = startBit;
  }

  bits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--, this.#pos++) {
      if ((value >> i) & 1) this.bytes[this.#pos >> 3]! |= 0x80 >> (this.#pos & 7);
    }
  }

  bytesOf(data: Uint8Array): void {
    const shift = this.#pos & 7;
    let at = this.#pos >> 3;
    if (shift === 0) {
      this.bytes.set(data, at);
    } else {
      const out = this.bytes;
      for (let i = 0; i < data.length; i++, at++) {
        const b = data[i]!;
        out[at]! |= b >> shift;
        out[at + 1] = (b << (8 - shift)) & 0xff;
      }
    }
    this.#pos += data.length * 8;
  }
}

/** Reads MSB-first bit fields, failing with HL_ERR_BITSTRING_INVALID past the end. */
class BitReader {
  readonly #bytes: Uint8Array;
  #pos: number;

  constructor(bytes: Uint8Array, startBit: number) {
    this.#bytes = bytes;
    this.#pos = startBit;
  }

  get remaining(): number {
    return this.#bytes.length * 8 - this.#pos;
  }

  bits(count: number, field: string): number {
    if (this.remaining < count) throw invalid(`truncated before ${field}`);
    let value = 0;
    for (let i = 0; i < count; i++, this.#pos++) {
      value = (value << 1) | ((this.#bytes[this.#pos >> 3]! >> (7 - (this.#pos & 7))) & 1);
    }
    return value;
  }

  /** A fresh copy of the next `count` bytes. */
  bytesOf(count: number, field: string): Uint8Array {
    if (this.remaining < count * 8) throw invalid(`truncated in ${field}`);
    const shift = this.#pos & 7;
    const at = this.#pos >> 3;
    this.#pos += count * 8;
    if (shift === 0) return this.#bytes.slice(at, at + count);
    const src = this.#bytes;
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = ((src[at + i]! << shift) | (src[at + i + 1]! >> (8 - shift))) & 0xff;
    }
    return out;
  }
}

function codeOf(msgType: HiveMessageTypeName): number {
  if (msgType === HiveMessageType.INTERCOM) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      'intercom has no bitstring type code; send it as JSON',
    );
  }
  if (msgType === HiveMessageType.THIRDPRTY) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', '3rdparty (code 11) is retired; send it as JSON');
  }
  const code = MSG_TYPE_CODES[msgType];
  if (code === undefined) {
    throw new HiveLinkError('HL_ERR_UNKNOWN_MSG_TYPE', `unknown message type ${JSON.stringify(msgType)}`);
  }
  return code;
}

function checkBinType(binType: unknown): number {
  if (typeof binType !== 'number' || !Number.isInteger(binType) || binType < 0 || binType > 15) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `bin_type ${String(binType)} is not an integer in 0-15`,
    );
  }
  return binType;
}

/**
 * Lays out one bitstring from its raw fields, compressing them when `frame.compressed` is set.
 *
 * @throws HiveLinkError `HL_ERR_METADATA_TOO_LARGE` when the metadata as sent exceeds 255 bytes;
 *   `HL_ERR_INVALID_ARGUMENT` for INTERCOM or 3rdparty (no usable type code) or a bin type outside 0–15.
 */
export function packBitstring(frame: BitstringFrame, zlib: ZlibCodec = pakoZlib): Uint8Array {
  const code = codeOf(frame.msgType);
  const binary = frame.msgType === HiveMessageType.BINARY;
  const binType = binary ? checkBinType(frame.binType) : 0;
  const metadata = frame.compressed ? zlib.deflate(frame.metadata) : frame.metadata;
  if (metadata.length > MAX_BITSTRING_METADATA_BYTES) {
    throw new HiveLinkError(
      'HL_ERR_METADATA_TOO_LARGE',
      `bitstring metadata is ${metadata.length} bytes; at most ${MAX_BITSTRING_METADATA_BYTES} fit`,
    );
  }
  const payload = frame.compressed && !binary ? zlib.deflate(frame.payload) : frame.payload;
  const bits = 16 + (frame.versioned ? 8 : 0) + 8 * metadata.length + (binary ? 4 : 0) + 8 * payload.length;
  const pad = (8 - (bits % 8)) % 8;
  const out = new BitWriter((bits + pad) / 8, pad);
  out.bits(1, 1);
  out.bits(frame.versioned ? 1 : 0, 1);
  if (frame.versioned) out.bits(BITSTRING_VERSION, 8);
  out.bits(code, 5);
  out.bits(frame.compressed ? 1 : 0, 1);
  out.bits(metadata.length, 8);
  out.bytesOf(metadata);
  if (binary) out.bits(binType, 4);
  out.bytesOf(payload);
  return out.bytes;
}

/**
 * Splits one bitstring into its raw fields, inflating compressed ones.
 *
 * @throws HiveLinkError `HL_ERR_BITSTRING_INVALID` (no start bit in the first byte, truncated, or a payload that is
 *   not whole bytes), `HL_ERR_BITSTRING_VERSION` (format version above 1), `HL_ERR_UNKNOWN_MSG_TYPE` (type code 11 or
 *   13–31), `HL_ERR_DECOMPRESS_FAILED`, `HL_ERR_DECOMPRESSED_TOO_LARGE`.
 */
export function unpackBitstring(
  bytes: Uint8Array,
  options: Pick<DecodeBitstringOptions, 'maxDecompressedBytes' | 'zlib'> = {},
): BitstringFrame {
  if (!(bytes instanceof Uint8Array)) throw invalid('not a byte array');
  if (bytes.length === 0) throw invalid('empty');
  const first = bytes[0]!;
  if (first === 0) throw invalid('no start bit in the first byte');
  const input = new BitReader(bytes, Math.clz32(first) - 24 + 1);
  const versioned = input.bits(1, 'the version flag') === 1;
  if (versioned) {
    const version = input.bits(8, 'the version');
    if (version > BITSTRING_VERSION) {
      throw new HiveLinkError(
        'HL_ERR_BITSTRING_VERSION',
        `bitstring format version ${version} is not supported`,
      );
    }
  }
  const msgType = msgTypeFromCode(input.bits(5, 'the type'));
  const compressed = input.bits(1, 'the compression flag') === 1;
  const metadataLength = input.bits(8, 'the metadata length');
  let metadata = input.bytesOf(metadataLength, 'the metadata');
  const binary = msgType === HiveMessageType.BINARY;
  const binType = binary ? input.bits(4, 'the bin type') : 0;
  if (input.remaining % 8 !== 0) throw invalid('the payload is not a whole number of bytes');
  let payload = input.bytesOf(input.remaining / 8, 'the payload');
  if (compressed) {
    const budget = options.maxDecompressedBytes ?? LIMIT_DEFS.maxDecompressedBytes.default;
    const zlib = options.zlib ?? pakoZlib;
    metadata = zlib.inflate(metadata, budget);
    if (!binary) payload = zlib.inflate(payload, budget - metadata.length);
  }
  return { msgType, versioned, compressed, metadata, payload, binType };
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The JSON of a metadata or payload field. A large one is first checked for nesting deeper than the message may
 * hold (the field is one level inside the envelope), so that a small compressed field cannot make `JSON.parse`
 * build a tree millions of levels deep.
 */
function parseJsonBytes(bytes: Uint8Array, field: 'metadata' | 'payload', maxJsonDepth: number): unknown {
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch (err) {
    throw new HiveLinkError('HL_ERR_INVALID_JSON', `bitstring ${field} is not valid UTF-8 JSON`, {
      cause: err,
    });
  }
  if (text.length > DEPTH_SCAN_MIN_CHARS) refuseDeepText(text, maxJsonDepth, field);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HiveLinkError('HL_ERR_INVALID_JSON', `bitstring ${field} is not valid UTF-8 JSON`, {
      cause: err,
    });
  }
}

function payloadBytes(msg: HiveMessage): Uint8Array {
  if (msg.msg_type === HiveMessageType.BINARY) {
    if (!(msg.payload instanceof Uint8Array)) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'a bin message needs a Uint8Array payload');
    }
    return msg.payload;
  }
  if (msg.payload instanceof Uint8Array) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `a ${msg.msg_type} payload cannot be bytes`);
  }
  const json = WRAPPER_TYPES.has(msg.msg_type)
    ? serializeHiveMessage(msg.payload as HiveMessage)
    : pythonJson(msg.payload as JsonObject);
  return utf8Encoder.encode(json);
}

/**
 * Encodes a HiveMessage as a bitstring. Metadata and JSON payloads are written as Python's `json.dumps` writes them.
 *
 * @throws HiveLinkError `HL_ERR_METADATA_TOO_LARGE` (metadata over 255 bytes as sent: send the message as JSON
 *   instead), `HL_ERR_INVALID_ARGUMENT` (INTERCOM or 3rdparty, a payload that does not fit the type, or values JSON
 *   cannot carry).
 */
export function encodeBitstring(msg: HiveMessage, options: EncodeBitstringOptions = {}): Uint8Array {
  const compress = options.compress ?? true;
  codeOf(msg.msg_type);
  const frame: BitstringFrame = {
    msgType: msg.msg_type as CodedHiveMessageTypeName,
    versioned: options.versioned ?? false,
    compressed: compress !== false,
    metadata: utf8Encoder.encode(pythonJson(msg.metadata ?? {})),
    payload: payloadBytes(msg),
    binType: msg.msg_type === HiveMessageType.BINARY ? (msg.bin_type ?? 0) : 0,
  };
  const zlib = options.zlib ?? pakoZlib;
  if (compress !== 'auto') return packBitstring(frame, zlib);
  let packed: Uint8Array | undefined;
  let tooLarge: unknown;
  for (const compressed of [true, false]) {
    try {
      const candidate = packBitstring({ ...frame, compressed }, zlib);
      if (packed === undefined || candidate.length < packed.length) packed = candidate;
    } catch (err) {
      if (!(err instanceof HiveLinkError && err.code === 'HL_ERR_METADATA_TOO_LARGE')) throw err;
      tooLarge = err;
    }
  }
  if (packed === undefined) throw tooLarge;
  return packed;
}

/**
 * Decodes a bitstring (compressed or not) into a validated HiveMessage; a wrapper's payload becomes the nested
 * HiveMessage. Missing envelope fields get their defaults (`route` `[]`, the rest `null`).
 *
 * @throws HiveLinkError — and nothing else — the codes of {@link unpackBitstring}, `HL_ERR_INVALID_JSON` for
 *   metadata or payload that is not UTF-8 JSON, and the validation codes of `parseHiveMessage`.
 */
export function decodeBitstring(bytes: Uint8Array, options: DecodeBitstringOptions = {}): HiveMessage {
  const frame = unpackBitstring(bytes, options);
  const maxJsonDepth = options.maxJsonDepth ?? LIMIT_DEFS.maxJsonDepth.default;
  const metadata = parseJsonBytes(frame.metadata, 'metadata', maxJsonDepth);
  if (frame.msgType === HiveMessageType.BINARY) {
    // createHiveMessage validates the metadata like any other field.
    return createHiveMessage(
      HiveMessageType.BINARY,
      frame.payload,
      { metadata: metadata as JsonObject, bin_type: frame.binType },
      options,
    );
  }
  const payload = parseJsonBytes(frame.payload, 'payload', maxJsonDepth);
  return parseHiveMessage({ msg_type: frame.msgType, payload, metadata }, options);
}
