/**
 * Test harness for the hub integration tests: a real hub on 127.0.0.1 port 0 with a temp data dir and a real
 * SQLite file, and {@link FakePeer}, a raw websocket client that speaks the wire protocol through the session layer
 * (ClientHandshake), so the tests do not depend on the client SDK.
 *
 * Glossary: *hub* = the Hub + its HTTP server; *peer* = one FakePeer connection; *agent bus* = the MemoryBus the
 * hub injects into (tests play the agent by listening on it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import type { MessageBus, MessageData, SessionData } from '../../src/bus/types.js';
import type { X25519KeyPair } from '../../src/crypto/backend.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import type { LegacyCipherName } from '../../src/crypto/legacy-cipher.js';
import type { NoiseSuite } from '../../src/crypto/noise/index.js';
import { makeEnvelope } from '../../src/crypto/password-handshake.js';
import { derivePskArgon2id } from '../../src/crypto/psk.js';
import { createHubServer, type TlsMaterial } from '../../src/http/server.js';
import { type Agent, inProcessAgent } from '../../src/hub/agent.js';
import { type HubConfigInput, resolveHubConfig } from '../../src/hub/config.js';
import { Hub } from '../../src/hub/hub.js';
import type { EncodingName } from '../../src/protocol/encodings.js';
import {
  createHiveMessage,
  type HiveMessage,
  parseHiveMessage,
  serializeHiveMessage,
} from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { ClientHandshake, type ProtocolChoice } from '../../src/session/client-handshake.js';
import type { ProtocolVersion, SecureChannel, WireFrame } from '../../src/session/types.js';
import { type DataDir, openDataDir } from '../../src/store/data-dir.js';
import type { HubIdentity } from '../../src/store/identity.js';
import type { ClientRecord, NewClient } from '../../src/store/types.js';

/** One RSA/X25519 identity for every hub in a test process (RSA generation is slow). */
let sharedIdentity: HubIdentity | null = null;

export interface TestHub {
  readonly hub: Hub;
  readonly url: string;
  readonly port: number;
  readonly bus: MemoryBus;
  readonly data: DataDir;
  readonly dataDir: string;
  readonly identity: HubIdentity;
  /**
   * Adds a client (password fixed unless given) and returns its record and password, and `peer`: the options that
   * connect it over the legacy protocol (no argon2id key derivation on either side).
   */
  addClient(
    client?: Partial<NewClient>,
  ): Promise<{ record: ClientRecord; password: string; accessKey: string; peer: PeerOptions }>;
  close(): Promise<void>;
}

let clientCounter = 0;

export interface StartHubOptions {
  /** The agent; @default an in-process agent on a fresh MemoryBus (`TestHub.bus`). */
  agent?: Agent;
  /** TLS material for the server. @default null */
  tls?: TlsMaterial | null;
  /** The hub's clock in ms (its policy's failure budgets, rate limits). @default Date.now */
  now?: () => number;
  /** The hub's logger. @default silent */
  logger?: Logger;
}

export async function startHub(config: HubConfigInput = {}, options: StartHubOptions = {}): Promise<TestHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-hub-'));
  const data = openDataDir(dataDir);
  sharedIdentity ??= data.loadIdentity();
  const identity = sharedIdentity;
  const resolved = resolveHubConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    logLevel: 'silent',
    ...config,
    // Every test client connects from 127.0.0.1 and many fail on purpose: the failure budgets (tested in
    // auth-throttle.test.ts) would turn later tests' expected refusals into 1013 throttles. v3 handshakes derive
    // argon2id keys on both sides; with both cores busy that can outlast the 10 s default handshake timeout (tested
    // on its own with a short one), so tests get a long one unless they set it.
    limits: {
      authFailuresPerIp: 100_000,
      authFailuresPerKey: 100_000,
      handshakeTimeoutMs: 60_000,
      ...config.limits,
    },
  });
  const bus = new MemoryBus();
  const hub = new Hub({
    config: resolved,
    store: data.store,
    identity,
    agent: options.agent ?? inProcessAgent(bus),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  await hub.start();
  const app = await createHubServer({ hub, config: resolved, tls: options.tls ?? null });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return {
    hub,
    url: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    port,
    bus,
    data,
    dataDir,
    identity,
    async addClient(client = {}) {
      clientCounter += 1;
      const added = await data.store.addClient({
        name: `client${clientCounter}`,
        // Fixed (so the PSKs derived for it are reused) and above the hub's password strength floor.
        password: `hl-test-${clientCounter}-k3Zq9vLw`,
        ...client,
      });
      const { accessKey } = added.record;
      const peer: PeerOptions = { accessKey, password: added.password, protocol: 'legacy' };
      return { record: added.record, password: added.password, accessKey, peer };
    },
    async close() {
      await hub.stop();
      await app.close();
      await data.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface PeerOptions {
  accessKey: string;
  password: string;
  /** @default 'hivelink-test' */
  useragent?: string;
  protocol?: ProtocolChoice;
  suites?: NoiseSuite[];
  ciphers?: LegacyCipherName[];
  encodings?: EncodingName[];
  binarize?: boolean;
  pinnedHubKey?: Uint8Array | null;
  staticKeyPair?: X25519KeyPair;
  /** The session sent in the client HELLO. @default { session_id: <random> } */
  session?: SessionData;
  siteId?: string;
  /** The client's RSA pubkey in its HELLO. @default '' */
  pubkey?: string;
  /** Send the HELLO after the handshake. @default true */
  hello?: boolean;
  /** Override the whole request target. */
  path?: string;
  /** Percent-encode the token. @default false */
  encodeToken?: boolean;
  /** Connect from this local address (another 127.x address is another client address to the hub). */
  localAddress?: string;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** A legacy HANDSHAKE offer as a client sends it (JSON-HEX, AES-GCM) with `envelope`, by default a fresh one. */
export function legacyOffer(password: string, envelope = makeEnvelope(nodeBackend, password)): HiveMessage {
  return createHiveMessage(HiveMessageType.HANDSHAKE, {
    binarize: false,
    encodings: ['JSON-HEX'],
    ciphers: ['AES-GCM'],
    envelope,
  });
}

/** base64(useragent:accessKey) */
export function token(useragent: string, accessKey: string): string {
  return Buffer.from(`${useragent}:${accessKey}`, 'utf8').toString('base64');
}

const pskCache = new Map<string, Promise<Uint8Array>>();

/** argon2id is slow by design: derive each (password, node id) PSK once per test process. */
function cachedPsk(password: string, nodeId: string): Promise<Uint8Array> {
  const key = `${password}\u0000${nodeId}`;
  let psk = pskCache.get(key);
  if (psk === undefined) {
    psk = derivePskArgon2id(nodeBackend, password, nodeId);
    pskCache.set(key, psk);
  }
  return psk;
}

/** A raw websocket client that speaks HiveMind through the session layer. */
export class FakePeer {
  readonly ws: WebSocket;
  readonly received: HiveMessage[] = [];
  /** Cleartext frames the hub sent before the channel existed. */
  readonly cleartext: HiveMessage[] = [];
  readonly closed: Promise<CloseInfo>;
  readonly opts: PeerOptions;
  handshake: ClientHandshake;
  channel: SecureChannel | null = null;
  protocolVersion: ProtocolVersion | null = null;
  hubNoiseKey: Uint8Array | null = null;
  hubPeer = '';
  error: unknown = null;
  #waiters: { match: (m: HiveMessage) => boolean; resolve: (m: HiveMessage) => void }[] = [];
  #established: Promise<void>;
  #resolveEstablished!: () => void;
  #rejectEstablished!: (err: unknown) => void;
  #queue: Promise<void> = Promise.resolve();
  closeInfo: CloseInfo | null = null;

  constructor(url: string, opts: PeerOptions) {
    this.opts = opts;
    const tok = token(opts.useragent ?? 'hivelink-test', opts.accessKey);
    const path = opts.path ?? `/?authorization=${opts.encodeToken === true ? encodeURIComponent(tok) : tok}`;
    this.ws = new WebSocket(url + path, {
      rejectUnauthorized: false,
      ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
    });
    this.handshake = FakePeer.newHandshake(opts);
    this.#established = new Promise((resolve, reject) => {
      this.#resolveEstablished = resolve;
      this.#rejectEstablished = reject;
    });
    this.#established.catch(() => undefined);
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        this.#rejectEstablished(new Error(`closed ${code} ${reason.toString('utf8')}`));
        resolve(this.closeInfo);
      });
    });
    this.ws.on('error', (err) => {
      this.error = err;
    });
    this.ws.on('message', (data, isBinary) => {
      const buf = data as Buffer;
      const frame: WireFrame = isBinary
        ? { kind: 'binary', data: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) }
        : { kind: 'text', text: buf.toString('utf8') };
      this.#queue = this.#queue
        .then(() => this.#onFrame(frame))
        .catch((err: unknown) => {
          this.error = err;
          this.#rejectEstablished(err);
        });
    });
  }

  static newHandshake(opts: PeerOptions): ClientHandshake {
    return new ClientHandshake({
      backend: nodeBackend,
      password: opts.password,
      derivePsk: (pw, nodeId) => cachedPsk(pw, nodeId),
      protocol: opts.protocol ?? 'auto',
      ...(opts.suites ? { suites: opts.suites } : {}),
      ...(opts.ciphers ? { ciphers: opts.ciphers } : {}),
      ...(opts.encodings ? { encodings: opts.encodings } : {}),
      binarize: opts.binarize ?? false,
      pinnedHubKey: opts.pinnedHubKey ?? null,
      staticKeyPair: opts.staticKeyPair ?? nodeBackend.x25519KeyPair(),
    });
  }

  /** Connects and completes the handshake (and HELLO). Rejects if the hub closes first. */
  static async open(url: string, opts: PeerOptions): Promise<FakePeer> {
    const peer = new FakePeer(url, opts);
    await peer.established();
    return peer;
  }

  established(): Promise<void> {
    return this.#established;
  }

  async #onFrame(frame: WireFrame): Promise<void> {
    if (this.channel === null) {
      if (frame.kind !== 'text') throw new Error('binary frame before the channel');
      const message = parseHiveMessage(frame.text);
      this.cleartext.push(message);
      if (message.msg_type === HiveMessageType.HELLO) {
        this.hubPeer = String((message.payload as Record<string, unknown>).peer);
      }
      const step = await this.handshake.handle(message);
      if (step.type === 'send') this.sendClear(step.send);
      if (step.type === 'established') {
        if (step.send !== null) this.sendClear(step.send);
        this.channel = step.channel;
        this.protocolVersion = step.protocolVersion;
        this.hubNoiseKey = step.hubNoiseKey;
        if (this.opts.hello !== false) this.sendHello();
        this.#resolveEstablished();
      }
      return;
    }
    const message = this.channel.open(frame);
    if (message === null) return;
    this.received.push(message);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(message)) return true;
      w.resolve(message);
      return false;
    });
  }

  sendHello(
    session: SessionData = this.opts.session ?? { session_id: `s-${Math.random().toString(16).slice(2)}` },
  ): void {
    this.send(
      createHiveMessage(HiveMessageType.HELLO, {
        pubkey: this.opts.pubkey ?? '',
        session: session as unknown as Record<string, never>,
        site_id: this.opts.siteId ?? 'test-site',
      }),
    );
  }

  sendClear(message: HiveMessage): void {
    this.ws.send(serializeHiveMessage(message));
  }

  send(message: HiveMessage): void {
    if (this.channel === null) throw new Error('no channel');
    for (const frame of this.channel.seal(message)) this.sendFrame(frame);
  }

  sendFrame(frame: WireFrame): void {
    this.ws.send(frame.kind === 'text' ? frame.text : frame.data);
  }

  /** Sends a BUS message with an OVOS payload. */
  sendBus(type: string, data: Record<string, unknown> = {}, context: Record<string, unknown> = {}): void {
    this.send(createHiveMessage(HiveMessageType.BUS, { type, data, context } as never));
  }

  /** The next received message (already received or future) that matches. */
  waitFor(match: (m: HiveMessage) => boolean): Promise<HiveMessage> {
    const found = this.received.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  /** The next BUS message whose payload type is `type`. */
  async waitForBus(type: string): Promise<MessageData> {
    const m = await this.waitFor(
      (x) => x.msg_type === 'bus' && (x.payload as Record<string, unknown>).type === type,
    );
    return m.payload as unknown as MessageData;
  }

  /** Received BUS payloads of `type`. */
  busOf(type: string): MessageData[] {
    return this.received
      .filter((x) => x.msg_type === 'bus' && (x.payload as Record<string, unknown>).type === type)
      .map((x) => x.payload as unknown as MessageData);
  }

  close(): Promise<CloseInfo> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(1000);
    return this.closed;
  }
}

/**
 * How a connection attempt ends: the hub's close, `'open'` when the session opened (the peer is then closed), or
 * `'failed'` when the peer's own handshake failed (a wrong password seen at msg2; the peer is then closed).
 */
export async function outcome(peer: FakePeer): Promise<CloseInfo | 'open' | 'failed'> {
  const result = await Promise.race([
    peer.established().then(
      () => 'open' as const,
      () => (peer.closeInfo === null ? ('failed' as const) : peer.closeInfo),
    ),
    peer.closed,
  ]);
  if (typeof result === 'string') await peer.close();
  return result;
}

/** The next message of `type` on `bus` (optionally matching `filter`). */
export function nextOnBus(
  bus: MessageBus,
  type: string,
  filter: (m: MessageData) => boolean = () => true,
): Promise<MessageData> {
  return new Promise((resolve) => {
    const off = bus.on(type, (m) => {
      if (!filter(m)) return;
      off();
      resolve(m);
    });
  });
}

/** Fails the current test file on any unhandled rejection. */
export function failOnUnhandledRejection(): void {
  process.on('unhandledRejection', (reason) => {
    throw reason instanceof Error ? reason : new Error(`unhandled rejection: ${String(reason)}`);
  });
}
