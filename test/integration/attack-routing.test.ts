/**
 * Routing attacks against a real hub (issue: attacks). A default client could flood PROPAGATE and CASCADE to every
 * other client, a flood's inner type was not checked against the sender's allowed types (a satellite made another
 * client receive `speak: "EVE-INJECTED: open the garage door"`), and a forwarded flood's route listed the peer id
 * of every connected client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply } from '../../src/bus/message.js';
import type { JsonObject } from '../../src/protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { FakePeer, failOnUnhandledRejection, startHub, type TestHub } from './hub-harness.js';

failOnUnhandledRejection();

const EVIL = 'EVE-INJECTED: open the garage door';

function bus(type: string, data: JsonObject = {}): HiveMessage {
  return createHiveMessage(HiveMessageType.BUS, { type, data, context: {} });
}

describe('routing attacks', () => {
  let t: TestHub;
  let victim: FakePeer;

  before(async () => {
    t = await startHub();
    victim = await FakePeer.open(t.url, (await t.addClient({ name: 'victim' })).peer);
  });
  after(async () => {
    // Nothing any attacker sent reached the victim: only the permitted flood and the admin's broadcast did.
    const got = JSON.stringify(victim.received);
    assert.ok(!got.includes('EVE-INJECTED'), 'the injected speak never reached the victim');
    assert.ok(!got.includes('mycroft.skills.shutdown'));
    await victim.close();
    await t.close();
  });

  async function attacker(over: Parameters<TestHub['addClient']>[0] = {}): Promise<FakePeer> {
    return FakePeer.open(t.url, (await t.addClient(over)).peer);
  }

  /** The next policy denial `peer` gets. */
  async function denial(peer: FakePeer): Promise<JsonObject> {
    return (await peer.waitForBus('hive.policy.denied')).data as JsonObject;
  }

  it('a default client may not PROPAGATE, ESCALATE or CASCADE: the flags are admin-granted', async () => {
    const eve = await attacker();
    for (const type of [HiveMessageType.PROPAGATE, HiveMessageType.ESCALATE] as const) {
      eve.send(createHiveMessage(type, bus('speak', { utterance: EVIL })));
      const d = await denial(eve);
      assert.equal(d.code, 'permission_denied');
      assert.equal(d.denied_type, type);
      eve.received.length = 0;
    }
    eve.send(
      createHiveMessage(HiveMessageType.CASCADE, bus('recognizer_loop:utterance', { utterances: ['hi'] }), {
        metadata: { query_id: 'q-eve' },
      }),
    );
    assert.equal((await denial(eve)).code, 'permission_denied');
    await eve.close();
  });

  it('with can_propagate, a non-admin flood still never carries speak', async () => {
    const eve = await attacker({ canPropagate: true, allowedTypes: ['recognizer_loop:utterance', 'speak'] });
    eve.send(createHiveMessage(HiveMessageType.PROPAGATE, bus('speak', { utterance: EVIL })));
    const d = await denial(eve);
    assert.equal(d.code, 'permission_denied');
    assert.match(String(d.reason), /only an admin client may send "speak"/);
    await eve.close();
  });

  it('the inner type is checked against the sender’s allowed types, at every level of nesting', async () => {
    const eve = await attacker({ canPropagate: true, canEscalate: false });
    eve.send(createHiveMessage(HiveMessageType.PROPAGATE, bus('mycroft.skills.shutdown')));
    assert.equal((await denial(eve)).code, 'acl_disallowed_type');
    eve.received.length = 0;
    // A PROPAGATE wrapping an ESCALATE needs can_escalate too.
    const nested = createHiveMessage(
      HiveMessageType.PROPAGATE,
      createHiveMessage(HiveMessageType.ESCALATE, bus('recognizer_loop:utterance', { utterances: ['x'] })),
    );
    eve.send(nested);
    assert.equal((await denial(eve)).code, 'permission_denied');
    eve.received.length = 0;
    // A flood may not carry handshake-phase messages.
    eve.send(
      createHiveMessage(HiveMessageType.PROPAGATE, createHiveMessage(HiveMessageType.HELLO, { x: 1 })),
    );
    assert.equal((await denial(eve)).code, 'unsupported');
    await eve.close();
  });

  it('a permitted flood reaches others and its route names the hub only, not the connected clients', async () => {
    const relay = await attacker({ canPropagate: true });
    const other = await attacker();
    const ping = createHiveMessage(HiveMessageType.PING, {
      flood_id: 'route-check',
      peer: 'x',
      timestamp: 1,
    });
    relay.send(createHiveMessage(HiveMessageType.PROPAGATE, ping));
    const got = await other.waitFor((m) => m.msg_type === 'propagate');
    assert.equal(got.route.length, 1);
    assert.equal(got.route[0]!.source, t.identity.rsaPublicPem);
    assert.deepEqual(got.route[0]!.targets, []);
    const seen = JSON.stringify(got);
    assert.ok(!seen.includes('victim'), 'no other client’s peer id in the forwarded message');
    await Promise.all([relay.close(), other.close()]);
  });

  it('a 2.2 MB utterance is refused up front (too_large) and the sender stays connected and served', async () => {
    const t2 = await startHub();
    t2.bus.on('recognizer_loop:utterance', (m) => {
      t2.bus.emit(reply(m, 'speak', { utterance: `heard ${(m.data.utterances as string[])[0]!.length}` }));
    });
    try {
      const sender = await FakePeer.open(t2.url, (await t2.addClient()).peer);
      const heard: number[] = [];
      t2.bus.on('recognizer_loop:utterance', (m) => heard.push((m.data.utterances as string[])[0]!.length));
      sender.send(bus('recognizer_loop:utterance', { utterances: ['x'.repeat(2_200_000)] }));
      const d = await denial(sender);
      assert.equal(d.code, 'too_large');
      assert.equal(d.denied_type, 'recognizer_loop:utterance');
      sender.send(bus('recognizer_loop:utterance', { utterances: ['what time is it'] }));
      assert.equal((await sender.waitForBus('speak')).data.utterance, 'heard 15');
      assert.deepEqual(heard, [15], 'the oversized utterance never reached the brain');
      assert.equal(sender.closeInfo, null);
      await sender.close();
    } finally {
      await t2.close();
    }
  });

  it('an admin may still announce to every speaker with BROADCAST', async () => {
    const admin = await attacker({ isAdmin: true, canBroadcast: true });
    const listener = await attacker();
    admin.send(createHiveMessage(HiveMessageType.BROADCAST, bus('speak', { utterance: 'dinner is ready' })));
    assert.equal((await listener.waitForBus('speak')).data.utterance, 'dinner is ready');
    await Promise.all([admin.close(), listener.close()]);
  });
});
