/**
 * Sealed envelopes (docs/PROTOCOL.md §13): the HPKE suite against RFC 9180 A.2.1, the committed known-answer
 * envelopes of `test/fixtures/vectors/sealed-v1.json` (sealed again byte for byte, and opened), a round trip of each
 * mode, and every way an envelope is refused: tampered header or ciphertext, truncated, another key, a signature
 * by another key than the one it names.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  e2eFingerprint,
  e2eIdentity,
  openEnvelope,
  replyKeyPair,
  sealEnvelope,
  sealedSuite,
} from '../../../src/crypto/sealed.js';
import { isHiveLinkError } from '../../../src/errors.js';
import {
  parseSealedHeader,
  SEALED_MIN_BYTES,
  SealedContent,
  type SealedContentType,
} from '../../../src/protocol/sealed.js';
import { REPO_ROOT } from '../../helpers/vectors.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const vectors = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/vectors/sealed-v1.json'), 'utf8'));

async function refused(work: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(work, (err: unknown) => isHiveLinkError(err) && err.code === code);
}

describe('sealed envelopes', () => {
  it('uses the RFC 9180 A.2.1 suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305', async () => {
    // RFC 9180 appendix A.2.1, base mode, sequence number 0.
    const s = sealedSuite();
    const info = hex('4f6465206f6e2061204772656369616e2055726e');
    const aad = hex('436f756e742d30');
    const sender = await s.createSenderContext({
      recipientPublicKey: await s.kem.deserializePublicKey(
        hex('4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a'),
      ),
      info,
      ekm: hex('909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b'),
    });
    assert.equal(
      toHex(new Uint8Array(sender.enc)),
      '1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a',
    );
    const ct = await sender.seal(hex('4265617574792069732074727574682c20747275746820626561757479'), aad);
    assert.equal(
      toHex(new Uint8Array(ct)),
      '1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28',
    );
  });

  const recipient = e2eIdentity({
    x25519PrivateKey: hex(vectors.recipient.x25519_private),
    ed25519PrivateKey: new Uint8Array(32).fill(0x11),
  });
  const sender = e2eIdentity({
    x25519PrivateKey: new Uint8Array(32).fill(0x22),
    ed25519PrivateKey: hex(vectors.sender.ed25519_private),
  });

  /** Seals vector `v` from `from` as it was made (its id, time and ephemeral key); its bytes are the committed ones. */
  async function sealsAsCommitted(
    v: { content: SealedContentType; payload: string; id: string; timestamp: number; envelope: string },
    from: Parameters<typeof sealEnvelope>[0]['sender'],
  ): Promise<Uint8Array> {
    const { envelope } = await sealEnvelope({
      recipientKey: recipient.x25519.publicKey,
      content: v.content,
      payload: hex(v.payload),
      sender: from,
      id: v.id,
      timestamp: v.timestamp,
      ikmE: hex(vectors.ikmE),
    });
    assert.equal(toHex(envelope), v.envelope);
    return envelope;
  }

  it('seals the committed signed vector byte for byte, and opens it with the signer named', async () => {
    const v = vectors.signed;
    await sealsAsCommitted(v, { signedBy: sender });
    const opened = await openEnvelope(hex(v.envelope), recipient.x25519.privateKey);
    assert.deepEqual(
      [opened.header.id, opened.header.timestamp, opened.header.anonymous, opened.content],
      [v.id, v.timestamp, false, SealedContent.BUS],
    );
    assert.equal(toHex(opened.payload), v.payload);
    assert.equal(toHex(opened.signer!), vectors.sender.ed25519_public);
    assert.equal(opened.replyKey, null);
  });

  it('seals the committed anonymous vector byte for byte; it carries the reply key and no signer', async () => {
    const v = vectors.anonymous;
    const envelope = await sealsAsCommitted(v, { replyKey: hex(v.reply_key) });
    const opened = await openEnvelope(envelope, recipient.x25519.privateKey);
    assert.deepEqual(
      [opened.header.anonymous, opened.signer, toHex(opened.replyKey!)],
      [true, null, v.reply_key],
    );
    assert.equal(new TextDecoder().decode(opened.payload), 'who left the lights on?');
  });

  it('round-trips bytes with fresh keys; a reply sealed to the reply key opens with its private half', async () => {
    const a = e2eIdentity();
    const b = e2eIdentity();
    const reply = replyKeyPair();
    const payload = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    const anon = await sealEnvelope({
      recipientKey: b.x25519.publicKey,
      content: SealedContent.BYTES,
      payload,
      sender: { replyKey: reply.publicKey },
    });
    const got = await openEnvelope(anon.envelope, b.x25519.privateKey);
    assert.deepEqual(got.payload, payload);
    const answer = await sealEnvelope({
      recipientKey: got.replyKey!,
      content: SealedContent.TEXT,
      payload: new TextEncoder().encode('me'),
      sender: { signedBy: b },
    });
    const back = await openEnvelope(answer.envelope, reply.privateKey);
    assert.deepEqual(back.signer, b.ed25519.publicKey);
    assert.notEqual(
      e2eFingerprint(a.x25519.publicKey, a.ed25519.publicKey),
      e2eFingerprint(b.x25519.publicKey, b.ed25519.publicKey),
    );
  });

  it('refuses a tampered header, a tampered ciphertext, a truncation, another key, a forged signer', async () => {
    const envelope = hex(vectors.signed.envelope);
    const key = recipient.x25519.privateKey;
    for (const at of [12, 45, 60, 70, envelope.length - 1]) {
      const bad = envelope.slice();
      bad[at]! ^= 0x01;
      await refused(openEnvelope(bad, key), 'HL_ERR_SEALED_OPEN_FAILED');
    }
    await refused(openEnvelope(envelope.subarray(0, envelope.length - 5), key), 'HL_ERR_SEALED_OPEN_FAILED');
    await refused(
      openEnvelope(envelope.subarray(0, SEALED_MIN_BYTES - 1), key),
      'HL_ERR_SEALED_BAD_ENVELOPE',
    );
    await refused(openEnvelope(envelope, e2eIdentity().x25519.privateKey), 'HL_ERR_SEALED_OPEN_FAILED');
    const flags = envelope.slice();
    flags[4] = 0x80;
    assert.throws(
      () => parseSealedHeader(flags),
      (err: unknown) => isHiveLinkError(err, 'HL_ERR_SEALED_BAD_ENVELOPE'),
    );
    // Signed with another private key than the public key it names: opens, but the signature does not verify.
    const other = e2eIdentity();
    const forged = await sealEnvelope({
      recipientKey: recipient.x25519.publicKey,
      content: SealedContent.TEXT,
      payload: new TextEncoder().encode('it is me, honest'),
      sender: {
        signedBy: {
          x25519: other.x25519,
          ed25519: { ...other.ed25519, publicKey: sender.ed25519.publicKey },
        },
      },
    });
    await refused(openEnvelope(forged.envelope, key), 'HL_ERR_SEALED_BAD_SIGNATURE');
  });
});
