/**
 * Issue 10, finding 4: a downgrade. A client with `protocol: 'auto'` that had pinned the hub's Noise key on a v3
 * connect accepted a man in the middle that stripped `noise` from the hub's HANDSHAKE request, and fell back to
 * the legacy handshake (weaker, and its exchange can be guessed at offline). Now a client refuses the legacy
 * fallback for a hub whose key it pinned (HL_ERR_DOWNGRADE_REFUSED, no retry) unless told to allow it
 * (`allowLegacyFallback`, `--allow-legacy-fallback`). The man in the middle is a tiny websocket proxy on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { reply } from '../../src/bus/message.js';
import {
  createHiveClient,
  type HiveClient,
  MemoryIdentityStore,
  MemoryPinStore,
} from '../../src/client/index.js';
import { isHiveLinkError } from '../../src/errors.js';
import { buildOnce, childEnv, run } from './cli-process.js';
import { failOnUnhandledRejection, startHub, type TestHub } from './hub-harness.js';

failOnUnhandledRejection();

/** A websocket proxy to `target`; with `strip` on, it deletes `noise` from the hub's cleartext HANDSHAKE request. */
class StrippingProxy {
  strip = false;
  readonly #server: WebSocketServer;
  stripped = 0;

  private constructor(server: WebSocketServer, target: string) {
    this.#server = server;
    server.on('connection', (client, req) => {
      const upstream = new WebSocket(target + (req.url ?? '/'));
      const pending: [Buffer, boolean][] = [];
      client.on('message', (data, isBinary) => {
        if (upstream.readyState === WebSocket.OPEN) upstream.send(data as Buffer, { binary: isBinary });
        else pending.push([data as Buffer, isBinary]);
      });
      upstream.on('open', () => {
        for (const [data, binary] of pending.splice(0)) upstream.send(data, { binary });
      });
      upstream.on('message', (data, isBinary) => {
        client.send(isBinary ? (data as Buffer) : this.#rewrite((data as Buffer).toString('utf8')), {
          binary: isBinary,
        });
      });
      const closeBoth = (code: number, reason: Buffer) => {
        const ok = code >= 3000 || [1000, 1001, 1008, 1011, 1013].includes(code) ? code : 1000;
        if (client.readyState === WebSocket.OPEN) client.close(ok, reason);
        if (upstream.readyState === WebSocket.OPEN) upstream.close(ok, reason);
      };
      upstream.on('close', closeBoth);
      client.on('close', closeBoth);
      upstream.on('error', () => client.terminate());
      client.on('error', () => upstream.terminate());
    });
  }

  static async start(target: string): Promise<StrippingProxy> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    return new StrippingProxy(server, target);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  #rewrite(text: string): string {
    if (!this.strip) return text;
    const message = JSON.parse(text) as { msg_type?: string; payload?: Record<string, unknown> };
    if (message.msg_type !== 'shake' || message.payload?.noise === undefined) return text;
    delete message.payload.noise;
    this.stripped += 1;
    return JSON.stringify(message);
  }

  close(): Promise<void> {
    for (const ws of this.#server.clients) ws.terminate();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

describe('client: a proxy that strips Noise from the hub offer', () => {
  let t: TestHub;
  let proxy: StrippingProxy;
  let creds: { accessKey: string; password: string };
  const clients: HiveClient[] = [];

  before(async () => {
    t = await startHub();
    proxy = await StrippingProxy.start(t.url);
    creds = await t.addClient();
  });
  after(async () => {
    for (const c of clients) c.close();
    await proxy.close();
    await t.close();
  });

  function client(pinStore: MemoryPinStore, extra: { allowLegacyFallback?: boolean } = {}): HiveClient {
    const c = createHiveClient({
      url: proxy.url,
      ...creds,
      protocol: 'auto',
      pinStore,
      identityStore: new MemoryIdentityStore(),
      reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
      ...extra,
    });
    clients.push(c);
    return c;
  }

  it('pins the hub key on a v3 connect, then refuses the stripped offer with HL_ERR_DOWNGRADE_REFUSED', async () => {
    const pins = new MemoryPinStore();
    proxy.strip = false;
    const first = client(pins);
    await first.connect();
    assert.equal(first.info?.protocolVersion, 3);
    first.close();
    assert.notEqual(await pins.get(first.hostPort), null);

    proxy.strip = true;
    const second = client(pins);
    await assert.rejects(second.connect(), (err: unknown) => {
      assert.ok(isHiveLinkError(err, 'HL_ERR_DOWNGRADE_REFUSED'), String(err));
      return true;
    });
    assert.equal(second.state.type, 'closed', 'no retry');
    assert.ok(proxy.stripped >= 1);
  });

  it('falls back to legacy when the user allows it, or when no key was ever pinned (first contact)', async () => {
    proxy.strip = false;
    const pins = new MemoryPinStore();
    const pinned = client(pins);
    await pinned.connect();
    pinned.close();

    proxy.strip = true;
    const allowed = client(pins, { allowLegacyFallback: true });
    await allowed.connect();
    assert.equal(allowed.info?.protocolVersion, 2);
    allowed.close();

    const fresh = client(new MemoryPinStore());
    await fresh.connect();
    assert.equal(fresh.info?.protocolVersion, 2);
    fresh.close();
  });
});

describe('hivelink ask: a stripped offer from a hub it pinned', () => {
  let t: TestHub;
  let proxy: StrippingProxy;

  before(async () => {
    buildOnce();
    t = await startHub();
    proxy = await StrippingProxy.start(t.url);
    t.bus.on('recognizer_loop:utterance', (m) => {
      t.bus.emit(reply(m, 'speak', { utterance: 'hello there' }));
      t.bus.emit(reply(m, 'ovos.utterance.handled', {}));
    });
  });
  after(async () => {
    await proxy.close();
    await t.close();
  });

  it('exits 1 with one line that says why, and answers with --allow-legacy-fallback', async () => {
    const { accessKey, password } = await t.addClient();
    const env = childEnv({ XDG_CONFIG_HOME: `${t.dataDir}/config`, HIVELINK_PASSWORD: password });
    const ask = (...extra: string[]) =>
      run(['ask', '--url', proxy.url, '--key', accessKey, ...extra, 'hi'], env);
    proxy.strip = false;
    const first = await ask();
    assert.equal(first.code, 0, first.stderr);
    proxy.strip = true;
    const refused = await ask();
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /spoke Noise \(v3\) before, but now offered only the legacy handshake/);
    assert.match(refused.stderr, /--allow-legacy-fallback/);
    const allowed = await ask('--allow-legacy-fallback');
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /hello there/);
  });
});
