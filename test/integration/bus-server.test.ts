import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { createMessage } from '../../src/bus/message.js';
import type { MessageData } from '../../src/bus/types.js';
import { BusServer, CONNECTED_GREETING } from '../../src/bus/ws-server.js';
import { HiveLinkError } from '../../src/errors.js';
import { frame, Peer } from './bus-helpers.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function startServer(init: ConstructorParameters<typeof BusServer>[0] = {}) {
  const server = new BusServer({ port: 0, logger: silent, ...init });
  const { port } = await server.start();
  return { server, url: `ws://127.0.0.1:${port}/core`, port };
}

describe('BusServer', () => {
  let server: BusServer;
  let url: string;
  let port: number;

  before(async () => {
    ({ server, url, port } = await startServer());
  });
  after(() => server.stop());

  it('greets each connection with the OVOS "connected" message, byte for byte', async () => {
    const peer = new Peer(url);
    await peer.opened;
    assert.equal(await peer.next(), CONNECTED_GREETING);
    assert.deepEqual(JSON.parse(CONNECTED_GREETING), {
      type: 'connected',
      data: {},
      context: { session: { session_id: 'default' } },
    });
    await peer.close();
  });

  it('forwards the original text to every connection, the sender included', async () => {
    const a = await Peer.connect(url);
    const b = await Peer.connect(url);
    const text = frame('speak', '"utterance":  "héllo"');
    a.send(text);
    assert.equal(await a.next(), text);
    assert.equal(await b.next(), text);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps arrival order', async () => {
    const a = await Peer.connect(url);
    const b = await Peer.connect(url);
    const sent = Array.from({ length: 200 }, (_, i) => frame(`t${i}`));
    for (const text of sent) a.send(text);
    assert.deepEqual(await b.take(200), sent);
    assert.deepEqual(await a.take(200), sent);
    await Promise.all([a.close(), b.close()]);
  });

  it('drops invalid JSON, non-object JSON and binary frames; the connection stays usable', async () => {
    const a = await Peer.connect(url);
    const b = await Peer.connect(url);
    for (const junk of ['not json', '{"type": ', '[1,2]', '"text"', '42', 'null']) a.send(junk);
    a.send(Buffer.from(frame('binary')), true);
    const ok = frame('after.junk');
    a.send(ok);
    assert.equal(await b.next(), ok);
    assert.equal(await a.next(), ok);
    assert.equal(a.ws.readyState, WebSocket.OPEN);
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses other paths with HTTP 404', async () => {
    for (const path of ['/', '/other', '/core/x', '/cor']) {
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => reject(new Error(`${path} was upgraded`)));
        ws.on('error', () => {});
      });
      assert.equal(status, 404, path);
    }
  });

  it('accepts /core with a query string', async () => {
    const peer = await Peer.connect(`${url}?client=test`);
    await peer.close();
  });

  it('answers plain HTTP with 404 (426 on /core)', async () => {
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    assert.equal(await get('/'), 404);
    assert.equal(await get('/core'), 426);
  });

  it('reports a port in use as HL_ERR_BUS_LISTEN_FAILED', async () => {
    const second = new BusServer({ port, logger: silent });
    await assert.rejects(
      second.start(),
      (err: unknown) => err instanceof HiveLinkError && err.code === 'HL_ERR_BUS_LISTEN_FAILED',
    );
  });

  it('refuses a bad port with HL_ERR_INVALID_ARGUMENT', () => {
    for (const port of [-1, 65536, 1.5]) {
      assert.throws(
        () => new BusServer({ port }),
        (err: unknown) => err instanceof HiveLinkError && err.code === 'HL_ERR_INVALID_ARGUMENT',
      );
    }
  });
});

describe('BusServer limits', () => {
  it('closes a connection that sends a frame above maxMessageBytes with 1009; others stay', async () => {
    const { server, url } = await startServer({ maxMessageBytes: 1024 });
    try {
      const big = await Peer.connect(url);
      const other = await Peer.connect(url);
      big.send(frame('big', `"pad": "${'x'.repeat(2000)}"`));
      assert.equal((await big.closed).code, 1009);
      const ok = frame('still.here');
      other.send(ok);
      assert.equal(await other.next(), ok);
      await other.close();
    } finally {
      await server.stop();
    }
  });

  it('closes a receiver that does not read with 1013 instead of buffering without bound', async () => {
    let slowClosed!: () => void;
    const closing = new Promise<void>((resolve) => {
      slowClosed = resolve;
    });
    const logger = { ...silent, warn: () => slowClosed() };
    const { server, url } = await startServer({ maxBufferedBytes: 64 * 1024, logger });
    try {
      const sender = await Peer.connect(url);
      const slow = await Peer.connect(url);
      slow.ws.pause();
      const chunk = frame('bulk', `"pad": "${'y'.repeat(256 * 1024)}"`);
      let done = false;
      void closing.then(() => {
        done = true;
      });
      // Send, wait for our own echo, repeat, until the server gives up on the peer that does not read.
      while (!done) {
        sender.send(chunk);
        await Promise.race([sender.next(), closing]);
      }
      slow.ws.resume();
      assert.equal((await slow.closed).code, 1013);
      await sender.close();
    } finally {
      await server.stop();
    }
  });
});

describe('BusServer local view', () => {
  it('sees socket messages and its own emits in the same order as the sockets, and reaches them', async () => {
    const { server, url } = await startServer();
    try {
      const local = server.localBus();
      const seenLocally: string[] = [];
      local.on('*', (m) => seenLocally.push(m.type));
      const peer = await Peer.connect(url);
      peer.send(frame('from.socket'));
      assert.equal(JSON.parse(await peer.next()).type, 'from.socket');
      local.emit(createMessage('from.local', { n: 1 }));
      const echoed = JSON.parse(await peer.next()) as MessageData;
      assert.deepEqual(echoed, { type: 'from.local', data: { n: 1 }, context: {} });
      const lastLocally = local.waitForMessage('last');
      peer.send(frame('last'));
      assert.equal(JSON.parse(await peer.next()).type, 'last');
      assert.ok(await lastLocally);
      assert.deepEqual(seenLocally, ['from.socket', 'from.local', 'last']);
      await peer.close();
    } finally {
      await server.stop();
    }
  });

  it('lets a local handler answer a socket request', async () => {
    const { server, url } = await startServer();
    try {
      const local = server.localBus();
      local.on('mycroft.intents.is_ready', () =>
        local.emit(createMessage('mycroft.intents.is_ready.response', { status: true })),
      );
      const peer = await Peer.connect(url);
      peer.send(frame('mycroft.intents.is_ready'));
      const frames = await peer.take(2);
      assert.equal(JSON.parse(frames[1]!).type, 'mycroft.intents.is_ready.response');
      await peer.close();
    } finally {
      await server.stop();
    }
  });

  it('refuses a local message above maxMessageBytes with HL_ERR_FRAME_TOO_LARGE', async () => {
    const server = new BusServer({ port: 0, logger: silent, maxMessageBytes: 1024 });
    assert.throws(
      () => server.localBus().emit(createMessage('big', { pad: 'z'.repeat(2000) })),
      (err: unknown) => err instanceof HiveLinkError && err.code === 'HL_ERR_FRAME_TOO_LARGE',
    );
  });
});

describe('BusServer.stop', () => {
  it('closes open connections with 1001 and stops listening', async () => {
    const { server, url } = await startServer();
    const peer = await Peer.connect(url);
    await server.stop();
    assert.equal((await peer.closed).code, 1001);
    assert.equal(server.address, undefined);
    const refused = new Peer(url);
    await assert.rejects(refused.opened);
  });

  it('a stop() during start() wins: start rejects with HL_ERR_BUS_CLOSED and nothing keeps listening', async () => {
    const server = new BusServer({ port: 0, logger: silent });
    const starting = server.start();
    await server.stop();
    await assert.rejects(
      starting,
      (err: unknown) => err instanceof HiveLinkError && err.code === 'HL_ERR_BUS_CLOSED',
    );
    assert.equal(server.address, undefined);
  });
});
