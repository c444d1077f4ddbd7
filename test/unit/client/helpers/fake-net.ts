/**
 * In-memory websocket pairs and fake timers for client tests. `FakeNetwork.WebSocket` is a constructor the client
 * accepts; every socket it builds is handed to `onConnect` as a {@link ServerSocket} (the hub's end). Frames and
 * events are delivered in order on microtasks, like a real socket delivers them on later ticks.
 */
import type { WebSocketEventMap, WebSocketLike } from '../../../../src/client/types.js';

type Listener = (event: unknown) => void;

/** The hub's end of one fake connection. */
export class ServerSocket {
  readonly url: string;
  /** Frames the client sent, in order (strings are text frames). */
  readonly received: (string | Uint8Array)[] = [];
  closed: { code: number; reason: string; by: 'client' | 'server' } | null = null;
  #client: FakeClientSocket;
  #onFrame: ((frame: string | Uint8Array) => void) | null = null;
  #onClose: ((code: number, reason: string) => void) | null = null;

  constructor(url: string, client: FakeClientSocket) {
    this.url = url;
    this.#client = client;
  }

  onFrame(handler: (frame: string | Uint8Array) => void): void {
    this.#onFrame = handler;
  }

  onClose(handler: (code: number, reason: string) => void): void {
    this.#onClose = handler;
  }

  send(frame: string | Uint8Array): void {
    if (this.closed !== null) return;
    const data = typeof frame === 'string' ? frame : frame.slice().buffer;
    queueMicrotask(() => this.#client.deliver('message', { data }));
  }

  close(code = 1000, reason = ''): void {
    if (this.closed !== null) return;
    this.closed = { code, reason, by: 'server' };
    queueMicrotask(() => this.#client.finish(code, reason));
  }

  /** Drops the connection with no close frame (the client sees 1006). */
  drop(): void {
    if (this.closed !== null) return;
    this.closed = { code: 1006, reason: '', by: 'server' };
    queueMicrotask(() => {
      this.#client.deliver('error', {});
      this.#client.finish(1006, '');
    });
  }

  /** @internal called by the client end */
  fromClient(frame: string | Uint8Array): void {
    if (this.closed !== null) return;
    this.received.push(frame);
    this.#onFrame?.(frame);
  }

  /** @internal called by the client end */
  clientClosed(code: number, reason: string): void {
    if (this.closed !== null) return;
    this.closed = { code, reason, by: 'client' };
    this.#onClose?.(code, reason);
  }
}

export class FakeClientSocket implements WebSocketLike {
  binaryType = 'blob';
  bufferedAmount = 0;
  readyState = 0;
  /** Frames passed to send(), counted synchronously. */
  sent = 0;
  readonly server: ServerSocket;
  readonly #listeners = new Map<string, Listener[]>();

  constructor(url: string, network: FakeNetwork) {
    this.server = new ServerSocket(url, this);
    network.sockets.push(this.server);
    network.clients.push(this);
    const refuse = network.refuseConnections;
    queueMicrotask(() => {
      if (refuse) {
        this.deliver('error', {});
        this.finish(1006, '');
        return;
      }
      this.readyState = 1;
      this.deliver('open', {});
      network.onConnect(this.server);
    });
  }

  addEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: (event: WebSocketEventMap[K]) => void,
  ): void {
    const list = this.#listeners.get(type) ?? [];
    list.push(listener as Listener);
    this.#listeners.set(type, list);
  }

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) return;
    this.sent += 1;
    const frame = typeof data === 'string' ? data : data.slice();
    queueMicrotask(() => this.server.fromClient(frame));
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    queueMicrotask(() => {
      this.server.clientClosed(code, reason);
      this.finish(code, reason);
    });
  }

  deliver(type: string, event: unknown): void {
    if (this.readyState === 3) return;
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }

  finish(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    for (const listener of this.#listeners.get('close') ?? []) listener({ code, reason });
  }
}

export class FakeNetwork {
  readonly sockets: ServerSocket[] = [];
  /** The client ends, in the same order. */
  readonly clients: FakeClientSocket[] = [];
  /** When true, new sockets fail as if the hub were down. */
  refuseConnections = false;
  onConnect: (socket: ServerSocket) => void = () => undefined;
  readonly WebSocket: new (
    url: string,
  ) => WebSocketLike;

  constructor() {
    const network = this;
    this.WebSocket = class extends FakeClientSocket {
      constructor(url: string) {
        super(url, network);
      }
    };
  }
}

export { FakeTimers } from '../../../helpers/fake-timers.js';
