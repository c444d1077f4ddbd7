/**
 * Relay mode over real sockets (issue 12, docs/PROTOCOL.md §13): a hub from compose.ts on 127.0.0.1 port 0 and SDK
 * clients. Signed messages are delivered and verified; a forged signature is refused by the recipient; a tampered,
 * replayed, truncated or wrongly addressed envelope is refused with its code and the connection goes on; an
 * anonymous message reaches the recipient in a frame of which no field names the sender, and its one reply reaches
 * the sender through the handle, once; the audit log says who wrote to whom. Every wait is on an event.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import type { PrivateMessage, PrivateRefusal } from '../../src/client/sealed.js';
import { e2eIdentity, sealEnvelope } from '../../src/crypto/sealed.js';
import type { HiveMessage } from '../../src/protocol/message.js';
import { SealedContent } from '../../src/protocol/sealed.js';
import { type ComposedTestHub, composeTestHub, SdkDevice } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

/** The next value `subscribe` hands its listener. */
function next<T>(subscribe: (listener: (value: T) => void) => () => void): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((value) => {
      off();
      resolve(value);
    });
  });
}

/** Every string anywhere in `value` (keys too). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  }
  return out;
}

describe('sealed messages through the hub', () => {
  let dir: string;
  let hub: ComposedTestHub;
  let alice: HiveClient;
  let bob: HiveClient;
  let carol: HiveClient;
  let aliceDevice: SdkDevice;
  let bobDevice: SdkDevice;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hivelink-sealed-'));
    hub = await composeTestHub(dir);
    const store = hub.composed.data.store;
    aliceDevice = await SdkDevice.add(hub.composed, 'alice-phone', { consent: 'allow' });
    bobDevice = await SdkDevice.add(hub.composed, 'bob-speaker', { consent: 'allow', siteId: 'kitchen' });
    const carolDevice = await SdkDevice.add(hub.composed, 'carol-tablet', { consent: 'allow' });
    alice = aliceDevice.client(hub.url);
    bob = bobDevice.client(hub.url);
    carol = carolDevice.client(hub.url);
    for (const c of [alice, bob, carol]) {
      await c.connect();
      await c.sealed.publish();
    }
    assert.equal((await store.relay.keys(bobDevice.id))?.clientId, bobDevice.id);
  });
  after(async () => {
    for (const c of [alice, bob, carol]) c?.close();
    await hub?.composed.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists who can be written to, by room and by client, with fingerprints', async () => {
    const kitchen = await alice.directory({ room: 'Kitchen' });
    assert.deepEqual(
      kitchen.map((e) => [e.name, e.online]),
      [['bob-speaker', true]],
    );
    assert.equal(kitchen[0]!.fingerprint, await bob.sealed.fingerprint());
    assert.equal((await alice.directory({ client: 'carol-tablet' })).length, 1);
    assert.equal((await alice.directory()).length, 3);
  });

  it('delivers a signed bus message that only the recipient reads, naming the verified sender', async () => {
    const got = next<PrivateMessage>((l) => bob.onPrivate(l));
    const sent = await alice.sendPrivate('bob-speaker', {
      type: 'speak',
      data: { utterance: 'dinner is ready' },
      context: {},
    });
    assert.deepEqual([sent.delivered, sent.deposited], [true, false]);
    const m = await got;
    assert.deepEqual([m.id, m.anonymous, m.kind, m.sender?.name], [sent.id, false, 'bus', 'alice-phone']);
    assert.deepEqual(m.bus?.data, { utterance: 'dinner is ready' });
    const audit = await hub.composed.data.store.relay.listAudit({ limit: 1 });
    assert.deepEqual(
      [audit[0]?.senderId, audit[0]?.recipientId, audit[0]?.mode, audit[0]?.outcome],
      [aliceDevice.id, bobDevice.id, 'signed', 'delivered'],
    );
  });

  it('refuses, at the recipient, a message whose signature is not by the key it names', async () => {
    const [bobEntry] = await carol.directory({ client: 'bob-speaker' });
    const forger = e2eIdentity();
    const aliceKey = Buffer.from((await alice.directory({ client: 'alice-phone' }))[0]!.ed25519, 'base64');
    const sealed = await sealEnvelope({
      recipientKey: Buffer.from(bobEntry!.x25519, 'base64'),
      content: SealedContent.TEXT,
      payload: new TextEncoder().encode('it is alice, honest'),
      sender: { signedBy: { x25519: forger.x25519, ed25519: { ...forger.ed25519, publicKey: aliceKey } } },
    });
    const refusedAt = next<PrivateRefusal>((l) => bob.onPrivateRefused(l));
    await carol.sealed.sendEnvelope('hive.relay.send', {
      to: bobEntry!.clientId!,
      envelope: Buffer.from(sealed.envelope).toString('base64'),
    });
    assert.equal((await refusedAt).error.code, 'HL_ERR_SEALED_BAD_SIGNATURE');
  });

  it('refuses tampered, replayed, truncated and wrongly addressed envelopes; the connections go on', async () => {
    const [bobEntry] = await alice.directory({ client: 'bob-speaker' });
    const [carolEntry] = await alice.directory({ client: 'carol-tablet' });
    const seal = async () =>
      (
        await sealEnvelope({
          recipientKey: Buffer.from(bobEntry!.x25519, 'base64'),
          content: SealedContent.TEXT,
          payload: new TextEncoder().encode('hello bob'),
          sender: { signedBy: await alice.sealed.identity() },
        })
      ).envelope;
    const send = (to: number, envelope: Uint8Array) =>
      alice.sealed.sendEnvelope('hive.relay.send', {
        to,
        envelope: Buffer.from(envelope).toString('base64'),
      });
    const hubRefuses = (to: number, envelope: Uint8Array, code: string) =>
      assert.rejects(send(to, envelope), (err: { code?: string }) => err.code === code);

    // Tampered ciphertext: the hub cannot tell, the recipient can.
    const tampered = await seal();
    tampered[tampered.length - 3]! ^= 0x40;
    let refusedAt = next<PrivateRefusal>((l) => bob.onPrivateRefused(l));
    await send(bobEntry!.clientId!, tampered);
    assert.equal((await refusedAt).error.code, 'HL_ERR_SEALED_OPEN_FAILED');
    // Truncated below what an envelope needs: the hub refuses it; a few bytes short: the recipient.
    const whole = await seal();
    await hubRefuses(bobEntry!.clientId!, whole.subarray(0, 100), 'HL_ERR_SEALED_BAD_ENVELOPE');
    refusedAt = next<PrivateRefusal>((l) => bob.onPrivateRefused(l));
    await send(bobEntry!.clientId!, (await seal()).subarray(0, whole.length - 4));
    assert.equal((await refusedAt).error.code, 'HL_ERR_SEALED_OPEN_FAILED');
    // Replayed: the second copy never leaves the hub.
    const once = await seal();
    const got = next<PrivateMessage>((l) => bob.onPrivate(l));
    await send(bobEntry!.clientId!, once);
    assert.equal((await got).text, 'hello bob');
    await hubRefuses(bobEntry!.clientId!, once, 'HL_ERR_SEALED_REPLAY');
    // Sealed to bob, addressed to carol.
    await hubRefuses(carolEntry!.clientId!, await seal(), 'HL_ERR_SEALED_WRONG_RECIPIENT');
    await assert.rejects(alice.sendPrivate(999_999, 'x'), { code: 'HL_ERR_SEALED_NO_KEY' });
    await hubRefuses(999_999, await seal(), 'HL_ERR_SEALED_UNKNOWN_RECIPIENT');
    // Everyone is still connected and a good message still goes through.
    const after = next<PrivateMessage>((l) => bob.onPrivate(l));
    await alice.sendPrivate(bobEntry!, 'still here');
    assert.equal((await after).text, 'still here');
    assert.deepEqual([alice.state.type, bob.state.type], ['open', 'open']);
  });

  it('hides an anonymous sender from every field of the frame; one reply reaches it through the handle', async () => {
    const frames: HiveMessage[] = [];
    const offFrames = bob.on('*', (m) => frames.push(m));
    const got = next<PrivateMessage>((l) => bob.onPrivate(l));
    const sent = await alice.sendPrivate('bob-speaker', 'who left the lights on?', { anonymous: true });
    const m = await got;
    offFrames();
    assert.deepEqual([m.anonymous, m.sender, m.text], [true, null, 'who left the lights on?']);
    const frame = frames.find((f) => JSON.stringify(f).includes('hive.relay.deliver'));
    assert.ok(frame !== undefined, 'the delivery frame was seen');
    const [aliceEntry] = await bob.directory({ client: 'alice-phone' });
    const aliceNames = [
      'alice',
      aliceDevice.accessKey,
      `::${aliceDevice.id}::`,
      aliceEntry!.x25519,
      aliceEntry!.ed25519,
      aliceEntry!.fingerprint,
    ];
    for (const s of strings(frame)) {
      for (const name of aliceNames)
        assert.ok(!s.includes(name), `a field of the frame names the sender: ${s}`);
    }
    assert.equal(sent.delivered, true);
    const audit = await hub.composed.data.store.relay.listAudit({ limit: 1 });
    assert.deepEqual(
      [audit[0]?.senderId, audit[0]?.mode],
      [aliceDevice.id, 'anonymous'],
      'the admin can see who',
    );

    const back = next<PrivateMessage>((l) => alice.onPrivate(l));
    await bob.replyPrivate(m, 'it was me, sorry');
    const reply = await back;
    assert.deepEqual(
      [reply.isReply, reply.text, reply.sender?.name],
      [true, 'it was me, sorry', 'bob-speaker'],
    );
    await assert.rejects(bob.replyPrivate(m, 'and again'), { code: 'HL_ERR_SEALED_REPLY_HANDLE' });
  });

  it('refuses anonymous messages to a client that accepts none', async () => {
    await hub.composed.data.store.relay.setAcceptAnonymous(bobDevice.id, false);
    await assert.rejects(alice.sendPrivate('bob-speaker', 'psst', { anonymous: true }), {
      code: 'HL_ERR_SEALED_ANONYMOUS_REFUSED',
    });
    await hub.composed.data.store.relay.setAcceptAnonymous(bobDevice.id, true);
  });

  it('pins the keys first published: a client that publishes others is refused until reset', async () => {
    // bob's Noise key (the hub pinned it), but a store that keeps no end-to-end keys: new ones every run.
    const noiseOnly = {
      getNoisePrivateKey: () => bobDevice.identityStore.getNoisePrivateKey(),
      setNoisePrivateKey: (k: Uint8Array) => bobDevice.identityStore.setNoisePrivateKey(k),
    };
    const imposter = createHiveClient({
      url: hub.url,
      accessKey: bobDevice.accessKey,
      password: bobDevice.password,
      identityStore: noiseOnly,
      pinStore: bobDevice.pinStore,
      reconnect: { enabled: false },
    });
    try {
      await imposter.connect();
      await assert.rejects(imposter.sealed.publish(), { code: 'HL_ERR_RELAY_KEY_MISMATCH' });
      await hub.composed.data.store.relay.clearKeys(bobDevice.id);
      assert.equal((await imposter.sealed.publish()).status, 'pinned');
    } finally {
      imposter.close();
      await hub.composed.data.store.relay.clearKeys(bobDevice.id);
      await bob.sealed.publish();
    }
  });
});
