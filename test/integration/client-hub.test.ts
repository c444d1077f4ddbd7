/**
 * HiveClient (the Node entry: `ws` + node:crypto) against the real hub on 127.0.0.1 port 0, with a test agent on
 * the hub's agent bus that answers every utterance with `speak` and `ovos.utterance.handled`.
 *
 * Glossary: *hub* = the harness's real Hub + HTTP server; *agent* = the listener on `hub.bus`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply } from '../../src/bus/message.js';
import type { MessageData } from '../../src/bus/types.js';
import {
  createHiveClient,
  type HiveClient,
  type HiveClientOptions,
  MemoryIdentityStore,
  MemoryPinStore,
} from '../../src/client/index.js';
import { startHub, type TestHub } from './hub-harness.js';

let hub: TestHub;
let accessKey: string;
let password: string;
/** The bus messages the agent saw, in order. */
const agentSaw: MessageData[] = [];
const clients: HiveClient[] = [];

function connectClient(options: Partial<HiveClientOptions> = {}): HiveClient {
  const client = createHiveClient({
    url: hub.url,
    accessKey,
    password,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
    ...options,
  });
  clients.push(client);
  return client;
}

describe('HiveClient ↔ real hub', () => {
  before(async () => {
    hub = await startHub();
    ({ accessKey, password } = await hub.addClient());
    hub.bus.on('recognizer_loop:utterance', (m) => {
      agentSaw.push(m);
      const said = String((m.data.utterances as string[] | undefined)?.[0] ?? '');
      hub.bus.emit(reply(m, 'speak', { utterance: `you said ${said}` }));
      hub.bus.emit(reply(m, 'ovos.utterance.handled', {}));
    });
  });

  after(async () => {
    for (const client of clients) client.close();
    await hub.close();
  });

  it('asks over v3 (XXpsk2 first, KKpsk0 once both keys are pinned) and keeps one session across turns', async () => {
    const identity = new MemoryIdentityStore();
    const pins = new MemoryPinStore();
    const first = connectClient({ identityStore: identity, pinStore: pins });
    await first.connect();
    assert.equal(first.info?.protocolVersion, 3);
    assert.equal(first.info?.pattern, 'XXpsk2');
    assert.deepEqual(await first.ask('hello hub'), {
      answers: ['you said hello hub'],
      handled: true,
      timedOut: false,
    });
    assert.deepEqual((await first.ask('and again')).answers, ['you said and again']);
    first.close();

    const second = connectClient({ identityStore: identity, pinStore: pins });
    await second.connect();
    assert.equal(second.info?.pattern, 'KKpsk0');
    assert.deepEqual((await second.ask('pinned')).answers, ['you said pinned']);
  });

  it('asks over the legacy password handshake, with AES-GCM and ChaCha20, JSON and binarize', async () => {
    for (const [ciphers, binarize] of [
      [['AES-GCM'], false],
      [['CHACHA20-POLY1305'], true],
    ] as const) {
      const client = connectClient({ protocol: 'legacy', ciphers: [...ciphers], binarize });
      await client.connect();
      assert.equal(client.info?.protocolVersion, 2);
      assert.equal(client.info?.cipher, ciphers[0]);
      assert.deepEqual((await client.ask(`legacy ${ciphers[0]}`)).answers, [`you said legacy ${ciphers[0]}`]);
      client.close();
    }
  });

  it('is refused for good with the hub reason on an unknown key', async () => {
    const client = connectClient({ accessKey: 'no-such-key' });
    await assert.rejects(client.connect(), { code: 'HL_ERR_AUTH_REFUSED' });
    assert.equal(client.state.type, 'closed');
    assert.equal(client.state.type === 'closed' && client.state.code, 1008);
  });

  it('v3 with a PSK cache: derives once, stores it, and the next client connects from the cache alone', async () => {
    const kept = new Map<string, Uint8Array>();
    let sets = 0;
    const pskCache = {
      getPsk: async (nodeId: string) => kept.get(nodeId) ?? null,
      setPsk: async (nodeId: string, psk: Uint8Array) => {
        sets += 1;
        kept.set(nodeId, psk);
      },
    };
    // A client of its own, one device (Noise key) for both connections: the hub pins the first one's key.
    const own = await hub.addClient();
    const device = {
      accessKey: own.accessKey,
      identityStore: new MemoryIdentityStore(),
      pinStore: new MemoryPinStore(),
    };
    const first = connectClient({ protocol: 'v3', pskCache, ...device, password: own.password });
    await first.connect();
    assert.equal(sets, 1, 'derived once and kept');
    assert.deepEqual([...kept.keys()], [hub.identity.rsaPublicPem], 'kept under the hub node id');
    first.close();
    // A wrong password is never used when the PSK is cached: the handshake succeeding shows nothing was derived.
    const second = connectClient({ protocol: 'v3', pskCache, ...device, password: 'not the password' });
    await second.connect();
    assert.equal(second.state.type, 'open');
    assert.equal(sets, 1, 'nothing derived or stored again');
    second.close();
  });

  it('stops on a wrong password, legacy and v3', async () => {
    const legacy = connectClient({ password: 'wrong password', protocol: 'legacy' });
    await assert.rejects(legacy.connect(), { code: 'HL_ERR_AUTH_REFUSED' });
    const v3 = connectClient({ password: 'wrong password' });
    await assert.rejects(v3.connect(), { code: 'HL_ERR_NOISE_HANDSHAKE_FAILED' });
  });

  it('answers only the asking client when another client declares the same session id', async () => {
    // Fresh clients: the hub pinned the first test's Noise key for the shared access key.
    const [one, two] = [await hub.addClient(), await hub.addClient()];
    const asker = connectClient({ sessionId: 'kitchen', accessKey: one.accessKey, password: one.password });
    const bystander = connectClient({
      sessionId: 'kitchen',
      accessKey: two.accessKey,
      password: two.password,
    });
    await Promise.all([asker.connect(), bystander.connect()]);
    const heard: string[] = [];
    bystander.onBus('speak', (m) => heard.push(String(m.data.utterance)));
    assert.deepEqual((await asker.ask('only for me')).answers, ['you said only for me']);
    assert.deepEqual((await bystander.ask('my own')).answers, ['you said my own']);
    assert.deepEqual(heard, ['you said my own'], 'the first answer never reached the other client');
  });
});
