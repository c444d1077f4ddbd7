/**
 * HiveClient against a fake hub built from the session layer, over in-memory sockets and fake timers.
 *
 * Glossary: "hub" is {@link FakeHub} (HubHandshake + channel); `hub.last` is the hub's side of the newest
 * connection; `network.clients[i]` is the client's socket of connection i; `timers.advance(ms)` moves time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageData } from '../../../src/bus/types.js';
import { HiveClient } from '../../../src/client/hive-client.js';
import { MemoryPinStore } from '../../../src/client/stores.js';
import type { ClientState, ClientStateType, HiveClientInit } from '../../../src/client/types.js';
import type { CryptoBackend } from '../../../src/crypto/backend.js';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { derivePskArgon2id } from '../../../src/crypto/psk.js';
import { HiveLinkError } from '../../../src/errors.js';
import { createHiveMessage } from '../../../src/protocol/message.js';
import { HiveMessageType } from '../../../src/protocol/message-types.js';
import {
  ACCESS_KEY,
  FakeHub,
  type FakeHubInit,
  HUB_NODE_ID,
  type HubConnection,
  PASSWORD,
} from './helpers/fake-hub.js';
import { FakeNetwork, FakeTimers } from './helpers/fake-net.js';

const PSK = new Uint8Array(32).fill(7);
const URL = 'ws://hub.test:5678';

interface Setup {
  network: FakeNetwork;
  timers: FakeTimers;
  hub: FakeHub;
  client: HiveClient;
  pinStore: MemoryPinStore;
}

function setup(
  hubInit: Partial<Omit<FakeHubInit, 'network'>> = {},
  clientInit: Partial<HiveClientInit> = {},
): Setup {
  const network = new FakeNetwork();
  const timers = new FakeTimers();
  const hub = new FakeHub({ network, mode: 'v3', psk: PSK, ...hubInit });
  const pinStore = new MemoryPinStore();
  const client = new HiveClient({
    url: URL,
    accessKey: ACCESS_KEY,
    password: PASSWORD,
    psk: PSK,
    backend: nodeBackend,
    WebSocket: network.WebSocket,
    timers,
    random: () => 0.5,
    pinStore,
    ...clientInit,
  });
  return { network, timers, hub, client, pinStore };
}

/** Resolves with the next state of `type` the client enters. */
function nextState<T extends ClientStateType>(
  client: HiveClient,
  type: T,
): Promise<Extract<ClientState, { type: T }>> {
  return new Promise((resolve) => {
    const off = client.onState((state) => {
      if (state.type !== type) return;
      off();
      resolve(state as Extract<ClientState, { type: T }>);
    });
  });
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<HiveLinkError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof HiveLinkError, `expected a HiveLinkError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected a rejection with ${code}`);
}

/** An agent that answers every utterance with `speak` lines and then `end`. */
function answering(
  lines: string[],
  end: 'handled' | 'failure' | 'none' = 'handled',
): (message: MessageData, conn: HubConnection) => void {
  return (message, conn) => {
    if (message.type !== 'recognizer_loop:utterance') return;
    const context = { session: message.context.session };
    for (const line of lines) conn.sendBus('speak', { utterance: line }, context);
    if (end === 'failure') conn.sendBus('complete_intent_failure', {}, context);
    if (end !== 'none') conn.sendBus('ovos.utterance.handled', {}, context);
  };
}

describe('HiveClient: connecting', () => {
  it('opens a v3 session (XXpsk2) and sends HELLO encrypted as its first frame after the handshake', async () => {
    const { client, hub, network } = setup();
    await client.connect();
    const state = client.state;
    assert.equal(state.type, 'open');
    assert.equal(client.info?.protocolVersion, 3);
    assert.equal(client.info?.pattern, 'XXpsk2');
    assert.equal(client.info?.cipher, '25519_ChaChaPoly_SHA256');
    assert.equal(client.info?.nodeId, HUB_NODE_ID);
    const hello = await hub.last.waitFor((m) => m.msg_type === HiveMessageType.HELLO);
    assert.deepEqual(hello.payload, {
      pubkey: null,
      session: { session_id: client.sessionId, lang: 'en-US', site_id: 'unknown' },
      site_id: 'unknown',
    });
    assert.equal(hub.last.messages[0], hello);
    const frames = network.sockets[0]!.received;
    assert.equal(typeof frames[0], 'string'); // noise msg1
    assert.equal(typeof frames[1], 'string'); // noise msg3
    assert.ok(frames[2] instanceof Uint8Array, 'HELLO travels as an encrypted binary frame');
    client.close();
  });

  it('connects to /?authorization=<base64(useragent:accessKey)> with the raw token by default', async () => {
    const { client, network } = setup({}, { useragent: 'sat~~~', accessKey: ACCESS_KEY });
    await client.connect();
    const token = Buffer.from(`sat~~~:${ACCESS_KEY}`).toString('base64');
    assert.match(token, /[+/=]/, 'the token exercises the characters that differ between forms');
    assert.equal(network.sockets[0]!.url, `${URL}/?authorization=${token}`);
    client.close();
  });

  it('percent-encodes the token with tokenForm "percent"', async () => {
    const { client, network } = setup({}, { useragent: 'sat~~~', tokenForm: 'percent' });
    await client.connect();
    const token = Buffer.from(`sat~~~:${ACCESS_KEY}`).toString('base64');
    assert.equal(network.sockets[0]!.url, `${URL}/?authorization=${encodeURIComponent(token)}`);
    client.close();
  });

  it('uses the legacy password handshake with a hub that offers no Noise, and encrypts HELLO', async () => {
    const { client, hub, network } = setup({ mode: 'legacy' });
    await client.connect();
    assert.equal(client.info?.protocolVersion, 2);
    assert.equal(client.info?.cipher, 'AES-GCM');
    assert.equal(client.info?.encoding, 'JSON-B64');
    const hello = await hub.last.waitFor((m) => m.msg_type === HiveMessageType.HELLO);
    assert.equal((hello.payload as { session: { session_id: string } }).session.session_id, client.sessionId);
    const wire = JSON.parse(network.sockets[0]!.received[1] as string) as Record<string, unknown>;
    assert.deepEqual(Object.keys(wire).sort(), ['ciphertext', 'nonce', 'tag']);
    client.close();
  });

  it('uses legacy against a v3 hub when protocol is "legacy"', async () => {
    const { client } = setup({}, { protocol: 'legacy', ciphers: ['CHACHA20-POLY1305'] });
    await client.connect();
    assert.equal(client.info?.protocolVersion, 2);
    assert.equal(client.info?.cipher, 'CHACHA20-POLY1305');
    client.close();
  });

  it('refuses to run v3 against a legacy-only hub when protocol is "v3"', async () => {
    const { client, network } = setup({ mode: 'legacy' }, { protocol: 'v3' });
    await rejectsWith(client.connect(), 'HL_ERR_NEGOTIATION_FAILED');
    assert.equal(client.state.type, 'closed');
    assert.equal(network.sockets.length, 1);
  });

  it('gives every client instance its own UUID session id, never "default"', () => {
    const a = setup().client;
    const b = setup().client;
    assert.match(a.sessionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a.sessionId, b.sessionId);
    assert.notEqual(a.sessionId, 'default');
  });

  it('reports connecting → handshaking → open', async () => {
    const { client } = setup();
    const seen: string[] = [];
    client.onState((s) => seen.push(s.type));
    await client.connect();
    assert.deepEqual(seen, ['connecting', 'handshaking', 'open']);
    client.close();
    assert.deepEqual(seen.at(-1), 'closed');
  });

  it('rejects bad options with the option named', () => {
    const base = {
      url: URL,
      accessKey: ACCESS_KEY,
      backend: nodeBackend,
      WebSocket: new FakeNetwork().WebSocket,
    };
    assert.throws(() => new HiveClient(base), { code: 'HL_ERR_INVALID_ARGUMENT', message: /^password:/ });
    assert.throws(() => new HiveClient({ ...base, password: 'x', url: 'http://h:1' }), {
      code: 'HL_ERR_INVALID_ARGUMENT',
      message: /^url:/,
    });
    assert.throws(() => new HiveClient({ ...base, password: 'x', useragent: 'a:b' }), {
      code: 'HL_ERR_INVALID_ARGUMENT',
      message: /^useragent:/,
    });
    assert.throws(() => new HiveClient({ ...base, psk: 'abc' }), { code: 'HL_ERR_PSK_DERIVATION' });
  });
});

describe('HiveClient: messages', () => {
  it('emitBus fills source, platform, destination and session only where missing', async () => {
    const { client, hub } = setup({}, { useragent: 'kitchen-sat', siteId: 'kitchen' });
    await client.connect();
    client.emitBus('test.one', { a: 1 });
    client.emitBus('test.two', {}, { destination: ['skills'], session: { session_id: 'mine' } });
    const one = await hub.last.waitForBus('test.one');
    assert.deepEqual(one, {
      type: 'test.one',
      data: { a: 1 },
      context: {
        source: 'kitchen-sat',
        platform: 'kitchen-sat',
        destination: 'HiveMind',
        session: { session_id: client.sessionId, lang: 'en-US', site_id: 'kitchen' },
      },
    });
    const two = await hub.last.waitForBus('test.two');
    assert.deepEqual(two.context.destination, ['skills']);
    assert.deepEqual(two.context.session, { session_id: 'mine', site_id: 'kitchen' });
    client.close();
  });

  it('delivers hub messages to on() and onBus() listeners, including a BUS message wrapped in BROADCAST', async () => {
    const { client, hub } = setup();
    await client.connect();
    await hub.last.waitFor((m) => m.msg_type === HiveMessageType.HELLO);
    const types: string[] = [];
    const bus: string[] = [];
    client.on('*', (m) => types.push(m.msg_type));
    const off = client.onBus('hello.there', (m) => bus.push(String(m.data.n)));
    const done = new Promise<void>((resolve) => client.onBus('done', () => resolve()));
    hub.last.sendBus('hello.there', { n: 1 });
    const inner = createHiveMessage(HiveMessageType.BUS, {
      type: 'hello.there',
      data: { n: 2 },
      context: {},
    });
    hub.last.send(createHiveMessage(HiveMessageType.BROADCAST, inner));
    hub.last.sendBus('done', {});
    await done;
    assert.deepEqual(bus, ['1', '2']);
    assert.deepEqual(types, ['bus', 'broadcast', 'bus']);
    off();
    client.close();
  });

  it('emit() fails with HL_ERR_NOT_CONNECTED unless open', () => {
    const { client } = setup();
    assert.throws(() => client.emitBus('x'), { code: 'HL_ERR_NOT_CONNECTED' });
  });
});

describe('HiveClient: ask()', () => {
  it('collects speak and ovos.utterance.speak answers until ovos.utterance.handled', async () => {
    const { client } = setup({
      agent: (message, conn) => {
        if (message.type !== 'recognizer_loop:utterance') return;
        assert.deepEqual(message.data, { utterances: ['tell me a joke'], lang: 'en-US' });
        const context = { session: message.context.session };
        conn.sendBus('speak', { utterance: 'Why did the chicken' }, context);
        conn.sendBus('mycroft.skill.handler.complete', {}, context);
        conn.sendBus('ovos.utterance.speak', { utterance: 'cross the road?' }, context);
        conn.sendBus('ovos.utterance.handled', {}, context);
        conn.sendBus('speak', { utterance: 'too late' }, context);
      },
    });
    await client.connect();
    const result = await client.ask('tell me a joke');
    assert.deepEqual(result, {
      answers: ['Why did the chicken', 'cross the road?'],
      handled: true,
      timedOut: false,
    });
    client.close();
  });

  it('finishes with handled: false on complete_intent_failure', async () => {
    const { client } = setup({ agent: answering([], 'failure') });
    await client.connect();
    assert.deepEqual(await client.ask('purple monkey dishwasher'), {
      answers: [],
      handled: false,
      timedOut: false,
    });
    client.close();
  });

  it('rejects with HL_ERR_POLICY_DENIED when the hub refuses the utterance', async () => {
    const { client } = setup({
      agent: (message, conn) => {
        const data = {
          denied_type: message.type,
          code: 'acl_disallowed_type',
          reason: 'not in allowed types',
        };
        conn.sendBus('hive.policy.denied', data, { source: 'hivemind-core' });
      },
    });
    await client.connect();
    const err = await rejectsWith(client.ask('hello'), 'HL_ERR_POLICY_DENIED');
    assert.match(err.message, /not in allowed types \(acl_disallowed_type\)/);
    client.close();
  });

  it('ignores answers addressed to another session', async () => {
    const { client } = setup({
      agent: (message, conn) => {
        if (message.type !== 'recognizer_loop:utterance') return;
        conn.sendBus('speak', { utterance: 'not yours' }, { session: { session_id: 'someone-else' } });
        answering(['yours'])(message, conn);
      },
    });
    await client.connect();
    assert.deepEqual((await client.ask('hi')).answers, ['yours']);
    client.close();
  });

  it('rejects with HL_ERR_ASK_TIMEOUT when nothing answers in time', async () => {
    const { client, hub, timers } = setup();
    await client.connect();
    const asked = client.ask('anyone?', { timeoutMs: 2000 });
    await hub.last.waitForBus('recognizer_loop:utterance');
    timers.advance(1999);
    let settled = false;
    asked.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await Promise.resolve();
    assert.equal(settled, false);
    timers.advance(1);
    await rejectsWith(asked, 'HL_ERR_ASK_TIMEOUT');
    client.close();
  });

  it('ends at the timeout with the answers so far when the turn is never reported handled', async () => {
    const { client, timers } = setup({ agent: answering(['stopping'], 'none') });
    await client.connect();
    const answered = new Promise<void>((resolve) => client.onBus('speak', () => resolve()));
    const asked = client.ask('stop', { timeoutMs: 1000 });
    await answered;
    timers.advance(1000);
    assert.deepEqual(await asked, { answers: ['stopping'], handled: true, timedOut: true });
    client.close();
  });

  it('carries the session the hub returns into the next turn (converse across turns)', async () => {
    const seen: unknown[] = [];
    const { client } = setup({
      agent: (message, conn) => {
        if (message.type !== 'recognizer_loop:utterance') return;
        seen.push(message.context.session);
        const session = {
          ...message.context.session,
          active_skills: [['parrot.skill', 1700000000]],
          utterance_states: { 'parrot.skill': 'response' },
        };
        conn.sendBus('speak', { utterance: `turn ${seen.length}` }, { session });
        conn.sendBus('ovos.utterance.handled', {}, { session });
      },
    });
    await client.connect();
    const [first, second] = await Promise.all([client.ask('start parrot'), client.ask('echo this')]);
    assert.deepEqual(first.answers, ['turn 1']);
    assert.deepEqual(second.answers, ['turn 2']);
    assert.deepEqual(seen[0], { session_id: client.sessionId, lang: 'en-US', site_id: 'unknown' });
    assert.deepEqual(seen[1], {
      session_id: client.sessionId,
      lang: 'en-US',
      site_id: 'unknown',
      active_skills: [['parrot.skill', 1700000000]],
      utterance_states: { 'parrot.skill': 'response' },
    });
    client.close();
  });

  it('rejects pending asks with HL_ERR_CLIENT_CLOSED on close()', async () => {
    const { client, hub } = setup();
    await client.connect();
    const asked = client.ask('hello?');
    await hub.last.waitForBus('recognizer_loop:utterance');
    client.close();
    await rejectsWith(asked, 'HL_ERR_CLIENT_CLOSED');
  });

  it('rejects with HL_ERR_NOT_CONNECTED before connect()', async () => {
    const { client } = setup();
    await rejectsWith(client.ask('hello?'), 'HL_ERR_NOT_CONNECTED');
  });
});

describe('HiveClient: reconnecting', () => {
  it('reconnects after the hub drops, with a new handshake and new keys', async () => {
    const { client, hub, timers } = setup({ agent: answering(['pong']) });
    await client.connect();
    const first = hub.last;
    await first.waitFor((m) => m.msg_type === HiveMessageType.HELLO);
    const reconnecting = nextState(client, 'reconnecting');
    first.socket.drop();
    const state = await reconnecting;
    assert.equal(state.delayMs, 5000);
    assert.equal(state.error.code, 'HL_ERR_CONNECTION_LOST');
    assert.deepEqual(timers.pending(), [5000]);
    const reopened = nextState(client, 'open');
    timers.advance(5000);
    await reopened;
    const second = hub.last;
    assert.notEqual(second, first);
    assert.ok(second.handshakes.length >= 1, 'the handshake was redone');
    assert.notEqual(second.channel, first.channel);
    await second.waitFor((m) => m.msg_type === HiveMessageType.HELLO);
    assert.deepEqual((await client.ask('ping')).answers, ['pong']);
    assert.deepEqual(second.failures, [], 'every frame decrypted under the new keys');
    assert.equal(first.messages.length, 1, 'nothing more went to the old connection');
    client.close();
  });

  it('backs off 5 s → 60 s, doubling, while the hub is down, and resets after a success', async () => {
    const { client, network, timers } = setup();
    network.refuseConnections = true;
    const delays: number[] = [];
    client.onState((s) => {
      if (s.type === 'reconnecting') delays.push(s.delayMs);
    });
    const connected = client.connect();
    for (let i = 0; i < 6; i++) {
      await nextState(client, 'reconnecting');
      if (i === 5) network.refuseConnections = false;
      timers.advance(delays.at(-1)!);
    }
    await connected;
    assert.deepEqual(delays, [5000, 10000, 20000, 40000, 60000, 60000]);
    assert.equal(client.state.type, 'open');
    const again = nextState(client, 'reconnecting');
    network.sockets.at(-1)!.drop();
    assert.equal((await again).delayMs, 5000);
    client.close();
  });

  it('jitters each delay uniformly within ×0.5 … ×1.5', async () => {
    for (const [random, expected] of [
      [0, 2500],
      [0.999, 7495],
    ] as const) {
      const { client, network } = setup({}, { random: () => random });
      network.refuseConnections = true;
      const state = nextState(client, 'reconnecting');
      const connecting = client.connect();
      assert.equal((await state).delayMs, expected);
      client.close();
      await rejectsWith(connecting, 'HL_ERR_CLIENT_CLOSED');
    }
  });

  it('does not retry after the hub closes with 1008, and surfaces its reason', async () => {
    const { client, hub, network, timers } = setup();
    hub.refuse = { code: 1008, reason: 'invalid authorization' };
    const errors: string[] = [];
    client.onError((e) => errors.push(e.code));
    const err = await rejectsWith(client.connect(), 'HL_ERR_AUTH_REFUSED');
    assert.match(err.message, /invalid authorization/);
    assert.deepEqual(client.state, {
      type: 'closed',
      code: 1008,
      reason: 'invalid authorization',
      error: err,
    });
    assert.deepEqual(errors, ['HL_ERR_AUTH_REFUSED']);
    assert.deepEqual(timers.pending(), []);
    assert.equal(network.sockets.length, 1);
  });

  it('does not retry an unknown access key refused with 1008', async () => {
    const { client, network } = setup({}, { accessKey: 'who-am-i' });
    const err = await rejectsWith(client.connect(), 'HL_ERR_AUTH_REFUSED');
    assert.match(err.message, /invalid authorization/);
    assert.equal(network.sockets.length, 1);
  });

  it('stops on a wrong password over legacy when the hub verifies the envelope (1008 with reason)', async () => {
    const { client, network } = setup({ mode: 'legacy', password: 'another password' });
    const err = await rejectsWith(client.connect(), 'HL_ERR_AUTH_REFUSED');
    assert.match(err.message, /password handshake verification failed/);
    assert.equal(network.sockets.length, 1);
  });

  it("stops on a wrong password over legacy when the hub's own envelope fails verification", async () => {
    const { client, network, timers } = setup({
      mode: 'legacy',
      unverifiedLegacyPassword: 'another password',
    });
    const err = await rejectsWith(client.connect(), 'HL_ERR_HANDSHAKE_VERIFY_FAILED');
    assert.match(err.message, /wrong password/);
    assert.equal(client.state.type, 'closed');
    assert.deepEqual(timers.pending(), []);
    assert.equal(network.sockets.length, 1);
    assert.equal(network.sockets[0]!.closed?.by, 'client');
  });

  it('stops on a wrong password over v3 (the Noise handshake fails at message 2)', async () => {
    const { client, network } = setup({}, { psk: new Uint8Array(32).fill(9) });
    await rejectsWith(client.connect(), 'HL_ERR_NOISE_HANDSHAKE_FAILED');
    assert.equal(network.sockets.length, 1);
  });

  it('with reconnect disabled, connect() rejects on the first failure and a lost connection closes the client', async () => {
    const a = setup({}, { reconnect: { enabled: false } });
    a.network.refuseConnections = true;
    await rejectsWith(a.client.connect(), 'HL_ERR_CONNECT_FAILED');
    const b = setup({}, { reconnect: { enabled: false } });
    await b.client.connect();
    const closed = nextState(b.client, 'closed');
    b.hub.last.socket.drop();
    const state = await closed;
    assert.equal(state.error?.code, 'HL_ERR_CONNECTION_LOST');
    assert.equal(state.code, 1006);
  });

  it('gives up a handshake that never completes and retries', async () => {
    const { client, network, timers } = setup();
    network.onConnect = () => undefined; // a hub that never speaks
    const reconnecting = nextState(client, 'reconnecting');
    const connecting = client.connect();
    await nextState(client, 'handshaking');
    timers.advance(30_000);
    assert.equal((await reconnecting).error.code, 'HL_ERR_HANDSHAKE_TIMEOUT');
    assert.equal(network.sockets[0]!.closed?.by, 'client');
    client.close();
    await rejectsWith(connecting, 'HL_ERR_CLIENT_CLOSED');
  });

  it('treats garbage from the hub as a failed attempt, not a crash', async () => {
    const { client, network } = setup();
    network.onConnect = (socket) => socket.send('{not json');
    const state = nextState(client, 'reconnecting');
    const connecting = client.connect();
    assert.equal((await state).error.code, 'HL_ERR_INVALID_JSON');
    client.close();
    await rejectsWith(connecting, 'HL_ERR_CLIENT_CLOSED');
  });

  it('derives the v3 PSK from the password once per hub for the client lifetime', async () => {
    const psk = await derivePskArgon2id(nodeBackend, PASSWORD, HUB_NODE_ID);
    let derivations = 0;
    const counting: CryptoBackend = {
      ...nodeBackend,
      argon2id: (...args) => {
        derivations += 1;
        return nodeBackend.argon2id(...args);
      },
    };
    const { client, hub, timers } = setup({ psk }, { psk: undefined, backend: counting });
    await client.connect();
    const reopened = nextState(client, 'open');
    hub.last.socket.drop();
    await nextState(client, 'reconnecting');
    timers.advance(5000);
    await reopened;
    assert.equal(derivations, 1);
    assert.equal(hub.connections.length, 2);
    client.close();
  });
});

describe('HiveClient: pinning the hub Noise key', () => {
  it('pins on the first v3 connect, then uses KKpsk0 when the hub offers it', async () => {
    const { client, hub, pinStore, timers } = setup();
    await client.connect();
    assert.equal(client.info?.pattern, 'XXpsk2');
    assert.deepEqual(await pinStore.get('hub.test:5678'), hub.noiseStatic.publicKey);
    const reopened = nextState(client, 'open');
    hub.last.socket.drop();
    await nextState(client, 'reconnecting');
    timers.advance(5000);
    assert.equal((await reopened).pattern, 'KKpsk0');
    assert.equal(hub.last.pattern, 'KKpsk0');
    client.close();
  });

  it('fails for good when the hub presents a different key than the pinned one', async () => {
    const { client, network, pinStore } = setup();
    await pinStore.set('hub.test:5678', nodeBackend.x25519KeyPair().publicKey);
    await rejectsWith(client.connect(), 'HL_ERR_NOISE_KEY_MISMATCH');
    assert.equal(client.state.type, 'closed');
    assert.equal(network.sockets.length, 1);
  });

  it('drops the pin and retries once with XXpsk2 when KKpsk0 fails (the hub key changed)', async () => {
    const { client, hub, pinStore, timers } = setup();
    await client.connect();
    hub.noiseStatic = nodeBackend.x25519KeyPair(); // the hub lost its identity but still knows the client
    const seen: string[] = [];
    client.onState((s) => seen.push(s.type === 'open' ? `open:${s.pattern}` : s.type));
    const reopened = nextState(client, 'open');
    hub.last.socket.drop();
    await nextState(client, 'reconnecting');
    timers.advance(5000);
    const state = await reopened;
    assert.equal(state.pattern, 'XXpsk2');
    assert.deepEqual(seen, [
      'reconnecting',
      'connecting',
      'handshaking',
      'reconnecting',
      'connecting',
      'handshaking',
      'open:XXpsk2',
    ]);
    assert.equal(hub.connections.at(-2)!.pattern, 'KKpsk0');
    assert.deepEqual(await pinStore.get('hub.test:5678'), hub.noiseStatic.publicKey);
    client.close();
  });
});

describe('HiveClient: send order and backpressure', () => {
  it('queues while the socket is backed up, fails past the bound, and drains in order', async () => {
    const { client, hub, network, timers } = setup(
      {},
      { limits: { sendQueueMessages: 2, maxBufferedBytes: 1024 } },
    );
    await client.connect();
    await hub.last.waitFor((m) => m.msg_type === HiveMessageType.HELLO);
    const socket = network.clients[0]!;
    const sentBefore = socket.sent;
    socket.bufferedAmount = 10_000;
    client.emitBus('n', { i: 1 });
    client.emitBus('n', { i: 2 });
    assert.throws(() => client.emitBus('n', { i: 3 }), { code: 'HL_ERR_SEND_QUEUE_FULL' });
    timers.advance(100);
    assert.equal(socket.sent, sentBefore, 'nothing is written while the socket is backed up');
    socket.bufferedAmount = 0;
    timers.advance(100);
    assert.equal(socket.sent, sentBefore + 2, 'the queue drains once the socket empties');
    client.emitBus('n', { i: 4 });
    await hub.last.waitFor((m) => (m.payload as { data?: { i?: number } }).data?.i === 4);
    const order = hub.last.messages.slice(1).map((m) => (m.payload as { data: { i: number } }).data.i);
    assert.deepEqual(order, [1, 2, 4]);
    assert.deepEqual(hub.last.failures, [], 'the refused message spent no nonce');
    client.close();
  });
});
