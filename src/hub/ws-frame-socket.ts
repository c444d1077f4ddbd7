/**
 * The hub's frame socket over a server-side `ws` WebSocket: frames, close, ping/pong and `terminate`. When the
 * TCP socket under it is given, every write of one tick is corked and leaves in one system call (an answer and
 * the end of its turn), unless `flush` ends the batch early (HELLO and the HANDSHAKE request leave apart). {@link gatePreOpenFrames} bounds what `ws` reads for a
 * connection before its session opens.
 *
 * @module
 */
import type { WebSocket } from 'ws';
import { NOISE_MAX_MESSAGE_BYTES } from '../crypto/noise/patterns.js';
import type { FrameSocket } from '../session/frame-socket.js';
import { toFrame } from './frames.js';

/** The transport under the websocket. */
export interface CorkableSocket {
  cork(): void;
  uncork(): void;
}

export function wsFrameSocket(ws: WebSocket, socket: CorkableSocket | null = null): FrameSocket {
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket?.uncork();
  };
  ws.on('error', () => {
    // The close that follows ends the connection; an error event without a listener would throw.
  });
  return {
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send(data) {
      if (socket !== null && !corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      ws.send(data);
    },
    flush() {
      if (corked) uncork();
    },
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    ping: () => ws.ping(),
    onFrame(listener) {
      ws.on('message', (data, isBinary) => listener(toFrame(data, isBinary)));
    },
    onClose(listener) {
      ws.on('close', (code, reason) => listener(code, reason.toString('utf8')));
    },
    onPong(listener) {
      ws.on('pong', listener);
    },
  };
}

/** The part of the upgraded TCP (or TLS) socket the pre-open gate uses. */
export interface GatedSocket {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  removeListener(event: 'data', listener: (chunk: Buffer) => void): unknown;
  listeners(event: 'data'): readonly unknown[];
  resume(): unknown;
  end(): unknown;
}

export interface PreOpenGateInit {
  /** Largest websocket message (a frame, or the fragments of one message together) before the session opens. */
  readonly maxMessageBytes: number;
  /** True once the session is open: the gate then steps aside for good. */
  readonly isOpen: () => boolean;
  /**
   * A message would exceed `maxMessageBytes` (`bytes`: what its headers declared so far). Close the connection with
   * 1009 here, synchronously; what else arrives on the socket is read and dropped, and the socket is ended after.
   */
  readonly onTooLarge: (bytes: number) => void;
}

/**
 * The most a client sends in one websocket message before its session opens, with the hub's limits: one handshake
 * frame, or one v3 transport frame (a v3 client may send those right after its last handshake message, before the
 * hub has finished it) — and never more than the frame limit.
 */
export function preOpenMessageBytes(limits: {
  readonly maxHandshakeFrameBytes: number;
  readonly maxFrameBytes: number;
}): number {
  return Math.min(limits.maxFrameBytes, Math.max(limits.maxHandshakeFrameBytes, NOISE_MAX_MESSAGE_BYTES));
}

/**
 * Bounds what `ws` reads for a connection until its session opens. `ws` takes one `maxPayload` per server, fixed
 * for a socket's life, and buffers a frame up to it before emitting it; ours is `maxFrameBytes` (8 MiB), which an
 * open session needs, but a client that only holds an access key could make the hub buffer that much per
 * connection before the machine refuses the frame (issue 10).
 *
 * So the gate reads along: a second `data` listener on the upgraded socket, parsing only the websocket frame
 * headers (RFC 6455 §5.2: 2 bytes, the 16- or 64-bit length, the mask key) and skipping payloads. A message whose
 * declared length (a frame's, or the running total of a fragmented message's) passes `maxMessageBytes` is refused
 * at its header, before its payload is read: `ws` is taken off the socket (its `data` listeners removed, as `ws`
 * does itself when its own limit trips), `onTooLarge` closes with 1009, the rest of the input is dropped and our
 * side is ended, so the client gets its close frame while the hub holds at most the one chunk `ws` had already
 * been given. Once the session is open, the gate removes itself at the next chunk and costs nothing more.
 *
 * A per-socket limit in `ws` (8.23) itself would be simpler; it has none (a pull request for one,
 * websockets/ws#1473, was declined): `maxPayload` is read once per server and handed to each socket's receiver
 * (its `_maxPayload`, private). `ws` emits no event per fragment either (it assembles a fragmented message up to
 * `maxPayload` first), and `verifyClient` / `handleUpgrade` run before the first frame is read.
 *
 * @param socket - the socket given to `WebSocketServer.handleUpgrade`, with `ws` already set up on it (call this
 *   in the upgrade callback, before any data is read).
 */
export function gatePreOpenFrames(socket: GatedSocket, init: PreOpenGateInit): void {
  const max = init.maxMessageBytes;
  /** Header bytes of the frame being read, when it arrived split over chunks. */
  let header: Buffer | null = null;
  /** Payload bytes of the current frame still to skip. */
  let skip = 0;
  /** Declared bytes of the message being received so far (its frames until one with FIN). */
  let message = 0;
  let tripped = false;

  const trip = (bytes: number): void => {
    tripped = true;
    for (const listener of socket.listeners('data')) {
      if (listener !== onData) socket.removeListener('data', listener as (chunk: Buffer) => void);
    }
    socket.resume();
    init.onTooLarge(bytes);
    // The client's close frame will not be read (it is dropped with the rest): end our side after ours.
    socket.end();
  };

  /** The length of the frame header at the start of `buf`, or -1 when it is not complete yet. */
  const headerLength = (buf: Buffer): number => {
    if (buf.length < 2) return -1;
    const len7 = buf[1]! & 0x7f;
    const lengthBytes = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const total = 2 + lengthBytes + (buf[1]! & 0x80 ? 4 : 0);
    return buf.length < total ? -1 : total;
  };

  /** Accounts for a complete frame header; false when it trips the gate. */
  const onHeader = (buf: Buffer): boolean => {
    const fin = (buf[0]! & 0x80) !== 0;
    const opcode = buf[0]! & 0x0f;
    const len7 = buf[1]! & 0x7f;
    const length = len7 === 126 ? buf.readUInt16BE(2) : len7 === 127 ? Number(buf.readBigUInt64BE(2)) : len7;
    skip = length;
    if (opcode >= 0x8) return true; // control frames: at most 125 bytes, checked by ws
    message = opcode === 0x0 ? message + length : length;
    if (message > max) {
      trip(message);
      return false;
    }
    if (fin) message = 0;
    return true;
  };

  const onData = (chunk: Buffer): void => {
    if (tripped) return;
    if (init.isOpen()) {
      socket.removeListener('data', onData);
      return;
    }
    let at = 0;
    while (at < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - at);
        skip -= n;
        at += n;
        continue;
      }
      // A header: at most 14 bytes, which may straddle chunks.
      const piece = chunk.subarray(at, at + 14);
      const buf = header === null ? piece : Buffer.concat([header, piece]);
      const length = headerLength(buf);
      if (length < 0) {
        header = Buffer.from(buf);
        return;
      }
      at += length - (header?.length ?? 0);
      header = null;
      if (!onHeader(buf)) return;
    }
  };

  socket.on('data', onData);
}
