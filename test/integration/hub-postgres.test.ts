/**
 * `hivelink hub --store postgres://…` as users run it (issue 16, Store), on the machine's PostgreSQL: two real hub
 * processes with data dirs of their own on one database and one secrets key (`hivelink store keygen`); clients added
 * by the CLI from a third data dir, each answered on its hub; `hivelink clients revoke` from the CLI cuts the live
 * client on the hub it is connected to within a second; and a hub's SQLite database moved with `hivelink store
 * migrate` serves its clients from PostgreSQL, passwords included.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { postgresTestDatabase } from '../helpers/postgres.js';
import {
  type AddedClient,
  askTheTime,
  buildOnce,
  childEnv,
  type HubProcess,
  run,
  startHub,
} from './cli-process.js';
import { FakePeer, failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

const database = postgresTestDatabase('hub-postgres');
const root = mkdtempSync(join(tmpdir(), 'hl-hub-pg-'));
after(() => rmSync(root, { recursive: true, force: true }));
const env = childEnv();

/** Runs an admin command against the store; its stdout (it must succeed). */
async function cli(args: readonly string[]): Promise<string> {
  const r = await run(args, env);
  assert.equal(r.code, 0, `hivelink ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function connect(hub: HubProcess, client: AddedClient): Promise<FakePeer> {
  return FakePeer.open(hub.url, {
    accessKey: client.accessKey,
    password: client.password,
    protocol: 'legacy',
  });
}

describe('hivelink hub on PostgreSQL (child processes)', () => {
  let keyFile: string;
  before(async () => {
    buildOnce(); // the test runner builds dist/ once; tests never rebuild it
    keyFile = join(root, 'cluster.key');
    assert.match(await cli(['store', 'keygen', '--out', keyFile]), /--secrets-key-file/);
  });

  it('two hubs share one database: each answers its client, and a CLI revoke cuts the live client within a second', {
    timeout: 120_000,
  }, async (t) => {
    const url = await database.url();
    const store = ['--store', url, '--secrets-key-file', keyFile];
    const hubs: HubProcess[] = [];
    t.after(async () => {
      for (const hub of hubs) if (hub.proc.child.exitCode === null) hub.proc.child.kill('SIGKILL');
    });
    for (const name of ['a', 'b']) hubs.push(await startHub(join(root, `hub-${name}`), env, store));
    const [one, two] = hubs as [HubProcess, HubProcess];
    await one.proc.wait(/^store: postgres:\/\/.*\n/m);

    // The admin CLI, from a data dir of its own: only the database and the key are shared.
    const admin = ['--data-dir', join(root, 'admin'), ...store];
    const add = async (name: string) =>
      JSON.parse(await cli(['clients', 'add', '--name', name, '--json', ...admin])) as AddedClient;
    const kitchen = await add('kitchen');
    const office = await add('office');

    const onOne = await connect(one, kitchen);
    const onTwo = await connect(two, office);
    await askTheTime(onOne);
    await askTheTime(onTwo);

    await cli(['clients', 'revoke', 'office', ...admin]);
    const revokedAt = performance.now();
    assert.deepEqual(await onTwo.closed, { code: 1008, reason: 'revoked' });
    const took = performance.now() - revokedAt;
    assert.ok(took < 1000, `the revoke reached the other hub in ${Math.round(took)} ms`);
    await askTheTime(onOne); // the other client, on the other hub, is untouched
    await onOne.close();

    for (const hub of hubs) assert.equal((await hub.proc.stop('SIGTERM')).code, 0);
  });

  it('a SQLite data dir moved with store migrate serves its clients from PostgreSQL', {
    timeout: 120_000,
  }, async (t) => {
    const sqliteDir = join(root, 'sqlite');
    const client = JSON.parse(
      await cli(['clients', 'add', '--name', 'garage', '--json', '--data-dir', sqliteDir]),
    ) as AddedClient;
    const url = await database.freshSchema();
    const moved = await cli([
      'store',
      'migrate',
      '--from',
      `sqlite:${join(sqliteDir, 'hivelink.db')}`,
      '--to',
      url,
    ]);
    assert.match(moved, /^clients\s+1\s+[0-9a-f]{16}$/m);
    assert.match(moved, /every table's count and checksum match/);
    const refused = await run(
      ['store', 'migrate', '--from', `sqlite:${join(sqliteDir, 'hivelink.db')}`, '--to', url],
      env,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not empty.*--force/);

    const hub = await startHub(join(root, 'moved'), env, [
      '--store',
      url,
      '--secrets-key-file',
      join(sqliteDir, 'secrets.key'),
    ]);
    t.after(() => {
      if (hub.proc.child.exitCode === null) hub.proc.child.kill('SIGKILL');
    });
    const peer = await connect(hub, client);
    await askTheTime(peer);
    await peer.close();
    assert.equal((await hub.proc.stop('SIGTERM')).code, 0);
  });
});
