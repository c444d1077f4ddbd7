/**
 * HiveMind's INTERCOM envelope in the SDK (docs/PROTOCOL.md §5.4) against the known-answer vectors in
 * `test/fixtures/vectors/intercom.json` (computed with raw node:crypto from the protocol description): both RSA
 * implementations read every committed shape, write what the vectors pin (AES-256-GCM under the fixed key and
 * nonce), round-trip, agree with each other, pass the hub's own envelope check, and fail closed with typed errors,
 * checking the signature before anything is decrypted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type HybridIntercomPayload,
  openIntercom,
  sealIntercom,
  sealIntercomPayload,
} from '../../../src/client/intercom-envelope.js';
import type { IntercomRsa } from '../../../src/client/intercom-rsa.js';
import { nodeIntercomRsa } from '../../../src/client/intercom-rsa.node.js';
import { webIntercomRsa } from '../../../src/client/intercom-rsa.web.js';
import { browserBackend } from '../../../src/crypto/backend.browser.js';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import { isHiveLinkError } from '../../../src/errors.js';
import { checkIntercom } from '../../../src/hub/policy/intercom.js';
import type { JsonObject } from '../../../src/protocol/json.js';
import { createHiveMessage, parseHiveMessage } from '../../../src/protocol/message.js';
import { HiveMessageType } from '../../../src/protocol/message-types.js';
import { loadVectors, unhex } from '../../helpers/vectors.js';

interface Party {
  private_key_pem: string;
  public_key_pem: string;
}
interface Vectors {
  alice: Party;
  bob: Party;
  aes_key_hex: string;
  nonce_hex: string;
  inner_json: string;
  hybrid_oaep_sha256_pss_salt32: HybridIntercomPayload;
  hybrid_oaep_sha1_pss_salt_max: HybridIntercomPayload;
  rsa_only: { inner_json: string; payload: { ciphertext: string; signature: string } };
}

const v = loadVectors<Vectors>('intercom.json');
const { alice, bob } = v;
const carol = await nodeIntercomRsa.generate();

const IMPLEMENTATIONS: [string, IntercomRsa, typeof nodeBackend][] = [
  ['node:crypto', nodeIntercomRsa, nodeBackend],
  ['WebCrypto', webIntercomRsa, browserBackend],
];

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => isHiveLinkError(err) && err.code === code);
}

for (const [name, rsa, backend] of IMPLEMENTATIONS) {
  const open = (payload: unknown, senderKeys = [alice.public_key_pem], recipient = bob.private_key_pem) =>
    openIntercom({ rsa, backend, recipientPrivateKeyPem: recipient, senderKeys, payload });

  describe(`INTERCOM envelope (${name})`, () => {
    it('reads the committed vectors: hybrid OAEP-SHA256, hybrid OAEP-SHA1 with PSS max salt, RSA-only', async () => {
      const expected = parseHiveMessage(v.inner_json);
      for (const payload of [v.hybrid_oaep_sha256_pss_salt32, v.hybrid_oaep_sha1_pss_salt_max]) {
        const opened = await open(payload, [carol.publicKeyPem, alice.public_key_pem]);
        assert.deepEqual(opened.inner, expected);
        assert.equal(opened.shape, 'hybrid');
        assert.equal(opened.senderKey, alice.public_key_pem, 'the key that verified is named');
      }
      const rsaOnly = await open(v.rsa_only.payload);
      assert.equal(rsaOnly.shape, 'rsa-only');
      assert.deepEqual(rsaOnly.inner, parseHiveMessage(v.rsa_only.inner_json));
    });

    it('writes what the vectors pin: AES-256-GCM under the fixed key and nonce, over the Python-form JSON', async () => {
      const payload = (await sealIntercomPayload({
        rsa,
        backend,
        senderPrivateKeyPem: alice.private_key_pem,
        recipientPublicKeyPem: bob.public_key_pem,
        inner: parseHiveMessage(v.inner_json),
        aesKey: unhex(v.aes_key_hex),
        nonce: unhex(v.nonce_hex),
      })) as HybridIntercomPayload;
      const pinned = v.hybrid_oaep_sha256_pss_salt32;
      assert.equal(payload.ciphertext, pinned.ciphertext);
      assert.equal(payload.tag, pinned.tag);
      assert.equal(payload.nonce, pinned.nonce);
      assert.deepEqual(Object.keys(payload).sort(), Object.keys(pinned).sort());
      // The randomized parts still open with the fixed keys.
      assert.deepEqual((await open(payload)).inner, parseHiveMessage(v.inner_json));
    });

    it('round-trips both shapes, and what it writes passes the hub check (signature against the pinned key)', async () => {
      const inner = createHiveMessage(HiveMessageType.BUS, {
        type: 'speak',
        data: { utterance: 'über alles — ünïcode' },
        context: {},
      });
      for (const shape of ['hybrid', 'rsa-only'] as const) {
        const small = shape === 'rsa-only' ? createHiveMessage(HiveMessageType.BUS, { type: 'x' }) : inner;
        const message = await sealIntercom({
          rsa,
          backend,
          senderPrivateKeyPem: alice.private_key_pem,
          recipientPublicKeyPem: bob.public_key_pem,
          inner: small,
          shape,
        });
        assert.equal(message.msg_type, HiveMessageType.INTERCOM);
        assert.equal(message.target_pubkey, bob.public_key_pem);
        const aliceId = Buffer.from(await rsa.spkiDer(alice.public_key_pem)).toString('base64');
        assert.equal(
          checkIntercom(message.target_pubkey, message.payload, aliceId),
          null,
          `${shape}: the hub relays it`,
        );
        const opened = await open(message.payload);
        assert.deepEqual(opened.inner, small);
        assert.equal(opened.shape, shape);
      }
    });

    it('fails closed: a foreign signer, tampering, the wrong recipient, a bad shape, a message too long', async () => {
      const good = v.hybrid_oaep_sha256_pss_salt32;
      await rejectsWith(open(good, [carol.publicKeyPem]), 'HL_ERR_INTERCOM_SIGNATURE');
      await rejectsWith(open(good, []), 'HL_ERR_INTERCOM_SIGNATURE');
      const flipped = Buffer.from(good.ciphertext, 'base64');
      flipped[3] = flipped[3]! ^ 1;
      await rejectsWith(
        open({ ...good, ciphertext: flipped.toString('base64') }),
        'HL_ERR_INTERCOM_SIGNATURE',
      );
      // Tag and nonce are not signed: a changed one is caught by AES-GCM.
      const tag = Buffer.from(good.tag, 'base64');
      tag[0] = tag[0]! ^ 1;
      await rejectsWith(open({ ...good, tag: tag.toString('base64') }), 'HL_ERR_INTERCOM_DECRYPT');
      await rejectsWith(open(good, [alice.public_key_pem], carol.privateKeyPem), 'HL_ERR_INTERCOM_DECRYPT');
      for (const bad of [
        null,
        'ciphertext',
        { ...good, extra: 'x' },
        { ...good, signature: '' },
        { ...good, nonce: 'not base64!!' },
        { ...good, tag: Buffer.alloc(12).toString('base64') },
        { ciphertext: good.ciphertext },
      ] as unknown[]) {
        await rejectsWith(open(bad), 'HL_ERR_INTERCOM_ENVELOPE');
      }
      await rejectsWith(
        sealIntercomPayload({
          rsa,
          backend,
          senderPrivateKeyPem: alice.private_key_pem,
          recipientPublicKeyPem: bob.public_key_pem,
          inner: createHiveMessage(HiveMessageType.BUS, {
            type: 'speak',
            data: { utterance: 'x'.repeat(200) },
          }),
          shape: 'rsa-only',
        }),
        'HL_ERR_INTERCOM_TOO_LARGE',
      );
    });
  });
}

describe('INTERCOM envelope: the two RSA implementations agree', () => {
  it('each reads what the other writes, and derives the same public key and SPKI', async () => {
    const inner = createHiveMessage(HiveMessageType.BUS, {
      type: 'speak',
      data: { utterance: 'hi' },
    } as JsonObject);
    for (const [writer, reader] of [
      [nodeIntercomRsa, webIntercomRsa],
      [webIntercomRsa, nodeIntercomRsa],
    ] as const) {
      const payload = await sealIntercomPayload({
        rsa: writer,
        backend: nodeBackend,
        senderPrivateKeyPem: alice.private_key_pem,
        recipientPublicKeyPem: bob.public_key_pem,
        inner,
      });
      const opened = await openIntercom({
        rsa: reader,
        backend: nodeBackend,
        recipientPrivateKeyPem: bob.private_key_pem,
        senderKeys: [alice.public_key_pem],
        payload,
      });
      assert.deepEqual(opened.inner, inner);
    }
    const fresh = await webIntercomRsa.generate();
    assert.equal(await nodeIntercomRsa.publicOf(fresh.privateKeyPem), fresh.publicKeyPem);
    assert.equal(await webIntercomRsa.publicOf(alice.private_key_pem), alice.public_key_pem);
    assert.deepEqual(
      await webIntercomRsa.spkiDer(alice.public_key_pem),
      await nodeIntercomRsa.spkiDer(alice.public_key_pem),
    );
  });
});
