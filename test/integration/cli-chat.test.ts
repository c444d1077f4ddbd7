/**
 * `hivelink chat` as a person uses it: the real binary in a pseudo-terminal (util-linux `script -qfec`, so stdin
 * and stdout are a TTY and readline runs in terminal mode) against a real hub on port 0. Two questions answered, a
 * broadcast from an admin client (a HiveClient in this test) shown as it arrives, a hub restart survived with a
 * visible reconnect, `/quit`. Then the piped (non-TTY) mode.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { en as jokes } from '../../src/assistant/skills/joke/locale/en.js';
import { createHiveClient } from '../../src/client/index.js';
import {
  type AddedClient,
  addBroadcaster,
  broadcastSpeak,
  buildOnce,
  hivelinkBin,
  hubSuite,
  run,
  secretFile,
  start,
  startHub,
} from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-cli-chat-'));
before(buildOnce);
after(() => rmSync(root, { recursive: true, force: true }));

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Any joke of the hub's joke skill, as printed on its own line. */
const ANY_JOKE = new RegExp(
  `(?:^|\\n|\\x1b\\[1G)(?:${jokes.dialogs!.joke!.map(escapeRegExp).join('|')})\\r?\\n`,
);

describe('hivelink chat', () => {
  const s = hubSuite(root, 'hub', 'kitchen');
  const { dataDir, env } = s;
  let admin: AddedClient;

  before(async () => {
    admin = await addBroadcaster(dataDir, env);
  });

  it('in a terminal: answers two questions, shows a broadcast, reconnects after a hub restart, /quit exits 0', async () => {
    const command = [process.execPath, hivelinkBin(), 'chat', '--url', s.hub.url, '--key', s.client.accessKey]
      .concat(['--password', s.client.password])
      .join(' ');
    const chat = start([], env, {
      command: 'script',
      prefix: ['-qfec', command, '/dev/null'],
      stdin: 'pipe',
    });
    const type = (line: string) => chat.child.stdin!.write(`${line}\r`);
    try {
      await chat.wait(/\[connected\]/);

      let from = chat.stdout().length;
      type('tell me a joke');
      await chat.wait(ANY_JOKE, 'stdout', from);
      from = chat.stdout().length;
      type('what is two plus two');
      await chat.wait(/\b4\.?\r?\n/, 'stdout', from);

      const boss = createHiveClient({ url: s.hub.url, accessKey: admin.accessKey, password: admin.password });
      await boss.connect();
      from = chat.stdout().length;
      boss.emit(broadcastSpeak('dinner is ready'));
      await chat.wait(/\[announcement\] dinner is ready/, 'stdout', from);
      boss.close();

      from = chat.stdout().length;
      // The hub goes away (killed, as in a crash or power cut) and comes back on the same port and data dir.
      await s.hub.proc.stop('SIGKILL');
      await chat.wait(
        /\[reconnecting in \d+\.\d s: lost the connection to ws:\/\/127\.0\.0\.1:\d+/,
        'stdout',
        from,
      );
      await chat.wait(/\[reconnecting in \d+\.\d s(?::[^\]]*)?\]/, 'stdout', from);
      s.hub = await startHub(dataDir, env, [], s.hub.port);
      await chat.wait(/\[connected\]/, 'stdout', from);
      from = chat.stdout().length;
      type('tell me a joke');
      await chat.wait(ANY_JOKE, 'stdout', from);

      from = chat.stdout().length;
      type('/help');
      await chat.wait(/\/quit\s+leave/, 'stdout', from);
      type('/quit');
      const exit = await chat.exit;
      assert.equal(exit.code, 0, exit.stdout);
    } finally {
      await chat.stop('SIGKILL');
    }
  });

  it('piped: answers on stdout, state lines on stderr, exits 0 when stdin ends after the last answer', async () => {
    const creds = ['--url', s.hub.url, '--key', s.client.accessKey, '--password', s.client.password];
    const r = await run(
      ['chat', ...creds],
      env,
      'tell me a joke\n/lang en-GB\nwhat is two plus two\n/nope\n',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[language: en-GB\]\n/);
    assert.match(r.stderr, /\[unknown command \/nope; \/help lists the commands\]\n/);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stdout);
    assert.match(`${lines[0]}\n`, ANY_JOKE);
    assert.match(lines[1]!, /^2 plus 2 \w+ 4\.$/);
    assert.match(r.stderr, /\[connected\]/);
  });

  it('piped: a question without an answer makes the exit code 1, with one closing line', async () => {
    const creds = ['--url', s.hub.url, '--key', s.client.accessKey, '--password', s.client.password];
    const r = await run(['chat', ...creds], env, 'purple monkey dishwasher\nwhat is two plus two\n');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^2 plus 2 \w+ 4\.\n$/);
    assert.match(
      r.stderr,
      /\nhivelink: 1 of 2 questions got no answer \(last: the hub did not understand "purple monkey dishwasher"\)\n$/,
    );
  });

  it('a wrong password ends the chat with exit 1 and "wrong password"', async () => {
    const r = await run(
      [
        'chat',
        '--url',
        s.hub.url,
        '--key',
        s.client.accessKey,
        '--password-file',
        secretFile('wrong-password'),
      ],
      env,
      'tell me a joke\n',
    );
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'hivelink: wrong password\n');
  });
});
