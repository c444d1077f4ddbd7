/**
 * v3 Noise transport framing (docs/PROTOCOL.md §4.2): one websocket binary frame = one Noise transport message =
 * `AEAD(marker ‖ body)`, with messages longer than the chunk size split over several frames.
 *
 * | marker | meaning |
 * |---|---|
 * | `0x00` / `0x01` | whole message, JSON / bitstring |
 * | `0x02` / `0x03` | first chunk of a JSON / bitstring message |
 * | `0x04` | middle chunk |
 * | `0x05` | last chunk |
 *
 * Any failure on the receive side is fatal: the transport is poisoned and every later `open` rethrows it, because
 * the counters of the two sides can no longer be trusted to agree.
 *
 * @module
 */

import type { CipherState } from '../crypto/noise/cipher-state.js';
import { NOISE_MAX_MESSAGE_BYTES } from '../crypto/noise/patterns.js';
import { HiveLinkError, isHiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';

/** What a v3 message body holds: UTF-8 JSON HiveMessage or a bitstring. */
export type V3BodyKind = 'json' | 'bitstring';

export const V3_MARKER = {
  JSON: 0x00,
  BITSTRING: 0x01,
  FIRST_JSON: 0x02,
  FIRST_BITSTRING: 0x03,
  MORE: 0x04,
  LAST: 0x05,
} as const;

const TAG_BYTES = 16;
/** The largest chunk body that still fits one Noise message: 65535 − tag − marker. */
export const MAX_V3_CHUNK_BYTES = NOISE_MAX_MESSAGE_BYTES - TAG_BYTES - 1;

/** Options of a {@link V3Transport}. */
export interface V3TransportOptions {
  /**
   * Largest body in one frame; longer messages are chunked. At most 65518 (one Noise message).
   * @default LIMIT_DEFS.noiseChunkBytes.default (65000)
   */
  readonly chunkBytes?: number;
  /**
   * Largest message that may be reassembled from chunks.
   * @default LIMIT_DEFS.maxReassemblyBytes.default (32 MiB)
   */
  readonly maxReassemblyBytes?: number;
}

/** One whole received message. */
export interface V3Message {
  readonly kind: V3BodyKind;
  readonly body: Uint8Array;
}

function checkWhole(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `${name} must be a whole number between ${min} and ${max}, got ${String(value)}`,
    );
  }
  return value;
}

function sequenceError(message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_CHUNK_SEQUENCE', message);
}

/** Seals and opens v3 transport frames over the two CipherStates of a finished Noise handshake. */
export class V3Transport {
  readonly #send: CipherState;
  readonly #receive: CipherState;
  readonly #chunkBytes: number;
  readonly #maxReassemblyBytes: number;
  #assembling: { kind: V3BodyKind; parts: Uint8Array[]; bytes: number } | null = null;
  #failure: HiveLinkError | null = null;

  constructor(ciphers: { send: CipherState; receive: CipherState }, options: V3TransportOptions = {}) {
    this.#send = ciphers.send;
    this.#receive = ciphers.receive;
    this.#chunkBytes = checkWhole(
      'chunkBytes',
      options.chunkBytes ?? LIMIT_DEFS.noiseChunkBytes.default,
      LIMIT_DEFS.noiseChunkBytes.min,
      MAX_V3_CHUNK_BYTES,
    );
    this.#maxReassemblyBytes = checkWhole(
      'maxReassemblyBytes',
      options.maxReassemblyBytes ?? LIMIT_DEFS.maxReassemblyBytes.default,
      LIMIT_DEFS.maxReassemblyBytes.min,
      Number.MAX_SAFE_INTEGER,
    );
  }

  /** True once an `open` has failed; the connection must then be closed. */
  get failed(): boolean {
    return this.#failure !== null;
  }

  /**
   * Encrypts one message into the frames to send, in order: one frame when `body` fits `chunkBytes`, otherwise
   * FIRST, MORE…, LAST. Frames must be sent in the returned order and before any later `seal`'s frames.
   * @throws HiveLinkError `HL_ERR_NONCE_EXHAUSTED` (nothing is encrypted) when the send state has too few nonces left.
   */
  seal(kind: V3BodyKind, body: Uint8Array): Uint8Array[] {
    if (kind !== 'json' && kind !== 'bitstring') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'kind must be "json" or "bitstring"');
    }
    if (!(body instanceof Uint8Array))
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'body must be a Uint8Array');
    const size = this.#chunkBytes;
    const count = body.length <= size ? 1 : Math.ceil(body.length / size);
    if (count > this.#send.remaining) {
      throw new HiveLinkError('HL_ERR_NONCE_EXHAUSTED', 'the Noise send state has too few nonces left');
    }
    if (count === 1) {
      return [this.#frame(kind === 'json' ? V3_MARKER.JSON : V3_MARKER.BITSTRING, body)];
    }
    const frames: Uint8Array[] = [];
    for (let i = 0; i < count; i += 1) {
      const marker =
        i === 0
          ? kind === 'json'
            ? V3_MARKER.FIRST_JSON
            : V3_MARKER.FIRST_BITSTRING
          : i === count - 1
            ? V3_MARKER.LAST
            : V3_MARKER.MORE;
      frames.push(this.#frame(marker, body.subarray(i * size, (i + 1) * size)));
    }
    return frames;
  }

  /**
   * Decrypts one received frame. Returns the message, or null while a chunked message is still incomplete.
   * @throws HiveLinkError `HL_ERR_NOISE_DECRYPT` (tampered, replayed, reordered), `HL_ERR_CHUNK_SEQUENCE` (unknown
   *   marker, FIRST or single frame during a reassembly, MORE or LAST outside one), `HL_ERR_REASSEMBLY_TOO_LARGE`,
   *   `HL_ERR_FRAME_TOO_LARGE` (longer than one Noise message). Each poisons the transport.
   */
  open(frame: Uint8Array): V3Message | null {
    if (this.#failure !== null) throw this.#failure;
    try {
      return this.#open(frame);
    } catch (cause) {
      this.#failure = isHiveLinkError(cause)
        ? cause
        : new HiveLinkError('HL_ERR_NOISE_DECRYPT', 'v3 frame could not be opened', { cause });
      this.#assembling = null;
      throw this.#failure;
    }
  }

  #open(frame: Uint8Array): V3Message | null {
    if (!(frame instanceof Uint8Array))
      throw new HiveLinkError('HL_ERR_NOISE_DECRYPT', 'frame must be bytes');
    if (frame.length > NOISE_MAX_MESSAGE_BYTES) {
      throw new HiveLinkError(
        'HL_ERR_FRAME_TOO_LARGE',
        'v3 frame is longer than one Noise message (65535 bytes)',
      );
    }
    const plaintext = this.#receive.decrypt(frame);
    if (plaintext.length === 0) throw sequenceError('v3 frame has no marker byte');
    const marker = plaintext[0]!;
    const body = plaintext.subarray(1);
    switch (marker) {
      case V3_MARKER.JSON:
      case V3_MARKER.BITSTRING:
        if (this.#assembling !== null) throw sequenceError('whole v3 message while a chunked one is open');
        return { kind: marker === V3_MARKER.JSON ? 'json' : 'bitstring', body };
      case V3_MARKER.FIRST_JSON:
      case V3_MARKER.FIRST_BITSTRING:
        if (this.#assembling !== null) throw sequenceError('first chunk while a chunked message is open');
        this.#assembling = {
          kind: marker === V3_MARKER.FIRST_JSON ? 'json' : 'bitstring',
          parts: [],
          bytes: 0,
        };
        this.#append(body);
        return null;
      case V3_MARKER.MORE:
        if (this.#assembling === null) throw sequenceError('middle chunk with no chunked message open');
        this.#append(body);
        return null;
      case V3_MARKER.LAST: {
        const open = this.#assembling;
        if (open === null) throw sequenceError('last chunk with no chunked message open');
        this.#append(body);
        this.#assembling = null;
        const whole = new Uint8Array(open.bytes);
        let offset = 0;
        for (const part of open.parts) {
          whole.set(part, offset);
          offset += part.length;
        }
        return { kind: open.kind, body: whole };
      }
      default:
        throw sequenceError(`unknown v3 marker 0x${marker.toString(16).padStart(2, '0')}`);
    }
  }

  #append(body: Uint8Array): void {
    const open = this.#assembling!;
    if (open.bytes + body.length > this.#maxReassemblyBytes) {
      throw new HiveLinkError(
        'HL_ERR_REASSEMBLY_TOO_LARGE',
        `chunked v3 message exceeds ${this.#maxReassemblyBytes} bytes`,
      );
    }
    if (body.length === 0) return;
    open.parts.push(body);
    open.bytes += body.length;
  }

  #frame(marker: number, body: Uint8Array): Uint8Array {
    const plaintext = new Uint8Array(body.length + 1);
    plaintext[0] = marker;
    plaintext.set(body, 1);
    return this.#send.encrypt(plaintext);
  }
}
