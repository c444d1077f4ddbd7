/**
 * The two secure channels: {@link LegacyChannel} (v1/v2 password-derived key, random-nonce AEAD, JSON envelopes
 * or encrypted bitstrings) and {@link V3Channel} (Noise transport with counter nonces and chunking).
 *
 * @module
 */
import type { CryptoBackend } from '../crypto/backend.js';
import {
  decryptBinaryFrame,
  decryptJsonEnvelope,
  encryptBinaryFrame,
  encryptJsonEnvelope,
  isEncryptedEnvelope,
  type LegacyCipherName,
} from '../crypto/legacy-cipher.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { decodeBitstring, encodeBitstring } from '../protocol/bitstring.js';
import type { EncodingName } from '../protocol/encodings.js';
import {
  DEPTH_SCAN_MIN_CHARS,
  type HiveMessage,
  hiveMessageToJson,
  type ParseOptions,
  parseHiveMessage,
  refuseDeepText,
} from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { pakoZlib, type ZlibCodec } from '../protocol/zlib.js';
import { NonceWindow } from './nonce-window.js';
import type { SecureChannel, WireFrame } from './types.js';
import type { V3Transport } from './v3-transport.js';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly; invalid bytes are a protocol error, not a replacement character. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new HiveLinkError('HL_ERR_INVALID_JSON', 'frame is not valid UTF-8', { cause });
  }
}

export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Compact JSON of a HiveMessage: what goes inside encryption (Python peers parse any valid JSON). */
export function messageJson(message: HiveMessage): string {
  return JSON.stringify(hiveMessageToJson(message));
}

/** HELLO and HANDSHAKE are the only types allowed in cleartext, and the only ones never binarized. */
export function isHandshakePhaseType(msgType: string): boolean {
  return msgType === HiveMessageType.HELLO || msgType === HiveMessageType.HANDSHAKE;
}

/**
 * The bitstring to send for `message` on a session that binarizes, or `null` when it must go as JSON: HELLO and
 * HANDSHAKE never binarize, INTERCOM and 3rdparty have no type code, and metadata over 255 bytes does not fit
 * (docs/PROTOCOL.md §5.3: fall back to JSON for non-BINARY). BINARY is always a bitstring (its errors propagate).
 */
export function bitstringFor(
  message: HiveMessage,
  binarize: boolean,
  zlib: ZlibCodec = pakoZlib,
): Uint8Array | null {
  const type = message.msg_type;
  if (type === HiveMessageType.BINARY) return encodeBitstring(message, { compress: true, zlib });
  if (!binarize || isHandshakePhaseType(type) || type === HiveMessageType.INTERCOM) return null;
  if (type === HiveMessageType.THIRDPRTY) return null;
  try {
    // Legacy decoders can only read compressed bitstrings (legacy.json reference_quirks).
    return encodeBitstring(message, { compress: true, zlib });
  } catch (err) {
    if (isHiveLinkError(err, 'HL_ERR_METADATA_TOO_LARGE')) return null;
    throw err;
  }
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new HiveLinkError('HL_ERR_INVALID_JSON', 'text frame is not valid JSON', { cause });
  }
}

export interface ChannelLimits {
  /** @default LIMIT_DEFS.maxFrameBytes.default */
  maxFrameBytes?: number;
  /** @default LIMIT_DEFS.maxDecompressedBytes.default */
  maxDecompressedBytes?: number;
  /** Nesting cap of every message read on the channel. @default LIMIT_DEFS.maxJsonDepth.default */
  maxJsonDepth?: number;
  /** Wrapper nesting cap of every message read on the channel. @default LIMIT_DEFS.maxWrapperDepth.default */
  maxWrapperDepth?: number;
  /** Legacy only: frames whose nonces are remembered to refuse replays. @default LIMIT_DEFS.legacyReplayWindow.default */
  legacyReplayWindow?: number;
}

/** The parse options of `limits`: the nesting caps, defaults filled in. */
function parseOptionsOf(limits: ChannelLimits): Required<ParseOptions> {
  return {
    maxJsonDepth: limits.maxJsonDepth ?? LIMIT_DEFS.maxJsonDepth.default,
    maxWrapperDepth: limits.maxWrapperDepth ?? LIMIT_DEFS.maxWrapperDepth.default,
  };
}

function checkFrameSize(frame: WireFrame, maxFrameBytes: number): void {
  const size = frame.kind === 'text' ? frame.text.length : frame.data.byteLength;
  if (size > maxFrameBytes) {
    throw new HiveLinkError('HL_ERR_FRAME_TOO_LARGE', `frame of ${size} bytes exceeds ${maxFrameBytes}`);
  }
}

export interface LegacyChannelInit extends ChannelLimits {
  key: Uint8Array;
  cipher: LegacyCipherName;
  encoding: EncodingName;
  /** Send bitstrings in binary frames (the peer asked for `binarize`). */
  binarize: boolean;
  protocolVersion?: 1 | 2;
}

/**
 * The legacy channel: every frame is encrypted with the session key and a fresh random nonce. Text frames carry
 * `{"ciphertext","tag","nonce"}` envelopes, binary frames `nonce ‖ ciphertext ‖ tag` over a bitstring.
 *
 * The legacy format has no counter, so this channel adds what the wire lacks (docs/PROTOCOL.md §4.1):
 * - a frame whose nonce was seen before in this session is a replay, refused with `HL_ERR_REPLAYED`
 *   ({@link NonceWindow}, the last `legacyReplayWindow` frames at least);
 * - nothing in cleartext changes a session once it is open: a cleartext HELLO is refused, and so is a cleartext
 *   HANDSHAKE once the peer has sent one authentic frame (proving it holds the key). Before that, a repeated
 *   HANDSHAKE is passed on: the Python client re-sends its HANDSHAKE when no answer came within 5 s, and the hub
 *   answers it with a fresh key.
 */
export class LegacyChannel implements SecureChannel {
  readonly protocolVersion: 1 | 2;
  readonly cipher: LegacyCipherName;
  readonly encoding: EncodingName;
  readonly binarize: boolean;
  readonly #backend: CryptoBackend;
  readonly #key: Uint8Array;
  readonly #maxFrameBytes: number;
  readonly #maxDecompressedBytes: number;
  readonly #parse: Required<ParseOptions>;
  readonly #nonces: NonceWindow;
  /** True once the peer sent an authentic frame on this key. */
  #proven = false;

  constructor(backend: CryptoBackend, init: LegacyChannelInit) {
    this.#backend = backend;
    this.#key = init.key;
    this.cipher = init.cipher;
    this.encoding = init.encoding;
    this.binarize = init.binarize;
    this.protocolVersion = init.protocolVersion ?? 2;
    this.#maxFrameBytes = init.maxFrameBytes ?? LIMIT_DEFS.maxFrameBytes.default;
    this.#maxDecompressedBytes = init.maxDecompressedBytes ?? LIMIT_DEFS.maxDecompressedBytes.default;
    this.#parse = parseOptionsOf(init);
    this.#nonces = new NonceWindow(init.legacyReplayWindow ?? LIMIT_DEFS.legacyReplayWindow.default);
  }

  seal(message: HiveMessage): WireFrame[] {
    const bits = bitstringFor(message, this.binarize, this.#backend.zlib);
    if (bits !== null) {
      return [{ kind: 'binary', data: encryptBinaryFrame(this.#backend, this.cipher, this.#key, bits) }];
    }
    const plaintext = encodeUtf8(messageJson(message));
    return [
      {
        kind: 'text',
        text: encryptJsonEnvelope(this.#backend, this.cipher, this.encoding, this.#key, plaintext),
      },
    ];
  }

  open(frame: WireFrame): HiveMessage {
    checkFrameSize(frame, this.#maxFrameBytes);
    if (frame.kind === 'binary') {
      const bits = decryptBinaryFrame(this.#backend, this.cipher, this.#key, frame.data, this.#nonces);
      this.#proven = true;
      return decodeBitstring(bits, {
        ...this.#parse,
        maxDecompressedBytes: this.#maxDecompressedBytes,
        zlib: this.#backend.zlib,
      });
    }
    // A large text frame is scanned for nesting first: JSON.parse would build a deep tree (8 MiB of `[` holds the
    // event loop for most of a second) before its depth is checked.
    if (frame.text.length > DEPTH_SCAN_MIN_CHARS) refuseDeepText(frame.text, this.#parse.maxJsonDepth);
    const parsed = parseJsonText(frame.text);
    if (isEncryptedEnvelope(parsed)) {
      const plaintext = decryptJsonEnvelope(
        this.#backend,
        this.cipher,
        this.encoding,
        this.#key,
        parsed,
        this.#nonces,
      );
      this.#proven = true;
      return parseHiveMessage(decodeUtf8(plaintext), this.#parse);
    }
    const message = parseHiveMessage(parsed, this.#parse);
    if (message.msg_type !== HiveMessageType.HANDSHAKE) {
      throw new HiveLinkError(
        'HL_ERR_CLEARTEXT_REJECTED',
        `unencrypted ${message.msg_type} rejected: crypto is required`,
      );
    }
    if (this.#proven) {
      throw new HiveLinkError(
        'HL_ERR_CLEARTEXT_REJECTED',
        'cleartext handshake rejected: the session is established',
      );
    }
    return message;
  }
}

export interface V3ChannelInit extends ChannelLimits {
  transport: V3Transport;
  suite: string;
  binarize: boolean;
  /** zlib for bitstrings (pass the backend's). @default pakoZlib */
  zlib?: ZlibCodec;
}

/** The v3 channel: every message is one or more binary Noise transport frames; text frames are fatal. */
export class V3Channel implements SecureChannel {
  readonly protocolVersion = 3 as const;
  readonly cipher: string;
  readonly encoding = 'noise';
  readonly binarize: boolean;
  readonly #transport: V3Transport;
  readonly #zlib: ZlibCodec;
  readonly #maxFrameBytes: number;
  readonly #maxDecompressedBytes: number;
  readonly #parse: Required<ParseOptions>;

  constructor(init: V3ChannelInit) {
    this.#transport = init.transport;
    this.#zlib = init.zlib ?? pakoZlib;
    this.cipher = init.suite;
    this.binarize = init.binarize;
    this.#maxFrameBytes = init.maxFrameBytes ?? LIMIT_DEFS.maxFrameBytes.default;
    this.#maxDecompressedBytes = init.maxDecompressedBytes ?? LIMIT_DEFS.maxDecompressedBytes.default;
    this.#parse = parseOptionsOf(init);
  }

  seal(message: HiveMessage): WireFrame[] {
    const bits = bitstringFor(message, this.binarize, this.#zlib);
    const frames =
      bits !== null
        ? this.#transport.seal('bitstring', bits)
        : this.#transport.seal('json', encodeUtf8(messageJson(message)));
    return frames.map((data) => ({ kind: 'binary', data }));
  }

  open(frame: WireFrame): HiveMessage | null {
    checkFrameSize(frame, this.#maxFrameBytes);
    if (frame.kind === 'text') {
      throw new HiveLinkError('HL_ERR_CLEARTEXT_REJECTED', 'text frame on a v3 session');
    }
    const opened = this.#transport.open(frame.data);
    if (opened === null) return null;
    if (opened.kind === 'bitstring') {
      return decodeBitstring(opened.body, {
        ...this.#parse,
        maxDecompressedBytes: this.#maxDecompressedBytes,
        zlib: this.#zlib,
      });
    }
    return parseHiveMessage(decodeUtf8(opened.body), this.#parse);
  }
}
