/**
 * The mailbox over real sockets (issue 12, docs/PROTOCOL.md §5.5), as raw HiveMind-shaped clients use it: mail
 * deposited for an offline client reaches it when it connects, again on every connection until it is acknowledged,
 * never after; the mailbox read is always the connection's own (naming another in the request changes nothing, and
 * an ack cannot remove another client's mail); an INTERCOM for an offline client whose key is pinned waits for it;
 * what cannot be an INTERCOM is refused by name; and the stored mail is the ciphertext, never a plaintext marker.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../src/protocol/json.js';
import { createHiveMessage, parseHiveMessage, serializeHiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { loadVectors } from '../helpers/vectors.js';
import { FakePeer, failOnUnhandledRejection, startHub } from './hub-harness.js';
import { deposit, nextMail, opaqueIntercom, rendezvous } from './rendezvous-helpers.js';
import { startedForSuite } from './suite-fixture.js';

failOnUnhandledRejection();

const vectors = loadVectors<{ bob: { public_key_pem: string }; hybrid_oaep_sha256_pss_salt32: JsonObject }>(
  'intercom.json',
);

describe('mailbox (RENDEZVOUS deposit / collect / ack)', () => {
  const t = startedForSuite(() => startHub());

  it('hands an offline client its mail when it connects, until it acks, exactly once after', async () => {
    const [sender, recipient] = [await t.addClient(), await t.addClient()];
    const s = await FakePeer.open(t.url, sender.peer);
    const a = await deposit(s, recipient.accessKey);
    assert.equal(a.status, 'ok');
    assert.equal(typeof a.deposit_id, 'string');
    assert.equal(a.mailbox_node, t.hub.ctx.nodeId, 'every answer names the mailbox node');

    const first = await FakePeer.open(t.url, recipient.peer);
    const mail = await nextMail(first);
    assert.equal(mail.length, 1);
    assert.equal(mail[0]!.deposit_id, a.deposit_id);
    assert.equal(parseHiveMessage(mail[0]!.payload as string).msg_type, HiveMessageType.INTERCOM);
    // Not acked: handed out again, on collect and on the next connection.
    assert.equal(((await rendezvous(first, { cmd: 'collect' })).messages as JsonObject[]).length, 1);
    await first.close();
    const second = await FakePeer.open(t.url, recipient.peer);
    assert.equal((await nextMail(second))[0]!.deposit_id, a.deposit_id);

    // The sender cannot read or ack the recipient's mail, whatever it names.
    assert.deepEqual(
      (await rendezvous(s, { cmd: 'collect', target_key: recipient.accessKey, pubkey: 'x' })).messages,
      [],
    );
    assert.equal((await rendezvous(s, { cmd: 'ack', deposit_ids: [a.deposit_id as string] })).removed, 0);

    assert.equal(
      (await rendezvous(second, { cmd: 'ack', deposit_ids: [a.deposit_id as string] })).removed,
      1,
    );
    assert.deepEqual((await rendezvous(second, { cmd: 'collect' })).messages, []);
    await second.close();
    const third = await FakePeer.open(t.url, recipient.peer);
    assert.deepEqual((await rendezvous(third, { cmd: 'collect' })).messages, [], 'gone after the ack');
    assert.equal(
      third.received.filter((m) => m.msg_type === HiveMessageType.RENDEZVOUS).length,
      1,
      'no unasked mail',
    );
    await Promise.all([s.close(), third.close()]);
  });

  it('keeps an INTERCOM for an offline client whose key is pinned, and hands it over as sent', async () => {
    const [sender, recipient] = [await t.addClient(), await t.addClient()];
    const pem = vectors.bob.public_key_pem;
    const r = await FakePeer.open(t.url, { ...recipient.peer, pubkey: pem });
    await rendezvous(r, { cmd: 'collect' }); // after its HELLO: the key is pinned to the recipient
    await r.close();
    const s = await FakePeer.open(t.url, sender.peer);
    const message = createHiveMessage(HiveMessageType.INTERCOM, vectors.hybrid_oaep_sha256_pss_salt32, {
      target_pubkey: pem,
    });
    s.send(message);
    const answer = await s.waitFor((m) => m.msg_type === HiveMessageType.RENDEZVOUS);
    assert.equal((answer.payload as JsonObject).status, 'ok');
    const back = await FakePeer.open(t.url, { ...recipient.peer, pubkey: pem });
    const [entry] = await nextMail(back);
    assert.deepEqual(parseHiveMessage(entry!.payload as string).payload, message.payload, 'untouched');
    const stored = await t.data.store.mailbox.pending(recipient.record.id);
    assert.ok(!stored[0]!.body.includes('eagle'), 'the mailbox holds ciphertext only');
    await Promise.all([s.close(), back.close()]);
  });

  it('refuses by name what it cannot keep, and answers an unknown command', async () => {
    const [sender, recipient] = [await t.addClient(), await t.addClient()];
    const s = await FakePeer.open(t.url, sender.peer);
    const reason = async (payload: JsonObject) => (await rendezvous(s, payload)).reason;
    assert.equal(await reason({ cmd: 'deposit' }), 'missing_fields');
    const bus = createHiveMessage(HiveMessageType.BUS, { type: 'speak', data: { utterance: 'read me' } });
    assert.equal(
      await reason({ cmd: 'deposit', target_key: recipient.accessKey, payload: serializeHiveMessage(bus) }),
      'payload_must_be_intercom',
    );
    const plain = createHiveMessage(
      HiveMessageType.INTERCOM,
      { ciphertext: 'hello' },
      { target_pubkey: vectors.bob.public_key_pem },
    );
    assert.equal(
      await reason({ cmd: 'deposit', target_key: recipient.accessKey, payload: serializeHiveMessage(plain) }),
      'malformed_intercom',
    );
    const opaque = serializeHiveMessage(opaqueIntercom());
    assert.equal(
      await reason({ cmd: 'deposit', target_key: 'nobody', payload: opaque }),
      'unknown_recipient',
    );
    assert.equal(await reason({ cmd: 'fetch' }), 'unknown_cmd');
    assert.equal(await t.data.store.mailbox.count(recipient.record.id), 0);
    await s.close();
  });
});
