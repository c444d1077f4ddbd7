/**
 * `hivelink ask` and `hivelink identity` as people run them: the real binary against a freshly started
 * `hivelink hub --port 0` (temp data dir, client added with `hivelink clients add --json`), each child with its own
 * config dir. Checks the answers on stdout, exit codes, and the one line on stderr for each failure.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { en as jokes } from '../../src/assistant/skills/joke/locale/en.js';
import {
  addClient,
  buildOnce,
  childEnv,
  freePort,
  hubSuite,
  run,
  secretFile,
  startBus,
  startHub,
} from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-cli-ask-'));
const JOKES = new Set(jokes.dialogs!.joke);
before(buildOnce);
after(() => rmSync(root, { recursive: true, force: true }));

describe('hivelink ask (child processes against a real hub)', () => {
  const s = hubSuite(root, 'hub', 'kitchen');
  const { config, env } = s;
  let creds: string[];

  before(() => {
    creds = [
      '--url',
      s.hub.url,
      '--key',
      s.client.accessKey,
      '--password-file',
      secretFile(s.client.password),
    ];
  });

  it('answers "tell me a joke" with a joke on stdout and exits 0', async () => {
    const r = await run(['ask', ...creds, 'tell me a joke'], env);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    assert.ok(JOKES.has(lines[0]!), `not a joke of the hub's joke skill: ${lines[0]}`);
  });

  it("keeps this machine's Noise key, so the next run is recognised (v3 again, then legacy with --protocol 1)", async () => {
    const again = await run(['ask', ...creds, 'what is two plus two'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /\b4\b/);
    const legacy = await run(['ask', ...creds, '--protocol', '1', 'what is two plus two'], env);
    assert.equal(legacy.code, 0, legacy.stderr);
    assert.match(legacy.stdout, /\b4\b/);
    const saved = JSON.parse(readFileSync(join(config, 'identity.json'), 'utf8')) as Record<string, unknown>;
    assert.match(String(saved.noise_key), /^[0-9a-f]{64}$/);
    assert.equal(statSync(join(config, 'identity.json')).mode & 0o777, 0o600);
  });

  for (const protocol of ['auto', '2']) {
    it(`a wrong password (--protocol ${protocol}) exits 1 with "wrong password"`, async () => {
      const r = await run(
        [
          'ask',
          '--url',
          s.hub.url,
          '--key',
          s.client.accessKey,
          '--password-file',
          secretFile('not-the-password'),
          '--protocol',
          protocol,
          'hi',
        ],
        env,
      );
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'hivelink: wrong password\n');
      assert.equal(r.stdout, '');
    });
  }

  it('an unknown access key exits 1 with "access key refused"', async () => {
    const r = await run(
      ['ask', '--url', s.hub.url, '--key', 'no-such-key', '--password-file', secretFile('x'), 'hi'],
      env,
    );
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'hivelink: access key refused (invalid authorization)\n');
  });

  it('a hub that is down exits 1 with "hub unreachable at …", at once (no retry)', async () => {
    const port = await freePort();
    const r = await run(
      [
        'ask',
        '--url',
        `ws://127.0.0.1:${port}`,
        '--key',
        s.client.accessKey,
        '--password-file',
        secretFile('x'),
        'hi',
      ],
      env,
    );
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `hivelink: hub unreachable at ws://127.0.0.1:${port} (ECONNREFUSED)\n`);
  });

  it('an utterance the hub does not understand (and speaks no fallback for) exits 1 and says so', async () => {
    const r = await run(['ask', ...creds, 'purple monkey dishwasher'], env);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'hivelink: the hub did not understand "purple monkey dishwasher"\n');
    const json = await run(['ask', ...creds, '--json', 'purple monkey dishwasher'], env);
    assert.deepEqual(JSON.parse(json.stdout), { answers: [], handled: false, timedOut: false });
  });

  it('a hub whose agent never answers: exits 1 with "no answer within 1 s"', async () => {
    const bus = await startBus(env);
    const silentDir = join(root, 'silent-hub');
    const silent = await startHub(silentDir, env, ['--agent', 'ovos', '--ovos-url', bus.url]);
    try {
      const c = await addClient(silentDir, env, 'kitchen');
      const r = await run(
        [
          'ask',
          '--url',
          silent.url,
          '--key',
          c.accessKey,
          '--password-file',
          secretFile(c.password),
          '--timeout',
          '1',
          'hello',
        ],
        childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config-silent') }),
      );
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'hivelink: no answer within 1 s\n');
    } finally {
      await silent.proc.stop();
      await bus.proc.stop();
    }
  });

  it('takes the credentials from HIVELINK_URL, HIVELINK_KEY and HIVELINK_PASSWORD', async () => {
    const r = await run(
      ['ask', 'tell me a joke'],
      childEnv({
        HIVELINK_CONFIG_DIR: config,
        HIVELINK_URL: s.hub.url,
        HIVELINK_KEY: s.client.accessKey,
        HIVELINK_PASSWORD: s.client.password,
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JOKES.has(r.stdout.trim()));
  });

  it('without credentials: exits 1 and says how to give them', async () => {
    const r = await run(['ask', 'hi'], childEnv({ HIVELINK_CONFIG_DIR: join(root, 'empty-config') }));
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'hivelink: no access key: pass --key, set HIVELINK_KEY, or save one with hivelink identity set\n',
    );
  });

  it('usage errors exit 2', async () => {
    assert.equal((await run(['ask'], env)).code, 2);
    assert.equal((await run(['ask', ...creds, '--protocol', '9', 'hi'], env)).code, 2);
    assert.equal((await run(['ask', ...creds, '--timeout', '-1', 'hi'], env)).code, 2);
  });
});

describe('hivelink identity (saved credentials)', () => {
  const s = hubSuite(root, 'hub-identity', 'hall');
  const { dataDir, config, env } = s;

  it('set, then ask with no flags; the file is 0600 and show never prints the password', async () => {
    const set = await run(
      [
        'identity',
        'set',
        '--url',
        s.hub.url,
        '--key',
        s.client.accessKey,
        '--password',
        s.client.password,
        '--site',
        'hall',
      ],
      env,
    );
    assert.equal(set.code, 0, set.stderr);
    assert.equal(statSync(join(config, 'identity.json')).mode & 0o777, 0o600);

    const asked = await run(['ask', 'tell me a joke'], env);
    assert.equal(asked.code, 0, asked.stderr);
    assert.ok(JOKES.has(asked.stdout.trim()));

    const show = await run(['identity', 'show'], env);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, new RegExp(`access key\\s+${s.client.accessKey}`));
    assert.match(show.stdout, /secret\s+password saved \(not shown\)/);
    assert.match(show.stdout, /site\s+hall/);
    assert.equal(show.stdout.includes(s.client.password), false, 'the password is never printed');

    const json = JSON.parse((await run(['identity', 'show', '--json'], env)).stdout) as {
      url: string;
      noisePublicKey: string;
      pinnedHubs: Record<string, string>;
    };
    assert.equal(json.url, s.hub.url);
    assert.match(json.noisePublicKey, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      Object.keys(json.pinnedHubs),
      [`127.0.0.1:${s.hub.port}`],
      'the hub key was pinned (v3)',
    );
  });

  it('a flag overrides the saved value, and a saved password is not sent with another key', async () => {
    const wrong = await run(['ask', '--password-file', secretFile('nope'), 'hi'], env);
    assert.equal(wrong.stderr, 'hivelink: wrong password\n');
    const otherKey = await run(['ask', '--key', 'another-key', 'hi'], env);
    assert.equal(otherKey.code, 1);
    assert.match(otherKey.stderr, /^hivelink: no password: pass --password/);
  });

  it('forget-hub drops the pinned key; the next connection pins it again', async () => {
    const hostPort = `127.0.0.1:${s.hub.port}`;
    assert.equal((await run(['ask', 'what is two plus two'], env)).code, 0);
    const forgot = await run(['identity', 'forget-hub', hostPort], env);
    assert.equal(forgot.code, 0, forgot.stderr);
    const pins = () =>
      (JSON.parse(readFileSync(join(config, 'identity.json'), 'utf8')) as { pinned_noise_keys: object })
        .pinned_noise_keys;
    assert.deepEqual(pins(), {});
    const again = await run(['identity', 'forget-hub', hostPort], env);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `hivelink: no hub key is pinned for ${hostPort}\n`);
    assert.equal((await run(['ask', 'what is two plus two'], env)).code, 0);
    assert.deepEqual(Object.keys(pins()), [hostPort]);
    assert.equal((await run(['identity', 'forget-hub', 'not a host'], env)).code, 2);
  });

  it('clients add --save-identity writes the identity file that ask then uses', async () => {
    const fresh = childEnv({ HIVELINK_CONFIG_DIR: join(root, 'config-saved') });
    const added = await run(
      ['clients', 'add', '--name', 'den', '--data-dir', dataDir, '--save-identity', '--url', s.hub.url],
      fresh,
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Saved for ws:\/\/127\.0\.0\.1:\d+ as this machine's identity/);
    const asked = await run(['ask', 'tell me a joke'], fresh);
    assert.equal(asked.code, 0, asked.stderr);
    assert.ok(JOKES.has(asked.stdout.trim()));
  });
});
