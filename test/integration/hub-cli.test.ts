/**
 * `hivelink hub` as users run it: the real binary as a child process on port 0 with a temp data dir; a client added
 * with `hivelink clients add`, connected over the wire, answered by the embedded assistant, revoked with
 * `hivelink clients revoke` while connected (disconnected at once), and SIGTERM → graceful exit 0.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BusClient } from '../../src/bus/ws-client.js';
import { REPO_ROOT } from '../helpers/vectors.js';
import { askTheTime, buildOnce, childEnv, startHub } from './cli-process.js';
import { FakePeer, failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

const BIN = join(REPO_ROOT, 'bin/hivelink.js');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: childEnv(),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hivelink hub (child process)', () => {
  let dataDir: string;

  before(() => {
    buildOnce(); // the test runner builds dist/ once; tests never rebuild it
    assert.ok(
      existsSync(join(REPO_ROOT, 'dist/cli/commands/hub.js')),
      'npm run build produced the hub command',
    );
    dataDir = mkdtempSync(join(tmpdir(), 'hivelink-hub-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on port 0, serves a CLI-added client, disconnects it on revoke, and exits 0 on SIGTERM', {
    timeout: 60_000,
  }, async (t) => {
    const started = await startHub(dataDir, childEnv(), ['--bus-port', '0']);
    const { proc: hub, port } = started;
    t.after(() => {
      if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
    });
    await hub.wait(/hivelink clients add --name kitchen --data-dir /);
    const busUrl = started.busUrl!;
    assert.match(busUrl, /^ws:\/\/127\.0\.0\.1:\d+\/core$/);
    const watcher = new BusClient({ url: busUrl, reconnect: false, sessionSync: false });
    await watcher.connect();
    const watched = watcher.waitForMessage('recognizer_loop:utterance', 20_000);

    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(health.status, 'ok');
    assert.equal(typeof health.version, 'string');

    const added = cli(['clients', 'add', '--name', 'kitchen', '--data-dir', dataDir, '--json']);
    assert.equal(added.status, 0, added.stderr);
    const client = JSON.parse(added.stdout) as { id: number; accessKey: string; password: string };

    const peer = await FakePeer.open(`ws://127.0.0.1:${port}`, {
      accessKey: client.accessKey,
      password: client.password,
      protocol: 'legacy',
    });
    await askTheTime(peer);
    const seenOnBus = await watched;
    assert.match(
      String(seenOnBus?.context.session?.session_id),
      /^[0-9a-f]{16}:/,
      'a local tool sees the agent bus',
    );
    await watcher.close();

    const revoked = cli(['clients', 'revoke', String(client.id), '--data-dir', dataDir]);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.deepEqual(await peer.closed, { code: 1008, reason: 'revoked' });

    hub.child.kill('SIGTERM');
    const exit = await hub.exit;
    assert.equal(exit.code, 0, exit.stderr);

    const history = cli(['clients', 'history', String(client.id), '--data-dir', dataDir, '--json']);
    assert.equal(history.status, 0, history.stderr);
    const rows = JSON.parse(history.stdout) as { closeCode: number | null; closeReason: string | null }[];
    assert.equal(rows[0]?.closeCode, 1008);
    assert.equal(rows[0]?.closeReason, 'revoked');
  });

  it('exits 0 on SIGTERM while a client is connected, closing it with 1001', {
    timeout: 60_000,
  }, async (t) => {
    const { proc: hub, port } = await startHub(dataDir, childEnv());
    t.after(() => {
      if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
    });
    const added = cli(['clients', 'add', '--name', 'porch', '--data-dir', dataDir, '--json']);
    assert.equal(added.status, 0, added.stderr);
    const client = JSON.parse(added.stdout) as { accessKey: string; password: string };
    const peer = await FakePeer.open(`ws://127.0.0.1:${port}`, {
      accessKey: client.accessKey,
      password: client.password,
      protocol: 'legacy',
    });
    hub.child.kill('SIGTERM');
    assert.deepEqual(await peer.closed, { code: 1001, reason: 'hub shutting down' });
    const exit = await hub.exit;
    assert.equal(exit.code, 0, exit.stderr);
  });

  it('refuses conflicting TLS flags with exit code 1 and one line', () => {
    const r = cli(['hub', '--port', '0', '--data-dir', dataDir, '--tls-cert', 'a.pem']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^hivelink: --tls-cert and --tls-key go together\n$/);
  });
});
