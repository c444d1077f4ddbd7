/**
 * INTERCOM against a real hub (issue 10): the public key a HELLO announces is pinned to the client record that
 * announced it first, so another client claiming it is refused (`key_not_bound`) and receives nothing addressed to
 * it; an INTERCOM that is not signed ciphertext in a reference shape, or is not signed by the sender's pinned key,
 * is refused and not relayed; and a real end-to-end encrypted INTERCOM between two clients still gets through.
 */
import assert from 'node:assert/strict';
import {
  constants,
  createCipheriv,
  createDecipheriv,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { MessageData } from '../../src/bus/types.js';
import { clientsResetIntercomPin } from '../../src/cli/commands/clients.js';
import type { JsonObject } from '../../src/protocol/json.js';
import {
  createHiveMessage,
  type HiveMessage,
  hiveMessageToJson,
  parseHiveMessage,
} from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { FakePeer, failOnUnhandledRejection, startHub, type TestHub } from './hub-harness.js';

failOnUnhandledRejection();

interface Identity {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
  /** The SPKI PEM a HELLO announces. */
  readonly pem: string;
}

function identity(): Identity {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKey, privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

/** The hybrid INTERCOM payload: every field base64. */
type Sealed = { encrypted_key: string; ciphertext: string; tag: string; nonce: string; signature: string };

/**
 * An INTERCOM payload as the reference writes it (hybrid): AES-256-GCM of the inner message JSON under a fresh key,
 * that key wrapped with RSA-OAEP for the recipient, and an RSA-PSS-SHA256 signature over the raw ciphertext.
 */
function seal(from: Identity, to: Identity, inner: HiveMessage): Sealed {
  const key = randomBytes(32);
  const nonce = randomBytes(16);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const ciphertext = Buffer.concat([
    cipher.update(JSON.stringify(hiveMessageToJson(inner)), 'utf8'),
    cipher.final(),
  ]);
  const signature = sign('sha256', ciphertext, {
    key: from.privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  });
  return {
    encrypted_key: publicEncrypt(
      { key: to.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING },
      key,
    ).toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    nonce: nonce.toString('base64'),
    signature: signature.toString('base64'),
  };
}

/** What the recipient does: check the sender's signature first, then unwrap the key and decrypt. */
function unseal(to: Identity, from: Identity, payload: JsonObject): HiveMessage {
  const ciphertext = Buffer.from(payload.ciphertext as string, 'base64');
  const signed = verify(
    'sha256',
    ciphertext,
    { key: from.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    Buffer.from(payload.signature as string, 'base64'),
  );
  assert.ok(signed, 'the signature verifies against the sender key');
  const key = privateDecrypt(
    { key: to.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING },
    Buffer.from(payload.encrypted_key as string, 'base64'),
  );
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(payload.nonce as string, 'base64'));
  decipher.setAuthTag(Buffer.from(payload.tag as string, 'base64'));
  const json = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  return parseHiveMessage(json);
}

const speak = (text: string): HiveMessage =>
  createHiveMessage(HiveMessageType.BUS, { type: 'speak', data: { utterance: text }, context: {} });

const intercom = (payload: JsonObject, to: Identity): HiveMessage =>
  createHiveMessage(HiveMessageType.INTERCOM, payload, { target_pubkey: to.pem });

const intercomsOf = (peer: FakePeer) => peer.received.filter((m) => m.msg_type === HiveMessageType.INTERCOM);

describe('INTERCOM: keys bound to clients, envelopes that must be signed ciphertext', () => {
  let t: TestHub;
  let alice: Identity;
  let bob: Identity;
  let mallory: Identity;
  const warnings: unknown[][] = [];
  let syncs = 0;

  before(async () => {
    [alice, bob, mallory] = [identity(), identity(), identity()];
    t = await startHub();
    // The harness hub logs nothing; keep what the hub warns about, to check what it says of refused keys.
    (t.hub.logger as unknown as { warn: (...args: unknown[]) => void }).warn = (...args) =>
      warnings.push(args);
  });
  after(() => t.close());

  /** A new client record connected as `pubkey` (an empty HELLO pubkey when not given). */
  async function connect(pubkey = '', record?: Awaited<ReturnType<TestHub['addClient']>>) {
    const c = record ?? (await t.addClient());
    const peer = await FakePeer.open(t.url, {
      accessKey: c.accessKey,
      password: c.password,
      protocol: 'legacy',
      pubkey,
    });
    return { peer, client: c };
  }

  /**
   * Resolves once the hub has handled everything `peer` sent so far (its HELLO among them): the answer to a bus
   * message the client may not send comes after it, on the same ordered queue.
   */
  async function settled(peer: FakePeer): Promise<void> {
    const type = `hivelink.test.sync.${++syncs}`;
    peer.sendBus(type);
    await peer.waitFor((m) => denial(m)?.denied_type === type);
  }

  function denial(m: HiveMessage): JsonObject | null {
    if (m.msg_type !== HiveMessageType.BUS) return null;
    const bus = m.payload as unknown as MessageData;
    return bus.type === 'hive.policy.denied' ? (bus.data as JsonObject) : null;
  }

  /** The next `hive.policy.denied` about `deniedType`. */
  async function deniedFor(peer: FakePeer, deniedType: string): Promise<JsonObject> {
    const m = await peer.waitFor((x) => denial(x)?.denied_type === deniedType);
    return denial(m)!;
  }

  /** After a round trip of `recipient`'s own ({@link settled}) it holds no INTERCOM; then both peers close. */
  async function assertNothingRelayed(recipient: FakePeer, sender: FakePeer): Promise<void> {
    await settled(recipient);
    assert.equal(intercomsOf(recipient).length, 0, 'nothing was relayed');
    await Promise.all([recipient.close(), sender.close()]);
  }

  it("a second client announcing another client's key is refused and receives nothing addressed to it", async () => {
    const a = await connect(alice.pem);
    await settled(a.peer);
    const b = await connect(bob.pem);
    await settled(b.peer);

    // Mallory claims Alice's key, spelled as PKCS#1 and with other line breaks: the same key all the same.
    const reformatted = `${(alice.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string).trim()}\n\n`;
    const m = await connect(reformatted);
    const refused = await deniedFor(m.peer, HiveMessageType.HELLO);
    assert.equal(refused.code, 'key_not_bound');
    assert.match(String(refused.reason), /not registered for INTERCOM/);
    assert.doesNotMatch(String(refused.reason), /BEGIN|MII/, 'the reason quotes no key');

    // The refusal was logged by fingerprint, never with the key itself.
    const logged = warnings.map((w) => JSON.stringify(w)).find((w) => w.includes('pinned to another client'));
    assert.ok(logged !== undefined, 'the refusal is logged');
    assert.match(logged, /sha256:[0-9a-f]{16}/);
    const body = alice.pem.split('\n')[1]!;
    assert.ok(!logged.includes(body.slice(0, 24)), 'the log holds no key material');

    // Bob writes to Alice: only Alice gets it.
    b.peer.send(intercom(seal(bob, alice, speak('for alice only')), alice));
    const got = await a.peer.waitFor((x) => x.msg_type === HiveMessageType.INTERCOM);
    assert.equal((unseal(alice, bob, got.payload as JsonObject).payload as JsonObject).type, 'speak');
    await settled(m.peer);
    assert.equal(intercomsOf(m.peer).length, 0, 'the claimant received nothing');

    // With Alice offline, the claimant still is not her address: the message waits in Alice's mailbox (RENDEZVOUS).
    await a.peer.close();
    b.peer.send(intercom(seal(bob, alice, speak('alice is away')), alice));
    const deposited = await b.peer.waitFor((x) => x.msg_type === HiveMessageType.RENDEZVOUS);
    assert.equal((deposited.payload as JsonObject).status, 'ok');
    assert.equal((deposited.payload as JsonObject).cmd, 'deposit');
    await settled(m.peer);
    assert.equal(intercomsOf(m.peer).length, 0, 'the claimant received nothing');

    await Promise.all([b.peer.close(), m.peer.close()]);
  });

  it('a client keeps its pinned key across connections and cannot swap in another until an admin resets it', async () => {
    const carol = identity();
    const first = await connect(carol.pem);
    await settled(first.peer);
    await first.peer.close();

    const again = await connect(carol.pem, first.client);
    await settled(again.peer);
    assert.equal(
      again.peer.busOf('hive.policy.denied').length,
      1,
      'only the sync answer: the same key is fine',
    );

    const swapped = await connect(mallory.pem, first.client);
    assert.equal((await deniedFor(swapped.peer, HiveMessageType.HELLO)).code, 'key_not_bound');
    const sender = await connect();
    sender.peer.send(intercom(seal(bob, mallory, speak('x')), mallory));
    assert.equal((await deniedFor(sender.peer, HiveMessageType.INTERCOM)).code, 'no_route');

    // `hivelink clients reset-intercom-pin`: the next HELLO pins the new key.
    const out: string[] = [];
    await clientsResetIntercomPin(
      { store: t.data.store, out: { write: (s) => out.push(s) } },
      String(first.client.record.id),
    );
    assert.match(out.join(''), /Cleared the INTERCOM key pin/);
    assert.equal((await t.data.store.getClient(first.client.record.id))?.intercomPubkey, null);
    const swappedPeers = [again.peer, swapped.peer];
    swapped.peer.sendHello();
    await settled(swapped.peer);
    const inner = speak('new key');
    sender.peer.send(intercom(seal(bob, mallory, inner), mallory));
    const got = await swapped.peer.waitFor((x) => x.msg_type === HiveMessageType.INTERCOM);
    assert.deepEqual(unseal(mallory, bob, got.payload as JsonObject), inner);
    await Promise.all([...swappedPeers, sender.peer].map((p) => p.close()));
  });

  it('refuses an INTERCOM that is not signed ciphertext in a reference shape, and relays none of them', async () => {
    const dave = identity();
    const recipient = await connect(dave.pem);
    await settled(recipient.peer);
    const sender = await connect();
    const good = seal(bob, dave, speak('template'));
    const b64 = (n: number) => randomBytes(n).toString('base64');
    const bad: [string, JsonObject][] = [
      ['plaintext', hiveMessageToJson(speak('read me')) as unknown as JsonObject],
      ['plaintext beside the ciphertext', { ...good, utterance: 'read me' }],
      ['no signature', { ...good, signature: '' }],
      ['a signature that is not a string', { ...good, signature: 42 }],
      ['a signature missing', { ciphertext: good.ciphertext }],
      ['ciphertext not base64', { ...good, ciphertext: 'this is not base64!!' }],
      ['a signature too short for RSA', { ...good, signature: b64(16) }],
      ['a tag of the wrong size', { ...good, tag: b64(4) }],
      [
        'RSA-only shape with plaintext',
        { ciphertext: Buffer.from('hello dave').toString('base64'), signature: good.signature },
      ],
    ];
    for (const [what, payload] of bad) {
      sender.peer.send(intercom(payload, dave));
      const refused = await deniedFor(sender.peer, HiveMessageType.INTERCOM);
      assert.equal(refused.code, 'malformed_message', what);
      sender.peer.received.length = 0;
    }
    // A target that is not a public key is as impossible.
    sender.peer.send(createHiveMessage(HiveMessageType.INTERCOM, good, { target_pubkey: 'PEM-OF-DAVE' }));
    assert.equal((await deniedFor(sender.peer, HiveMessageType.INTERCOM)).code, 'malformed_message');
    await assertNothingRelayed(recipient.peer, sender.peer);
  });

  it("refuses an INTERCOM not signed by the sender's pinned key", async () => {
    const erin = identity();
    const frank = identity();
    const recipient = await connect(erin.pem);
    await settled(recipient.peer);
    const sender = await connect(frank.pem);
    await settled(sender.peer);
    // Signed by someone else (Mallory) although Frank's key is pinned to the sender's record.
    sender.peer.send(intercom(seal(mallory, erin, speak('forged')), erin));
    const refused = await deniedFor(sender.peer, HiveMessageType.INTERCOM);
    assert.equal(refused.code, 'key_not_bound');
    // Tampered ciphertext under Frank's own signature.
    const sealed = seal(frank, erin, speak('tampered'));
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    sender.peer.received.length = 0;
    sender.peer.send(intercom({ ...sealed, ciphertext: bytes.toString('base64') }, erin));
    assert.equal((await deniedFor(sender.peer, HiveMessageType.INTERCOM)).code, 'key_not_bound');
    await assertNothingRelayed(recipient.peer, sender.peer);
  });

  it('relays a real end-to-end encrypted INTERCOM between two clients, both ways, untouched', async () => {
    const gina = identity();
    const hank = identity();
    const g = await connect(gina.pem);
    const h = await connect(hank.pem);
    await Promise.all([settled(g.peer), settled(h.peer)]);

    const hello = speak('hello hank');
    const payload = seal(gina, hank, hello);
    g.peer.send(intercom(payload, hank));
    const got = await h.peer.waitFor((x) => x.msg_type === HiveMessageType.INTERCOM);
    assert.deepEqual(got.payload, payload, 'relayed untouched');
    assert.equal(got.target_pubkey, hank.pem);
    assert.deepEqual(unseal(hank, gina, got.payload as JsonObject), hello);

    const answer = speak('hi gina');
    h.peer.send(intercom(seal(hank, gina, answer), gina));
    const back = await g.peer.waitFor((x) => x.msg_type === HiveMessageType.INTERCOM);
    assert.deepEqual(unseal(gina, hank, back.payload as JsonObject), answer);

    // A sender with no key of its own cannot be checked by the hub: it is relayed (the recipient verifies).
    const anon = await connect();
    anon.peer.send(intercom(seal(mallory, hank, speak('unverified')), hank));
    await h.peer.waitFor((x) => x.msg_type === HiveMessageType.INTERCOM && x !== got);
    await Promise.all([g.peer.close(), h.peer.close(), anon.peer.close()]);
  });
});
