/**
 * A self-signed TLS hub, as a new user meets it (issue: "self-signed TLS has no way forward"): the hub prints its
 * certificate's path and SHA-256 fingerprint; `hivelink ask` against it says what to pass; `--fingerprint` and
 * `--ca` both get an answer; a wrong pin is refused before anything is sent; and the wrong scheme (ws:// to the TLS
 * hub, wss:// to a plain hub) is named. Real `hivelink hub` and `hivelink ask` child processes.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type AddedClient,
  addClient,
  buildOnce,
  childEnv,
  type HubProcess,
  type Running,
  run,
  secretFile,
  start,
  startHub,
} from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-cli-tls-'));

describe('hivelink ask against a self-signed TLS hub', { concurrency: true }, () => {
  const dataDir = join(root, 'tls-hub');
  const env = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config') });
  let hub: Running;
  let port: number;
  let banner: { certFile: string; fingerprint: string };
  let client: AddedClient;
  let plain: HubProcess;

  before(async () => {
    buildOnce();
    hub = start(
      ['hub', '--host', '127.0.0.1', '--port', '0', '--tls-self-signed', '--no-mdns', '--data-dir', dataDir],
      env,
    );
    port = Number((await hub.wait(/hivelink hub listening on wss:\/\/127\.0\.0\.1:(\d+)\n/))[1]);
    const cert = await hub.wait(/^tls certificate: (\S+) \(self-signed\)\n/m);
    const fp = await hub.wait(/^tls fingerprint: (SHA256:[0-9A-F:]+)\n/m);
    banner = { certFile: cert[1]!, fingerprint: fp[1]! };
    client = await addClient(dataDir, env, 'phone');
    plain = await startHub(join(root, 'plain-hub'), env, ['--no-mdns']);
  });

  after(async () => {
    await Promise.all([hub?.stop(), plain?.proc.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  const ask = (url: string, ...extra: string[]) =>
    run(
      [
        'ask',
        '--url',
        url,
        '--key',
        client.accessKey,
        '--password-file',
        secretFile(client.password),
        ...extra,
        'what time is it',
      ],
      env,
    );

  it('prints the certificate path and its SHA-256 fingerprint at start', () => {
    assert.equal(banner.certFile, join(dataDir, 'tls', 'hivelink.crt'));
    const pem = readFileSync(banner.certFile, 'utf8');
    assert.equal(banner.fingerprint, `SHA256:${new X509Certificate(pem).fingerprint256}`);
    assert.match(
      hub.stdout(),
      new RegExp(`--fingerprint ${banner.fingerprint}  or  --ca ${banner.certFile}`),
    );
  });

  it('without trust, the error says which flags to use', async () => {
    const r = await ask(`wss://127.0.0.1:${port}`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /TLS certificate this machine does not trust \(self-signed certificate\)/);
    assert.match(r.stderr, /--ca FILE/);
    assert.match(r.stderr, /--fingerprint SHA256:/);
  });

  it('--fingerprint (any case, with or without SHA256: and colons) gets an answer', async () => {
    const loose = banner.fingerprint
      .replace(/^SHA256:/, '')
      .replace(/:/g, '')
      .toLowerCase();
    for (const pin of [banner.fingerprint, loose]) {
      const r = await ask(`wss://127.0.0.1:${port}`, '--fingerprint', pin);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\d/, 'the time');
    }
  });

  it('--ca with the hub certificate gets an answer', async () => {
    const r = await ask(`wss://127.0.0.1:${port}`, '--ca', banner.certFile);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\d/);
  });

  it('a wrong pin is refused, naming both fingerprints', async () => {
    const wrong = `SHA256:${'AB:'.repeat(31)}AB`;
    const r = await ask(`wss://127.0.0.1:${port}`, '--fingerprint', wrong);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`presents the certificate ${banner.fingerprint}, not the pinned ${wrong}`),
    );
    const bad = await ask(`wss://127.0.0.1:${port}`, '--fingerprint', 'nope');
    assert.match(bad.stderr, /a certificate fingerprint is 32 hex bytes/);
  });

  it('ws:// to the TLS hub, and wss:// to a plain hub, are named', async () => {
    const toTls = await ask(`ws://127.0.0.1:${port}`);
    assert.equal(toTls.code, 1);
    assert.match(toTls.stderr, new RegExp(`if it serves TLS, use wss://127\\.0\\.0\\.1:${port}`));
    const toPlain = await ask(`wss://127.0.0.1:${plain.port}`);
    assert.equal(toPlain.code, 1);
    assert.match(
      toPlain.stderr,
      new RegExp(`does not speak TLS on this port: use ws://127\\.0\\.0\\.1:${plain.port}`),
    );
    const flagOnPlain = await ask(`ws://127.0.0.1:${plain.port}`, '--ca', banner.certFile);
    assert.match(flagOnPlain.stderr, /--ca and --fingerprint are for wss:\/\/ URLs/);
  });
});
