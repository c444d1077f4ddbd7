/**
 * Wyoming framing (the protocol of Home Assistant's speech services): each event is one line of JSON, the header
 * `{"type", "data"?, "data_length"?, "payload_length"?, "version"?}` and `\n`, then `data_length` bytes of JSON
 * merged into `data`, then `payload_length` bytes of payload (audio). {@link encodeEvent} writes one;
 * {@link EventReader} reads them from a byte stream with bounds on the header line and the payload.
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';

/** One Wyoming event. */
export interface WyomingEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly payload: Uint8Array | null;
}

/** The protocol version written in headers. */
export const WYOMING_VERSION = '1.5.2';

/** The bytes of one event: header line, then the payload (data goes inline in the header). */
export function encodeEvent(
  type: string,
  data: Record<string, unknown> = {},
  payload?: Uint8Array,
): Uint8Array {
  const header: Record<string, unknown> = { type, data, version: WYOMING_VERSION };
  if (payload !== undefined && payload.byteLength > 0) header.payload_length = payload.byteLength;
  const line = Buffer.from(`${JSON.stringify(header)}\n`, 'utf8');
  return payload === undefined || payload.byteLength === 0
    ? new Uint8Array(line)
    : new Uint8Array(Buffer.concat([line, payload]));
}

function protocolError(why: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_WYOMING_PROTOCOL', `wyoming: ${why}`);
}

export interface EventReaderLimits {
  /** Longest header line (and data part). @default 65536 */
  readonly maxHeaderBytes?: number;
  /** Largest payload of one event. */
  readonly maxPayloadBytes: number;
}

/** Reads events from a byte stream; {@link push} returns the events the bytes completed. */
export class EventReader {
  readonly #maxHeader: number;
  readonly #maxPayload: number;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: {
    type: string;
    data: Record<string, unknown>;
    dataLength: number;
    payloadLength: number;
  } | null = null;

  constructor(limits: EventReaderLimits) {
    this.#maxHeader = limits.maxHeaderBytes ?? 65_536;
    this.#maxPayload = limits.maxPayloadBytes;
  }

  /**
   * @throws HiveLinkError `HL_ERR_WYOMING_PROTOCOL` for a header that is not a JSON object with a string `type`, or
   *   a header, data or payload over the limits.
   */
  push(chunk: Uint8Array): WyomingEvent[] {
    this.#buffer = this.#buffer.byteLength === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    const out: WyomingEvent[] = [];
    for (;;) {
      if (this.#pending === null) {
        const nl = this.#buffer.indexOf(0x0a);
        if (nl < 0) {
          if (this.#buffer.byteLength > this.#maxHeader) throw protocolError('header line too long');
          return out;
        }
        if (nl > this.#maxHeader) throw protocolError('header line too long');
        const line = this.#buffer.subarray(0, nl).toString('utf8');
        this.#buffer = this.#buffer.subarray(nl + 1);
        if (line.trim() === '') continue;
        let header: unknown;
        try {
          header = JSON.parse(line);
        } catch {
          throw protocolError('a header line is not JSON');
        }
        if (
          typeof header !== 'object' ||
          header === null ||
          typeof (header as { type?: unknown }).type !== 'string'
        ) {
          throw protocolError('a header has no type');
        }
        const h = header as { type: string; data?: unknown; data_length?: unknown; payload_length?: unknown };
        const dataLength = typeof h.data_length === 'number' ? h.data_length : 0;
        const payloadLength = typeof h.payload_length === 'number' ? h.payload_length : 0;
        if (!Number.isSafeInteger(dataLength) || dataLength < 0 || dataLength > this.#maxHeader) {
          throw protocolError('bad data_length');
        }
        if (!Number.isSafeInteger(payloadLength) || payloadLength < 0 || payloadLength > this.#maxPayload) {
          throw protocolError(`payload_length over ${this.#maxPayload} bytes`);
        }
        const data =
          typeof h.data === 'object' && h.data !== null ? { ...(h.data as Record<string, unknown>) } : {};
        this.#pending = { type: h.type, data, dataLength, payloadLength };
      }
      const p = this.#pending;
      if (this.#buffer.byteLength < p.dataLength + p.payloadLength) return out;
      if (p.dataLength > 0) {
        try {
          Object.assign(p.data, JSON.parse(this.#buffer.subarray(0, p.dataLength).toString('utf8')));
        } catch {
          throw protocolError('the data part is not JSON');
        }
      }
      const payload =
        p.payloadLength > 0
          ? new Uint8Array(this.#buffer.subarray(p.dataLength, p.dataLength + p.payloadLength))
          : null;
      this.#buffer = this.#buffer.subarray(p.dataLength + p.payloadLength);
      this.#pending = null;
      out.push({ type: p.type, data: p.data, payload });
    }
  }
}
