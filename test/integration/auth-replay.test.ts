/**
 * Issue 10, finding 3: a captured legacy HANDSHAKE envelope, replayed by someone who does not know the password,
 * was accepted: the hub ran PBKDF2, answered, logged "client connected" and announced the client. Now an envelope
 * another connection sent is refused before any key derivation (1008 "replayed handshake",
 * HL_ERR_HANDSHAKE_REPLAYED), and a legacy client is registered and announced only once its first authentic frame
 * proves it derived the key: a replayed envelope the hub has not seen (one from before a restart) gets an answer it
 * cannot use, and the connection ends without "client connected".
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { WebSocket } from 'ws';
import type { MessageData } from '../../src/bus/types.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import { encryptJsonEnvelope } from '../../src/crypto/legacy-cipher.js';
import { deriveSalt, deriveSessionKey, makeEnvelope } from '../../src/crypto/password-handshake.js';
import {
  createHiveMessage,
  type HiveMessage,
  parseHiveMessage,
  serializeHiveMessage,
} from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { type CloseInfo, failOnUnhandledRejection, startHub, type TestHub, token } from './hub-harness.js';

failOnUnhandledRejection();

/** A raw legacy client: it sends exactly the envelope it is given, as an eavesdropper replaying one would. */
class RawLegacy {
  readonly ws: WebSocket;
  readonly cleartext: HiveMessage[] = [];
  readonly closed: Promise<CloseInfo>;
  #waiters: (() => void)[] = [];

  constructor(url: string, accessKey: string) {
    this.ws = new WebSocket(`${url}/?authorization=${token('replay-test', accessKey)}`);
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    );
    this.ws.on('message', (data) => {
      this.cleartext.push(parseHiveMessage((data as Buffer).toString('utf8')));
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Resolves once `n` cleartext frames arrived (or the socket closed). */
  async frames(n: number): Promise<void> {
    while (this.cleartext.length < n) {
      const more = new Promise<void>((resolve) => this.#waiters.push(resolve));
      const end = this.closed.then(() => 'closed' as const);
      if ((await Promise.race([more, end])) === 'closed') return;
    }
  }

  /** Sends the legacy client HANDSHAKE with `envelope`. */
  offer(envelope: string): void {
    this.ws.send(
      serializeHiveMessage(
        createHiveMessage(HiveMessageType.HANDSHAKE, {
          binarize: false,
          encodings: ['JSON-HEX'],
          ciphers: ['AES-GCM'],
          envelope,
        }),
      ),
    );
  }

  /** The hub's answer envelope, once it came (after HELLO and the request). */
  get hubEnvelope(): string | null {
    const shake = this.cleartext[2];
    return shake === undefined ? null : String((shake.payload as { envelope?: unknown }).envelope);
  }

  /** Sends `message` sealed with `key` (the real session key, or a guess). */
  send(key: Uint8Array, message: HiveMessage): void {
    const text = new TextEncoder().encode(JSON.stringify(message));
    this.ws.send(encryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-HEX', key, text));
  }
}

const hello = createHiveMessage(HiveMessageType.HELLO, {
  pubkey: '',
  session: { session_id: 'replay-test' },
  site_id: 'test',
} as never);

describe('hub: a replayed legacy handshake', () => {
  let t: TestHub;
  const logs: { msg: string; code?: string }[] = [];
  const connects: MessageData[] = [];

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line !== '') logs.push(JSON.parse(line));
        done();
      },
    });
    t = await startHub({ limits: { handshakeTimeoutMs: 1000 } }, { logger: pino({ level: 'info' }, sink) });
    t.bus.on('hive.client.connect', (m) => connects.push(m));
  });
  after(() => t.close());

  const connected = () => logs.filter((l) => l.msg === 'client connected').length;

  it('is refused on another connection before any key derivation; the client it was captured from is served', async () => {
    const c = await t.addClient();
    const envelope = makeEnvelope(nodeBackend, c.password);
    // The client's own handshake, which an eavesdropper records.
    const legit = new RawLegacy(t.url, c.accessKey);
    await legit.frames(2);
    legit.offer(envelope);
    await legit.frames(3);
    const key = await deriveSessionKey(nodeBackend, c.password, deriveSalt(envelope, legit.hubEnvelope!));
    const announced = new Promise<void>((resolve) => t.bus.once('hive.client.connect', () => resolve()));
    legit.send(key, hello);
    await announced;
    assert.equal(connected(), 1);

    // The replay, on a connection of its own.
    const replay = new RawLegacy(t.url, c.accessKey);
    await replay.frames(2);
    replay.offer(envelope);
    await replay.frames(3); // the hub's answer, or the close
    assert.equal(replay.cleartext.length, 2, 'no answer to the replayed envelope');
    assert.deepEqual(await replay.closed, { code: 1008, reason: 'replayed handshake' });
    assert.equal(connected(), 1);
    assert.ok(logs.some((l) => l.code === 'HL_ERR_HANDSHAKE_REPLAYED'));
    assert.equal(t.hub.policy.authStats().replayed, 1);
    legit.ws.close();
    await legit.closed;
  });

  it('an envelope the hub has not seen gets an answer it cannot use, and is never announced', async () => {
    const c = await t.addClient();
    // Captured before a restart (or long enough ago to be forgotten): the hub has no record of it.
    const captured = makeEnvelope(nodeBackend, c.password);
    const before = { logs: connected(), connects: connects.length, peers: t.hub.peerCount };

    // Without the password, the attacker's best guess at the key is the one it can compute: none of them work.
    const forged = new RawLegacy(t.url, c.accessKey);
    await forged.frames(2);
    forged.offer(captured);
    await forged.frames(3);
    assert.equal(forged.cleartext[2]?.msg_type, HiveMessageType.HANDSHAKE, 'the hub answers the envelope');
    assert.equal(t.hub.peerCount, before.peers, 'but does not register the connection');
    forged.send(nodeBackend.randomBytes(32), hello);
    assert.equal((await forged.closed).code, 1008);

    // And one that sends nothing is closed when the handshake time is up.
    const silent = new RawLegacy(t.url, c.accessKey);
    await silent.frames(2);
    silent.offer(makeEnvelope(nodeBackend, c.password));
    assert.deepEqual(await silent.closed, {
      code: 1008,
      reason: 'handshake timeout: no authentic frame from the client',
    });

    assert.equal(connected(), before.logs, 'no "client connected"');
    assert.equal(connects.length, before.connects, 'no hive.client.connect');
    assert.equal(t.hub.peerCount, before.peers);
  });
});
