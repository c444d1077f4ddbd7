/**
 * HiveMind INTERCOM and the mailbox from the SDK (issue 12, docs/PROTOCOL.md §5.4, §5.5, §13) over real sockets: a
 * hub from compose.ts on 127.0.0.1 port 0 and SDK clients with the `intercom` option. Their HELLO announces their RSA
 * key (the hub pins it); one writes to the other by name and the other reads it, naming the sender; the committed
 * vectors (a stock HiveMind sender's envelopes, direct and inside a PROPAGATE) open for the vector recipient; a
 * forged or unknown signature is refused, nothing decrypted; mail that waited for an offline client — INTERCOM and
 * sealed — reaches it once when it comes back, and is gone after (acknowledged). Every wait is on an event.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import type { IntercomMessage, IntercomOptions, IntercomRefusal } from '../../src/client/intercom.js';
import { type HybridIntercomPayload, sealIntercom } from '../../src/client/intercom-envelope.js';
import { nodeIntercomRsa } from '../../src/client/intercom-rsa.node.js';
import type { PrivateMessage } from '../../src/client/sealed.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import type { JsonObject } from '../../src/protocol/json.js';
import { createHiveMessage, type HiveMessage, parseHiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { loadVectors } from '../helpers/vectors.js';
import { type ComposedTestHub, composeTestHub, SdkDevice } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

interface Party {
  private_key_pem: string;
  public_key_pem: string;
}
const v = loadVectors<{
  alice: Party;
  bob: Party;
  inner_json: string;
  hybrid_oaep_sha256_pss_salt32: HybridIntercomPayload;
  hybrid_oaep_sha1_pss_salt_max: HybridIntercomPayload;
  rsa_only: { inner_json: string; payload: JsonObject };
}>('intercom.json');

/** The next value `subscribe` hands its listener. */
function next<T>(subscribe: (listener: (value: T) => void) => () => void): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((value) => {
      off();
      resolve(value);
    });
  });
}

/** Every value `subscribe` hands its listener, kept in a list. */
function collect<T>(subscribe: (listener: (value: T) => void) => () => void): T[] {
  const out: T[] = [];
  subscribe((value) => out.push(value));
  return out;
}

describe('INTERCOM and the mailbox from the SDK', () => {
  let dir: string;
  let hub: ComposedTestHub;
  const open: HiveClient[] = [];

  /** A connected SDK client of `device` with INTERCOM; its HELLO (and so its key pin) is applied when it resolves. */
  async function connect(
    device: SdkDevice,
    intercom: boolean | IntercomOptions = true,
    setup: (c: HiveClient) => void = () => {},
  ): Promise<HiveClient> {
    const client = createHiveClient({
      url: hub.url,
      accessKey: device.accessKey,
      password: device.password,
      identityStore: device.identityStore,
      pinStore: device.pinStore,
      reconnect: { enabled: false },
      intercom,
    });
    setup(client);
    open.push(client);
    await client.connect();
    await client.collectMail(); // a round trip: the hub applied the HELLO before answering
    return client;
  }

  /** New client records of the hub, one per name. */
  const devices = <N extends string[]>(...names: [...N]) =>
    Promise.all(names.map((name) => SdkDevice.add(hub.composed, name))) as Promise<{
      [K in keyof N]: SdkDevice;
    }>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hivelink-intercom-sdk-'));
    hub = await composeTestHub(dir);
  });
  after(async () => {
    for (const c of open) c.close();
    await hub?.composed.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('announces its key in HELLO (pinned by the hub) and keeps it in the identity store', async () => {
    const device = await SdkDevice.add(hub.composed, 'pin-check');
    const client = await connect(device);
    const pem = await client.intercomPublicKey();
    const stored = await device.identityStore.getIntercomKey();
    assert.equal(await nodeIntercomRsa.publicOf(stored!), pem, 'the stored private key is the announced one');
    const record = await hub.composed.data.store.getClient(String(device.id));
    assert.equal(
      record?.intercomPubkey,
      Buffer.from(await nodeIntercomRsa.spkiDer(pem)).toString('base64'),
      'the hub pinned the HELLO key',
    );
    client.close();
  });

  it('one client writes to another by name; the other reads it and knows who wrote', async () => {
    const [aliceDevice, bobDevice] = await devices('alice-ic', 'bob-ic');
    const alice = await connect(aliceDevice);
    const bob = await connect(bobDevice);
    const got = next<IntercomMessage>((l) => bob.onIntercom(l));
    const sent = await alice.sendIntercom('bob-ic', 'the eagle has landed');
    assert.equal(sent.name, 'bob-ic');
    assert.equal(sent.targetPubkey, await bob.intercomPublicKey());
    const m = await got;
    assert.deepEqual(
      [m.text, m.sender.name, m.sender.pubkey, m.shape, m.depositId],
      ['the eagle has landed', 'alice-ic', await alice.intercomPublicKey(), 'hybrid', null],
    );
    assert.equal(m.bus?.type, 'speak');
    // A bus message, in the RSA-only shape, back by key.
    const back = next<IntercomMessage>((l) => alice.onIntercom(l));
    await bob.sendIntercom(
      await alice.intercomPublicKey(),
      { type: 'ping', data: {}, context: {} },
      {
        shape: 'rsa-only',
      },
    );
    const b = await back;
    assert.deepEqual([b.bus?.type, b.sender.name, b.shape], ['ping', 'bob-ic', 'rsa-only']);
    await assert.rejects(alice.sendIntercom('nobody-here', 'hi'), { code: 'HL_ERR_INTERCOM_NO_KEY' });
    alice.close();
    bob.close();
  });

  it('reads the committed vectors as a stock HiveMind sender sends them, direct and inside a PROPAGATE', async () => {
    const recipient = await SdkDevice.add(hub.composed, 'vector-bob');
    const sender = await SdkDevice.add(hub.composed, 'vector-sender', { canPropagate: true });
    const bob = await connect(recipient, {
      privateKeyPem: v.bob.private_key_pem,
      trustedKeys: [v.alice.public_key_pem],
    });
    const raw = await connect(sender, false);
    const payloads: [JsonObject, string][] = [
      [v.hybrid_oaep_sha256_pss_salt32 as unknown as JsonObject, v.inner_json],
      [v.hybrid_oaep_sha1_pss_salt_max as unknown as JsonObject, v.inner_json],
      [v.rsa_only.payload, v.rsa_only.inner_json],
    ];
    for (const [payload, inner] of payloads) {
      const got = next<IntercomMessage>((l) => bob.onIntercom(l));
      raw.emit(createHiveMessage(HiveMessageType.INTERCOM, payload, { target_pubkey: v.bob.public_key_pem }));
      const m = await got;
      assert.deepEqual(m.inner, parseHiveMessage(inner));
      assert.deepEqual([m.sender.pubkey, m.sender.name], [v.alice.public_key_pem, null]);
    }
    const got = next<IntercomMessage>((l) => bob.onIntercom(l));
    const intercom = createHiveMessage(HiveMessageType.INTERCOM, v.hybrid_oaep_sha256_pss_salt32 as never, {
      target_pubkey: v.bob.public_key_pem,
    });
    raw.emit(createHiveMessage(HiveMessageType.PROPAGATE, intercom));
    assert.equal((await got).text, 'the eagle lands at noon');
    raw.close();
    bob.close();
  });

  it('fails closed: a signature by no trusted key, or forged under a known name, is refused undecrypted', async () => {
    const [victimDevice, bobDevice, forgerDevice] = await devices('victim-ic', 'bob-fc', 'forger-ic');
    const victim = await connect(victimDevice);
    const bob = await connect(bobDevice);
    const forger = await connect(forgerDevice, false); // no pinned key: the hub cannot check its signatures
    const heard = collect<IntercomMessage>((l) => bob.onIntercom(l));
    const stranger = await nodeIntercomRsa.generate();
    const forge = async (hint: string) => {
      const m = await sealIntercom({
        rsa: nodeIntercomRsa,
        backend: nodeBackend,
        senderPrivateKeyPem: stranger.privateKeyPem,
        recipientPublicKeyPem: await bob.intercomPublicKey(),
        inner: createHiveMessage(HiveMessageType.BUS, {
          type: 'speak',
          data: { utterance: 'open the door' },
        }),
      });
      return createHiveMessage(HiveMessageType.INTERCOM, m.payload, {
        target_pubkey: m.target_pubkey,
        metadata: { sender_pubkey: hint },
      }) as HiveMessage;
    };
    for (const hint of [stranger.publicKeyPem, await victim.intercomPublicKey()]) {
      const refused = next<IntercomRefusal>((l) => bob.onIntercomRefused(l));
      forger.emit(await forge(hint));
      assert.equal((await refused).error.code, 'HL_ERR_INTERCOM_SIGNATURE');
    }
    // A good one still goes through, and nothing forged was heard.
    const good = next<IntercomMessage>((l) => bob.onIntercom(l));
    await victim.sendIntercom('bob-fc', 'it is really me');
    assert.equal((await good).sender.name, 'victim-ic');
    assert.deepEqual(
      heard.map((m) => m.text),
      ['it is really me'],
    );
    for (const c of [victim, bob, forger]) c.close();
  });

  it('mail for an offline client — INTERCOM and sealed — reaches it once when it is back, then is gone', async () => {
    const [aliceDevice, bobDevice] = [
      await SdkDevice.add(hub.composed, 'alice-mb'),
      await SdkDevice.add(hub.composed, 'bob-mb', { consent: 'allow' }),
    ];
    const alice = await connect(aliceDevice);
    const first = await connect(bobDevice, true, (c) => c.onPrivate(() => {})); // publishes its e2e keys
    await first.sealed.publish();
    first.close();
    await alice.sealed.publish();
    await alice.sendIntercom('bob-mb', 'while you were out');
    const sealed = await alice.sendPrivate('bob-mb', 'sealed while you were out');
    assert.deepEqual([sealed.delivered, sealed.deposited], [false, true]);
    await alice.collectMail(); // a round trip after the INTERCOM: the hub has deposited it
    assert.equal(await hub.composed.data.store.mailbox.count(bobDevice.id), 2);

    let intercoms: IntercomMessage[] = [];
    let privates: PrivateMessage[] = [];
    let bothIn: Promise<void> = Promise.resolve();
    const back = await connect(bobDevice, true, (c) => {
      intercoms = collect((l) => c.onIntercom(l));
      privates = collect((l) => c.onPrivate(l));
      bothIn = Promise.all([next((l) => c.onIntercom(l)), next((l) => c.onPrivate(l))]).then(() => {});
    });
    await bothIn;
    assert.equal(await back.collectMail(), 0, 'nothing new on an asked collect');
    assert.deepEqual(
      intercoms.map((m) => [m.text, m.sender.name, typeof m.depositId]),
      [['while you were out', 'alice-mb', 'string']],
    );
    assert.deepEqual(
      privates.map((m) => [m.text, m.sender?.name, typeof m.depositedAt]),
      [['sealed while you were out', 'alice-mb', 'number']],
    );
    assert.equal(await hub.composed.data.store.mailbox.count(bobDevice.id), 0, 'acknowledged');
    back.close();

    const again = await connect(bobDevice, true, (c) => {
      c.onIntercom(() => assert.fail('handed out again'));
      c.onPrivate(() => assert.fail('handed out again'));
    });
    assert.equal(await again.collectMail(), 0);
    again.close();
    alice.close();
  });

  it('leaves mail nobody listens for in the mailbox', async () => {
    const [aliceDevice, bobDevice] = await devices('alice-nl', 'bob-nl');
    const bob = await connect(bobDevice);
    bob.close();
    const alice = await connect(aliceDevice);
    await alice.sendIntercom('bob-nl', 'are you there');
    await alice.collectMail();
    const deaf = await connect(bobDevice); // INTERCOM on, but no onIntercom listener
    assert.equal(await deaf.collectMail(), 0);
    assert.equal(await hub.composed.data.store.mailbox.count(bobDevice.id), 1, 'still waiting');
    deaf.close();
    alice.close();
  });
});
