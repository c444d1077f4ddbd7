/**
 * Legacy session integrity against a real hub (issue: attacks). The legacy format has no counter, so the hub
 * refuses what the wire cannot: a frame replayed within the session, and any cleartext that would change a live
 * session (a HELLO, or a HANDSHAKE once the client has proven it holds the key).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply } from '../../src/bus/message.js';
import { createHiveMessage, type HiveMessage, serializeHiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { FakePeer, failOnUnhandledRejection, startHub, type TestHub } from './hub-harness.js';

failOnUnhandledRejection();

const utterance = (text: string): HiveMessage =>
  createHiveMessage(HiveMessageType.BUS, {
    type: 'recognizer_loop:utterance',
    data: { utterances: [text] },
    context: {},
  });

/** Records every text frame the peer sends (its cleartext HANDSHAKE among them). */
function recordSends(peer: FakePeer): string[] {
  const sent: string[] = [];
  const send = peer.ws.send.bind(peer.ws) as (data: unknown) => void;
  (peer.ws as unknown as { send: (data: unknown) => void }).send = (data: unknown) => {
    if (typeof data === 'string') sent.push(data);
    send(data);
  };
  return sent;
}

describe('legacy session integrity', () => {
  let t: TestHub;
  const heard: string[] = [];

  before(async () => {
    t = await startHub();
    t.bus.on('recognizer_loop:utterance', (m) => {
      const text = (m.data.utterances as string[])[0]!;
      heard.push(text);
      t.bus.emit(reply(m, 'speak', { utterance: `echo ${text}` }));
    });
  });
  after(() => t.close());

  async function legacyPeer(over: { hello?: boolean } = {}) {
    const c = await t.addClient();
    const peer = new FakePeer(t.url, {
      accessKey: c.accessKey,
      password: c.password,
      protocol: 'legacy',
      ...over,
    });
    const sent = recordSends(peer);
    await peer.established();
    return { peer, sent };
  }

  it('a frame replayed in the same session is refused with 1008 and answered only once', async () => {
    const { peer } = await legacyPeer();
    const [frame] = peer.channel!.seal(utterance('open the door once'));
    peer.sendFrame(frame!);
    assert.equal((await peer.waitForBus('speak')).data.utterance, 'echo open the door once');
    peer.sendFrame(frame!);
    const closed = await peer.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /replayed/);
    assert.equal(
      heard.filter((h) => h === 'open the door once').length,
      1,
      'the replay never reached the brain',
    );
  });

  it('a replayed binary (bitstring) frame is refused the same way', async () => {
    const c = await t.addClient();
    const peer = await FakePeer.open(t.url, {
      accessKey: c.accessKey,
      password: c.password,
      protocol: 'legacy',
      binarize: true,
    });
    const frames = peer.channel!.seal(utterance('binary once'));
    assert.equal(frames[0]!.kind, 'binary');
    peer.sendFrame(frames[0]!);
    await peer.waitForBus('speak');
    peer.sendFrame(frames[0]!);
    const closed = await peer.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /replayed/);
  });

  it('a cleartext HELLO after the handshake is refused (1008) and changes nothing', async () => {
    const { peer } = await legacyPeer();
    peer.sendClear(
      createHiveMessage(HiveMessageType.HELLO, {
        pubkey: 'attacker-key',
        session: { session_id: 'hijacked' },
        site_id: 'attacker-site',
      }),
    );
    const closed = await peer.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /unencrypted hello rejected/);
  });

  it('a replayed cleartext HANDSHAKE after the client sent an encrypted frame cannot re-key the session', async () => {
    const { peer, sent } = await legacyPeer();
    // FakePeer sent its HELLO encrypted right after the handshake: the client has proven it holds the key.
    peer.send(utterance('hello there'));
    await peer.waitForBus('speak');
    const handshake = sent.find((s) => (JSON.parse(s) as { msg_type: string }).msg_type === 'shake');
    assert.ok(handshake, 'the client sent a cleartext HANDSHAKE');
    peer.ws.send(handshake);
    const closed = await peer.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /cleartext handshake rejected/);
  });

  it('a HANDSHAKE repeated before any encrypted frame is still answered (the Python client re-sends after 5 s)', async () => {
    const { peer, sent } = await legacyPeer({ hello: false });
    const handshake = sent.find((s) => (JSON.parse(s) as { msg_type: string }).msg_type === 'shake');
    assert.ok(handshake);
    const answers = peer.cleartext.filter((m) => m.msg_type === HiveMessageType.HANDSHAKE).length;
    peer.ws.send(handshake);
    const again = await peer.waitFor((m) => m.msg_type === HiveMessageType.HANDSHAKE);
    assert.ok(serializeHiveMessage(again).includes('envelope'), 'the hub answered with a fresh envelope');
    assert.ok(answers >= 1);
    assert.equal(peer.closeInfo, null, 'still connected');
    await peer.close();
  });
});
