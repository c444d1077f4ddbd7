/**
 * v3 transport framing over real Noise cipher states from a finished handshake, on both backends: markers inside
 * the AEAD plaintext, chunking of long messages, and the fatal errors (tampering, replay, reordering, marker
 * sequence, reassembly cap) that poison the transport.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserBackend } from '../../../src/crypto/backend.browser.js';
import type { CryptoBackend } from '../../../src/crypto/backend.js';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { NOISE_SUITES, NoiseHandshake, type NoiseSuite } from '../../../src/crypto/noise/index.js';
import { type ErrorCode, HiveLinkError } from '../../../src/errors.js';
import { V3Transport, type V3TransportOptions } from '../../../src/session/v3-transport.js';

const BACKENDS: [string, CryptoBackend][] = [
  ['node', nodeBackend],
  ['browser', browserBackend],
];
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function fails(code: ErrorCode) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof HiveLinkError, `expected a HiveLinkError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

/** A client and a hub transport after a real KKpsk0 handshake. */
function connect(
  backend: CryptoBackend,
  suite: NoiseSuite,
  options: V3TransportOptions = {},
  maxNonce?: number,
): { client: V3Transport; hub: V3Transport; raw: { clientSend: (p: Uint8Array) => Uint8Array } } {
  const ik = backend.x25519KeyPair();
  const rk = backend.x25519KeyPair();
  const common = {
    pattern: 'KKpsk0',
    suite,
    prologue: utf8('p'),
    psk: backend.randomBytes(32),
    ...(maxNonce === undefined ? {} : { maxNonce }),
  } as const;
  const i = new NoiseHandshake(backend, {
    ...common,
    role: 'initiator',
    staticKeyPair: ik,
    remoteStaticPublicKey: rk.publicKey,
  });
  const r = new NoiseHandshake(backend, {
    ...common,
    role: 'responder',
    staticKeyPair: rk,
    remoteStaticPublicKey: ik.publicKey,
  });
  r.readMessage(i.writeMessage(new Uint8Array(0)));
  i.readMessage(r.writeMessage(new Uint8Array(0)));
  const clientCiphers = i.split();
  const client = new V3Transport(clientCiphers, options);
  const hub = new V3Transport(r.split(), options);
  // Raw access to the client's send cipher, to forge frames with arbitrary markers.
  return { client, hub, raw: { clientSend: (p) => clientCiphers.send.encrypt(p) } };
}

function body(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
}

for (const [backendName, backend] of BACKENDS) {
  for (const suite of NOISE_SUITES) {
    describe(`V3Transport ${suite} (${backendName} backend)`, () => {
      it('sends a short JSON or bitstring message as one frame with its marker inside the ciphertext', () => {
        const { client, hub } = connect(backend, suite);
        const json = client.seal('json', utf8('{"msg_type":"bus"}'));
        assert.equal(json.length, 1);
        assert.equal(json[0]!.length, 1 + 18 + 16);
        assert.deepEqual(hub.open(json[0]!), { kind: 'json', body: utf8('{"msg_type":"bus"}') });
        const bits = hub.seal('bitstring', Uint8Array.of(0x82, 0x02));
        assert.deepEqual(client.open(bits[0]!), { kind: 'bitstring', body: Uint8Array.of(0x82, 0x02) });
        const empty = client.seal('json', new Uint8Array(0));
        assert.deepEqual(hub.open(empty[0]!), { kind: 'json', body: new Uint8Array(0) });
      });

      it('chunks a 200 000-byte message into 65 000-byte frames and reassembles it', () => {
        const { client, hub } = connect(backend, suite);
        const message = body(200_000);
        const frames = client.seal('bitstring', message);
        assert.deepEqual(
          frames.map((f) => f.length),
          [65001 + 16, 65001 + 16, 65001 + 16, 5001 + 16],
        );
        const results = frames.map((f) => hub.open(f));
        assert.deepEqual(results.slice(0, 3), [null, null, null]);
        assert.equal(results[3]!.kind, 'bitstring');
        assert.deepEqual(results[3]!.body, message);
        // A whole message after the reassembly is fine again.
        assert.equal(text(hub.open(client.seal('json', utf8('{}'))[0]!)!.body), '{}');
      });

      it('keeps a body of exactly chunkBytes in one frame, and chunks one byte more', () => {
        const { client, hub } = connect(backend, suite, { chunkBytes: 100 });
        const one = client.seal('json', body(100));
        assert.equal(one.length, 1);
        assert.deepEqual(hub.open(one[0]!)!.body, body(100));
        const two = client.seal('json', body(101));
        assert.equal(two.length, 2);
        assert.equal(hub.open(two[0]!), null);
        assert.deepEqual(hub.open(two[1]!), { kind: 'json', body: body(101) });
      });

      it('refuses to seal a message that needs more nonces than are left, consuming none', () => {
        const { client, hub } = connect(backend, suite, { chunkBytes: 64 }, 16);
        assert.throws(() => client.seal('json', body(64 * 17)), fails('HL_ERR_NONCE_EXHAUSTED'));
        const frames = client.seal('json', body(64 * 16));
        assert.equal(frames.length, 16);
        assert.deepEqual(frames.map((f) => hub.open(f)).at(-1), { kind: 'json', body: body(64 * 16) });
        assert.throws(() => client.seal('json', new Uint8Array(0)), fails('HL_ERR_NONCE_EXHAUSTED'));
      });

      it('refuses a replayed frame with HL_ERR_NOISE_DECRYPT and stays poisoned', () => {
        const { client, hub } = connect(backend, suite);
        const [f0] = client.seal('json', utf8('{"a":1}'));
        const [f1] = client.seal('json', utf8('{"a":2}'));
        hub.open(f0!);
        assert.throws(() => hub.open(f0!), fails('HL_ERR_NOISE_DECRYPT'));
        assert.equal(hub.failed, true);
        assert.throws(() => hub.open(f1!), fails('HL_ERR_NOISE_DECRYPT'));
      });

      it('refuses reordered frames', () => {
        const { client, hub } = connect(backend, suite);
        const [f0] = client.seal('json', utf8('{"a":1}'));
        const [f1] = client.seal('json', utf8('{"a":2}'));
        assert.throws(() => hub.open(f1!), fails('HL_ERR_NOISE_DECRYPT'));
        assert.throws(() => hub.open(f0!), fails('HL_ERR_NOISE_DECRYPT'));
      });

      it('refuses a bit-flipped frame', () => {
        for (const index of [0, 5, 20]) {
          const { client, hub } = connect(backend, suite);
          const frame = client.seal('json', utf8('{"msg_type":"bus"}'))[0]!;
          frame[index]! ^= 0x04;
          assert.throws(() => hub.open(frame), fails('HL_ERR_NOISE_DECRYPT'));
        }
      });

      it('refuses frames that are too short or longer than one Noise message', () => {
        const { hub } = connect(backend, suite);
        assert.throws(() => hub.open(new Uint8Array(3)), fails('HL_ERR_NOISE_DECRYPT'));
        const other = connect(backend, suite);
        assert.throws(() => other.hub.open(new Uint8Array(65536)), fails('HL_ERR_FRAME_TOO_LARGE'));
      });
    });
  }

  describe(`V3Transport marker sequence (${backendName} backend)`, () => {
    const suite: NoiseSuite = '25519_ChaChaPoly_SHA256';
    const cases: [string, number[]][] = [
      ['an unknown marker', [0x06]],
      ['a marker of 0xff', [0xff]],
      ['an empty plaintext with no marker', []],
      ['MORE with no chunked message open', [0x04]],
      ['LAST with no chunked message open', [0x05]],
      ['a FIRST while a chunked message is open', [0x02, 0x03]],
      ['a whole JSON message while a chunked message is open', [0x02, 0x00]],
      ['a whole bitstring while a chunked message is open', [0x03, 0x04, 0x01]],
    ];
    for (const [name, markers] of cases) {
      it(`fails with HL_ERR_CHUNK_SEQUENCE on ${name}, then stays poisoned`, () => {
        const { client, hub, raw } = connect(backend, suite);
        const frames =
          markers.length === 0
            ? [raw.clientSend(new Uint8Array(0))]
            : markers.map((m) => raw.clientSend(Uint8Array.of(m, 0x41)));
        const last = frames.pop()!;
        for (const f of frames) assert.equal(hub.open(f), null);
        assert.throws(() => hub.open(last), fails('HL_ERR_CHUNK_SEQUENCE'));
        assert.throws(() => hub.open(client.seal('json', utf8('{}'))[0]!), fails('HL_ERR_CHUNK_SEQUENCE'));
      });
    }

    it('accepts FIRST, MORE, LAST built by hand, with empty chunks', () => {
      const { hub, raw } = connect(backend, suite);
      assert.equal(hub.open(raw.clientSend(Uint8Array.of(0x02, 0x7b))), null);
      assert.equal(hub.open(raw.clientSend(Uint8Array.of(0x04))), null);
      assert.deepEqual(hub.open(raw.clientSend(Uint8Array.of(0x05, 0x7d))), {
        kind: 'json',
        body: utf8('{}'),
      });
    });

    it('fails with HL_ERR_REASSEMBLY_TOO_LARGE past the cap, and stays poisoned', () => {
      const { client, hub } = connect(backend, suite, { chunkBytes: 1000, maxReassemblyBytes: 65_000 });
      const frames = client.seal('bitstring', body(65_001));
      assert.equal(frames.length, 66);
      for (const f of frames.slice(0, 65)) assert.equal(hub.open(f), null);
      assert.throws(() => hub.open(frames[65]!), fails('HL_ERR_REASSEMBLY_TOO_LARGE'));
      assert.throws(
        () => hub.open(client.seal('json', utf8('{}'))[0]!),
        fails('HL_ERR_REASSEMBLY_TOO_LARGE'),
      );
    });

    it('accepts a message of exactly the cap', () => {
      const { client, hub } = connect(backend, suite, { chunkBytes: 1000, maxReassemblyBytes: 65_000 });
      const frames = client.seal('json', body(65_000));
      const out = frames.map((f) => hub.open(f)).at(-1);
      assert.equal(out!.body.length, 65_000);
    });

    it('checks its options and arguments', () => {
      for (const options of [
        { chunkBytes: 63 },
        { chunkBytes: 65_519 },
        { chunkBytes: 1.5 },
        { maxReassemblyBytes: 10 },
      ]) {
        assert.throws(() => connect(backend, suite, options), fails('HL_ERR_INVALID_ARGUMENT'));
      }
      const { client } = connect(backend, suite);
      assert.throws(() => client.seal('text' as 'json', new Uint8Array(1)), fails('HL_ERR_INVALID_ARGUMENT'));
    });
  });
}
