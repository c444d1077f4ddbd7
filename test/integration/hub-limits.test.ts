/**
 * Hub-wide limits and records: connections per IP and in total (1013), debounced last_seen, connection history.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakePeer, failOnUnhandledRejection, startHub } from './hub-harness.js';

failOnUnhandledRejection();

describe('hub limits and records', () => {
  it('refuses connections over maxConnectionsPerIp with 1013, and serves again once one closes', async () => {
    const t = await startHub({ limits: { maxConnectionsPerIp: 2 } });
    try {
      const opts = (await t.addClient()).peer;
      const a = await FakePeer.open(t.url, opts);
      const b = await FakePeer.open(t.url, opts);
      const third = new FakePeer(t.url, opts);
      assert.deepEqual(await third.closed, { code: 1013, reason: 'too many connections from this address' });
      await a.close();
      const again = await FakePeer.open(t.url, opts);
      await Promise.all([b.close(), again.close()]);
    } finally {
      await t.close();
    }
  });

  it('refuses connections over maxConnections with 1013', async () => {
    const t = await startHub({ limits: { maxConnections: 1 } });
    try {
      const opts = (await t.addClient()).peer;
      const a = await FakePeer.open(t.url, opts);
      const b = new FakePeer(t.url, opts);
      assert.deepEqual(await b.closed, { code: 1013, reason: 'too many connections' });
      await a.close();
    } finally {
      await t.close();
    }
  });

  it('records last_seen (batched) and the connection history with protocol, cipher and close reason', async () => {
    const t = await startHub({ limits: { lastSeenFlushMs: 20 } });
    try {
      const c = await t.addClient();
      const peer = await FakePeer.open(t.url, { ...c.peer, ciphers: ['CHACHA20-POLY1305'] });
      peer.sendBus('recognizer_loop:utterance', { utterances: ['hi'] });
      await peer.close();
      // The history row is finished asynchronously after the close; stop() flushes and waits for pending writes.
      await t.hub.stop();
      const record = await t.data.store.getClient(c.record.id);
      assert.equal(typeof record?.lastSeen, 'number');
      const [row] = await t.data.store.history(c.record.id);
      assert.equal(row?.protocol, 2);
      assert.equal(row?.cipher, 'CHACHA20-POLY1305');
      assert.equal(row?.ip, '127.0.0.1');
      assert.equal(row?.closeCode, 1000);
    } finally {
      await t.close();
    }
  });
});
