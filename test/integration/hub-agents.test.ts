/**
 * The hub with its other agents and transports: an external OVOS messagebus (`--agent ovos`, through BusClient to
 * a BusServer standing in for ovos-messagebus), and TLS with a self-signed certificate generated once in the data
 * dir.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { reply } from '../../src/bus/message.js';
import { BusServer } from '../../src/bus/ws-server.js';
import { loadOrCreateSelfSigned } from '../../src/http/server.js';
import { ovosAgent } from '../../src/hub/agent-ovos.js';
import { FakePeer, failOnUnhandledRejection, startHub } from './hub-harness.js';

failOnUnhandledRejection();

describe('hub agents and transports', () => {
  it('--agent ovos: BUS goes to the external messagebus, replies come back to the asking client only', async () => {
    const ovos = new BusServer({
      port: 0,
      logger: { info() {}, warn() {}, error() {}, debug() {} },
    });
    const { port } = await ovos.start();
    const skills = ovos.localBus();
    const seen: string[] = [];
    skills.on('recognizer_loop:utterance', (m) => {
      seen.push(String(m.context.peer));
      skills.emit(reply(m, 'speak', { utterance: 'from ovos' }));
    });
    const t = await startHub(
      {},
      { agent: ovosAgent({ url: `ws://127.0.0.1:${port}/core`, waitForConnection: true }) },
    );
    try {
      const peer = await FakePeer.open(t.url, (await t.addClient()).peer);
      peer.sendBus('recognizer_loop:utterance', { utterances: ['hi'] });
      const answer = await peer.waitForBus('speak');
      assert.equal(answer.data.utterance, 'from ovos');
      assert.equal(answer.context.source, 'hive');
      assert.match(seen[0]!, /^hivelink-test::/);
      await peer.close();
    } finally {
      await t.close();
      await ovos.stop();
    }
  });

  it('TLS: a self-signed certificate is generated once, kept in the data dir, and serves wss and https', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivelink-tls-'));
    try {
      const tls = await loadOrCreateSelfSigned(dir);
      const again = await loadOrCreateSelfSigned(dir);
      assert.equal(again.cert, tls.cert, 'generated once');
      assert.match(readFileSync(join(dir, 'tls', 'hivelink.crt'), 'utf8'), /BEGIN CERTIFICATE/);
      const t = await startHub({}, { tls });
      try {
        const c = await t.addClient();
        assert.match(t.url, /^wss:/);
        const peer = await FakePeer.open(t.url, c.peer);
        assert.equal(peer.protocolVersion, 2);
        await peer.close();
      } finally {
        await t.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
