/**
 * `hivelink bus` as users and scripts run it: `node bin/hivelink.js bus …` as a child process (built once).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/vectors.js';
import { frame, Peer } from './bus-helpers.js';
import { buildOnce, childEnv, type Running, start } from './cli-process.js';

/** `hivelink …` as a child process, its output collected (see cli-process.ts). */
function run(args: string[]): Running {
  return start(args, childEnv({ HIVELINK_LOG_LEVEL: 'warn' }));
}

const LISTENING = /^hivelink bus listening on (ws:\/\/127\.0\.0\.1:(\d+)\/core)$/;

describe('hivelink bus', () => {
  before(() => {
    buildOnce(); // the test runner builds dist/ once; tests never rebuild it
    for (const file of ['dist/cli/main.js', 'dist/cli/commands/bus.js', 'dist/bus/ws-server.js']) {
      assert.ok(existsSync(join(REPO_ROOT, file)), `npm run build produced ${file}`);
    }
  });

  it('prints the real URL for --port 0, serves the bus, and exits 0 on SIGTERM', async () => {
    const bus = run(['bus', '--port', '0']);
    const line = await bus.line;
    const match = LISTENING.exec(line);
    assert.ok(match, `unexpected first line: ${JSON.stringify(line)}`);
    assert.notEqual(Number(match[2]), 0);

    const peer = new Peer(match[1]!);
    await peer.opened;
    assert.deepEqual(JSON.parse(await peer.next()), {
      type: 'connected',
      data: {},
      context: { session: { session_id: 'default' } },
    });
    const text = frame('speak', '"utterance": "hi"');
    peer.send(text);
    assert.equal(await peer.next(), text);

    bus.child.kill('SIGTERM');
    const exit = await bus.exit;
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal((await peer.closed).code, 1001);
  });

  it('exits 0 on SIGINT too', async () => {
    const bus = run(['bus', '--port', '0']);
    assert.match(await bus.line, LISTENING);
    bus.child.kill('SIGINT');
    assert.equal((await bus.exit).code, 0);
  });

  it('applies --max-message-bytes: a bigger frame closes the connection with 1009', async () => {
    const bus = run(['bus', '--port', '0', '--max-message-bytes', '1024']);
    const match = LISTENING.exec(await bus.line);
    assert.ok(match);
    try {
      const peer = await Peer.connect(match[1]!);
      peer.send(frame('big', `"pad": "${'x'.repeat(2000)}"`));
      assert.equal((await peer.closed).code, 1009);
    } finally {
      bus.child.kill('SIGTERM');
      await bus.exit;
    }
  });

  it('exits 2 on a usage error', async () => {
    for (const args of [
      ['bus', '--port', 'abc'],
      ['bus', '--port', '70000'],
      ['bus', '--max-message-bytes', '10'],
    ]) {
      const exit = await run(args).exit;
      assert.equal(exit.code, 2, args.join(' '));
    }
  });

  it('exits 1 with one line on stderr when the port is taken', async () => {
    const first = run(['bus', '--port', '0']);
    const match = LISTENING.exec(await first.line);
    assert.ok(match);
    try {
      const exit = await run(['bus', '--port', match[2]!]).exit;
      assert.equal(exit.code, 1);
      assert.match(exit.stderr, /^hivelink: bus cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE\n$/);
      assert.equal(exit.stdout, '');
    } finally {
      first.child.kill('SIGTERM');
      await first.exit;
    }
  });
});
