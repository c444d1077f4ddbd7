/**
 * Known-answer tests: our initiator, given the fixed static and ephemeral keys of the HiveMind-js vectors
 * (test/fixtures/vectors/noise-v3.json), must produce and accept exactly the recorded bytes for all four
 * pattern/suite pairs, on both backends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserBackend } from '../../../src/crypto/backend.browser.js';
import type { CryptoBackend } from '../../../src/crypto/backend.js';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import {
  buildNoisePrologue,
  NoiseHandshake,
  type NoisePattern,
  type NoiseSuite,
  noiseProtocolName,
} from '../../../src/crypto/noise/index.js';
import { isHiveLinkError } from '../../../src/errors.js';
import { hex, loadVectors, unhex } from '../../helpers/vectors.js';

interface NoiseVector {
  psk_hex: string;
  initiator_static_hex: string;
  initiator_ephemeral_hex: string;
  responder_static_pub_hex: string;
  msg1_payload: string;
  msg2_payload: string;
  server_transport_plaintext: string;
  client_transport_plaintext: string;
  suite: NoiseSuite;
  protocol_name: string;
  prologue_hex: string;
  msg1_hex: string;
  msg2_hex: string;
  msg3_hex?: string;
  handshake_hash_hex: string;
  server_transport_frame_hex: string;
  expected_client_transport_frame_hex: string;
  hello_payload: unknown;
  handshake_payload: unknown;
  msg2_wrong_psk_hex?: string;
}

const vectors = loadVectors<Record<string, NoiseVector>>('noise-v3.json');
const CASES: [string, NoisePattern][] = [
  ['xxpsk2_chacha', 'XXpsk2'],
  ['xxpsk2_aesgcm', 'XXpsk2'],
  ['kkpsk0_chacha', 'KKpsk0'],
  ['kkpsk0_aesgcm', 'KKpsk0'],
];
const BACKENDS: [string, CryptoBackend][] = [
  ['node', nodeBackend],
  ['browser', browserBackend],
];
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function initiator(backend: CryptoBackend, v: NoiseVector, pattern: NoisePattern): NoiseHandshake {
  return new NoiseHandshake(backend, {
    pattern,
    suite: v.suite,
    role: 'initiator',
    prologue: buildNoisePrologue(v.hello_payload, v.handshake_payload, noiseProtocolName(pattern, v.suite)),
    psk: unhex(v.psk_hex),
    staticKeyPair: backend.x25519KeyPair(unhex(v.initiator_static_hex)),
    ephemeralKeyPair: backend.x25519KeyPair(unhex(v.initiator_ephemeral_hex)),
    ...(pattern === 'KKpsk0' ? { remoteStaticPublicKey: unhex(v.responder_static_pub_hex) } : {}),
  });
}

for (const [backendName, backend] of BACKENDS) {
  describe(`Noise known answers (${backendName} backend)`, () => {
    for (const [name, pattern] of CASES) {
      const v = vectors[name]!;
      describe(name, () => {
        it('names the protocol and builds the recorded prologue', () => {
          assert.equal(noiseProtocolName(pattern, v.suite), v.protocol_name);
          const prologue = buildNoisePrologue(v.hello_payload, v.handshake_payload, v.protocol_name);
          assert.equal(hex(prologue), v.prologue_hex);
        });

        it('runs the initiator side byte for byte, then the transport', () => {
          const hs = initiator(backend, v, pattern);
          assert.equal(hex(hs.writeMessage(utf8(v.msg1_payload))), v.msg1_hex);
          assert.equal(text(hs.readMessage(unhex(v.msg2_hex))), v.msg2_payload);
          if (v.msg3_hex !== undefined) {
            assert.equal(hs.complete, false);
            assert.equal(hex(hs.writeMessage(new Uint8Array(0))), v.msg3_hex);
          }
          assert.equal(hs.complete, true);
          assert.equal(hex(hs.handshakeHash()), v.handshake_hash_hex);
          assert.equal(hex(hs.remoteStaticPublicKey()!), v.responder_static_pub_hex);

          const { send, receive } = hs.split();
          // The marker byte (0x00 = whole JSON message) is inside the AEAD plaintext.
          const server = receive.decrypt(unhex(v.server_transport_frame_hex));
          assert.equal(server[0], 0x00);
          assert.equal(text(server.subarray(1)), v.server_transport_plaintext);
          const client = send.encrypt(utf8(`\x00${v.client_transport_plaintext}`));
          assert.equal(hex(client), v.expected_client_transport_frame_hex);
        });

        if (v.msg2_wrong_psk_hex !== undefined) {
          it('rejects the msg2 a responder with the wrong PSK sends', () => {
            const hs = initiator(backend, v, pattern);
            hs.writeMessage(utf8(v.msg1_payload));
            assert.throws(
              () => hs.readMessage(unhex(v.msg2_wrong_psk_hex!)),
              (err) =>
                isHiveLinkError(err, 'HL_ERR_NOISE_HANDSHAKE_FAILED') &&
                err.stage === 'readMessage2' &&
                err.closeCode === 1008,
            );
            assert.equal(hs.failed, true);
            // Dead: even the correct message is refused now.
            assert.throws(
              () => hs.readMessage(unhex(v.msg2_hex)),
              (err) => isHiveLinkError(err, 'HL_ERR_NOISE_HANDSHAKE_FAILED'),
            );
          });
        }
      });
    }
  });
}
