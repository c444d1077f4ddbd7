/**
 * A raw websocket peer for bus tests: records every text frame in order and lets a test await the next one.
 */
import { WebSocket } from 'ws';
import type { CloseInfo } from './hub-harness.js';

export class Peer {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseInfo>;
  readonly #frames: string[] = [];
  readonly #waiting: ((frame: string) => void)[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.opened.catch(() => undefined); // awaited by the test when it matters
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.ws.on('message', (data, isBinary) => {
      const frame = isBinary ? `<binary ${String(data)}>` : String(data);
      const waiter = this.#waiting.shift();
      if (waiter) waiter(frame);
      else this.#frames.push(frame);
    });
  }

  /** Opens a peer and consumes the `connected` greeting. */
  static async connect(url: string): Promise<Peer> {
    const peer = new Peer(url);
    await peer.opened;
    await peer.next();
    return peer;
  }

  /** The next text frame (in arrival order). */
  next(): Promise<string> {
    const frame = this.#frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** The next `n` frames. */
  async take(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  send(text: string | Buffer, binary = false): void {
    this.ws.send(text, { binary });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

/** A frame whose JSON has a given type (with an odd but valid layout, to prove text is forwarded verbatim). */
export function frame(type: string, extra = ''): string {
  return `{"type":  "${type}", "data": {${extra}},"context":{}}`;
}
