/**
 * Initiator ↔ responder round trips with random keys for every pattern and suite, on both backends (the vectors
 * hold no responder private keys, so this is how the responder side is proven), plus the failures a user would
 * see: wrong PSK, tampered prologue, wrong pinned key, tampered or malformed messages, calls out of turn.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserBackend } from '../../../src/crypto/backend.browser.js';
import type { CryptoBackend, X25519KeyPair } from '../../../src/crypto/backend.js';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import {
  MAX_HANDSHAKE_PAYLOAD_BYTES,
  NOISE_PATTERNS,
  NOISE_SUITES,
  NoiseHandshake,
  type NoiseHandshakeInit,
  type NoisePattern,
  type NoiseSuite,
} from '../../../src/crypto/noise/index.js';
import { type ErrorCode, HiveLinkError, isHiveLinkError } from '../../../src/errors.js';
import { hex } from '../../helpers/vectors.js';

const BACKENDS: [string, CryptoBackend][] = [
  ['node', nodeBackend],
  ['browser', browserBackend],
];
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function fails(code: ErrorCode, stage?: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof HiveLinkError, `expected a HiveLinkError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (stage !== undefined) assert.equal(err.stage, stage);
    return true;
  };
}

interface Peers {
  backend: CryptoBackend;
  pattern: NoisePattern;
  suite: NoiseSuite;
  initiatorKeys: X25519KeyPair;
  responderKeys: X25519KeyPair;
  initiator: NoiseHandshake;
  responder: NoiseHandshake;
}

interface PeerOverrides {
  initiator?: Partial<NoiseHandshakeInit>;
  responder?: Partial<NoiseHandshakeInit>;
}

function makePeers(
  backend: CryptoBackend,
  pattern: NoisePattern,
  suite: NoiseSuite,
  overrides: PeerOverrides = {},
): Peers {
  const initiatorKeys = backend.x25519KeyPair();
  const responderKeys = backend.x25519KeyPair();
  const psk = backend.randomBytes(32);
  const prologue = utf8('{"node_id":"hub"}{"noise":{}}Noise_test');
  const kk = pattern === 'KKpsk0';
  const initiator = new NoiseHandshake(backend, {
    pattern,
    suite,
    role: 'initiator',
    prologue,
    psk,
    staticKeyPair: initiatorKeys,
    ...(kk ? { remoteStaticPublicKey: responderKeys.publicKey } : {}),
    ...overrides.initiator,
  });
  const responder = new NoiseHandshake(backend, {
    pattern,
    suite,
    role: 'responder',
    prologue,
    psk,
    staticKeyPair: responderKeys,
    ...(kk ? { remoteStaticPublicKey: initiatorKeys.publicKey } : {}),
    ...overrides.responder,
  });
  return { backend, pattern, suite, initiatorKeys, responderKeys, initiator, responder };
}

/** Runs every handshake message, initiator first, and returns the payloads each side read. */
function runHandshake(p: Peers): string[] {
  const read: string[] = [];
  const payloads = ['{"binarize":false,"encodings":["JSON-HEX"]}', '{"encoding":"JSON-HEX"}', ''];
  let writer = p.initiator;
  let reader = p.responder;
  for (let i = 0; !p.initiator.complete || !p.responder.complete; i += 1) {
    read.push(text(reader.readMessage(writer.writeMessage(utf8(payloads[i]!)))));
    [writer, reader] = [reader, writer];
  }
  return read;
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  out[index]! ^= 0x01;
  return out;
}

for (const [backendName, backend] of BACKENDS) {
  for (const pattern of NOISE_PATTERNS) {
    for (const suite of NOISE_SUITES) {
      describe(`Noise ${pattern} ${suite} (${backendName} backend)`, () => {
        it('completes a round trip: payloads arrive, hashes and keys agree, transport works both ways', () => {
          const p = makePeers(backend, pattern, suite);
          const read = runHandshake(p);
          assert.equal(read.length, pattern === 'XXpsk2' ? 3 : 2);
          assert.equal(read[0], '{"binarize":false,"encodings":["JSON-HEX"]}');
          assert.equal(read[1], '{"encoding":"JSON-HEX"}');
          assert.equal(hex(p.initiator.handshakeHash()), hex(p.responder.handshakeHash()));
          assert.equal(hex(p.initiator.remoteStaticPublicKey()!), hex(p.responderKeys.publicKey));
          assert.equal(hex(p.responder.remoteStaticPublicKey()!), hex(p.initiatorKeys.publicKey));

          const client = p.initiator.split();
          const hub = p.responder.split();
          for (let i = 0; i < 3; i += 1) {
            assert.equal(text(hub.receive.decrypt(client.send.encrypt(utf8(`up ${i}`)))), `up ${i}`);
            assert.equal(text(client.receive.decrypt(hub.send.encrypt(utf8(`down ${i}`)))), `down ${i}`);
          }
          // The directions use different keys: a frame cannot be reflected back to its sender.
          const own = client.send.encrypt(utf8('reflect'));
          assert.throws(() => client.receive.decrypt(own), fails('HL_ERR_NOISE_DECRYPT'));
        });

        it('fails on a PSK mismatch at the first message that authenticates with it', () => {
          const p = makePeers(backend, pattern, suite, { responder: { psk: backend.randomBytes(32) } });
          const msg1 = p.initiator.writeMessage(utf8('{}'));
          if (pattern === 'KKpsk0') {
            // psk0: mixed in before message 1, so the hub rejects it.
            assert.throws(
              () => p.responder.readMessage(msg1),
              fails('HL_ERR_NOISE_HANDSHAKE_FAILED', 'readMessage1'),
            );
          } else {
            // psk2: message 1 does not depend on it; the client rejects message 2.
            p.responder.readMessage(msg1);
            const msg2 = p.responder.writeMessage(utf8('{}'));
            assert.throws(
              () => p.initiator.readMessage(msg2),
              fails('HL_ERR_NOISE_HANDSHAKE_FAILED', 'readMessage2'),
            );
          }
        });

        it('fails on a tampered prologue at message 1', () => {
          const p = makePeers(backend, pattern, suite, {
            responder: { prologue: utf8('tampered negotiation') },
          });
          const msg1 = p.initiator.writeMessage(utf8('{}'));
          assert.throws(
            () => p.responder.readMessage(msg1),
            fails('HL_ERR_NOISE_HANDSHAKE_FAILED', 'readMessage1'),
          );
        });

        it('rejects any flipped bit in message 2, and stays dead afterwards', () => {
          const probe = makePeers(backend, pattern, suite);
          probe.responder.readMessage(probe.initiator.writeMessage(utf8('{}')));
          const length = probe.responder.writeMessage(utf8('{"encoding":"JSON-HEX"}')).length;
          for (const index of [0, 31, 32, 40, length - 17, length - 1]) {
            const p = makePeers(backend, pattern, suite);
            p.responder.readMessage(p.initiator.writeMessage(utf8('{}')));
            const msg2 = p.responder.writeMessage(utf8('{"encoding":"JSON-HEX"}'));
            assert.throws(
              () => p.initiator.readMessage(flip(msg2, index)),
              fails('HL_ERR_NOISE_HANDSHAKE_FAILED', 'readMessage2'),
              `byte ${index}`,
            );
            assert.equal(p.initiator.failed, true);
            assert.throws(() => p.initiator.readMessage(msg2), fails('HL_ERR_NOISE_HANDSHAKE_FAILED'));
            assert.throws(() => p.initiator.remoteStaticPublicKey(), fails('HL_ERR_NOISE_HANDSHAKE_FAILED'));
          }
        });

        it('rejects a truncated message as malformed', () => {
          const p = makePeers(backend, pattern, suite);
          const msg1 = p.initiator.writeMessage(utf8('{}'));
          assert.throws(
            () => p.responder.readMessage(msg1.subarray(0, 31)),
            fails('HL_ERR_NOISE_STATE', 'readMessage1'),
          );
          const q = makePeers(backend, pattern, suite);
          const msg = q.initiator.writeMessage(new Uint8Array(0));
          // 32 bytes of e + the 16-byte tag of the empty payload: one byte less cannot hold the tag.
          assert.equal(msg.length, 48);
          assert.throws(
            () => q.responder.readMessage(msg.subarray(0, msg.length - 1)),
            fails('HL_ERR_NOISE_STATE', 'readMessage1'),
          );
        });
      });
    }
  }

  describe(`Noise handshake rules (${backendName} backend)`, () => {
    const suite: NoiseSuite = '25519_ChaChaPoly_SHA256';

    for (const [pinner, title] of [
      ['initiator', 'a client pinning the wrong hub key is rejected by the hub at message 1'],
      ['responder', 'a hub pinning the wrong client key rejects message 1'],
    ] as const) {
      it(`KKpsk0: ${title}`, () => {
        const p = makePeers(backend, 'KKpsk0', suite, {
          [pinner]: { remoteStaticPublicKey: backend.x25519KeyPair().publicKey },
        });
        const msg1 = p.initiator.writeMessage(utf8('{}'));
        assert.throws(
          () => p.responder.readMessage(msg1),
          fails('HL_ERR_NOISE_HANDSHAKE_FAILED', 'readMessage1'),
        );
      });
    }

    it('XXpsk2: a pinned key that differs from the one received fails with HL_ERR_NOISE_KEY_MISMATCH', () => {
      const p = makePeers(backend, 'XXpsk2', suite, {
        initiator: { remoteStaticPublicKey: backend.x25519KeyPair().publicKey },
      });
      p.responder.readMessage(p.initiator.writeMessage(utf8('{}')));
      const msg2 = p.responder.writeMessage(utf8('{}'));
      assert.throws(() => p.initiator.readMessage(msg2), fails('HL_ERR_NOISE_KEY_MISMATCH', 'readMessage2'));
    });

    it('XXpsk2: a matching pinned key on both sides completes', () => {
      const initiatorKeys = backend.x25519KeyPair();
      const responderKeys = backend.x25519KeyPair();
      const p = makePeers(backend, 'XXpsk2', suite, {
        initiator: { staticKeyPair: initiatorKeys, remoteStaticPublicKey: responderKeys.publicKey },
        responder: { staticKeyPair: responderKeys, remoteStaticPublicKey: initiatorKeys.publicKey },
      });
      runHandshake(p);
      assert.equal(p.initiator.complete && p.responder.complete, true);
    });

    it('XXpsk2: the responder learns the client key only from message 3', () => {
      const p = makePeers(backend, 'XXpsk2', suite);
      p.responder.readMessage(p.initiator.writeMessage(utf8('{}')));
      assert.equal(p.responder.remoteStaticPublicKey(), null);
      p.initiator.readMessage(p.responder.writeMessage(utf8('{}')));
      assert.equal(p.initiator.complete, false);
      p.responder.readMessage(p.initiator.writeMessage(new Uint8Array(0)));
      assert.equal(hex(p.responder.remoteStaticPublicKey()!), hex(p.initiatorKeys.publicKey));
    });

    it('refuses calls out of turn with HL_ERR_NOISE_STATE, and the object is dead afterwards', () => {
      const p = makePeers(backend, 'XXpsk2', suite);
      assert.throws(() => p.responder.writeMessage(utf8('{}')), fails('HL_ERR_NOISE_STATE', 'writeMessage1'));
      assert.throws(() => p.responder.readMessage(new Uint8Array(64)), fails('HL_ERR_NOISE_STATE'));
      assert.throws(
        () => p.initiator.readMessage(new Uint8Array(64)),
        fails('HL_ERR_NOISE_STATE', 'readMessage1'),
      );
      assert.throws(() => p.initiator.writeMessage(utf8('{}')), fails('HL_ERR_NOISE_STATE', 'readMessage1'));
    });

    it('refuses split and handshakeHash before completion, further messages after it, and a second split', () => {
      const p = makePeers(backend, 'KKpsk0', suite);
      const early = makePeers(backend, 'KKpsk0', suite);
      assert.throws(() => early.initiator.split(), fails('HL_ERR_NOISE_STATE', 'split'));
      assert.throws(
        () => makePeers(backend, 'KKpsk0', suite).initiator.handshakeHash(),
        fails('HL_ERR_NOISE_STATE'),
      );
      runHandshake(p);
      assert.throws(() => p.initiator.writeMessage(utf8('{}')), fails('HL_ERR_NOISE_STATE', 'writeMessage3'));
      const q = makePeers(backend, 'KKpsk0', suite);
      runHandshake(q);
      q.responder.split();
      assert.throws(() => q.responder.split(), fails('HL_ERR_NOISE_STATE', 'split'));
    });

    it('rejects a low-order ephemeral key (all zeros) without crashing', () => {
      for (const pattern of NOISE_PATTERNS) {
        const p = makePeers(backend, pattern, suite);
        p.responder.readMessage(p.initiator.writeMessage(utf8('{}')));
        const msg2 = p.responder.writeMessage(utf8('{}'));
        msg2.fill(0, 0, 32);
        assert.throws(
          () => p.initiator.readMessage(msg2),
          fails('HL_ERR_NOISE_HANDSHAKE_FAILED', 'readMessage2'),
        );
      }
    });

    it('answers random bytes with HiveLinkErrors only', () => {
      for (let i = 0; i < 50; i += 1) {
        const pattern = NOISE_PATTERNS[i % 2]!;
        const p = makePeers(backend, pattern, suite);
        const junk = backend.randomBytes(i * 3);
        assert.throws(
          () => p.responder.readMessage(junk),
          (err) =>
            isHiveLinkError(err, 'HL_ERR_NOISE_STATE') ||
            isHiveLinkError(err, 'HL_ERR_NOISE_HANDSHAKE_FAILED'),
        );
      }
    });

    it('checks its configuration', () => {
      const base: NoiseHandshakeInit = {
        pattern: 'XXpsk2',
        suite,
        role: 'initiator',
        prologue: new Uint8Array(0),
        psk: new Uint8Array(32),
        staticKeyPair: backend.x25519KeyPair(),
      };
      const bad: [Partial<NoiseHandshakeInit> | Record<string, unknown>, ErrorCode][] = [
        [{ pattern: 'IKpsk2' }, 'HL_ERR_NOISE_UNSUPPORTED'],
        [{ suite: '448_ChaChaPoly_BLAKE2b' }, 'HL_ERR_NOISE_UNSUPPORTED'],
        [{ role: 'both' }, 'HL_ERR_INVALID_ARGUMENT'],
        [{ psk: new Uint8Array(31) }, 'HL_ERR_INVALID_ARGUMENT'],
        [{ pattern: 'KKpsk0' }, 'HL_ERR_INVALID_ARGUMENT'],
        [{ remoteStaticPublicKey: new Uint8Array(33) }, 'HL_ERR_INVALID_ARGUMENT'],
        [
          { staticKeyPair: { privateKey: new Uint8Array(32), publicKey: new Uint8Array(3) } },
          'HL_ERR_INVALID_ARGUMENT',
        ],
        [{ maxNonce: 3 }, 'HL_ERR_INVALID_ARGUMENT'],
      ];
      for (const [change, code] of bad) {
        const init = { ...base, ...change } as NoiseHandshakeInit;
        assert.throws(
          () => new NoiseHandshake(backend, init),
          fails(code),
          JSON.stringify(Object.keys(change)),
        );
      }
    });

    it('refuses an oversized payload before touching the state, and leaves the caller’s keys intact', () => {
      const p = makePeers(backend, 'XXpsk2', suite);
      const before = hex(p.initiatorKeys.privateKey);
      assert.throws(
        () => p.initiator.writeMessage(new Uint8Array(MAX_HANDSHAKE_PAYLOAD_BYTES + 1)),
        fails('HL_ERR_INVALID_ARGUMENT', 'writeMessage1'),
      );
      const q = makePeers(backend, 'XXpsk2', suite);
      const big = q.initiator.writeMessage(new Uint8Array(MAX_HANDSHAKE_PAYLOAD_BYTES));
      assert.ok(big.length <= 65535);
      assert.equal(q.responder.readMessage(big).length, MAX_HANDSHAKE_PAYLOAD_BYTES);
      runHandshake(makePeers(backend, 'XXpsk2', suite, { initiator: { staticKeyPair: p.initiatorKeys } }));
      assert.equal(hex(p.initiatorKeys.privateKey), before);
    });

    it('passes maxNonce on to the transport cipher states', () => {
      const p = makePeers(backend, 'KKpsk0', suite, { initiator: { maxNonce: 16 } });
      runHandshake(p);
      const { send } = p.initiator.split();
      for (let i = 0; i < 16; i += 1) send.encrypt(new Uint8Array(1));
      assert.throws(() => send.encrypt(new Uint8Array(1)), fails('HL_ERR_NONCE_EXHAUSTED'));
    });
  });
}
