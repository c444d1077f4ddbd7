/**
 * Handshake fields that are JSON objects where strings belong (found by `npm run fuzz`): JSON can give an object
 * its own `toString` key, and `String()` of such an object throws a TypeError. Each side must refuse the message
 * with a HiveLinkError instead — the hub would otherwise log an internal error and close with 1011.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { type HiveMessage, parseHiveMessage } from '../../../src/protocol/message.js';
import { ClientHandshake } from '../../../src/session/client-handshake.js';
import { HubHandshake } from '../../../src/session/hub-handshake.js';

const ODD = { toString: 1, valueOf: 'x' };
const PSK = new Uint8Array(32).fill(3);

function hub(): HubHandshake {
  return new HubHandshake({
    backend: nodeBackend,
    hello: { pubkey: 'pem', peer: 'ua::1', node_id: 'hub-node' },
    offer: {
      minProtocol: 2,
      maxProtocol: 3,
      binarize: false,
      encodings: ['JSON-HEX'],
      ciphers: ['AES-GCM'],
      noise: { patterns: ['XXpsk2'], suites: ['25519_ChaChaPoly_SHA256'] },
    },
    password: 'pw',
    noiseStatic: nodeBackend.x25519KeyPair(),
    pinnedClientKey: null,
    psk: async () => PSK,
  });
}

function client(): ClientHandshake {
  return new ClientHandshake({
    backend: nodeBackend,
    password: 'pw',
    psk: PSK,
    derivePsk: async () => PSK,
    pinnedHubKey: null,
    staticKeyPair: nodeBackend.x25519KeyPair(),
  });
}

/** A message as it arrives: parsed from text, so `toString` is an own data property. */
function wire(value: unknown): HiveMessage {
  return parseHiveMessage(JSON.stringify(value));
}

describe('handshake fields holding objects with their own toString', () => {
  it('the hub refuses a Noise pattern or suite that is such an object with HL_ERR_NOISE_UNSUPPORTED', async () => {
    for (const noise of [
      { pattern: ODD, suite: '25519_ChaChaPoly_SHA256', msg: '00' },
      { pattern: 'XXpsk2', suite: ODD, msg: '00' },
    ]) {
      await assert.rejects(hub().handle(wire({ msg_type: 'shake', payload: { noise } })), {
        name: 'HiveLinkError',
        code: 'HL_ERR_NOISE_UNSUPPORTED',
      });
    }
  });

  it('the client refuses a hub HELLO whose node_id is such an object, and reads the HELLO without throwing', async () => {
    const h = hub();
    const c = client();
    const hello = JSON.parse(JSON.stringify({ msg_type: 'hello', payload: h.helloPayload }));
    hello.payload.node_id = ODD;
    hello.payload.peer = ODD;
    await c.handle(wire(hello));
    assert.deepEqual(c.hubHello, { pubkey: 'pem', peer: '', node_id: '' });
    await assert.rejects(c.handle(wire({ msg_type: 'shake', payload: h.requestPayload })), {
      name: 'HiveLinkError',
      code: 'HL_ERR_HANDSHAKE_UNEXPECTED',
    });
  });

  it('the client refuses a legacy answer whose encoding or cipher is such an object with HL_ERR_NEGOTIATION_FAILED', async () => {
    for (const field of ['encoding', 'cipher']) {
      const h = hub();
      const c = new ClientHandshake({
        backend: nodeBackend,
        password: 'pw',
        derivePsk: async () => PSK,
        protocol: 'legacy',
        pinnedHubKey: null,
        staticKeyPair: nodeBackend.x25519KeyPair(),
      });
      await c.handle(wire({ msg_type: 'hello', payload: h.helloPayload }));
      const sent = await c.handle(wire({ msg_type: 'shake', payload: h.requestPayload }));
      assert.equal(sent.type, 'send');
      const answer = await h.handle(sent.type === 'send' ? sent.send : (null as never));
      assert.equal(answer.type, 'established');
      const reply = JSON.parse(JSON.stringify(answer.type === 'established' ? answer.reply : null));
      reply.payload[field] = ODD;
      await assert.rejects(c.handle(wire(reply)), {
        name: 'HiveLinkError',
        code: 'HL_ERR_NEGOTIATION_FAILED',
      });
    }
  });
});
