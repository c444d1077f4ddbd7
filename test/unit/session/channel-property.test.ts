/**
 * Property tests: random HiveMessages through every legacy cipher × encoding × JSON/bitstring form and through
 * both v3 suites arrive exactly as the codec defines them; and any mutated byte or truncation of a frame gives a
 * documented error, never a wrong message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { LEGACY_CIPHERS } from '../../../src/crypto/legacy-cipher.js';
import type { NoiseSuite } from '../../../src/crypto/noise/index.js';
import { isHiveLinkError } from '../../../src/errors.js';
import { decodeBitstring } from '../../../src/protocol/bitstring.js';
import { ENCODING_NAMES } from '../../../src/protocol/encodings.js';
import { type HiveMessage, hiveMessageToJson } from '../../../src/protocol/message.js';
import { bitstringFor, LegacyChannel, V3Channel } from '../../../src/session/channel.js';
import type { SecureChannel, WireFrame } from '../../../src/session/types.js';
import { V3Transport } from '../../../src/session/v3-transport.js';
import { xxTransportCiphers } from '../../helpers/noise-pair.js';
import { bitstringHiveMessage, jsonHiveMessage } from '../protocol/arbitraries.js';

const anyMessage = fc.oneof(jsonHiveMessage(2), bitstringHiveMessage);

/** What the receiver must see: the message itself, or its bitstring decoding when it travels as a bitstring. */
function expected(message: HiveMessage, binarize: boolean): unknown {
  const bits = bitstringFor(message, binarize);
  const m = bits === null ? message : decodeBitstring(bits);
  return m.msg_type === 'bin' ? m : hiveMessageToJson(m);
}

function received(m: HiveMessage | null): unknown {
  assert.ok(m !== null);
  return m.msg_type === 'bin' ? m : hiveMessageToJson(m);
}

function v3Pair(suite: NoiseSuite, binarize: boolean): [SecureChannel, SecureChannel] {
  const [i, r] = xxTransportCiphers(suite);
  return [
    new V3Channel({ transport: new V3Transport(i), suite, binarize }),
    new V3Channel({ transport: new V3Transport(r), suite, binarize }),
  ];
}

function mutate(frame: WireFrame, index: number, truncate: boolean): WireFrame {
  if (frame.kind === 'binary') {
    const data = frame.data.slice();
    if (truncate) return { kind: 'binary', data: data.subarray(0, index % data.length) };
    data[index % data.length]! ^= 0x01 << (index % 8);
    return { kind: 'binary', data };
  }
  const text = frame.text;
  if (truncate) return { kind: 'text', text: text.slice(0, index % text.length) };
  const i = index % text.length;
  const c = text.charCodeAt(i);
  return {
    kind: 'text',
    text: text.slice(0, i) + String.fromCharCode(c === 0x41 ? 0x42 : 0x41) + text.slice(i + 1),
  };
}

describe('legacy channel properties', () => {
  for (const cipher of LEGACY_CIPHERS) {
    for (const encoding of ENCODING_NAMES) {
      for (const binarize of [false, true]) {
        it(`${cipher} × ${encoding} × ${binarize ? 'bitstring' : 'JSON'}: round trip and tamper`, () => {
          const key = nodeBackend.randomBytes(32);
          const a = new LegacyChannel(nodeBackend, { key, cipher, encoding, binarize });
          const b = new LegacyChannel(nodeBackend, { key, cipher, encoding, binarize });
          fc.assert(
            fc.property(anyMessage, fc.nat(), fc.boolean(), (message, index, truncate) => {
              const frames = a.seal(message);
              assert.equal(frames.length, 1);
              assert.deepEqual(received(b.open(frames[0]!)), expected(message, binarize));
              const bad = mutate(frames[0]!, index, truncate);
              try {
                const got = b.open(bad);
                // A mutation may only survive where it cannot reach the authenticated bytes: JSON whitespace-free
                // envelopes have none, so anything that opens must be the original message.
                assert.deepEqual(received(got), expected(message, binarize));
              } catch (err) {
                assert.ok(isHiveLinkError(err), `unexpected ${String(err)}`);
              }
            }),
            { numRuns: 25 },
          );
        });
      }
    }
  }
});

describe('v3 channel properties', () => {
  for (const suite of ['25519_ChaChaPoly_SHA256', '25519_AESGCM_SHA256'] as const) {
    for (const binarize of [false, true]) {
      it(`${suite} × ${binarize ? 'bitstring' : 'JSON'}: round trip; a mutated frame is fatal`, () => {
        fc.assert(
          fc.property(fc.array(anyMessage, { minLength: 1, maxLength: 5 }), fc.nat(), (messages, index) => {
            const [a, b] = v3Pair(suite, binarize);
            for (const m of messages) {
              let got: HiveMessage | null = null;
              for (const f of a.seal(m)) got = b.open(f);
              assert.deepEqual(received(got), expected(m, binarize));
            }
            const frame = a.seal(messages[0]!)[0]!;
            assert.throws(() => b.open(mutate(frame, index, false)), { code: 'HL_ERR_NOISE_DECRYPT' });
          }),
          { numRuns: 20 },
        );
      });
    }
  }
});
