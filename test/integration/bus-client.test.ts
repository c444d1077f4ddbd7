import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { createMessage, response } from '../../src/bus/message.js';
import type { MessageData } from '../../src/bus/types.js';
import { BusClient, type BusClientEvent, type BusClientInit } from '../../src/bus/ws-client.js';
import { BusServer } from '../../src/bus/ws-server.js';
import { HiveLinkError } from '../../src/errors.js';
import { Peer } from './bus-helpers.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function setup(clientInit: BusClientInit = {}) {
  const server = new BusServer({ port: 0, logger: silent });
  const { port } = await server.start();
  const url = `ws://127.0.0.1:${port}/core`;
  const client = new BusClient({ url, logger: silent, ...clientInit });
  return { server, port, url, client };
}

/** Runs `test` with a bus server on 127.0.0.1 port 0 and a client of it (not connected yet); closes both after. */
async function withBus(
  test: (bus: Awaited<ReturnType<typeof setup>>) => Promise<void>,
  clientInit: BusClientInit = {},
): Promise<void> {
  const bus = await setup(clientInit);
  try {
    await test(bus);
  } finally {
    await bus.client.close();
    await bus.server.stop();
  }
}

function nextState(client: BusClient, type: BusClientEvent['type']): Promise<BusClientEvent> {
  return new Promise((resolve) => {
    const off = client.onState((event) => {
      if (event.type !== type) return;
      off();
      resolve(event);
    });
  });
}

function isCode(code: string) {
  return (err: unknown) => err instanceof HiveLinkError && err.code === code;
}

describe('BusClient', () => {
  it('sends ovos.session.sync on open, then what was emitted before, with the session filled in', () =>
    withBus(async ({ url, client }) => {
      const peer = await Peer.connect(url);
      client.emit(createMessage('early', { n: 1 }));
      assert.equal(client.queued, 1);
      await client.connect();
      assert.equal(client.state, 'open');
      const [sync, early] = (await peer.take(2)).map((t) => JSON.parse(t) as MessageData);
      assert.deepEqual(sync, {
        type: 'ovos.session.sync',
        data: {},
        context: { session: { session_id: 'default' } },
      });
      assert.deepEqual(early, {
        type: 'early',
        data: { n: 1 },
        context: { session: { session_id: 'default' } },
      });
      await peer.close();
    }));

  it('never dispatches its own emit locally: a bus that does not echo means handlers never see it', async () => {
    const quiet = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => quiet.once('listening', () => resolve()));
    const { port } = quiet.address() as AddressInfo;
    const client = new BusClient({ url: `ws://127.0.0.1:${port}/core`, logger: silent, sessionSync: false });
    try {
      const received = new Promise<string>((resolve) => {
        quiet.on('connection', (ws) => {
          ws.once('message', (data) => {
            resolve(String(data));
            ws.send(JSON.stringify({ type: 'marker', data: {}, context: {} }));
          });
        });
      });
      const seen: string[] = [];
      client.on('*', (m) => seen.push(m.type));
      const marker = client.waitForMessage('marker');
      await client.connect();
      client.emit(createMessage('mine'));
      assert.equal(JSON.parse(await received).type, 'mine');
      assert.ok(await marker);
      assert.deepEqual(seen, ['marker']);
    } finally {
      await client.close();
      await new Promise<void>((resolve) => quiet.close(() => resolve()));
    }
  });

  it('sees its own messages through the echo, and keeps a session the message carries', () =>
    withBus(async ({ client }) => {
      await client.connect();
      const echoed = client.waitForMessage('mine');
      client.emit(createMessage('mine', {}, { session: { session_id: 'own', lang: 'de-DE' } }));
      const m = await echoed;
      assert.deepEqual(m?.context.session, { session_id: 'own', lang: 'de-DE' });
    }));

  it('waitForResponse gets the answer of a responder on the bus', () =>
    withBus(async ({ server, client }) => {
      const local = server.localBus();
      local.on('mycroft.intents.is_ready', (m) => local.emit(response(m, { status: true })));
      await client.connect();
      const answer = await client.waitForResponse(createMessage('mycroft.intents.is_ready'));
      assert.deepEqual(answer?.data, { status: true });
      assert.equal(await client.waitForResponse(createMessage('nobody.answers'), undefined, 0), undefined);
    }));

  it('applies ovos.session.update_default and remembers non-default sessions it sees', () =>
    withBus(async ({ server, client }) => {
      const local = server.localBus();
      await client.connect();
      const updated = client.waitForMessage('ovos.session.update_default');
      local.emit(
        createMessage('ovos.session.update_default', {
          session_data: { session_id: 'default', lang: 'pt-PT' },
        }),
      );
      await updated;
      assert.deepEqual(client.session, { session_id: 'default', lang: 'pt-PT' });

      const seen = client.waitForMessage('speak');
      local.emit(createMessage('speak', {}, { session: { session_id: 'sat-1', site_id: 'kitchen' } }));
      await seen;
      assert.deepEqual(client.getSession('sat-1'), { session_id: 'sat-1', site_id: 'kitchen' });

      const next = local.waitForMessage('after.update');
      client.emit(createMessage('after.update'));
      assert.deepEqual((await next)?.context.session, { session_id: 'default', lang: 'pt-PT' });
    }));

  it('remembers at most maxKnownSessions sessions, forgetting the least recently seen', () =>
    withBus(
      async ({ server, client }) => {
        await client.connect();
        const local = server.localBus();
        for (const id of ['s1', 's2', 's1', 's3']) {
          const seen = client.waitForMessage('hello');
          local.emit(createMessage('hello', {}, { session: { session_id: id } }));
          await seen;
        }
        assert.equal(client.getSession('s2'), undefined);
        assert.deepEqual(client.getSession('s1'), { session_id: 's1' });
        assert.deepEqual(client.getSession('s3'), { session_id: 's3' });
      },
      { maxKnownSessions: 2 },
    ));

  it('reconnects after the server restarts and syncs the session again', async () => {
    const { server, port, client } = await setup({ reconnectDelayMs: 10, maxReconnectDelayMs: 40 });
    let second: BusServer | undefined;
    try {
      await client.connect();
      const closed = nextState(client, 'close');
      const reconnecting = nextState(client, 'reconnecting');
      await server.stop();
      assert.equal(((await closed) as { code: number }).code, 1001);
      const retry = (await reconnecting) as { attempt: number; delayMs: number };
      assert.equal(retry.attempt, 1);
      assert.ok(retry.delayMs <= 10);

      second = new BusServer({ port, logger: silent });
      const synced = second.localBus().waitForMessage('ovos.session.sync', 10_000);
      const reopened = nextState(client, 'open');
      await second.start();
      await reopened;
      assert.ok(await synced);
      const echo = client.waitForMessage('after.restart');
      client.emit(createMessage('after.restart'));
      assert.ok(await echo);
    } finally {
      await client.close();
      await second?.stop();
    }
  });

  it('fails connect() with HL_ERR_BUS_CONNECT_FAILED when nothing listens and reconnect is off', async () => {
    const { server, url } = await setup();
    await server.stop();
    const client = new BusClient({ url, reconnect: false, logger: silent });
    const errors: BusClientEvent[] = [];
    client.onState((e) => errors.push(e));
    await assert.rejects(client.connect(), isCode('HL_ERR_BUS_CONNECT_FAILED'));
    assert.equal(client.state, 'idle');
    assert.deepEqual(
      errors.map((e) => e.type),
      ['error'],
    );
    await client.close();
  });

  it('after close(), emit throws and connect rejects with HL_ERR_BUS_CLOSED', async () => {
    const { server, client } = await setup();
    try {
      await client.connect();
      await client.close();
      assert.equal(client.state, 'closed');
      assert.throws(() => client.emit(createMessage('x')), isCode('HL_ERR_BUS_CLOSED'));
      await assert.rejects(client.connect(), isCode('HL_ERR_BUS_CLOSED'));
    } finally {
      await server.stop();
    }
  });

  it('close() rejects a pending connect()', async () => {
    const { server, url } = await setup();
    await server.stop();
    const client = new BusClient({ url, reconnectDelayMs: 60_000, logger: silent });
    const connecting = client.connect();
    await client.close();
    await assert.rejects(connecting, isCode('HL_ERR_BUS_CLOSED'));
  });

  it('bounds the offline queue and the frame size', () => {
    const client = new BusClient({ maxPendingMessages: 2, maxMessageBytes: 1024, logger: silent });
    client.emit(createMessage('a'));
    client.emit(createMessage('b'));
    assert.throws(() => client.emit(createMessage('c')), isCode('HL_ERR_BUS_QUEUE_FULL'));
    assert.throws(
      () => client.emit(createMessage('big', { pad: 'x'.repeat(2000) })),
      isCode('HL_ERR_FRAME_TOO_LARGE'),
    );
  });

  it('refuses a URL that is not ws:// or wss://', () => {
    for (const url of ['http://127.0.0.1:8181/core', 'not a url']) {
      assert.throws(() => new BusClient({ url }), isCode('HL_ERR_INVALID_ARGUMENT'));
    }
  });
});
