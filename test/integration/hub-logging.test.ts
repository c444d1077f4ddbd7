/**
 * Where `hivelink hub` logs, as an operator meets it: pino JSON lines on a piped stderr (what collectors read),
 * readable lines on a terminal, and JSON appended to `--log-file` with nothing on stderr. A real hub child process
 * (in a pseudo-terminal with util-linux `script` for the terminal case) and a real client connection that it logs.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHiveClient } from '../../src/client/index.js';
import { addClient, buildOnce, childEnv, hivelinkBin, type Running, start } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-logging-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Connects one client to the hub printed on `hub`'s stdout and closes it: the hub logs the connection. */
async function connectOnce(hub: Running, dataDir: string, name: string): Promise<void> {
  const url = (await hub.wait(/hivelink hub listening on (ws:\/\/127\.0\.0\.1:\d+)/))[1]!;
  const c = await addClient(dataDir, childEnv(), name);
  const client = createHiveClient({ url, accessKey: c.accessKey, password: c.password, protocol: 'legacy' });
  await client.connect();
  client.close();
}

const HUB = ['hub', '--host', '127.0.0.1', '--port', '0', '--no-mdns', '--log-level', 'info'];

describe('hub logging', { concurrency: true }, () => {
  before(() => buildOnce());

  it('piped stderr: one JSON object per line', async () => {
    const dataDir = join(root, 'piped');
    const hub = start([...HUB, '--data-dir', dataDir], childEnv());
    try {
      await connectOnce(hub, dataDir, 'piped');
      const line = await hub.wait(/^\{.*"msg":"client connected".*\}$/m, 'stderr');
      const entry = JSON.parse(line[0]) as Record<string, unknown>;
      assert.equal(entry.level, 30);
      assert.equal(typeof entry.time, 'number');
    } finally {
      await hub.stop();
    }
  });

  it('--log-file: JSON lines appended to the file, nothing on stderr', async () => {
    const dataDir = join(root, 'file');
    const file = join(root, 'logs', 'hub.log');
    const hub = start([...HUB, '--data-dir', dataDir, '--log-file', file], childEnv());
    try {
      await connectOnce(hub, dataDir, 'filed');
      await hub.wait(/./, 'stdout');
    } finally {
      const exit = await hub.stop();
      assert.equal(exit.code, 0, exit.stderr);
      assert.equal(exit.stderr, '', 'the log went to the file');
    }
    assert.ok(existsSync(file));
    const entries = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { msg?: string });
    assert.ok(
      entries.some((e) => e.msg === 'client connected'),
      JSON.stringify(entries),
    );
  });

  it('on a terminal: readable lines, not JSON', async () => {
    const dataDir = join(root, 'tty');
    const command = [process.execPath, hivelinkBin(), ...HUB, '--data-dir', dataDir].join(' ');
    const hub = start([], childEnv(), { command: 'script', prefix: ['-qfec', command, '/dev/null'] });
    try {
      await connectOnce(hub, dataDir, 'tty');
      const line = await hub.wait(/^.*INFO.*client connected.*$/m);
      assert.doesNotMatch(line[0], /"msg"/);
    } finally {
      await hub.stop();
    }
  });
});
