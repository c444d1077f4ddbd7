/**
 * Four real sessions between the reference hub (hivemind-core 4.0.0) and the reference client
 * (hivemind-bus-client 0.4.3), captured on the wire (legacy-sessions/session1..4.json). For each one: the password
 * envelopes verify, the negotiation picks what the reference picked, salt and key match, every encrypted frame
 * decrypts to the recorded plaintext and parses as a HiveMessage, and what we re-encrypt decrypts the same way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserBackend } from '../../../src/crypto/backend.browser.js';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import * as legacy from '../../../src/crypto/index.js';
import { decodeBitstring, encodeBitstring } from '../../../src/protocol/bitstring.js';
import { ENCODING_NAMES, type EncodingName, isEncodingName } from '../../../src/protocol/encodings.js';
import { type HiveMessage, parseHiveMessage } from '../../../src/protocol/message.js';
import { hex, loadVectors, unhex } from '../../helpers/vectors.js';

interface SessionFrame {
  event?: string;
  dir?: 'C>S' | 'S>C';
  kind?: 'text' | 'binary';
  text?: string;
  plaintext?: string;
  hex?: string;
  plaintext_hex?: string;
}
interface Session {
  description: string;
  password: string;
  negotiated: { cipher: string; encoding: string };
  client_envelope: string;
  server_envelope: string;
  salt_hex: string;
  session_key_hex: string;
  frames: SessionFrame[];
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The two cleartext HANDSHAKE frames: the client's offer and the hub's reply. */
function handshakeFrames(session: Session): { offer: HiveMessage; reply: HiveMessage } {
  const shakes = session.frames
    .filter((f) => f.kind === 'text' && f.text !== undefined && f.plaintext === undefined)
    .map((f) => ({ dir: f.dir, msg: parseHiveMessage(f.text) }))
    .filter((f) => f.msg.msg_type === 'shake');
  const offer = shakes.find((f) => f.dir === 'C>S');
  const reply = shakes.find((f) => f.dir === 'S>C' && 'envelope' in (f.msg.payload as object));
  assert.ok(offer && reply, 'the session records both HANDSHAKE frames');
  return { offer: offer.msg, reply: reply.msg };
}

for (const n of [1, 2, 3, 4]) {
  const session = loadVectors<Session>(`legacy-sessions/session${n}.json`);
  const encrypted = session.frames.filter((f) => f.plaintext !== undefined || f.plaintext_hex !== undefined);

  describe(`reference session ${n}: ${session.description}`, () => {
    const { cipher, encoding } = session.negotiated;
    assert.ok(legacy.isLegacyCipherName(cipher));
    assert.ok(isEncodingName(encoding));
    const key = unhex(session.session_key_hex);

    it('both envelopes prove the password (and would not for another)', () => {
      assert.ok(legacy.verifyEnvelope(nodeBackend, session.password, session.client_envelope));
      assert.ok(legacy.verifyEnvelope(nodeBackend, session.password, session.server_envelope));
      assert.equal(
        legacy.verifyEnvelope(nodeBackend, `${session.password}x`, session.client_envelope),
        false,
      );
      assert.equal(
        legacy.verifyEnvelope(nodeBackend, `${session.password}x`, session.server_envelope),
        false,
      );
    });

    it('the HANDSHAKE frames carry the envelopes, and our negotiation picks what the reference hub picked', () => {
      const { offer, reply } = handshakeFrames(session);
      const offered = offer.payload as { envelope: string; encodings: string[]; ciphers: string[] };
      const answered = reply.payload as { envelope: string; encoding: string; cipher: string };
      assert.equal(offered.envelope, session.client_envelope);
      assert.equal(answered.envelope, session.server_envelope);
      assert.equal(answered.encoding, encoding);
      assert.equal(answered.cipher, cipher);
      // The hub's allowed lists are in its HANDSHAKE request (the first "shake" it sent).
      const request = session.frames
        .filter(
          (f) => f.dir === 'S>C' && f.kind === 'text' && f.text !== undefined && f.plaintext === undefined,
        )
        .map((f) => parseHiveMessage(f.text))
        .find((m) => m.msg_type === 'shake' && 'encodings' in (m.payload as object));
      assert.ok(request);
      const allowed = request.payload as { encodings: string[]; ciphers: string[] };
      const hubEncodings = allowed.encodings.filter((e): e is EncodingName => isEncodingName(e));
      const hubCiphers = allowed.ciphers.filter((c): c is legacy.LegacyCipherName =>
        legacy.isLegacyCipherName(c),
      );
      assert.equal(legacy.negotiate(offered.encodings, hubEncodings, 'encoding'), encoding);
      assert.equal(legacy.negotiate(offered.ciphers, hubCiphers, 'cipher'), cipher);
    });

    it('salt and session key match the recording', async () => {
      const salt = legacy.deriveSalt(session.client_envelope, session.server_envelope);
      assert.equal(hex(salt), session.salt_hex);
      assert.equal(
        hex(await legacy.deriveSessionKey(nodeBackend, session.password, salt)),
        session.session_key_hex,
      );
    });

    it('records encrypted frames to check', () => assert.ok(encrypted.length >= 3));

    for (const [i, frame] of encrypted.entries()) {
      if (frame.kind === 'text') {
        it(`${frame.dir} text frame #${i} decrypts to the recorded HiveMessage, and our re-encryption reads back`, () => {
          const parsed: unknown = JSON.parse(frame.text!);
          assert.ok(legacy.isEncryptedEnvelope(parsed));
          const plaintext = legacy.decryptJsonEnvelope(nodeBackend, cipher, encoding, key, parsed);
          assert.equal(text(plaintext), frame.plaintext);
          const message = parseHiveMessage(text(plaintext));
          assert.ok(message.msg_type.length > 0);

          const ours = legacy.encryptJsonEnvelope(browserBackend, cipher, encoding, key, plaintext);
          const oursParsed = JSON.parse(ours) as Record<string, string>;
          assert.notEqual(oursParsed.nonce, (parsed as Record<string, string>).nonce, 'a fresh nonce');
          assert.deepEqual(Object.keys(oursParsed), ['ciphertext', 'tag', 'nonce']);
          assert.deepEqual(
            legacy.decryptJsonEnvelope(nodeBackend, cipher, encoding, key, oursParsed),
            plaintext,
          );
        });
      } else {
        it(`${frame.dir} binary frame #${i} decrypts to the recorded bitstring; re-encoded compressed, it decodes the same`, () => {
          const plaintext = legacy.decryptBinaryFrame(nodeBackend, cipher, key, unhex(frame.hex!));
          assert.equal(hex(plaintext), frame.plaintext_hex);
          const message = decodeBitstring(plaintext);

          const again = encodeBitstring(message, { compress: true });
          // The reference decoder can only read compressed bitstrings: same header byte (type code, C=1) as it sent.
          assert.equal(again[0], plaintext[0]);
          assert.deepEqual(decodeBitstring(again), message);

          const ours = legacy.encryptBinaryFrame(browserBackend, cipher, key, again);
          assert.notDeepEqual(ours.subarray(0, 16), unhex(frame.hex!).subarray(0, 16), 'a fresh nonce');
          assert.deepEqual(
            decodeBitstring(legacy.decryptBinaryFrame(nodeBackend, cipher, key, ours)),
            message,
          );
        });
      }
    }

    it('a frame of this session does not open under another cipher, encoding or key', () => {
      const frame = encrypted.find((f) => f.kind === 'text');
      if (frame === undefined) return;
      const parsed: unknown = JSON.parse(frame.text!);
      const otherKey = key.slice();
      otherKey[0]! ^= 1;
      assert.throws(() => legacy.decryptJsonEnvelope(nodeBackend, cipher, encoding, otherKey, parsed), {
        code: 'HL_ERR_DECRYPT_FAILED',
      });
      const otherCipher = legacy.LEGACY_CIPHERS.find((c) => c !== cipher)!;
      assert.throws(
        () => legacy.decryptJsonEnvelope(nodeBackend, otherCipher, encoding, key, parsed),
        (err: unknown) => {
          const code = (err as { code?: string }).code;
          return code === 'HL_ERR_DECRYPT_FAILED' || code === 'HL_ERR_INVALID_ENVELOPE';
        },
      );
      const otherEncoding = ENCODING_NAMES.find((e) => e !== encoding && e !== 'JSON-Z85P')!;
      assert.throws(
        () => legacy.decryptJsonEnvelope(nodeBackend, cipher, otherEncoding, key, parsed),
        (err: unknown) => {
          const code = (err as { code?: string }).code;
          return code === 'HL_ERR_DECRYPT_FAILED' || code === 'HL_ERR_INVALID_ENVELOPE';
        },
      );
    });
  });
}
