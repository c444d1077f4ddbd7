/**
 * The frame socket: the little a {@link SessionMachine} needs of a websocket — send, close, `bufferedAmount`, and
 * the frames and close that arrive. Adapters: {@link webSocketFrames} for a WHATWG `WebSocket` (the browser's, or
 * `ws`'s client, which has `addEventListener` too), `hub/ws-frame-socket.ts` for the hub's server-side `ws`
 * sockets (ping/pong, corking), and {@link memorySocketPair} for tests: two ends joined in memory.
 *
 * @module
 */
import type { WireFrame } from './types.js';

export interface FrameSocket {
  /** Bytes handed to `send` that the transport has not written yet. */
  readonly bufferedAmount: number;
  send(data: string | Uint8Array): void;
  /**
   * Writes what `send` has gathered so far now, so the next `send` leaves in a write of its own (a socket that
   * batches the writes of one tick). Absent: every `send` is a write already.
   */
  flush?(): void;
  /** Starts the closing handshake; `onClose` follows when it is done. */
  close(code: number, reason: string): void;
  /** One listener: every frame that arrives, in order. */
  onFrame(listener: (frame: WireFrame) => void): void;
  /** One listener: the socket closed (for any reason), with the close code and reason received. */
  onClose(listener: (code: number, reason: string) => void): void;
  /** Cuts the connection without a closing handshake (`onClose` follows). Absent: `close` is all there is. */
  terminate?(): void;
  /** Sends a websocket ping (servers only; browsers cannot). */
  ping?(): void;
  /** One listener: a pong arrived. */
  onPong?(listener: () => void): void;
}

/** The part of the WHATWG `WebSocket` the adapter uses. */
export interface WhatwgSocket {
  binaryType: string;
  readonly bufferedAmount: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { readonly code: number; readonly reason: string }) => void,
  ): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

/** A received websocket payload as a frame; null for a kind no peer sends (a `Blob`). */
export function frameOf(data: unknown): WireFrame | null {
  if (typeof data === 'string') return { kind: 'text', text: data };
  if (data instanceof ArrayBuffer) return { kind: 'binary', data: new Uint8Array(data) };
  if (ArrayBuffer.isView(data)) {
    return { kind: 'binary', data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  }
  return null;
}

/** An unreadable frame: delivered as an empty binary frame, which every channel refuses with a reason. */
const UNREADABLE: WireFrame = { kind: 'binary', data: new Uint8Array(0) };

/**
 * Adapts a WHATWG `WebSocket`. An abnormal close (1006) with no reason gets the text of the last `error` event,
 * when the runtime gives one (Node's `ws` names the cause, such as ECONNREFUSED; browsers do not).
 */
export function webSocketFrames(ws: WhatwgSocket): FrameSocket {
  ws.binaryType = 'arraybuffer';
  let lastError = '';
  ws.addEventListener('error', (event) => {
    const message = (event as { message?: unknown } | null)?.message;
    if (typeof message === 'string') lastError = message;
  });
  return {
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onFrame(listener) {
      ws.addEventListener('message', (event) => listener(frameOf(event.data) ?? UNREADABLE));
    },
    onClose(listener) {
      ws.addEventListener('close', (event) =>
        listener(event.code, event.reason === '' && event.code === 1006 ? lastError : event.reason),
      );
    },
  };
}

/** One end of a {@link memorySocketPair}, with knobs for tests. */
export interface MemorySocket extends FrameSocket {
  /** What this end sent, in order (also delivered to the other end unless `deliver` is false). */
  readonly sent: (string | Uint8Array)[];
  /** Set to hold frames back (they are still recorded in `sent`). @default true */
  deliver: boolean;
  /** Set to pretend the transport is backed up. @default 0 */
  buffered: number;
  /** The close this end asked for, or null. */
  readonly closedWith: { code: number; reason: string } | null;
  /** Pings this end sent. */
  readonly pings: number;
  /** Answer pings with pongs. @default true */
  answerPings: boolean;
  /** Delivers `frame` to this end as if the other end sent it. */
  receive(frame: WireFrame): void;
  /** Closes both ends now, as a network failure would (code 1006 unless given). */
  drop(code?: number, reason?: string): void;
}

/**
 * Two frame sockets joined in memory: what one sends, the other receives, synchronously. `close` on one end closes
 * both (the other end sees the code and reason). For unit tests of the session machine and its users.
 */
export function memorySocketPair(): [MemorySocket, MemorySocket] {
  const a = memoryEnd();
  const b = memoryEnd();
  a.peer = b;
  b.peer = a;
  return [a.socket, b.socket];
}

interface EndState {
  socket: MemorySocket;
  peer: EndState | null;
  frame: ((frame: WireFrame) => void) | null;
  close: ((code: number, reason: string) => void) | null;
  pong: (() => void) | null;
  closed: boolean;
}

function memoryEnd(): EndState {
  const sent: (string | Uint8Array)[] = [];
  const state: EndState = {
    peer: null,
    frame: null,
    close: null,
    pong: null,
    closed: false,
    socket: undefined as unknown as MemorySocket,
  };
  let closedWith: { code: number; reason: string } | null = null;
  let pings = 0;
  const finish = (end: EndState, code: number, reason: string): void => {
    if (end.closed) return;
    end.closed = true;
    end.close?.(code, reason);
  };
  const socket: MemorySocket = {
    sent,
    deliver: true,
    buffered: 0,
    answerPings: true,
    get closedWith() {
      return closedWith;
    },
    get pings() {
      return pings;
    },
    get bufferedAmount() {
      return socket.buffered;
    },
    send(data) {
      if (state.closed) return;
      sent.push(data);
      if (!socket.deliver) return;
      const frame: WireFrame =
        typeof data === 'string' ? { kind: 'text', text: data } : { kind: 'binary', data: data.slice() };
      state.peer?.socket.receive(frame);
    },
    close(code, reason) {
      if (state.closed || closedWith !== null) return;
      closedWith = { code, reason };
      const peer = state.peer;
      if (peer !== null) finish(peer, code, reason);
      finish(state, code, reason);
    },
    terminate() {
      socket.drop(1006, '');
    },
    ping() {
      pings += 1;
      if (socket.answerPings) state.pong?.();
    },
    onFrame(listener) {
      state.frame = listener;
    },
    onClose(listener) {
      state.close = listener;
    },
    onPong(listener) {
      state.pong = listener;
    },
    receive(frame) {
      if (!state.closed) state.frame?.(frame);
    },
    drop(code = 1006, reason = '') {
      const peer = state.peer;
      if (peer !== null) finish(peer, code, reason);
      finish(state, code, reason);
    },
  };
  state.socket = socket;
  return state;
}
