/**
 * `hivelink chat` as a person uses it: the real binary in a pseudo-terminal (util-linux `script -qfec`, so stdin
 * and stdout are a TTY and readline runs in terminal mode) against a real hub on port 0. Two questions answered, a
 * broadcast from an admin client (a HiveClient in this test) shown as it arrives, a hub restart survived with a
 * visible reconnect, `/quit`. Then the piped (non-TTY) mode, with sealed private messages: `/msg`, `/anon`, `/reply`
 * and incoming ones shown as they arrive.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { en as jokes } from '../../src/assistant/skills/joke/locale/en.js';
import { createHiveClient } from '../../src/client/index.js';
import type { PrivateMessage } from '../../src/client/sealed.js';
import { credentialFlags } from './cli-creds.js';
import {
  type AddedClient,
  addBroadcaster,
  addClient,
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

  it('piped: /msg sends a sealed message, incoming private messages are shown, /reply answers an anonymous one', async () => {
    const friend = await addClient(dataDir, env, 'friend');
    for (const id of [s.client.id, friend.id]) {
      const set = await run(['clients', 'set', String(id), '--consent', 'allow', '--data-dir', dataDir], env);
      assert.equal(set.code, 0, set.stderr);
    }
    const sdk = createHiveClient({
      url: s.hub.url,
      accessKey: friend.accessKey,
      password: friend.password,
      reconnect: { enabled: false },
    });
    const heard: PrivateMessage[] = [];
    const waiters: (() => void)[] = [];
    sdk.onPrivate((m) => {
      heard.push(m);
      for (const w of waiters.splice(0)) w();
    });
    const heardCount = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (heard.length >= n ? resolve() : waiters.push(check));
        check();
      });
    await sdk.connect();
    await sdk.sealed.publish();
    const chat = start(['chat', ...credentialFlags(s.hub.url, s.client)], env, { stdin: 'pipe' });
    try {
      await chat.wait(/\[connected\]/, 'stderr');
      chat.child.stdin!.write('/msg friend hello from the kitchen\n');
      await chat.wait(/\[Delivered to friend\.\]/, 'stderr');
      await heardCount(1);
      assert.deepEqual([heard[0]!.text, heard[0]!.sender?.name], ['hello from the kitchen', 'kitchen']);

      await sdk.sendPrivate(s.client.id, 'hi kitchen');
      await chat.wait(/\[private\] friend: hi kitchen\n/);
      await sdk.sendPrivate(s.client.id, 'who am i', { anonymous: true });
      await chat.wait(/\[private\] anonymous: who am i \(\/reply to answer\)\n/);
      chat.child.stdin!.write('/reply a friend, I guess\n/anon friend a secret admirer\n/msg nobody hi\n');
      await chat.wait(/\[Reply delivered\.\]/, 'stderr');
      await chat.wait(/\[\/msg: no client or room named "nobody"\]/, 'stderr');
      await heardCount(3);
      const byText = new Map(heard.map((m) => [m.text, m]));
      assert.deepEqual(
        [byText.get('a friend, I guess')?.isReply, byText.get('a friend, I guess')?.sender?.name],
        [true, 'kitchen'],
      );
      assert.deepEqual(
        [byText.get('a secret admirer')?.anonymous, byText.get('a secret admirer')?.sender],
        [true, null],
      );
      chat.child.stdin!.end();
      const exit = await chat.exit;
      assert.equal(exit.code, 0, exit.stderr);
    } finally {
      sdk.close();
      await chat.stop('SIGKILL');
    }
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
