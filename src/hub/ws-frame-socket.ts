/**
 * The hub's frame socket over a server-side `ws` WebSocket: frames, close, ping/pong and `terminate`. When the
 * TCP socket under it is given, every write of one tick is corked and leaves in one system call (an answer and
 * the end of its turn, HELLO and the HANDSHAKE request).
 *
 * @module
 */
import type { WebSocket } from 'ws';
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
