/**
 * `hivelink assistant --bus URL` as users run it: a real child process attached to a real bus server on
 * 127.0.0.1 port 0, answering an utterance sent by another bus client the way OVOS would.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BusClient, BusServer, createMessage } from '../../src/bus/index.js';
import type { MessageData } from '../../src/bus/types.js';
import { intentTurn } from '../helpers/ovos-turns.js';
import { REPO_ROOT } from '../helpers/vectors.js';
import { buildOnce, childEnv, type Running, start } from './cli-process.js';

/** `hivelink …` as a child process, its output collected (see cli-process.ts). */
function run(args: string[]): Running {
  return start(args, childEnv({ HIVELINK_LOG_LEVEL: 'warn' }));
}

describe('hivelink assistant', () => {
  let server: BusServer;
  let url: string;
  let skillsDir: string;

  before(async () => {
    buildOnce(); // the test runner builds dist/ once; tests never rebuild it
    assert.ok(
      existsSync(join(REPO_ROOT, 'dist/cli/commands/assistant.js')),
      'npm run build produced the command',
    );
    server = new BusServer({ host: '127.0.0.1', port: 0 });
    const { port } = await server.start();
    url = `ws://127.0.0.1:${port}/core`;
    skillsDir = mkdtempSync(join(tmpdir(), 'hivelink-cli-skills-'));
    writeFileSync(join(skillsDir, 'broken.mjs'), 'export default {\n');
  });

  after(async () => {
    await server.stop();
    rmSync(skillsDir, { recursive: true, force: true });
  });

  it('attaches, answers "tell me a joke" like OVOS, reports a broken skill, and exits 0 on SIGINT', async () => {
    const assistant = run(['assistant', '--bus', url, '--skills-dir', skillsDir]);
    const line = await assistant.line;
    assert.match(line, new RegExp(`^hivelink assistant attached to ${url} \\(\\d+ skills\\)$`));

    const satellite = new BusClient({ url, reconnect: false, sessionSync: false });
    await satellite.connect();
    const seen: MessageData[] = [];
    const done = new Promise<void>((resolve) => {
      satellite.on('*', (m) => {
        if (m.context.session?.session_id !== 'sat-cli') return;
        seen.push(m);
        if (m.type === 'ovos.utterance.handled') resolve();
      });
    });
    satellite.emit(
      createMessage(
        'recognizer_loop:utterance',
        { utterances: ['tell me a joke'], lang: 'en-US' },
        { source: 'sat-cli-peer', destination: ['skills'], session: { session_id: 'sat-cli' } },
      ),
    );
    await done;
    assert.deepEqual(
      seen.map((m) => m.type),
      [
        'recognizer_loop:utterance',
        ...intentTurn('hivelink-joke.hivelink', 'hivelink-joke.hivelink:joke.intent'),
      ],
    );
    for (const m of seen.slice(1)) assert.equal(m.context.destination, 'sat-cli-peer');
    await satellite.close();

    assistant.child.kill('SIGINT');
    const { code, stderr } = await assistant.exit;
    assert.equal(code, 0);
    assert.match(stderr, /broken\.mjs/);
  });

  it('exits 1 with one line when the bus cannot be reached', async () => {
    const { code, stderr } = await run(['assistant', '--bus', 'ws://127.0.0.1:1/core']).exit;
    assert.equal(code, 1);
    assert.match(stderr, /^hivelink: cannot connect to the bus at ws:\/\/127\.0\.0\.1:1\/core\n/);
  });

  it('exits 2 on a bad option', async () => {
    const { code } = await run(['assistant', '--bus', 'http://nope']).exit;
    assert.equal(code, 2);
  });
});
