/**
 * Negative paths of a real hub: each asserts the close code and reason (or the policy error), and that a bystander
 * client connected through all of it is still served afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { reply } from '../../src/bus/message.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import { isHiveLinkError } from '../../src/errors.js';
import { createHiveMessage, serializeHiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { dataDirPaths } from '../../src/store/data-dir.js';
import { loadOrCreateSecretsKey } from '../../src/store/secrets.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import {
  type CloseInfo,
  FakePeer,
  failOnUnhandledRejection,
  legacyOffer,
  nextOnBus,
  type PeerOptions,
  startHub,
  type TestHub,
  token,
} from './hub-harness.js';

failOnUnhandledRejection();

const utterance = (text: string) =>
  createHiveMessage(HiveMessageType.BUS, {
    type: 'recognizer_loop:utterance',
    data: { utterances: [text] },
    context: {},
  });

/** A raw websocket to `url` with `accessKey`'s token and nothing sent yet, and how it closes. */
function rawSocket(url: string, accessKey: string): { ws: WebSocket; closed: Promise<CloseInfo> } {
  const ws = new WebSocket(`${url}/?authorization=${token('ua', accessKey)}`);
  const closed = new Promise<CloseInfo>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, closed };
}

describe('hub security', () => {
  let t: TestHub;
  let bystander: FakePeer;

  before(async () => {
    t = await startHub({
      limits: { maxFrameBytes: 64 * 1024, defaultRateLimitPerSecond: 5 },
    });
    t.bus.on('recognizer_loop:utterance', (m) => {
      t.bus.emit(reply(m, 'speak', { utterance: `echo ${(m.data.utterances as string[])[0]}` }));
    });
    const c = await t.addClient({ name: 'bystander' });
    bystander = await FakePeer.open(t.url, as(c, LEGACY));
  });

  after(async () => {
    // The bystander is still served after every attack above.
    bystander.send(utterance('still alive'));
    assert.equal((await bystander.waitForBus('speak')).data.utterance, 'echo still alive');
    await bystander.close();
    await t.close();
  });

  async function client(over = {}) {
    return t.addClient(over);
  }

  /** Peer options for client `c`: v3, unless `extra` says otherwise. */
  const as = (c: { accessKey: string; password: string }, extra: Partial<PeerOptions> = {}): PeerOptions => ({
    accessKey: c.accessKey,
    password: c.password,
    ...extra,
  });
  const LEGACY = { protocol: 'legacy' } as const;

  /** The hub's database opened a second time, as an admin command in another process opens it. */
  function otherConnection() {
    return openSqliteStore(dataDirPaths(t.dataDir).database, {
      secrets: loadOrCreateSecretsKey(t.dataDir).key,
    });
  }

  it('unknown key: 1008 "invalid authorization", hive.client.connection.error, nothing else sent', async () => {
    const error = nextOnBus(t.bus, 'hive.client.connection.error');
    const peer = new FakePeer(t.url, { accessKey: 'no-such-key', password: 'x' });
    assert.deepEqual(await peer.closed, { code: 1008, reason: 'invalid authorization' });
    assert.equal(peer.cleartext.length, 0);
    const event = await error;
    assert.equal(event.data.error, 'invalid authorization');
    assert.equal(typeof event.data.peer, 'string');
  });

  it('a malformed token or no token: 1008 "invalid authorization"', async () => {
    for (const path of [
      '/',
      '/?authorization=%%%',
      `/?authorization=${Buffer.from('nocolon').toString('base64')}`,
    ]) {
      const peer = new FakePeer(t.url, { accessKey: 'x', password: 'x', path });
      assert.deepEqual(await peer.closed, { code: 1008, reason: 'invalid authorization' }, path);
    }
  });

  it('accepts the token raw and percent-encoded', async () => {
    const c = await client();
    for (const encodeToken of [false, true]) {
      const peer = await FakePeer.open(t.url, as(c, { ...LEGACY, encodeToken }));
      await peer.close();
    }
  });

  it('legacy wrong password: 1008 "password handshake verification failed"', async () => {
    const c = await client();
    const error = nextOnBus(t.bus, 'hive.client.connection.error');
    const peer = new FakePeer(t.url, { accessKey: c.accessKey, password: 'wrong', protocol: 'legacy' });
    assert.deepEqual(await peer.closed, { code: 1008, reason: 'password handshake verification failed' });
    assert.equal((await error).data.error, 'password handshake verification failed');
  });

  it('v3 wrong password: the client sees the failure at msg2 (XX); the hub closes with 1008 (KK)', async () => {
    const c = await client();
    const staticKeyPair = nodeBackend.x25519KeyPair();
    const good = await FakePeer.open(t.url, as(c, { staticKeyPair }));
    await good.close();
    const xx = new FakePeer(t.url, { accessKey: c.accessKey, password: 'wrong', staticKeyPair });
    await assert.rejects(xx.established(), (e: unknown) =>
      isHiveLinkError(e, 'HL_ERR_NOISE_HANDSHAKE_FAILED'),
    );
    xx.ws.close();
    const kk = new FakePeer(t.url, {
      accessKey: c.accessKey,
      password: 'wrong',
      staticKeyPair,
      pinnedHubKey: good.hubNoiseKey,
    });
    const closed = await kk.closed;
    assert.equal(closed.code, 1008);
  });

  it('a different Noise key than the pinned one: 1008', async () => {
    const c = await client();
    const first = await FakePeer.open(t.url, as(c));
    await first.close();
    const other = new FakePeer(t.url, as(c));
    const closed = await other.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /pinned/);
  });

  it('revoked while connected (from another database connection): 1008 "revoked"', async () => {
    const c = await client();
    const peer = await FakePeer.open(t.url, as(c, LEGACY));
    const other = otherConnection();
    await other.revokeClient(c.record.id);
    await other.close();
    assert.deepEqual(await peer.closed, { code: 1008, reason: 'revoked' });
  });

  it('a blocked skill added from another database connection applies to the live connection', async () => {
    const c = await client({ rateLimitPerSecond: 10_000 });
    const peer = await FakePeer.open(t.url, as(c, LEGACY));
    const other = otherConnection();
    await other.updateClient(c.record.id, { blockedSkills: ['skill.new-block'] });
    await other.close();
    // The hub notices within policyRefreshMs: each round trip below is one utterance seen on the agent bus.
    for (let i = 0; ; i++) {
      const seen = nextOnBus(t.bus, 'recognizer_loop:utterance', (m) =>
        String(m.context.peer).includes(`::${c.record.id}::`),
      );
      peer.send(utterance(`try ${i}`));
      const injected = await seen;
      if (injected.context.session?.blacklisted_skills?.includes('skill.new-block')) break;
      assert.ok(i < 2000, 'the change never reached the live connection');
    }
    await peer.close();
  });

  it('denied IP: at connect, and for a live connection when the rule appears', async () => {
    const c = await client();
    const live = await FakePeer.open(t.url, as(c, LEGACY));
    const other = otherConnection();
    const rule = await other.addIpRule({ cidr: '127.0.0.1/32', action: 'deny', clientId: c.record.id });
    assert.deepEqual(await live.closed, { code: 1008, reason: 'ip denied' });
    const again = new FakePeer(t.url, as(c, LEGACY));
    assert.deepEqual(await again.closed, { code: 1008, reason: 'ip denied' });
    await other.removeIpRule(rule.id);
    await other.close();
  });

  it('minimum protocol per client: a legacy handshake below it closes with 1008', async () => {
    const c = await client({ minProtocol: 3 });
    const peer = new FakePeer(t.url, as(c, LEGACY));
    const closed = await peer.closed;
    assert.equal(closed.code, 1008);
    assert.equal(closed.reason, 'legacy handshake at protocol v2 is below the configured minimum v3');
  });

  it('cleartext after the handshake: 1008 (legacy and v3)', async () => {
    const c = await client();
    const legacy = await FakePeer.open(t.url, as(c, LEGACY));
    legacy.sendClear(utterance('plain'));
    assert.deepEqual(await legacy.closed, {
      code: 1008,
      reason: 'unencrypted bus rejected: crypto is required',
    });
    const v3 = await FakePeer.open(t.url, as(c));
    v3.sendClear(utterance('plain'));
    assert.equal((await v3.closed).code, 1008);
  });

  it('a tampered frame: 1008 (legacy and v3)', async () => {
    const c = await client({ name: 'tamper' });
    const legacy = await FakePeer.open(t.url, as(c, { ...LEGACY, binarize: true }));
    const [frame] = legacy.channel!.seal(utterance('x'));
    assert.equal(frame?.kind, 'binary');
    const data = Uint8Array.from((frame as { data: Uint8Array }).data);
    data[data.length - 1]! ^= 1;
    legacy.sendFrame({ kind: 'binary', data });
    assert.equal((await legacy.closed).code, 1008);
    const v3 = await FakePeer.open(t.url, as(c));
    const [f3] = v3.channel!.seal(utterance('y'));
    const d3 = Uint8Array.from((f3 as { data: Uint8Array }).data);
    d3[3]! ^= 0x80;
    v3.sendFrame({ kind: 'binary', data: d3 });
    assert.equal((await v3.closed).code, 1008);
  });

  it('a replayed v3 frame: 1008', async () => {
    const c = await client();
    const peer = await FakePeer.open(t.url, as(c));
    const [frame] = peer.channel!.seal(utterance('once'));
    peer.sendFrame(frame!);
    await peer.waitForBus('speak');
    peer.sendFrame(frame!);
    assert.equal((await peer.closed).code, 1008);
  });

  it('an oversized frame: 1009', async () => {
    const c = await client();
    const peer = await FakePeer.open(t.url, as(c, LEGACY));
    peer.ws.send('x'.repeat(65 * 1024));
    assert.equal((await peer.closed).code, 1009);
  });

  it('an inbound flood: rate-limit policy errors, then 1008 "rate limit exceeded"', async () => {
    const c = await client();
    const peer = await FakePeer.open(t.url, as(c, LEGACY));
    for (let i = 0; i < 40; i++)
      peer.send(createHiveMessage(HiveMessageType.PING, { flood_id: `flood-${i}` }));
    assert.deepEqual(await peer.closed, { code: 1008, reason: 'rate limit exceeded' });
    assert.ok(peer.busOf('hive.policy.denied').some((m) => m.data.code === 'rate_limited'));
  });

  it('frames piling up before the hub can read them: 1013 "message queue full"', async () => {
    const c = await client();
    const { ws, closed } = rawSocket(t.url, c.accessKey);
    ws.on('open', () => {
      // The offer starts PBKDF2 (asynchronous): everything behind it waits in the inbound queue.
      ws.send(serializeHiveMessage(legacyOffer(c.password)));
      const junk = serializeHiveMessage(
        createHiveMessage(HiveMessageType.HELLO, { session: { session_id: 'x' } }),
      );
      for (let i = 0; i < 200; i++) ws.send(junk);
    });
    assert.deepEqual(await closed, { code: 1013, reason: 'message queue full' });
  });

  it('handshake timeout: 1008 "handshake timeout"', async () => {
    const quick = await startHub({ limits: { handshakeTimeoutMs: 200 } });
    try {
      const c = await quick.addClient();
      const { closed } = rawSocket(quick.url, c.accessKey);
      assert.deepEqual(await closed, { code: 1008, reason: 'handshake timeout' });
    } finally {
      await quick.close();
    }
  });

  it('a binary frame or a malformed message during the handshake: 1008', async () => {
    const c = await client();
    for (const send of [
      (ws: WebSocket) => ws.send(Buffer.from([1, 2, 3])),
      (ws: WebSocket) => ws.send('{"msg_type": "nope"}'),
    ]) {
      const { ws, closed } = rawSocket(t.url, c.accessKey);
      ws.on('open', () => send(ws));
      assert.equal((await closed).code, 1008);
    }
  });

  it('a 404 for websocket upgrades on other paths', async () => {
    const ws = new WebSocket(`${t.url}/other`);
    const result = await new Promise<string>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', (e) => resolve(e.message));
    });
    assert.match(result, /404/);
  });
});
