/**
 * A fake hub built from the session layer's {@link HubHandshake}, speaking over {@link FakeNetwork} sockets: it
 * checks the authorization token, sends HELLO and the HANDSHAKE request, completes the legacy or Noise handshake,
 * decrypts what the client sends, and lets a test script the agent's answers.
 */
import type { MessageData, SessionData } from '../../../../src/bus/types.js';
import type { X25519KeyPair } from '../../../../src/crypto/backend.js';
import { nodeBackend } from '../../../../src/crypto/backend.node.js';
import type { NoisePattern } from '../../../../src/crypto/noise/index.js';
import { makeEnvelope } from '../../../../src/crypto/password-handshake.js';
import { isHiveLinkError } from '../../../../src/errors.js';
import type { JsonObject } from '../../../../src/protocol/json.js';
import {
  createHiveMessage,
  type HiveMessage,
  parseHiveMessage,
  serializeHiveMessage,
} from '../../../../src/protocol/message.js';
import { HiveMessageType } from '../../../../src/protocol/message-types.js';
import { HubHandshake } from '../../../../src/session/hub-handshake.js';
import type { SecureChannel, WireFrame } from '../../../../src/session/types.js';
import type { FakeNetwork, ServerSocket } from './fake-net.js';

export const HUB_NODE_ID = 'fake-hub-node-id';
export const ACCESS_KEY = 'test-access-key';
export const PASSWORD = 'correct horse battery staple';

export interface FakeHubInit {
  network: FakeNetwork;
  /** 'v3' offers Noise (and legacy); 'legacy' offers only the password handshake. */
  mode: 'v3' | 'legacy';
  password?: string;
  /** The v3 PSK the hub uses (the client is given the same one, or derives it from the password). */
  psk: Uint8Array;
  /**
   * Behave like the reference legacy hub with a different password: answer a legacy HANDSHAKE with an envelope
   * made from this password, without checking the client's (the client must detect the mismatch).
   */
  unverifiedLegacyPassword?: string;
  /** Answers bus messages from clients. */
  agent?: (message: MessageData, conn: HubConnection) => void;
}

/** One client connection as the fake hub sees it. */
export class HubConnection {
  readonly socket: ServerSocket;
  readonly useragent: string;
  readonly handshake: HubHandshake;
  channel: SecureChannel | null = null;
  protocolVersion: number | null = null;
  /** The client's HANDSHAKE messages, in order. */
  readonly handshakes: JsonObject[] = [];
  /** Decrypted messages after the handshake, in order. */
  readonly messages: HiveMessage[] = [];
  /** Frames that arrived after the handshake but failed to decrypt. */
  readonly failures: string[] = [];
  pattern: NoisePattern | null = null;
  readonly #waiters: { match: (m: HiveMessage) => boolean; resolve: (m: HiveMessage) => void }[] = [];

  constructor(socket: ServerSocket, useragent: string, handshake: HubHandshake) {
    this.socket = socket;
    this.useragent = useragent;
    this.handshake = handshake;
  }

  get peer(): string {
    return `${this.useragent}::1::test::${this.hello?.session_id ?? 'default'}`;
  }

  get hello(): SessionData | null {
    const first = this.messages[0];
    if (first?.msg_type !== HiveMessageType.HELLO) return null;
    return (first.payload as { session: SessionData }).session;
  }

  /** Resolves with the first decrypted message (already received or not) that `match` accepts. */
  waitFor(match: (message: HiveMessage) => boolean): Promise<HiveMessage> {
    const seen = this.messages.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  /** Resolves with the next bus message of `type` from the client. */
  waitForBus(type: string): Promise<MessageData> {
    return this.waitFor(
      (m) => m.msg_type === HiveMessageType.BUS && (m.payload as { type?: unknown }).type === type,
    ).then((m) => m.payload as unknown as MessageData);
  }

  /** @internal */
  record(message: HiveMessage): void {
    this.messages.push(message);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.match(message)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  }

  /** Sends a HiveMessage through the channel. */
  send(message: HiveMessage): void {
    for (const frame of this.channel!.seal(message)) {
      this.socket.send(frame.kind === 'text' ? frame.text : frame.data);
    }
  }

  /** Sends a bus message to this client, addressed to its peer. */
  sendBus(type: string, data: Record<string, unknown>, context: Record<string, unknown> = {}): void {
    const payload = { type, data, context: { source: 'skills', destination: this.peer, ...context } };
    this.send(createHiveMessage(HiveMessageType.BUS, payload as JsonObject, { source_peer: this.peer }));
  }
}

export class FakeHub {
  readonly connections: HubConnection[] = [];
  /** The hub's Noise static key (replace it to simulate a hub that lost its identity). */
  noiseStatic: X25519KeyPair = nodeBackend.x25519KeyPair();
  /** The client Noise key the hub pinned (KKpsk0 is offered once set). */
  pinnedClientKey: Uint8Array | null = null;
  /** When set, every new connection is closed right after the upgrade with this code and reason. */
  refuse: { code: number; reason: string } | null = null;
  readonly #init: FakeHubInit;

  constructor(init: FakeHubInit) {
    this.#init = init;
    init.network.onConnect = (socket) => this.#accept(socket);
  }

  get last(): HubConnection {
    const conn = this.connections.at(-1);
    if (conn === undefined) throw new Error('no connection yet');
    return conn;
  }

  #accept(socket: ServerSocket): void {
    const token = decodeURIComponent(socket.url.split('/?authorization=')[1] ?? '');
    const [useragent = '', key = ''] = Buffer.from(token, 'base64').toString('utf8').split(':');
    if (this.refuse !== null) {
      socket.close(this.refuse.code, this.refuse.reason);
      return;
    }
    if (key !== ACCESS_KEY) {
      socket.close(1008, 'invalid authorization');
      return;
    }
    const v3 = this.#init.mode === 'v3';
    const handshake = new HubHandshake({
      backend: nodeBackend,
      hello: {
        pubkey: '-----BEGIN PUBLIC KEY-----\nfake\n-----END PUBLIC KEY-----',
        peer: `${useragent}::1::test::default`,
        node_id: HUB_NODE_ID,
      },
      offer: {
        minProtocol: 2,
        maxProtocol: v3 ? 3 : 2,
        binarize: false,
        encodings: ['JSON-B64', 'JSON-HEX'],
        ciphers: ['AES-GCM', 'CHACHA20-POLY1305'],
        noise: v3
          ? {
              patterns: this.pinnedClientKey === null ? ['XXpsk2'] : ['XXpsk2', 'KKpsk0'],
              suites: ['25519_ChaChaPoly_SHA256', '25519_AESGCM_SHA256'],
            }
          : null,
      },
      password: this.#init.password ?? PASSWORD,
      noiseStatic: this.noiseStatic,
      pinnedClientKey: this.pinnedClientKey,
      psk: async () => this.#init.psk,
    });
    const conn = new HubConnection(socket, useragent, handshake);
    this.connections.push(conn);
    let inbox: Promise<void> = Promise.resolve();
    socket.onFrame((frame) => {
      inbox = inbox.then(() => this.#frame(conn, frame));
    });
    socket.send(serializeHiveMessage(handshake.helloMessage()));
    socket.send(serializeHiveMessage(handshake.requestMessage()));
  }

  async #frame(conn: HubConnection, raw: string | Uint8Array): Promise<void> {
    if (conn.socket.closed !== null) return;
    const frame: WireFrame =
      typeof raw === 'string' ? { kind: 'text', text: raw } : { kind: 'binary', data: raw };
    if (conn.channel === null) {
      if (frame.kind !== 'text') {
        conn.socket.close(1008, 'binary frame before the handshake');
        return;
      }
      const message = parseHiveMessage(frame.text);
      conn.handshakes.push(message.payload as JsonObject);
      const wrongPassword = this.#init.unverifiedLegacyPassword;
      if (wrongPassword !== undefined && typeof (message.payload as JsonObject).envelope === 'string') {
        const reply = {
          envelope: makeEnvelope(nodeBackend, wrongPassword),
          encoding: 'JSON-HEX',
          cipher: 'AES-GCM',
        };
        conn.socket.send(serializeHiveMessage(createHiveMessage(HiveMessageType.HANDSHAKE, reply)));
        return;
      }
      const noise = (message.payload as { noise?: { pattern?: NoisePattern } }).noise;
      if (noise?.pattern !== undefined) conn.pattern = noise.pattern;
      try {
        const step = await conn.handshake.handle(message);
        if (step.type === 'ignored') return;
        if (step.reply !== null) conn.socket.send(serializeHiveMessage(step.reply));
        if (step.type === 'established') {
          conn.channel = step.channel;
          conn.protocolVersion = step.protocolVersion;
          if (step.clientNoiseKey !== null && this.pinnedClientKey === null)
            this.pinnedClientKey = step.clientNoiseKey;
        }
      } catch (err) {
        if (!isHiveLinkError(err)) throw err;
        conn.socket.close(err.closeCode ?? 1008, err.message);
      }
      return;
    }
    let message: HiveMessage | null;
    try {
      message = conn.channel.open(frame);
    } catch (err) {
      if (!isHiveLinkError(err)) throw err;
      conn.failures.push(err.code);
      conn.socket.close(err.closeCode ?? 1008, err.message);
      return;
    }
    if (message === null) return;
    conn.record(message);
    if (message.msg_type === HiveMessageType.BUS)
      this.#init.agent?.(message.payload as unknown as MessageData, conn);
  }
}
