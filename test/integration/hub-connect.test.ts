/**
 * Hub openings over real sockets: v3 Noise (both suites, XXpsk2 then KKpsk0 on reconnect with the pinned keys) and
 * the legacy password handshake (AES-GCM and ChaCha20, JSON and binarize), each carrying a BUS utterance answered
 * by a test agent on the agent bus.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply } from '../../src/bus/message.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import { FakePeer, failOnUnhandledRejection, startHub, type TestHub } from './hub-harness.js';

failOnUnhandledRejection();

describe('hub openings', () => {
  let t: TestHub;

  before(async () => {
    t = await startHub();
    t.bus.on('recognizer_loop:utterance', (m) => {
      const said = (m.data.utterances as string[])[0];
      t.bus.emit(reply(m, 'speak', { utterance: `you said ${said}` }));
    });
  });
  after(() => t.close());

  for (const suite of ['25519_ChaChaPoly_SHA256', '25519_AESGCM_SHA256'] as const) {
    it(`v3 ${suite}: XXpsk2 pins both keys, the reconnect uses KKpsk0, and an utterance is answered`, async () => {
      const c = await t.addClient();
      const staticKeyPair = nodeBackend.x25519KeyPair();
      const first = await FakePeer.open(t.url, {
        accessKey: c.accessKey,
        password: c.password,
        suites: [suite],
        staticKeyPair,
      });
      assert.equal(first.protocolVersion, 3);
      const request = first.cleartext.find((m) => m.msg_type === 'shake')!.payload as {
        noise: { patterns: string[] };
      };
      assert.deepEqual(request.noise.patterns, ['XXpsk2']);
      first.sendBus('recognizer_loop:utterance', { utterances: ['hello'] });
      const answer = await first.waitForBus('speak');
      assert.equal(answer.data.utterance, 'you said hello');
      assert.equal(answer.context.source, 'hive');
      await first.close();

      const record = await t.data.store.getClient(c.record.id);
      assert.equal(record?.noisePubkey, Buffer.from(staticKeyPair.publicKey).toString('hex'));

      const second = await FakePeer.open(t.url, {
        accessKey: c.accessKey,
        password: c.password,
        suites: [suite],
        staticKeyPair,
        pinnedHubKey: first.hubNoiseKey,
      });
      const request2 = second.cleartext.find((m) => m.msg_type === 'shake')!.payload as {
        noise: { patterns: string[] };
      };
      assert.ok(request2.noise.patterns.includes('KKpsk0'));
      assert.equal(second.protocolVersion, 3);
      second.sendBus('recognizer_loop:utterance', { utterances: ['again'] });
      assert.equal((await second.waitForBus('speak')).data.utterance, 'you said again');
      await second.close();
    });
  }

  for (const cipher of ['AES-GCM', 'CHACHA20-POLY1305'] as const) {
    for (const binarize of [false, true]) {
      it(`legacy ${cipher}${binarize ? ' binarized' : ' JSON'}: password handshake and an answered utterance`, async () => {
        const c = await t.addClient();
        const peer = await FakePeer.open(t.url, {
          accessKey: c.accessKey,
          password: c.password,
          protocol: 'legacy',
          ciphers: [cipher],
          binarize,
        });
        assert.equal(peer.protocolVersion, 2);
        assert.equal(peer.channel?.cipher, cipher);
        peer.sendBus('recognizer_loop:utterance', { utterances: ['legacy'] });
        assert.equal((await peer.waitForBus('speak')).data.utterance, 'you said legacy');
        await peer.close();
      });
    }
  }
});
