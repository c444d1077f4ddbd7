/**
 * Small helpers of the connection: websocket data → {@link WireFrame}, close reasons that fit a close frame, the
 * default (unref'd) timers.
 *
 * @module
 */
import type { RawData } from 'ws';
import type { WireFrame } from '../session/types.js';

/** At most 123 bytes of UTF-8 (the room RFC 6455 leaves for a close reason), cut at a character boundary. */
export function closeReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= 123) return reason;
  let end = 123;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toFrame(data: RawData, isBinary: boolean): WireFrame {
  const buf = Array.isArray(data)
    ? Buffer.concat(data)
    : data instanceof ArrayBuffer
      ? Buffer.from(data)
      : data;
  if (!isBinary) return { kind: 'text', text: buf.toString('utf8') };
  return { kind: 'binary', data: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
}
