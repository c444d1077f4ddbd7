/**
 * The admin CLI as users and scripts run it: `node bin/hivelink.js clients …|ip …` as child processes on a data dir
 * in a temp folder, checking stdout, the one-line stderr and the exit codes (0 ok, 1 failure, 2 usage). The last
 * block runs the handlers in-process with a captured writer.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clientsAdd, clientsEditList, clientsList, clientsShow } from '../../src/cli/commands/clients.js';
import { ipAdd, ipList } from '../../src/cli/commands/ip.js';
import { openDataDir } from '../../src/store/data-dir.js';
import type { ClientRecord, IpRule } from '../../src/store/types.js';
import { REPO_ROOT } from '../helpers/vectors.js';
import { buildOnce } from './cli-process.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const root = mkdtempSync(join(tmpdir(), 'hl-cli-admin-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The environment of every child: no HIVELINK_HOME unless a test sets it. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('HIVELINK_HOME' in extra)) delete env.HIVELINK_HOME;
  return env;
}

function hivelink(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/hivelink.js'), ...args], {
      cwd: root,
      env: childEnv(env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command that must succeed and returns its stdout. */
async function ok(args: string[]): Promise<string> {
  const r = await hivelink(args);
  assert.equal(r.code, 0, `hivelink ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function json<T>(args: string[]): Promise<T> {
  return JSON.parse(await ok([...args, '--json'])) as T;
}

before(() => {
  buildOnce(); // the test runner builds dist/ once; tests never rebuild it
  assert.ok(existsSync(join(REPO_ROOT, 'dist/cli/main.js')), 'npm run build produced dist/cli/main.js');
});

describe('hivelink clients', () => {
  const D = join(root, 'data');
  const dd = ['--data-dir', D];
  let first: ClientRecord & { password: string };

  it('add --json prints the record with the access key and password, once', async () => {
    first = await json(['clients', 'add', '--name', 'kitchen', ...dd]);
    assert.equal(first.id, 1);
    assert.equal(first.name, 'kitchen');
    assert.match(first.accessKey, /^[0-9a-f]{32}$/);
    assert.match(first.password, /^[0-9a-f]{32}$/);
    assert.equal(first.isAdmin, false);
    assert.ok(first.allowedTypes.includes('recognizer_loop:utterance'));
    assert.equal(statSync(D).mode & 0o777, 0o700);
    assert.equal(statSync(join(D, 'secrets.key')).mode & 0o777, 0o600);
  });

  it('add prints the key, the password and how to connect', async () => {
    const out = await ok([
      'clients',
      'add',
      '--name',
      'hall',
      '--key',
      'hall-key',
      '--password',
      'Pa55-word-xyz-9kQz',
      '--admin',
      ...dd,
    ]);
    assert.match(out, /Added client 2 "hall" \(admin\)/);
    assert.match(out, /access key\s+hall-key/);
    assert.match(out, /password\s+Pa55-word-xyz-9kQz/);
    assert.match(out, /hivelink ask --url ws:\/\/.+ --key hall-key --password-prompt/);
  });

  it('keeps no password in the database files', () => {
    for (const f of readdirSync(D).filter((f) => f.startsWith('hivelink.db'))) {
      const bytes = readFileSync(join(D, f));
      assert.equal(bytes.indexOf('Pa55-word-xyz-9kQz'), -1, f);
      assert.equal(bytes.indexOf(first.password), -1, f);
    }
  });

  it('list and show, by id or access key', async () => {
    const list = await json<ClientRecord[]>(['clients', 'list', ...dd]);
    assert.deepEqual(
      list.map((c) => [c.id, c.name, c.isAdmin]),
      [
        [1, 'kitchen', false],
        [2, 'hall', true],
      ],
    );
    const text = await ok(['clients', 'list', ...dd]);
    assert.match(text, /^ID\s+NAME\s+ACCESS KEY/);
    assert.match(text, /\n2\s+hall\s+hall-key\s+yes\s+active\s+never\n/);
    const byKey = await json<ClientRecord>(['clients', 'show', first.accessKey, ...dd]);
    assert.equal(byKey.id, 1);
    assert.ok(!('password' in byKey), 'show never prints the password');
    assert.match(await ok(['clients', 'show', '2', ...dd]), /name\s+hall\n/);
  });

  it('set changes permissions and limits', async () => {
    const c = await json<ClientRecord>([
      'clients',
      'set',
      '1',
      '--can-broadcast',
      'false',
      '--can-escalate',
      'no',
      '--can-propagate',
      'yes',
      '--admin',
      'true',
      '--min-protocol',
      '3',
      '--rate-limit',
      '2.5',
      '--site',
      'kitchen',
      ...dd,
    ]);
    assert.equal(c.canBroadcast, false);
    assert.equal(c.canEscalate, false);
    assert.equal(c.canPropagate, true);
    assert.equal(c.isAdmin, true);
    assert.equal(c.minProtocol, 3);
    assert.equal(c.rateLimitPerSecond, 2.5);
    assert.equal(c.siteId, 'kitchen');
    const cleared = await json<ClientRecord>(['clients', 'set', '1', '--min-protocol', 'none', ...dd]);
    assert.equal(cleared.minProtocol, null);
  });

  it('allow-msg/deny-msg, block-skill/allow-skill, block-intent/allow-intent edit the lists', async () => {
    await ok(['clients', 'allow-msg', 'my.custom:event', '1', ...dd]);
    await ok(['clients', 'deny-msg', 'speak:b64_audio', '1', ...dd]);
    // Issue 17: a block takes what `hivelink skills list` shows (or a short name) and refuses what no skill has.
    const unknown = await hivelink(['clients', 'block-skill', 'skill-weather.openvoiceos', '1', ...dd]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /"skill-weather\.openvoiceos" is not a loaded skill; hivelink skills list/);
    const noIntent = await hivelink(['clients', 'block-intent', 'weather.intent', '1', ...dd]);
    assert.equal(noIntent.code, 1);
    assert.match(noIntent.stderr, /"weather\.intent" is not an intent of a loaded skill/);
    assert.match(
      await ok(['clients', 'block-skill', 'joke', '1', ...dd]),
      /blocked from skill hivelink-joke\.hivelink/,
    );
    await ok(['clients', 'block-skill', 'hivelink-time.hivelink', '1', ...dd]);
    await ok(['clients', 'allow-skill', 'hivelink-time.hivelink', '1', ...dd]);
    await ok(['clients', 'block-intent', 'hivelink-math.hivelink:add.intent', first.accessKey, ...dd]);
    await ok(['clients', 'block-intent', 'who_am_i.intent', first.accessKey, ...dd]);
    const c = await json<ClientRecord>(['clients', 'show', '1', ...dd]);
    assert.ok(c.allowedTypes.includes('my.custom:event'));
    assert.ok(!c.allowedTypes.includes('speak:b64_audio'));
    assert.deepEqual(c.blockedSkills, ['hivelink-joke.hivelink']);
    assert.deepEqual(c.blockedIntents, [
      'hivelink-math.hivelink:add.intent',
      'hivelink-whoami.hivelink:who_am_i.intent',
    ]);
  });

  it('rename and history', async () => {
    assert.match(await ok(['clients', 'rename', '2', 'hallway', ...dd]), /to "hallway"/);
    assert.equal((await json<ClientRecord>(['clients', 'show', '2', ...dd])).name, 'hallway');
    assert.deepEqual(await json<unknown[]>(['clients', 'history', '2', ...dd]), []);
    // A name is as good as an id, since two live clients never share one.
    assert.equal((await json<ClientRecord>(['clients', 'show', 'hallway', ...dd])).id, 2);
    const dup = await hivelink(['clients', 'add', '--name', 'hallway', ...dd]);
    assert.equal(dup.code, 1);
    assert.equal(dup.stderr, 'hivelink: the name "hallway" is already used by client 2\n');
    const clash = await hivelink(['clients', 'rename', '1', 'hallway', ...dd]);
    assert.match(clash.stderr, /the name "hallway" is already used by client 2/);
  });

  it('revoke: the old key no longer names the client, the id stays', async () => {
    assert.match(await ok(['clients', 'revoke', first.accessKey, ...dd]), /Revoked client 1/);
    const c = await json<ClientRecord>(['clients', 'show', '1', ...dd]);
    assert.equal(c.revoked, true);
    assert.equal(c.accessKey, 'revoked:1');
    const r = await hivelink(['clients', 'show', first.accessKey, ...dd]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `hivelink: no client with access key or name "${first.accessKey}"\n`);
  });

  it('remove never frees the id', async () => {
    await ok(['clients', 'remove', '2', ...dd]);
    const added = await json<ClientRecord>(['clients', 'add', '--name', 'new', ...dd]);
    assert.equal(added.id, 3);
  });

  it('reset-noise-pin clears the pin a hub set', async () => {
    const data = openDataDir(D);
    await data.store.pinNoiseKey(3, 'ab'.repeat(32));
    await data.close();
    assert.equal((await json<ClientRecord>(['clients', 'show', '3', ...dd])).noisePubkey, 'ab'.repeat(32));
    await ok(['clients', 'reset-noise-pin', '3', ...dd]);
    assert.equal((await json<ClientRecord>(['clients', 'show', '3', ...dd])).noisePubkey, null);
  });

  it('a running store (the hub) sees a CLI revoke through watch()', async () => {
    const hub = openDataDir(D);
    const changed = new Promise<void>((resolve) => {
      const stop = hub.store.watch(() => {
        stop();
        resolve();
      }, 10);
    });
    await ok(['clients', 'revoke', '3', ...dd]);
    await changed;
    assert.equal((await hub.store.getClient(3))?.revoked, true);
    await hub.close();
  });

  it('--data-dir wins over $HIVELINK_HOME, which is the default without it', async () => {
    const home = join(root, 'home');
    const flagged = join(root, 'flagged');
    const r = await hivelink(['clients', 'add', '--name', 'h', '--json', '--data-dir', flagged], {
      HIVELINK_HOME: home,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(flagged, 'hivelink.db')));
    assert.ok(!existsSync(join(home, 'hivelink.db')));
    const byEnv = await hivelink(['clients', 'add', '--name', 'e', '--json'], { HIVELINK_HOME: home });
    assert.equal(byEnv.code, 0, byEnv.stderr);
    assert.ok(existsSync(join(home, 'hivelink.db')));
    assert.equal((JSON.parse(byEnv.stdout) as ClientRecord).id, 1);
  });
});

describe('hivelink ip', () => {
  const D = join(root, 'ip-data');
  const dd = ['--data-dir', D];

  it('allow, deny (global and per client), list and remove', async () => {
    await ok(['clients', 'add', '--name', 'a', '--key', 'key-a', ...dd]);
    assert.match(await ok(['ip', 'allow', '10.1.2.3/8', ...dd]), /allow 10\.0\.0\.0\/8 for all clients/);
    await ok(['ip', 'deny', '2001:DB8::/32', '--client', 'key-a', ...dd]);
    await ok(['ip', 'deny', '::ffff:192.0.2.1', ...dd]);
    const rules = await json<IpRule[]>(['ip', 'list', ...dd]);
    assert.deepEqual(
      rules.map((r) => [r.action, r.cidr, r.clientId]),
      [
        ['allow', '10.0.0.0/8', null],
        ['deny', '192.0.2.1/32', null],
        ['deny', '2001:db8::/32', 1],
      ],
    );
    assert.match(await ok(['ip', 'list', ...dd]), /^ID\s+ACTION\s+CIDR\s+CLIENT\n/);
    await ok(['ip', 'remove', '2001:db8::/32', '--client', '1', ...dd]);
    assert.equal((await json<IpRule[]>(['ip', 'list', ...dd])).length, 2);
    const r = await hivelink(['ip', 'remove', '2001:db8::/32', '--client', '1', ...dd]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'hivelink: no IP rule for 2001:db8::/32 (client 1)\n');
    // The id `ip list` shows removes that rule, whatever its scope, with no --client.
    const [first] = await json<IpRule[]>(['ip', 'list', ...dd]);
    assert.ok(first);
    assert.equal(await ok(['ip', 'remove', String(first.id), ...dd]), `Removed rule ${first.id}.\n`);
    assert.deepEqual(
      (await json<IpRule[]>(['ip', 'list', ...dd])).map((x) => x.id).includes(first.id),
      false,
    );
    const gone = await hivelink(['ip', 'remove', String(first.id), ...dd]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no IP rule with id \d+ \(see hivelink ip list\)/);
    const both = await hivelink(['ip', 'remove', '1', '--client', '1', ...dd]);
    assert.match(both.stderr, /a rule id names one rule: leave out --client/);
  });
});

describe('exit codes', { concurrency: true }, () => {
  const dd = ['--data-dir', join(root, 'codes')];
  const cases: [string, string[], number, RegExp][] = [
    ['unknown client id', ['clients', 'show', '99', ...dd], 1, /^hivelink: no client with id 99\n$/],
    [
      'taken access key',
      ['clients', 'add', '--name', 'b', '--key', 'dup', ...dd],
      1,
      /^hivelink: access key is already used by client \d+\n$/,
    ],
    [
      'bad field value',
      ['clients', 'add', '--name', 'c', '--key', 'revoked:9', ...dd],
      1,
      /^hivelink: accessKey must not start with "revoked:"\n$/,
    ],
    [
      'unknown client for an IP rule',
      ['ip', 'deny', '10.0.0.1', '--client', '42', ...dd],
      1,
      /^hivelink: no client with id 42\n$/,
    ],
    ['missing --name', ['clients', 'add', ...dd], 2, /required option '--name <name>'/],
    ['bad boolean', ['clients', 'set', '1', '--admin', 'maybe', ...dd], 2, /expected true or false/],
    ['set without options', ['clients', 'set', '1', ...dd], 2, /needs at least one option/],
    [
      'bad min protocol',
      ['clients', 'set', '1', '--min-protocol', '4', ...dd],
      2,
      /expected 1, 2, 3 or none/,
    ],
    ['bad CIDR', ['ip', 'allow', '10.0.0.0/40', ...dd], 2, /invalid CIDR/],
    ['unknown subcommand', ['clients', 'frobnicate', ...dd], 2, /unknown command/],
    ['missing argument', ['clients', 'show', ...dd], 2, /missing required argument/],
  ];

  before(async () => {
    await ok(['clients', 'add', '--name', 'a', '--key', 'dup', ...dd]);
  });

  for (const [name, args, code, stderr] of cases) {
    it(`${name} → ${code}`, async () => {
      const r = await hivelink(args);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, stderr);
      assert.equal(r.stdout, '');
    });
  }
});

describe('admin handlers in-process', () => {
  const D = join(root, 'in-process');

  it('write to the given writer', async () => {
    const data = openDataDir(D);
    let text = '';
    const ctx = { store: data.store, out: { write: (t: string) => (text += t) } };
    await clientsAdd(ctx, { name: 'x', key: 'x-key', password: 'pw', allowWeakPassword: true, json: true });
    assert.equal((JSON.parse(text) as { password: string }).password, 'pw');
    text = '';
    await clientsEditList(ctx, 'x-key', 'blockedIntents', 'add', 'joke.intent', { dataDir: D });
    assert.equal(text, 'Client 1 is now blocked from intent hivelink-joke.hivelink:joke.intent.\n');
    text = '';
    await clientsEditList(ctx, 'x-key', 'blockedIntents', 'add', 'hivelink-joke.hivelink:joke.intent', {
      dataDir: D,
    });
    assert.equal(text, 'Client 1 already has intent hivelink-joke.hivelink:joke.intent.\n');
    await assert.rejects(clientsEditList(ctx, 'x-key', 'blockedSkills', 'add', 'jokes', { dataDir: D }), {
      code: 'HL_ERR_UNKNOWN_SKILL',
    });
    await assert.rejects(clientsEditList(ctx, '1', 'allowedTypes', 'remove', 'recognizer_loop:utterance'), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
    await assert.rejects(clientsShow(ctx, 'nope', {}), {
      code: 'HL_ERR_NOT_FOUND',
      message: 'no client with access key or name "nope"',
    });
    text = '';
    await clientsList(ctx, {});
    assert.match(
      text,
      /^ID\s+NAME\s+ACCESS KEY\s+ADMIN\s+STATUS\s+LAST SEEN\n1\s+x\s+x-key\s+no\s+active\s+never\n$/,
    );
    text = '';
    await ipAdd(ctx, 'deny', '192.0.2.0/24', { client: '1' });
    await ipList(ctx, { json: true });
    assert.match(text, /"cidr": "192\.0\.2\.0\/24"/);
    await data.close();
  });
});
