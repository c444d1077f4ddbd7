/**
 * The Node {@link ZlibCodec}: node:zlib (native, about ten times faster than pako at deflating a bitstring field),
 * with the same limits and refusals as the portable codec: output capped with `maxOutputLength`, and gzip, raw
 * deflate, preset dictionaries, truncated streams and trailing bytes rejected. Its deflate output is a valid level 6
 * zlib stream, though not always byte-identical to Python's (peers only inflate it).
 *
 * @module
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { HiveLinkError } from '../errors.js';
import type { ZlibCodec } from '../protocol/zlib.js';

/** A Buffer's bytes as a plain Uint8Array (no copy). */
function plain(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function inflateLimited(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'maxDecompressedBytes must be a whole number >= 0');
  }
  if (!(bytes instanceof Uint8Array))
    throw new HiveLinkError('HL_ERR_DECOMPRESS_FAILED', 'invalid zlib stream');
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    // maxOutputLength must be at least 1; an empty stream still inflates to nothing.
    result = inflateSync(bytes, { maxOutputLength: Math.max(1, maxBytes), info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HiveLinkError(
        'HL_ERR_DECOMPRESSED_TOO_LARGE',
        `zlib stream inflates beyond the limit of ${maxBytes} bytes`,
      );
    }
    throw new HiveLinkError('HL_ERR_DECOMPRESS_FAILED', `invalid zlib stream: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (result.buffer.length > maxBytes) {
    throw new HiveLinkError(
      'HL_ERR_DECOMPRESSED_TOO_LARGE',
      `zlib stream inflates beyond the limit of ${maxBytes} bytes`,
    );
  }
  if (result.engine.bytesWritten !== bytes.length) {
    throw new HiveLinkError(
      'HL_ERR_DECOMPRESS_FAILED',
      'invalid zlib stream: bytes after the end of the stream',
    );
  }
  return plain(result.buffer);
}

/** node:zlib as a {@link ZlibCodec}. */
export const nodeZlib: ZlibCodec = Object.freeze({
  deflate: (bytes: Uint8Array) => plain(deflateSync(bytes, { level: 6 })),
  inflate: inflateLimited,
});
