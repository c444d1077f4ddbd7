/**
 * zlib (RFC 1950) for bitstring fields (docs/PROTOCOL.md §4.3). {@link ZlibCodec} is what the bitstring codec uses; the
 * default, {@link pakoZlib}, runs everywhere (pako) and its level 6 deflate is byte-identical to Python's
 * `zlib.compress`, which the wire vectors require. Node injects a faster one through its crypto backend
 * (node:zlib: ten times faster to deflate, with the same limits and refusals).
 *
 * @module
 */
import { Inflate, deflate as pakoDeflate } from 'pako';
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { concatBytes } from './bytes.js';

/** A zlib implementation for bitstring fields. Both functions throw HiveLinkErrors only. */
export interface ZlibCodec {
  /** A zlib stream of `bytes` at level 6 (any valid stream is accepted by every peer). */
  deflate(bytes: Uint8Array): Uint8Array;
  /**
   * Inflates one zlib stream, refusing to produce more than `maxBytes`. Gzip, raw deflate, preset dictionaries,
   * truncated streams and bytes after the end of the stream are rejected.
   * @throws HiveLinkError `HL_ERR_DECOMPRESS_FAILED`, `HL_ERR_DECOMPRESSED_TOO_LARGE`, `HL_ERR_INVALID_ARGUMENT`
   *   (a `maxBytes` that is not a whole number >= 0)
   */
  inflate(bytes: Uint8Array, maxBytes: number): Uint8Array;
}

/** Output buffer size while inflating; the limit is checked after each buffer, so it may be overshot by this much. */
const INFLATE_CHUNK_BYTES = 16 * 1024;

/** A zlib stream of `bytes` at level 6 (Python's default). */
export function deflate(bytes: Uint8Array): Uint8Array {
  return pakoDeflate(bytes, { level: 6 });
}

/**
 * Inflates one zlib stream, refusing to produce more than `maxBytes`. Gzip, raw deflate, preset dictionaries,
 * truncated streams and bytes after the end of the stream are all rejected.
 *
 * @param maxBytes largest output accepted. @default LIMIT_DEFS.maxDecompressedBytes.default (16 MiB)
 * @throws HiveLinkError `HL_ERR_DECOMPRESS_FAILED` for an invalid stream, `HL_ERR_DECOMPRESSED_TOO_LARGE` when the
 *   output would exceed `maxBytes`, `HL_ERR_INVALID_ARGUMENT` when `maxBytes` is not a whole number >= 0.
 */
export function inflate(
  bytes: Uint8Array,
  maxBytes: number = LIMIT_DEFS.maxDecompressedBytes.default,
): Uint8Array {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'maxDecompressedBytes must be a whole number >= 0');
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate({ windowBits: 15, chunkSize: INFLATE_CHUNK_BYTES });
  inflater.onData = (data) => {
    const chunk = data as Uint8Array; // pako hands over its output buffers, always Uint8Array
    total += chunk.length;
    if (total > maxBytes) {
      throw new HiveLinkError(
        'HL_ERR_DECOMPRESSED_TOO_LARGE',
        `zlib stream inflates beyond the limit of ${maxBytes} bytes`,
      );
    }
    chunks.push(chunk);
  };
  try {
    inflater.push(bytes, true);
  } catch (err) {
    if (err instanceof HiveLinkError) throw err;
    throw new HiveLinkError('HL_ERR_DECOMPRESS_FAILED', 'invalid zlib stream', { cause: err });
  }
  const state = inflater as unknown as { ended?: boolean; strm?: { avail_in?: number } };
  if (inflater.err !== 0 || state.ended !== true) {
    throw new HiveLinkError(
      'HL_ERR_DECOMPRESS_FAILED',
      `invalid zlib stream${inflater.msg ? `: ${inflater.msg}` : ''}`,
    );
  }
  if ((state.strm?.avail_in ?? 0) > 0) {
    throw new HiveLinkError(
      'HL_ERR_DECOMPRESS_FAILED',
      'invalid zlib stream: bytes after the end of the stream',
    );
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
}

/** The portable {@link ZlibCodec} (pako): the default of the bitstring codec. */
export const pakoZlib: ZlibCodec = Object.freeze({ deflate, inflate });
