/**
 * mDNS discovery on the loopback interface, with real processes and real multicast: `hivelink hub` announces the
 * record HiveMind presence announces (an `_http._tcp` service, instance name starting " - ", TXT
 * type=HiveMind-websocket, name, ssl, host, port), `hivelink discover` finds it, a hub started with --no-mdns is not
 * announced, and a HiveMind-shaped record (without our extra keys) is read as a HiveMind hub.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Bonjour } from 'bonjour-service';
import {
  announcementTxt,
  type DiscoveredHub,
  hubFromService,
  mdnsSocketOptions,
} from '../../src/hub/discovery.js';
import { buildOnce, childEnv, type HubProcess, run, startHub } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-discovery-'));
/** Unique per run, so hubs of other runs on this machine never match. */
const NAME = `garage-${process.pid}`;

/** Runs `hivelink discover` until it lists a hub on `port` (each run listens 1.5 s; at most 10 runs). */
async function discoverUntil(port: number): Promise<DiscoveredHub[]> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = await run(['discover', '--interface', '127.0.0.1', '--timeout', '1500', '--json'], childEnv());
    assert.equal(r.code, 0, r.stderr);
    const hubs = JSON.parse(r.stdout) as DiscoveredHub[];
    if (hubs.some((h) => h.port === port)) return hubs;
  }
  assert.fail(`no hub on port ${port} was discovered`);
}

describe('mDNS discovery (loopback)', () => {
  let announced: HubProcess;
  let silent: HubProcess;

  before(async () => {
    buildOnce();
    const config = join(root, 'hub.json');
    writeFileSync(config, JSON.stringify({ name: NAME, siteId: 'garage' }));
    announced = await startHub(join(root, 'a'), childEnv(), ['--config', config]);
    silent = await startHub(join(root, 'b'), childEnv(), ['--config', config, '--no-mdns']);
  });

  after(async () => {
    await Promise.all([announced?.proc.stop(), silent?.proc.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  it('hivelink discover lists the hub with its URL, name and site; a --no-mdns hub is absent', async () => {
    const hubs = await discoverUntil(announced.port);
    const hub = hubs.find((h) => h.port === announced.port);
    assert.deepEqual(hub, {
      name: NAME,
      url: `ws://127.0.0.1:${announced.port}`,
      host: '127.0.0.1',
      port: announced.port,
      tls: false,
      node: 'hivelink',
      site: 'garage',
    });
    assert.equal(
      hubs.some((h) => h.port === silent.port),
      false,
      'the --no-mdns hub is not announced',
    );
    const text = await run(['discover', '--interface', '127.0.0.1', '--timeout', '1500'], childEnv());
    assert.match(text.stdout, /^NAME\s+URL\s+KIND\s+SITE\n/);
  });

  it('announces the record HiveMind presence announces', async () => {
    const bonjour = new Bonjour(mdnsSocketOptions('127.0.0.1') as object);
    try {
      const service = await new Promise<{ name: string; txt: Record<string, string> }>((resolve) => {
        bonjour.find({ type: 'http' }, (s) => {
          const txt = (s.txt ?? {}) as Record<string, string>;
          if (txt.port === String(announced.port)) resolve({ name: s.name, txt });
        });
      });
      assert.match(service.name, new RegExp(`^ - ${NAME} `));
      assert.deepEqual(service.txt, {
        type: 'HiveMind-websocket',
        name: NAME,
        ssl: 'False',
        host: '127.0.0.1',
        port: String(announced.port),
        node: 'hivelink',
        site: 'garage',
      });
    } finally {
      await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
    }
  });
});

describe('discovery records', () => {
  it('reads a HiveMind presence record (Python booleans, no hivelink keys) as a HiveMind hub', () => {
    const hub = hubFromService({
      name: ' - HiveMind-Node',
      port: 5678,
      addresses: ['192.0.2.9'],
      txt: {
        type: 'HiveMind-websocket',
        name: 'HiveMind-Node',
        ssl: 'True',
        host: '192.0.2.7',
        port: '5679',
      },
    });
    assert.deepEqual(hub, {
      name: 'HiveMind-Node',
      url: 'wss://192.0.2.7:5679',
      host: '192.0.2.7',
      port: 5679,
      tls: true,
      node: 'hivemind',
      site: null,
    });
  });

  it('ignores other _http._tcp services and records with a bad port', () => {
    assert.equal(hubFromService({ name: 'printer', port: 80, addresses: [], txt: { type: 'ipp' } }), null);
    assert.equal(
      hubFromService({
        name: ' - x',
        port: 0,
        addresses: [],
        txt: { type: 'HiveMind-websocket', port: '99999' },
      }),
      null,
    );
  });

  it('a hub on all addresses announces a LAN address, never the wildcard', () => {
    const txt = announcementTxt({ name: 'n', listenHost: '0.0.0.0', port: 5678, tls: true, siteId: null });
    assert.notEqual(txt.host, '0.0.0.0');
    assert.equal(txt.ssl, 'True');
    assert.equal('site' in txt, false);
  });
});
