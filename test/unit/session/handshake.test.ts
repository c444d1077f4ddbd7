/**
 * Hub and client handshakes against each other, in memory, through the same serialization the wire uses:
 * both generations, every cipher, and the attacks (wrong password, wrong pin, version floor, tampering, replay,
 * cleartext after the handshake, oversize).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import type { LegacyCipherName } from '../../../src/crypto/legacy-cipher.js';
import type { NoiseSuite } from '../../../src/crypto/noise/index.js';
import { derivePskArgon2id } from '../../../src/crypto/psk.js';
import type { EncodingName } from '../../../src/protocol/encodings.js';
import {
  createHiveMessage,
  type HiveMessage,
  parseHiveMessage,
  serializeHiveMessage,
} from '../../../src/protocol/message.js';
import { HiveMessageType } from '../../../src/protocol/message-types.js';
import { ClientHandshake, type ProtocolChoice } from '../../../src/session/client-handshake.js';
import { HubHandshake } from '../../../src/session/hub-handshake.js';
import type { HandshakeOffer } from '../../../src/session/offer.js';
import type { SecureChannel, WireFrame } from '../../../src/session/types.js';

const backend = nodeBackend;
const PASSWORD = 'correct horse battery staple';
const FIXED_PSK = new Uint8Array(32).fill(7);
const HUB_STATIC = backend.x25519KeyPair();
const CLIENT_STATIC = backend.x25519KeyPair();

function offer(over: Partial<HandshakeOffer> = {}): HandshakeOffer {
  return {
    minProtocol: 2,
    maxProtocol: 3,
    binarize: false,
    encodings: ['JSON-B64', 'JSON-URLSAFE-B64', 'JSON-B91', 'JSON-Z85B', 'JSON-B32', 'JSON-HEX'],
    ciphers: ['CHACHA20-POLY1305', 'AES-GCM'],
    noise: { patterns: ['XXpsk2'], suites: ['25519_ChaChaPoly_SHA256', '25519_AESGCM_SHA256'] },
    ...over,
  };
}

/** What crosses the wire during the opening: cleartext JSON text frames. */
function wire(message: HiveMessage): HiveMessage {
  return parseHiveMessage(serializeHiveMessage(message));
}

interface PairOptions {
  hubPassword?: string;
  clientPassword?: string;
  offer?: HandshakeOffer;
  protocol?: ProtocolChoice;
  pinnedClientKey?: Uint8Array | null;
  pinnedHubKey?: Uint8Array | null;
  suites?: NoiseSuite[];
  ciphers?: LegacyCipherName[];
  encodings?: EncodingName[];
  binarize?: boolean;
  clientPsk?: Uint8Array;
  hubPsk?: Uint8Array;
}

interface Pair {
  hub: SecureChannel;
  client: SecureChannel;
  hubVersion: number;
  clientNoiseKey: Uint8Array | null;
  hubNoiseKey: Uint8Array | null;
  pattern: string | null;
}

/** Runs a full opening between a HubHandshake and a ClientHandshake; throws whatever either side throws. */
async function handshake(o: PairOptions = {}): Promise<Pair> {
  const hub = new HubHandshake({
    backend,
    hello: {
      pubkey: '-----BEGIN PUBLIC KEY-----\nhub\n-----END PUBLIC KEY-----',
      peer: 'ua::1::kitchen::default',
      node_id: 'hub-node',
    },
    offer: o.offer ?? offer(),
    password: o.hubPassword ?? PASSWORD,
    noiseStatic: HUB_STATIC,
    pinnedClientKey: o.pinnedClientKey ?? null,
    psk: async () => o.hubPsk ?? FIXED_PSK,
  });
  const client = new ClientHandshake({
    backend,
    password: o.clientPassword ?? PASSWORD,
    psk: o.clientPsk ?? FIXED_PSK,
    derivePsk: () => Promise.reject(new Error('not used')),
    protocol: o.protocol ?? 'auto',
    pinnedHubKey: o.pinnedHubKey ?? null,
    staticKeyPair: CLIENT_STATIC,
    ...(o.suites ? { suites: o.suites } : {}),
    ...(o.ciphers ? { ciphers: o.ciphers } : {}),
    ...(o.encodings ? { encodings: o.encodings } : {}),
    ...(o.binarize === undefined ? {} : { binarize: o.binarize }),
  });
  assert.deepEqual(await client.handle(wire(hub.helloMessage())), { type: 'none' });
  let step = await client.handle(wire(hub.requestMessage()));
  let hubChannel: SecureChannel | null = null;
  let hubVersion = 0;
  let clientNoiseKey: Uint8Array | null = null;
  for (let round = 0; round < 4; round++) {
    assert.equal(step.type, round === 0 ? 'send' : step.type);
    if (step.type === 'established') {
      if (step.send !== null) {
        const last = await hub.handle(wire(step.send));
        assert.equal(last.type, 'established');
        if (last.type === 'established') {
          hubChannel = last.channel;
          hubVersion = last.protocolVersion;
          clientNoiseKey = last.clientNoiseKey;
        }
      }
      assert.ok(hubChannel, 'hub established');
      return {
        hub: hubChannel,
        client: step.channel,
        hubVersion,
        clientNoiseKey,
        hubNoiseKey: step.hubNoiseKey,
        pattern: step.pattern,
      };
    }
    if (step.type !== 'send') throw new Error(`unexpected client step ${step.type}`);
    const hubStep = await hub.handle(wire(step.send));
    if (hubStep.type === 'ignored') throw new Error('hub ignored the offer');
    if (hubStep.type === 'established') {
      hubChannel = hubStep.channel;
      hubVersion = hubStep.protocolVersion;
      clientNoiseKey = hubStep.clientNoiseKey;
    }
    step = await client.handle(wire(hubStep.reply!));
  }
  throw new Error('handshake did not finish');
}

function busMessage(utterance: string): HiveMessage {
  return createHiveMessage(HiveMessageType.BUS, {
    type: 'recognizer_loop:utterance',
    data: { utterances: [utterance], lang: 'en-US' },
    context: { session: { session_id: 'abc' } },
  });
}

/** Sends `message` across `from` → `to` and returns what `to` decoded. */
function transfer(from: SecureChannel, to: SecureChannel, message: HiveMessage): HiveMessage {
  let out: HiveMessage | null = null;
  for (const frame of from.seal(message)) out = to.open(frame);
  assert.ok(out, 'message decoded');
  return out;
}

function assertExchange(pair: Pair): void {
  const up = transfer(pair.client, pair.hub, busMessage('what time is it'));
  assert.deepEqual(up.payload, busMessage('what time is it').payload);
  const down = createHiveMessage(HiveMessageType.BUS, {
    type: 'speak',
    data: { utterance: 'noon' },
    context: {},
  });
  assert.deepEqual(transfer(pair.hub, pair.client, down).payload, down.payload);
}

describe('v3 Noise handshake, hub ↔ client', () => {
  for (const suite of ['25519_ChaChaPoly_SHA256', '25519_AESGCM_SHA256'] as const) {
    it(`XXpsk2 over ${suite} establishes a v3 channel and carries messages both ways`, async () => {
      const pair = await handshake({ suites: [suite] });
      assert.equal(pair.hubVersion, 3);
      assert.equal(pair.pattern, 'XXpsk2');
      assert.equal(pair.client.cipher, suite);
      assert.deepEqual(pair.hubNoiseKey, HUB_STATIC.publicKey, 'client learns the hub key to pin');
      assert.deepEqual(pair.clientNoiseKey, CLIENT_STATIC.publicKey, 'hub learns the client key to pin');
      assertExchange(pair);
    });

    it(`KKpsk0 over ${suite} is used once both keys are pinned`, async () => {
      const pair = await handshake({
        suites: [suite],
        offer: offer({ noise: { patterns: ['XXpsk2', 'KKpsk0'], suites: [suite] } }),
        pinnedClientKey: CLIENT_STATIC.publicKey,
        pinnedHubKey: HUB_STATIC.publicKey,
      });
      assert.equal(pair.pattern, 'KKpsk0');
      assertExchange(pair);
    });
  }

  it('derives the same argon2id PSK on both sides from password and node id', async () => {
    const psk = await derivePskArgon2id(backend, PASSWORD, 'hub-node');
    const pair = await handshake({ clientPsk: psk, hubPsk: psk });
    assertExchange(pair);
  });

  it('a wrong password (PSK) fails on the client when it reads message 2', async () => {
    await assert.rejects(handshake({ clientPsk: new Uint8Array(32).fill(9) }), {
      code: 'HL_ERR_NOISE_HANDSHAKE_FAILED',
    });
  });

  it('the hub refuses a client whose static key differs from its pin', async () => {
    await assert.rejects(handshake({ pinnedClientKey: backend.x25519KeyPair().publicKey }), {
      code: 'HL_ERR_NOISE_KEY_MISMATCH',
      closeCode: 1008,
    });
  });

  it('the client refuses a hub whose static key differs from its pin', async () => {
    await assert.rejects(handshake({ pinnedHubKey: backend.x25519KeyPair().publicKey }), {
      code: 'HL_ERR_NOISE_KEY_MISMATCH',
    });
  });

  it('a forced v3 client refuses a hub that offers only legacy', async () => {
    await assert.rejects(handshake({ protocol: 'v3', offer: offer({ maxProtocol: 2, noise: null }) }), {
      code: 'HL_ERR_NEGOTIATION_FAILED',
    });
  });

  it('replayed, reordered and tampered transport frames fail with HL_ERR_NOISE_DECRYPT', async () => {
    const pair = await handshake();
    const frames = [busMessage('one'), busMessage('two')].map((m) => pair.client.seal(m)[0]!);
    pair.hub.open(frames[0]!);
    assert.throws(() => pair.hub.open(frames[0]!), { code: 'HL_ERR_NOISE_DECRYPT', closeCode: 1008 });

    const fresh = await handshake();
    const [a, b] = [busMessage('one'), busMessage('two')].map((m) => fresh.client.seal(m)[0]!);
    assert.throws(() => fresh.hub.open(b!), { code: 'HL_ERR_NOISE_DECRYPT' }, 'reordered');
    void a;

    const third = await handshake();
    const frame = third.client.seal(busMessage('x'))[0]!;
    assert.equal(frame.kind, 'binary');
    if (frame.kind === 'binary') {
      const data = frame.data.slice();
      data[data.length - 1]! ^= 0x01;
      assert.throws(() => third.hub.open({ kind: 'binary', data }), { code: 'HL_ERR_NOISE_DECRYPT' });
    }
  });

  it('rejects a text frame on a v3 session', async () => {
    const pair = await handshake();
    assert.throws(() => pair.hub.open({ kind: 'text', text: serializeHiveMessage(busMessage('hi')) }), {
      code: 'HL_ERR_CLEARTEXT_REJECTED',
      closeCode: 1008,
    });
  });

  it('chunks a large message and reassembles it', async () => {
    const pair = await handshake();
    const big = busMessage('x'.repeat(300_000));
    const frames = pair.client.seal(big);
    assert.ok(frames.length > 4, 'sent as chunks');
    const opened = frames.map((f) => pair.hub.open(f));
    assert.ok(
      opened.slice(0, -1).every((m) => m === null),
      'nothing before the last chunk',
    );
    assert.deepEqual(opened.at(-1)?.payload, big.payload);
  });
});

describe('legacy password handshake, hub ↔ client', () => {
  const cases: [LegacyCipherName, EncodingName, boolean][] = [
    ['AES-GCM', 'JSON-HEX', false],
    ['AES-GCM', 'JSON-B91', false],
    ['CHACHA20-POLY1305', 'JSON-B64', false],
    ['AES-GCM', 'JSON-B64', true],
    ['CHACHA20-POLY1305', 'JSON-Z85B', true],
  ];
  for (const [cipher, encoding, binarize] of cases) {
    it(`${cipher} + ${encoding}${binarize ? ' + binarize' : ''} establishes a v2 channel`, async () => {
      const pair = await handshake({
        protocol: 'legacy',
        ciphers: [cipher],
        encodings: [encoding],
        binarize,
      });
      assert.equal(pair.hubVersion, 2);
      assert.equal(pair.hub.cipher, cipher);
      assert.equal(pair.hub.encoding, encoding);
      assert.equal(pair.hub.binarize, binarize);
      assertExchange(pair);
      const frame = pair.hub.seal(busMessage('y'))[0]!;
      assert.equal(frame.kind, binarize ? 'binary' : 'text');
    });
  }

  it('a legacy client is used when the hub offers no Noise', async () => {
    const pair = await handshake({ offer: offer({ maxProtocol: 2, noise: null }) });
    assert.equal(pair.hubVersion, 2);
  });

  it('negotiates the first client encoding the hub allows, in client order', async () => {
    const pair = await handshake({
      protocol: 'legacy',
      encodings: ['JSON-Z85P', 'JSON-B32', 'JSON-HEX'],
      ciphers: ['AES-GCM'],
    });
    assert.equal(pair.hub.encoding, 'JSON-B32');
  });

  it('the hub verifies the client envelope: a wrong password closes with 1008', async () => {
    await assert.rejects(handshake({ protocol: 'legacy', clientPassword: 'wrong' }), {
      code: 'HL_ERR_HANDSHAKE_VERIFY_FAILED',
      closeCode: 1008,
      message: 'password handshake verification failed',
    });
  });

  it('a hub minimum of v3 refuses the legacy handshake with a reason', async () => {
    await assert.rejects(handshake({ protocol: 'legacy', offer: offer({ minProtocol: 3 }) }), {
      code: 'HL_ERR_PROTOCOL_VERSION',
      closeCode: 1008,
      message: 'legacy handshake at protocol v2 is below the configured minimum v3',
    });
  });

  it('no common cipher is a negotiation failure', async () => {
    await assert.rejects(
      handshake({
        protocol: 'legacy',
        ciphers: ['AES-GCM'],
        offer: offer({ ciphers: ['CHACHA20-POLY1305'] }),
      }),
      { code: 'HL_ERR_NEGOTIATION_FAILED' },
    );
  });

  it('rejects cleartext after the handshake, HELLO included; a repeated HANDSHAKE only until a frame is proven', async () => {
    const pair = await handshake({ protocol: 'legacy' });
    assert.throws(() => pair.hub.open({ kind: 'text', text: serializeHiveMessage(busMessage('hi')) }), {
      code: 'HL_ERR_CLEARTEXT_REJECTED',
      closeCode: 1008,
    });
    const hello = createHiveMessage(HiveMessageType.HELLO, {
      pubkey: null,
      session: { session_id: 's' },
      site_id: 'x',
    });
    assert.throws(() => pair.hub.open({ kind: 'text', text: serializeHiveMessage(hello) }), {
      code: 'HL_ERR_CLEARTEXT_REJECTED',
      message: /unencrypted hello rejected/,
    });
    const shake = createHiveMessage(HiveMessageType.HANDSHAKE, { envelope: 'aa' });
    const text = serializeHiveMessage(shake);
    assert.equal(pair.hub.open({ kind: 'text', text })?.msg_type, 'shake', 'the Python client may repeat it');
    const sealed = pair.client.seal(busMessage('proof'))[0]!;
    assert.equal(pair.hub.open(sealed)?.msg_type, 'bus');
    assert.throws(() => pair.hub.open({ kind: 'text', text }), {
      code: 'HL_ERR_CLEARTEXT_REJECTED',
      message: /cleartext handshake rejected/,
    });
    assert.throws(() => pair.hub.open(sealed), { code: 'HL_ERR_REPLAYED', closeCode: 1008 });
  });

  it('a tampered envelope fails with HL_ERR_DECRYPT_FAILED', async () => {
    const pair = await handshake({ protocol: 'legacy', encodings: ['JSON-HEX'], ciphers: ['AES-GCM'] });
    const frame = pair.client.seal(busMessage('hi'))[0]! as Extract<WireFrame, { kind: 'text' }>;
    const env = JSON.parse(frame.text) as { ciphertext: string };
    const c = env.ciphertext;
    env.ciphertext = (c[0] === '0' ? '1' : '0') + c.slice(1);
    assert.throws(() => pair.hub.open({ kind: 'text', text: JSON.stringify(env) }), {
      code: 'HL_ERR_DECRYPT_FAILED',
      closeCode: 1008,
    });
  });

  it('an oversized frame fails with HL_ERR_FRAME_TOO_LARGE (1009)', async () => {
    const pair = await handshake({ protocol: 'legacy' });
    assert.throws(() => pair.hub.open({ kind: 'text', text: 'x'.repeat(9 * 1024 * 1024) }), {
      code: 'HL_ERR_FRAME_TOO_LARGE',
      closeCode: 1009,
    });
  });
});
