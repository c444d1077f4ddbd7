/**
 * Issue 10, finding 2: no throttling of failed authentication. Any address could guess passwords, or collect
 * XXpsk2 second messages with an access key, as fast as the hub answered. Now each address and each access key
 * has a failure budget; once it is spent, each further attempt waits (doubling) and is refused meanwhile with close
 * 1013 "authentication throttled: retry in N s" (HL_ERR_AUTH_THROTTLED), while the key's client at an address it
 * authenticated from keeps connecting. Clients come from different 127.x addresses; the hub's clock is a test
 * clock, so no test sleeps.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { FakePeer, failOnUnhandledRejection, outcome, startHub, type TestHub } from './hub-harness.js';

failOnUnhandledRejection();

const throttled = (seconds: number) => ({
  code: 1013,
  reason: `authentication throttled: retry in ${seconds} s`,
});

describe('hub: failed-authentication budget', () => {
  let t: TestHub;
  let clock = 1_000_000;

  before(async () => {
    t = await startHub(
      {
        limits: {
          authFailuresPerIp: 3,
          authFailuresPerKey: 2,
          authThrottleBaseDelayMs: 1000,
          authThrottleMaxDelayMs: 8000,
        },
      },
      { now: () => clock },
    );
  });
  after(() => t.close());

  it('unknown keys from one address: three, then each attempt waits (doubling) and is refused meanwhile', async () => {
    const from = '127.0.0.3';
    const guess = () =>
      outcome(new FakePeer(t.url, { accessKey: 'no-such-key', password: 'x', localAddress: from }));
    for (let i = 0; i < 3; i++)
      assert.deepEqual(await guess(), { code: 1008, reason: 'invalid authorization' });
    assert.deepEqual(await guess(), throttled(1));
    clock += 1000;
    assert.deepEqual(await guess(), { code: 1008, reason: 'invalid authorization' });
    assert.deepEqual(await guess(), throttled(2));
    // Another address has a budget of its own.
    assert.deepEqual(
      await outcome(
        new FakePeer(t.url, { accessKey: 'no-such-key', password: 'x', localAddress: '127.0.0.4' }),
      ),
      { code: 1008, reason: 'invalid authorization' },
    );
    assert.equal(t.hub.policy.authStats().throttled, 2);
    const metrics = await (await fetch(`http://127.0.0.1:${t.port}/metrics`)).text();
    assert.match(metrics, /^hivelink_auth_throttled_total 2$/m);
    assert.match(metrics, /^hivelink_auth_unknown_keys_total 5$/m);
  });

  it("wrong passwords spend the key's budget, yet its client keeps connecting from the address it used before", async () => {
    const c = await t.addClient();
    const legacy = (password: string, localAddress: string) =>
      outcome(new FakePeer(t.url, { accessKey: c.accessKey, password, protocol: 'legacy', localAddress }));
    assert.equal(await legacy(c.password, '127.0.0.1'), 'open');
    // An attacker with the access key, from two addresses of its own: the key's budget (2) is shared.
    assert.deepEqual(await legacy('guess-1', '127.0.0.5'), {
      code: 1008,
      reason: 'password handshake verification failed',
    });
    assert.deepEqual(await legacy('guess-2', '127.0.0.6'), {
      code: 1008,
      reason: 'password handshake verification failed',
    });
    assert.deepEqual(await legacy('guess-3', '127.0.0.7'), throttled(1));
    // The client at its usual address is not held back by the key's budget.
    assert.equal(await legacy(c.password, '127.0.0.1'), 'open');
    assert.equal(await legacy(c.password, '127.0.0.1'), 'open');
    // From a new address it waits at most the delay since the attacker's last failure.
    assert.deepEqual(await legacy(c.password, '127.0.0.8'), throttled(1));
    clock += 1000;
    assert.equal(await legacy(c.password, '127.0.0.8'), 'open');
  });

  it('v3: an access key without its password gets XXpsk2 msg2 only within the budget', async () => {
    const c = await t.addClient();
    const attempt = () => {
      const peer = new FakePeer(t.url, {
        accessKey: c.accessKey,
        password: 'not-the-password',
        localAddress: '127.0.0.9',
      });
      return outcome(peer).then((end) => ({ end, peer }));
    };
    const msg2 = (peer: FakePeer) =>
      peer.cleartext.filter(
        (m) =>
          m.msg_type === HiveMessageType.HANDSHAKE &&
          typeof (m.payload as { noise?: { msg?: unknown } }).noise?.msg === 'string',
      ).length;
    for (let i = 0; i < 2; i++) {
      const { end, peer } = await attempt();
      assert.equal(end, 'failed', 'the client sees the wrong password at msg2');
      assert.equal(msg2(peer), 1);
    }
    const { end, peer } = await attempt();
    assert.deepEqual(end, throttled(1));
    assert.equal(peer.cleartext.length, 0, 'refused before HELLO: no msg2');
    const stats = t.hub.policy.authStats();
    assert.ok(stats.attempts >= 2 && stats.throttled >= 1);
  });
});
