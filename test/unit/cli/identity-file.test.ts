/**
 * Where the terminal clients take their credentials from (flag > environment > saved identity), where the config
 * dir is, and the one line each connection failure becomes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { describeFailure } from '../../../src/cli/client-errors.js';
import {
  IdentityFile,
  readHiveMindIdentity,
  resolveConfigDir,
  resolveCredentials,
} from '../../../src/cli/identity-file.js';
import { HiveLinkError } from '../../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'hl-identity-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('resolveConfigDir', () => {
  it('$HIVELINK_CONFIG_DIR, else $XDG_CONFIG_HOME/hivelink (absolute only), else ~/.config/hivelink', () => {
    assert.equal(resolveConfigDir({ HIVELINK_CONFIG_DIR: '/a', XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/a');
    assert.equal(resolveConfigDir({ XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/x/hivelink');
    assert.equal(resolveConfigDir({ XDG_CONFIG_HOME: 'relative', HOME: '/h' }), '/h/.config/hivelink');
    assert.equal(resolveConfigDir({ HOME: '/h' }), '/h/.config/hivelink');
  });
});

describe('resolveCredentials', () => {
  const saved = { url: 'ws://saved:1', accessKey: 'saved-key', password: 'saved-pw', siteId: 'hall' };

  it('takes each field from the flag, else the environment, else the file', () => {
    const env = { HIVELINK_URL: 'ws://env:2', HIVELINK_KEY: 'saved-key' };
    const c = resolveCredentials({}, saved, env);
    assert.deepEqual(c, {
      url: 'ws://env:2',
      accessKey: 'saved-key',
      password: 'saved-pw',
      siteId: 'hall',
      sources: { url: 'env', accessKey: 'env', secret: 'file' },
    });
    const f = resolveCredentials({ url: 'ws://flag:3', password: 'flag-pw' }, saved, env);
    assert.equal(f.url, 'ws://flag:3');
    assert.equal(f.password, 'flag-pw');
    assert.equal(f.sources.secret, 'flag');
  });

  it('never sends a saved password (or site) with another access key', () => {
    assert.throws(
      () => resolveCredentials({ key: 'other' }, saved, {}),
      (e: HiveLinkError) => e.code === 'HL_ERR_INVALID_ARGUMENT' && /^no password/.test(e.message),
    );
    const c = resolveCredentials({ key: 'other', password: 'p' }, saved, {});
    assert.equal(c.siteId, undefined);
  });

  it('defaults the URL to ws://127.0.0.1:5678 and names what is missing', () => {
    assert.equal(resolveCredentials({ key: 'k', password: 'p' }, {}, {}).url, 'ws://127.0.0.1:5678');
    assert.throws(
      () => resolveCredentials({}, {}, {}),
      (e: HiveLinkError) => e.code === 'HL_ERR_INVALID_ARGUMENT' && /^no access key/.test(e.message),
    );
  });

  it('a PSK given more explicitly than the saved password wins; of the same origin both are used', () => {
    const psk = 'ab'.repeat(32);
    const c = resolveCredentials({ psk }, saved, {});
    assert.equal(c.password, undefined);
    assert.equal(c.psk, psk);
    const both = resolveCredentials({ key: 'k', password: 'p', psk }, {}, {});
    assert.equal(both.password, 'p');
    assert.equal(both.psk, psk);
  });
});

describe('IdentityFile', () => {
  it('keeps credentials beside the Noise key and pins, in a 0600 file', async () => {
    const file = new IdentityFile(join(root, 'cfg', 'identity.json'));
    assert.deepEqual(await file.readCredentials(), {});
    await file.store.setNoisePrivateKey(new Uint8Array(32).fill(7));
    await file.store.set('hub:5678', new Uint8Array(32).fill(9));
    await file.saveCredentials({ url: 'ws://hub:5678', accessKey: 'k', password: 'p' });
    assert.deepEqual(await file.readCredentials(), { url: 'ws://hub:5678', accessKey: 'k', password: 'p' });
    assert.deepEqual(await file.pins(), { 'hub:5678': '09'.repeat(32) });
    assert.ok(await file.hasNoiseKey());
    assert.equal(statSync(file.path).mode & 0o777, 0o600);
    await file.saveCredentials({ url: 'ws://hub:5678', accessKey: 'k', psk: 'ab'.repeat(32) });
    assert.deepEqual(await file.readCredentials(), {
      url: 'ws://hub:5678',
      accessKey: 'k',
      psk: 'ab'.repeat(32),
    });
  });

  it('rejects a malformed file with HL_ERR_KEY_FILE', async () => {
    const path = join(root, 'bad.json');
    writeFileSync(path, '{"access_key": 5}');
    await assert.rejects(
      new IdentityFile(path).readCredentials(),
      (e: HiveLinkError) => e.code === 'HL_ERR_KEY_FILE',
    );
  });
});

describe('readHiveMindIdentity', () => {
  const home = (name: string, identity: unknown): string => {
    const dir = join(root, name);
    mkdirSync(join(dir, '.config', 'hivemind'), { recursive: true });
    writeFileSync(join(dir, '.config', 'hivemind', '_identity.json'), JSON.stringify(identity));
    return dir;
  };

  it("reads hivemind-client's identity: key, password, site, and the URL from default_master and default_port", () => {
    const dir = home('hm-a', {
      access_key: 'k',
      password: 'p',
      site_id: 'garage',
      default_master: '192.168.1.7',
      default_port: 5678,
      name: 'garage-sat',
    });
    assert.deepEqual(readHiveMindIdentity({ HOME: dir }), {
      accessKey: 'k',
      password: 'p',
      siteId: 'garage',
      url: 'ws://192.168.1.7:5678',
    });
    const tls = home('hm-b', { access_key: 'k', default_master: 'wss://hub.local:443', default_port: 5678 });
    assert.equal(readHiveMindIdentity({ HOME: tls }).url, 'wss://hub.local:443');
    const scheme = home('hm-c', { access_key: 'k', default_master: 'ws://hub.local', default_port: 6000 });
    assert.equal(readHiveMindIdentity({ HOME: scheme }).url, 'ws://hub.local:6000');
  });

  it('is empty without the file, or with one that is not JSON', () => {
    assert.deepEqual(readHiveMindIdentity({ HOME: join(root, 'nobody') }), {});
    const dir = join(root, 'hm-bad');
    mkdirSync(join(dir, '.config', 'hivemind'), { recursive: true });
    writeFileSync(join(dir, '.config', 'hivemind', '_identity.json'), '{');
    assert.deepEqual(readHiveMindIdentity({ HOME: dir }), {});
  });
});

describe('describeFailure', () => {
  const ctx = { url: 'ws://hub:5678', hostPort: 'hub:5678', timeoutMs: 2500 };
  const line = (code: ConstructorParameters<typeof HiveLinkError>[0], message: string, stage?: string) =>
    describeFailure(new HiveLinkError(code, message, stage === undefined ? {} : { stage }), ctx);

  it('names each failure in one line', () => {
    assert.equal(
      line('HL_ERR_NOISE_HANDSHAKE_FAILED', 'Noise handshake failed at readMessage2'),
      'wrong password',
    );
    assert.equal(
      line('HL_ERR_AUTH_REFUSED', 'the hub refused the connection: password handshake verification failed'),
      'wrong password',
    );
    assert.equal(
      line('HL_ERR_AUTH_REFUSED', 'the hub refused the connection: invalid authorization'),
      'access key refused (invalid authorization)',
    );
    assert.equal(
      line(
        'HL_ERR_CONNECT_FAILED',
        'closed (close 1006: connect ECONNREFUSED 1.2.3.4:5678)',
        'client.connecting',
      ),
      'hub unreachable at ws://hub:5678 (ECONNREFUSED)',
    );
    assert.equal(line('HL_ERR_ASK_TIMEOUT', 'no answer within 2500 ms'), 'no answer within 2.5 s');
    assert.match(line('HL_ERR_NOISE_KEY_MISMATCH', 'x'), /hivelink identity forget-hub hub:5678$/);
    assert.equal(
      line('HL_ERR_CONNECTION_LOST', 'connection lost (close 1001: hub shutting down)'),
      'lost the connection to ws://hub:5678 (close 1001: hub shutting down)',
    );
    assert.equal(
      describeFailure(new HiveLinkError('HL_ERR_NOISE_HANDSHAKE_FAILED', 'x'), { ...ctx, usedPsk: true }),
      'wrong PSK',
    );
  });

  it('a client pinned to another device is told how it is moved, with its own key in the command', () => {
    const refused = new HiveLinkError(
      'HL_ERR_AUTH_REFUSED',
      'the hub refused the connection: client noise key differs from the pinned key',
    );
    assert.equal(
      describeFailure(refused, { ...ctx, accessKey: 'k1' }),
      'the hub knows this client by another device (client noise key differs from the pinned key): each device needs a client of its own (hivelink clients add); to move this client to this device, the hub admin runs: hivelink clients reset-noise-pin k1 (its name or access key)',
    );
  });
});
