/**
 * Rate limits as a client meets them: over its rate, an utterance is refused with a typed error it can show
 * (HL_ERR_RATE_EXCEEDED, the connection stays open), and a client an admin made unlimited (`--rate-limit unlimited`,
 * stored as 0) sends a burst far over the hub default with nothing refused. Real sockets, the SDK, a real hub.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import { createHiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { startHub, type TestHub } from './hub-harness.js';

const utterance = (text: string) =>
  createHiveMessage(HiveMessageType.BUS, {
    type: 'recognizer_loop:utterance',
    data: { utterances: [text], lang: 'en-US' },
    context: {},
  });

describe('rate limits', () => {
  let t: TestHub;
  const clients: HiveClient[] = [];
  before(async () => {
    t = await startHub({ limits: { defaultRateLimitPerSecond: 20 } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.close();
  });

  const connect = async (rateLimitPerSecond: number | null): Promise<HiveClient> => {
    const added = await t.addClient({ rateLimitPerSecond });
    const client = createHiveClient({
      url: t.url,
      accessKey: added.accessKey,
      password: added.password,
      protocol: 'legacy',
      reconnect: { enabled: false },
    });
    clients.push(client);
    await client.connect();
    return client;
  };

  it('over its rate, an ask is refused with HL_ERR_RATE_EXCEEDED and the connection stays open', async () => {
    const client = await connect(1); // 1/s, a burst of 2
    // Two utterances use the burst; the ask sent in the same tick is the one refused (the hub never answers here).
    client.emit(utterance('one'));
    client.emit(utterance('two'));
    const refused = await client.ask('three', { timeoutMs: 5000 }).then(
      () => null,
      (err: unknown) => err,
    );
    assert.equal((refused as { code?: string } | null)?.code, 'HL_ERR_RATE_EXCEEDED', String(refused));
    assert.match((refused as Error).message, /--rate-limit N\|unlimited/);
    assert.equal(client.state.type, 'open', 'a refusal is not a disconnect');
  });

  it('an unlimited client sends 300 utterances at once, far over the default of 20/s, and none is refused', async () => {
    const client = await connect(0);
    const denials: unknown[] = [];
    client.onBus('hive.policy.denied', (m) => denials.push(m));
    let seen = 0;
    const all = new Promise<void>((resolve) => {
      const off = t.bus.on('recognizer_loop:utterance', (m) => {
        if ((m.data as { utterances?: string[] }).utterances?.[0]?.startsWith('burst ') !== true) return;
        seen += 1;
        if (seen === 300) {
          off();
          resolve();
        }
      });
    });
    for (let i = 0; i < 300; i++) client.emit(utterance(`burst ${i}`));
    await all;
    assert.deepEqual(denials, []);
    assert.equal(client.state.type, 'open');
  });
});
