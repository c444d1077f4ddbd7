/**
 * A client that speaks exactly like the reference Python client (hivemind-bus-client 0.4.3, captured in
 * `test/fixtures/vectors/legacy-sessions/session1.json`): raw token, its encoding and cipher order, Python spacing,
 * its HANDSHAKE sent unasked and then re-sent (the 5 s retry), its encrypted HELLO with the full OVOS session and its
 * BUS and PING frames, byte for byte as captured. The hub must negotiate JSON-B91 + AES-GCM, re-key on the repeat,
 * and route the answer back with the reference's shape.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { reply } from '../../src/bus/message.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import { decryptJsonEnvelope, encryptJsonEnvelope } from '../../src/crypto/legacy-cipher.js';
import {
  deriveSalt,
  deriveSessionKey,
  makeEnvelope,
  verifyEnvelope,
} from '../../src/crypto/password-handshake.js';
import { parseHiveMessage } from '../../src/protocol/message.js';
import { loadVectors } from '../helpers/vectors.js';
import { failOnUnhandledRejection, nextOnBus, startHub, type TestHub } from './hub-harness.js';

failOnUnhandledRejection();

interface Frame {
  dir?: string;
  kind?: string;
  text?: string;
  plaintext?: string;
}
interface Session {
  access_key: string;
  password: string;
  useragent: string;
  session_id: string;
  frames: Frame[];
}

const session = loadVectors<Session>('legacy-sessions/session1.json');
const clientFrames = session.frames.filter((f) => f.dir === 'C>S');
const referenceOffer = clientFrames[0]!.text!;
const [helloPlain, busPlain, pingPlain] = clientFrames.slice(1).map((f) => f.plaintext!);

/** A socket whose text frames are collected in order. */
function connect(url: string): { ws: WebSocket; next: () => Promise<string>; closed: Promise<number> } {
  const ws = new WebSocket(url);
  const inbox: string[] = [];
  const waiting: ((s: string) => void)[] = [];
  ws.on('message', (data) => {
    const text = (data as Buffer).toString('utf8');
    const w = waiting.shift();
    if (w) w(text);
    else inbox.push(text);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return {
    ws,
    closed,
    next: () => {
      const t = inbox.shift();
      return t !== undefined ? Promise.resolve(t) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

describe('a client speaking exactly like the reference Python client', () => {
  let t: TestHub;

  before(async () => {
    t = await startHub();
    await t.data.store.addClient({
      name: 'pyref-client',
      accessKey: session.access_key,
      password: session.password,
    });
    t.bus.on('recognizer_loop:utterance', (m) => {
      t.bus.emit(reply(m, 'speak', { utterance: `echo: ${(m.data.utterances as string[])[0]}` }));
    });
  });
  after(() => t.close());

  it('handshakes (offer sent unasked, then re-sent), sends the captured HELLO, BUS and PING, and is answered', async () => {
    const token = Buffer.from(`${session.useragent}:${session.access_key}`).toString('base64');
    const { ws, next } = connect(`${t.url}/?authorization=${token}`);
    await new Promise((resolve) => ws.once('open', resolve));
    // 0.4.3 can miss the hub's opening frames and starts the handshake unasked; then it re-sends the offer (5 s
    // retry). Both copies go out before the client reads anything.
    const envelope = makeEnvelope(nodeBackend, session.password);
    const offer = referenceOffer.replace(/"envelope": "[0-9a-f]+"/, `"envelope": "${envelope}"`);
    ws.send(offer);
    ws.send(offer);

    // The hub speaks first, in clear, in Python's JSON spacing with all eight keys.
    const helloText = await next();
    const requestText = await next();
    assert.match(helloText, /^\{"msg_type": "hello", "payload": \{"pubkey": "-----BEGIN PUBLIC KEY-----\\n/);
    assert.match(
      helloText,
      /"metadata": \{\}, "route": \[\], "node": null, "target_site_id": null, "target_pubkey": null, "source_peer": null\}$/,
    );
    const hello = parseHiveMessage(helloText).payload as Record<string, string>;
    assert.match(
      hello.peer!,
      /^pyref-demo-client::\d+::pyref-client::default$/,
      'announced as HiveMind does',
    );
    const request = parseHiveMessage(requestText).payload as Record<string, unknown>;
    assert.equal(request.password, true);
    assert.equal(request.crypto_required, true);
    assert.ok(!(request.encodings as string[]).includes('JSON-Z85P'));

    // Each offer is answered (the repeat re-keys); the reference order picks JSON-B91 and AES-GCM.
    const replies = [parseHiveMessage(await next()), parseHiveMessage(await next())];
    for (const r of replies) {
      assert.equal(r.msg_type, 'shake');
      const p = r.payload as Record<string, string>;
      assert.equal(p.encoding, 'JSON-B91');
      assert.equal(p.cipher, 'AES-GCM');
      assert.ok(verifyEnvelope(nodeBackend, session.password, p.envelope));
    }
    const serverEnvelope = (replies[1]!.payload as Record<string, string>).envelope!;
    const key = await deriveSessionKey(nodeBackend, session.password, deriveSalt(envelope, serverEnvelope));
    const seal = (text: string) =>
      encryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-B91', key, new TextEncoder().encode(text));
    const open = (text: string) =>
      new TextDecoder().decode(
        decryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-B91', key, JSON.parse(text)),
      );

    const connected = nextOnBus(t.bus, 'recognizer_loop:utterance');
    ws.send(seal(helloPlain!));
    ws.send(seal(busPlain!));
    const injected = await connected;
    assert.equal(injected.context.peer, `pyref-demo-client::1::pyref-client::${session.session_id}`);
    assert.deepEqual(injected.context.session?.blacklisted_skills, ['skill-ovos-stop.openvoiceos']);
    assert.equal(injected.context.session?.lang, 'en');

    const answerFrame = await next();
    assert.deepEqual(Object.keys(JSON.parse(answerFrame)), ['ciphertext', 'tag', 'nonce']);
    const answer = parseHiveMessage(open(answerFrame));
    assert.equal(answer.msg_type, 'bus');
    assert.equal(answer.source_peer, `pyref-demo-client::1::pyref-client::${session.session_id}`);
    const payload = answer.payload as {
      type: string;
      data: { utterance: string };
      context: Record<string, unknown>;
    };
    assert.equal(payload.type, 'speak');
    assert.equal(payload.data.utterance, 'echo: hello from the python reference client');
    assert.equal(payload.context.source, 'hive');
    assert.equal((payload.context.session as { session_id: string }).session_id, session.session_id);

    // The captured bare PING: answered once with the hub's own bare PING, same flood id — the shape 0.4.3 reads (a
    // PROPAGATE(PING) makes its handler raise and reconnect, issue 17).
    const pinged = nextOnBus(t.bus, 'hive.ping.received');
    ws.send(seal(pingPlain!));
    const pong = parseHiveMessage(open(await next()));
    assert.equal(pong.msg_type, 'ping');
    assert.equal((pong.payload as Record<string, unknown>).flood_id, JSON.parse(pingPlain!).payload.flood_id);
    assert.equal((await pinged).data.peer, 'pyref-demo-client');

    // A well-encrypted frame that is not a HiveMessage: a policy error, and the connection stays usable.
    ws.send(seal('{"msg_type": "bus", "payload": {"type": "x"}, "bogus": 1}'));
    const denied = parseHiveMessage(open(await next()));
    const deniedPayload = denied.payload as { type: string; data: { code: string } };
    assert.equal(deniedPayload.type, 'hive.policy.denied');
    assert.equal(deniedPayload.data.code, 'malformed_message');
    ws.send(seal(busPlain!));
    const again = parseHiveMessage(open(await next()));
    assert.equal((again.payload as { type: string }).type, 'speak');
    ws.close(1000);
  });
});
