/**
 * The browser build of the client (index.browser.ts: @noble + hash-wasm backend) against a hub side on the
 * node:crypto backend, over real websockets on 127.0.0.1 port 0. The hub side is a small websocket server driving
 * the session layer's HubHandshake; it answers every utterance with one `speak` and `ovos.utterance.handled`.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket as NodeWebSocket, type WebSocket, WebSocketServer } from 'ws';
import {
  createHiveClient,
  type HiveClient,
  type WebSocketConstructor,
} from '../../src/client/index.browser.js';
import { MemoryIdentityStore, MemoryPinStore } from '../../src/client/stores.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import { derivePskArgon2id } from '../../src/crypto/psk.js';
import type { JsonObject } from '../../src/protocol/json.js';
import {
  createHiveMessage,
  type HiveMessage,
  parseHiveMessage,
  serializeHiveMessage,
} from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { HubHandshake } from '../../src/session/hub-handshake.js';
import type { SecureChannel, WireFrame } from '../../src/session/types.js';

const ACCESS_KEY = 'browser-client-key';
const PASSWORD = 'a browser password';
const NODE_ID = 'integration-hub-node';
/** One satellite identity for every client here: each hub side pins the first client Noise key it sees. */
const IDENTITY = new MemoryIdentityStore();

interface HubSide {
  server: WebSocketServer;
  url: string;
  /** Protocol version and Noise pattern of every established connection, in order. */
  sessions: { version: number; pattern: string | null }[];
  sockets: WebSocket[];
}

async function startHub(mode: 'v3' | 'legacy'): Promise<HubSide> {
  const psk = await derivePskArgon2id(nodeBackend, PASSWORD, NODE_ID);
  const noiseStatic = nodeBackend.x25519KeyPair();
  let pinnedClientKey: Uint8Array | null = null;
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const hub: HubSide = {
    server,
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sessions: [],
    sockets: [],
  };
  server.on('connection', (socket, request) => {
    hub.sockets.push(socket);
    const token = (request.url ?? '').split('/?authorization=')[1] ?? '';
    const [useragent, key] = Buffer.from(token, 'base64').toString('utf8').split(':');
    if (key !== ACCESS_KEY) {
      socket.close(1008, 'invalid authorization');
      return;
    }
    const peer = `${useragent}::1::browser::default`;
    const handshake = new HubHandshake({
      backend: nodeBackend,
      hello: { pubkey: 'PEM', peer, node_id: NODE_ID },
      offer: {
        minProtocol: 2,
        maxProtocol: mode === 'v3' ? 3 : 2,
        binarize: false,
        encodings: ['JSON-B64', 'JSON-HEX'],
        ciphers: ['AES-GCM', 'CHACHA20-POLY1305'],
        noise:
          mode === 'v3'
            ? {
                patterns: pinnedClientKey === null ? ['XXpsk2'] : ['XXpsk2', 'KKpsk0'],
                suites: ['25519_ChaChaPoly_SHA256', '25519_AESGCM_SHA256'],
              }
            : null,
      },
      password: PASSWORD,
      noiseStatic,
      pinnedClientKey,
      psk: async () => psk,
    });
    let channel: SecureChannel | null = null;
    let pattern: string | null = null;
    let inbox: Promise<void> = Promise.resolve();
    const send = (message: HiveMessage) => {
      for (const frame of channel!.seal(message))
        socket.send(frame.kind === 'text' ? frame.text : frame.data);
    };
    const handle = async (frame: WireFrame) => {
      if (channel === null) {
        const message = parseHiveMessage((frame as { text: string }).text);
        const noise = (message.payload as { noise?: { pattern?: string } }).noise;
        if (noise?.pattern !== undefined) pattern = noise.pattern;
        const step = await handshake.handle(message);
        if (step.type === 'ignored') return;
        if (step.reply !== null) socket.send(serializeHiveMessage(step.reply));
        if (step.type === 'established') {
          channel = step.channel;
          pinnedClientKey ??= step.clientNoiseKey;
          hub.sessions.push({
            version: step.protocolVersion,
            pattern: step.protocolVersion === 3 ? pattern : null,
          });
        }
        return;
      }
      const message = channel.open(frame);
      if (message?.msg_type !== HiveMessageType.BUS) return;
      const bus = message.payload as { type: string; data: { utterances?: string[] }; context: JsonObject };
      if (bus.type !== 'recognizer_loop:utterance') return;
      const context = { source: 'skills', destination: peer, session: bus.context.session ?? null };
      const reply = (type: string, data: JsonObject) =>
        send(createHiveMessage(HiveMessageType.BUS, { type, data, context }));
      reply('speak', { utterance: `you said ${bus.data.utterances?.[0] ?? ''}` });
      reply('ovos.utterance.handled', {});
    };
    socket.on('message', (data, isBinary) => {
      const frame: WireFrame = isBinary
        ? { kind: 'binary', data: new Uint8Array(data as Buffer) }
        : { kind: 'text', text: (data as Buffer).toString('utf8') };
      inbox = inbox
        .then(() => handle(frame))
        .catch((err: unknown) => socket.close(1008, String(err).slice(0, 100)));
    });
    socket.send(serializeHiveMessage(handshake.helloMessage()));
    socket.send(serializeHiveMessage(handshake.requestMessage()));
  });
  return hub;
}

function client(
  hub: HubSide,
  extra: { protocol?: 'legacy'; suites?: ['25519_AESGCM_SHA256'] } = {},
): HiveClient {
  return createHiveClient({
    url: hub.url,
    accessKey: ACCESS_KEY,
    password: PASSWORD,
    WebSocket: NodeWebSocket as unknown as WebSocketConstructor,
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    pinStore: new MemoryPinStore(),
    identityStore: IDENTITY,
    ...extra,
  });
}

function nextOpen(c: HiveClient): Promise<void> {
  return new Promise((resolve) => {
    const off = c.onState((s) => {
      if (s.type !== 'open') return;
      off();
      resolve();
    });
  });
}

describe('browser client build ↔ node hub side, real sockets', () => {
  let v3: HubSide;
  let legacy: HubSide;
  before(async () => {
    [v3, legacy] = await Promise.all([startHub('v3'), startHub('legacy')]);
  });
  after(async () => {
    for (const hub of [v3, legacy]) {
      for (const socket of hub.sockets) socket.terminate();
      await new Promise<void>((resolve) => hub.server.close(() => resolve()));
    }
  });

  it('asks over v3 with a PSK derived by the browser backend, then reconnects with KKpsk0', async () => {
    const c = client(v3);
    await c.connect();
    assert.equal(c.info?.protocolVersion, 3);
    assert.equal(c.info?.pattern, 'XXpsk2');
    assert.deepEqual(await c.ask('hello hub'), {
      answers: ['you said hello hub'],
      handled: true,
      timedOut: false,
    });
    const reopened = nextOpen(c);
    v3.sockets.at(-1)!.terminate();
    await reopened;
    assert.equal(c.info?.pattern, 'KKpsk0');
    assert.deepEqual((await c.ask('again')).answers, ['you said again']);
    assert.deepEqual(v3.sessions.slice(-2), [
      { version: 3, pattern: 'XXpsk2' },
      { version: 3, pattern: 'KKpsk0' },
    ]);
    c.close();
  });

  it('asks over v3 with the AES-GCM suite', async () => {
    const c = client(v3, { suites: ['25519_AESGCM_SHA256'] });
    await c.connect();
    assert.equal(c.info?.cipher, '25519_AESGCM_SHA256');
    assert.deepEqual((await c.ask('gcm')).answers, ['you said gcm']);
    c.close();
  });

  it('asks over the legacy password handshake', async () => {
    const c = client(legacy);
    await c.connect();
    assert.equal(c.info?.protocolVersion, 2);
    assert.deepEqual((await c.ask('old school')).answers, ['you said old school']);
    c.close();
  });

  it('stops with the hub reason when the access key is refused', async () => {
    const c = createHiveClient({
      url: v3.url,
      accessKey: 'nobody',
      password: PASSWORD,
      WebSocket: NodeWebSocket as unknown as WebSocketConstructor,
    });
    await assert.rejects(c.connect(), { code: 'HL_ERR_AUTH_REFUSED', message: /invalid authorization/ });
    assert.equal(c.state.type, 'closed');
  });

  it('names the cause when the hub is unreachable', async () => {
    const probe = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => probe.once('listening', () => resolve()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const c = createHiveClient({
      url: `ws://127.0.0.1:${port}`,
      accessKey: ACCESS_KEY,
      password: PASSWORD,
      WebSocket: NodeWebSocket as unknown as WebSocketConstructor,
      reconnect: { enabled: false },
    });
    await assert.rejects(c.connect(), { code: 'HL_ERR_CONNECT_FAILED', message: /ECONNREFUSED/ });
  });
});
