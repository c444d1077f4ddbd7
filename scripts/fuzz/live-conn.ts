/**
 * One fuzzing websocket to the live hub: frames in as a queue to await, frames out counted, the close code kept,
 * and the last frames sent kept for the report when the hub ends the connection with 1011.
 *
 * @module
 */
import { connect as netConnect } from 'node:net';
import { WebSocket } from 'ws';
import type { WireFrame } from '../../src/session/types.js';

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

const RECENT = 8;

export class FuzzConn {
  readonly ws: WebSocket;
  readonly closed: Promise<CloseInfo>;
  /** The last frames sent, newest last (for a finding). */
  readonly recent: Uint8Array[] = [];
  sent = 0;
  closeInfo: CloseInfo | null = null;
  readonly #frames: WireFrame[] = [];
  #wake: (() => void) | null = null;

  readonly #onSend: () => void;

  /** @param onSend called for every frame sent (the lane's budget counts them as they go) */
  constructor(url: string, onSend: () => void = () => undefined) {
    this.#onSend = onSend;
    this.ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 5000 });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data, isBinary) => {
      const buf = data as Buffer;
      this.#frames.push(
        isBinary
          ? { kind: 'binary', data: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) }
          : { kind: 'text', text: buf.toString('utf8') },
      );
      this.#poke();
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        this.#poke();
        resolve(this.closeInfo);
      });
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Resolves true once open, false if it closed first. */
  opened(): Promise<boolean> {
    if (this.open) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.ws.once('open', () => resolve(true));
      void this.closed.then(() => resolve(false));
    });
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** The next frame from the hub, or null when the connection closed or `timeoutMs` passed. */
  async next(timeoutMs: number): Promise<WireFrame | null> {
    const deadline = performance.now() + timeoutMs;
    while (this.#frames.length === 0) {
      if (this.closeInfo !== null) return null;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#frames.shift()!;
  }

  /** Sends one frame (counted); false when the socket is not open. */
  send(frame: WireFrame): boolean {
    if (!this.open) return false;
    const bytes = frame.kind === 'text' ? Buffer.from(frame.text, 'utf8') : frame.data;
    this.ws.send(frame.kind === 'text' ? frame.text : frame.data, { binary: frame.kind === 'binary' });
    this.sent++;
    this.#onSend();
    this.recent.push(bytes.subarray(0, 4096));
    if (this.recent.length > RECENT) this.recent.shift();
    return true;
  }

  /** Closes (1000) and waits for the close, cutting the socket if the hub does not answer within 2 s. */
  async close(): Promise<CloseInfo> {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      try {
        this.ws.close(1000);
      } catch {
        this.ws.terminate();
      }
    }
    const timer = setTimeout(() => this.ws.terminate(), 2000);
    const info = await this.closed;
    clearTimeout(timer);
    return info;
  }
}

/**
 * Writes `chunks` to a raw TCP connection (an HTTP upgrade request, then websocket frame bytes), and resolves with
 * how many were written once the hub closes it or `waitMs` passed.
 */
export function rawExchange(port: number, chunks: readonly Uint8Array[], waitMs: number): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    const socket = netConnect({ host: '127.0.0.1', port });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(written);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', () => undefined);
    socket.on('connect', () => {
      for (const c of chunks) {
        if (socket.destroyed) break;
        socket.write(c);
        written++;
      }
    });
  });
}

/** A masked client websocket frame (RFC 6455 §5.2). */
export function wsFrameBytes(opcode: number, payload: Uint8Array, mask: Uint8Array, fin = true): Uint8Array {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = new Uint8Array(head + 4 + len);
  out[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out[2] = len >> 8;
    out[3] = len & 0xff;
  } else {
    out[1] = 0x80 | 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(len));
  }
  out.set(mask.subarray(0, 4), head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}
