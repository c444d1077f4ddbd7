/**
 * Legacy encodings and ciphers as a user meets them against a hub that allows only some (HiveMind hubs can): the
 * terminal clients offer every encoding by default and join; `--encoding`/`--cipher` narrow the offer; and when
 * nothing is left in common the error says so, naming both lists, instead of blaming the access key. Real
 * `hivelink hub` (allowing only JSON-Z85P and CHACHA20-POLY1305) and `hivelink ask --protocol 2` child processes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type AddedClient,
  addClient,
  buildOnce,
  childEnv,
  type HubProcess,
  run,
  secretFile,
  startHub,
} from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-cli-enc-'));

describe('hivelink ask: legacy encodings and ciphers', { concurrency: true }, () => {
  const env = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config') });
  let hub: HubProcess;
  let client: AddedClient;

  before(async () => {
    buildOnce();
    const config = join(root, 'hub.json');
    writeFileSync(
      config,
      JSON.stringify({ allowedEncodings: ['JSON-Z85P'], allowedCiphers: ['CHACHA20-POLY1305'], mdns: false }),
    );
    hub = await startHub(join(root, 'hub'), env, ['--config', config]);
    client = await addClient(join(root, 'hub'), env, 'legacy');
  });

  after(async () => {
    await hub?.proc.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const ask = (...extra: string[]) =>
    run(
      [
        'ask',
        '--url',
        hub.url,
        '--key',
        client.accessKey,
        '--password-file',
        secretFile(client.password),
        '--protocol',
        '2',
        ...extra,
        'what time is it',
      ],
      env,
    );

  it('offers every encoding and cipher by default, so it joins a hub that allows one', async () => {
    const r = await ask();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\d/, 'the time');
  });

  it('--encoding and --cipher narrow the offer (and --binarize asks for binary framing)', async () => {
    const r = await ask('--encoding', 'json-z85p,JSON-HEX', '--cipher', 'CHACHA20-POLY1305', '--binarize');
    assert.equal(r.code, 0, r.stderr);
  });

  it('nothing in common: the error names both lists and the flag', async () => {
    const enc = await ask('--encoding', 'JSON-HEX,JSON-B64');
    assert.equal(enc.code, 1);
    assert.match(
      enc.stderr,
      /no encoding in common: the hub allows JSON-Z85P, this client offers JSON-HEX, JSON-B64 \(--encoding\)/,
    );
    assert.doesNotMatch(enc.stderr, /access key/);
    const cipher = await ask('--cipher', 'AES-GCM');
    assert.match(
      cipher.stderr,
      /no cipher in common: the hub allows CHACHA20-POLY1305, this client offers AES-GCM/,
    );
  });

  it('an unknown name is a usage error listing the choices', async () => {
    const r = await ask('--encoding', 'JSON-B65');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /"JSON-B65" is not one of JSON-HEX, JSON-B64/);
  });
});
