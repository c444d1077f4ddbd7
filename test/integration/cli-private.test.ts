/**
 * `hivelink send` and `hivelink inbox` as people run them (issue 12, docs/PROTOCOL.md §13): a real `hivelink hub`
 * child on port 0, and each user's `send` / `inbox` a child process with a config dir of its own (its identity file
 * keeps its end-to-end keys). A signed message shows its sender, an anonymous one `sender: null`; mail for an
 * offline recipient is printed by its next inbox, once, and the inbox after that is empty; a message sent while an
 * inbox waits arrives live; a room means its other clients; an unknown recipient is one clear line and exit 1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentialFlags } from './cli-creds.js';
import { type AddedClient, addClient, buildOnce, childEnv, hubSuite, run, start } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-cli-private-'));
before(buildOnce);
after(() => rmSync(root, { recursive: true, force: true }));

interface Printed {
  id: string;
  text: string | null;
  sender: string | null;
  anonymous: boolean;
  received_at: string;
  via: 'mailbox' | 'live';
}

describe('hivelink send and inbox (child processes against a real hub)', () => {
  const s = hubSuite(root, 'hub', 'alice');
  let bob: AddedClient;
  /** `hivelink ARGS` as `who`: its own config dir, its credentials as flags. */
  let as: (who: 'alice' | 'bob', args: readonly string[]) => ReturnType<typeof run>;
  let argsOf: (who: 'alice' | 'bob', args: readonly string[]) => [string[], NodeJS.ProcessEnv];

  before(async () => {
    bob = await addClient(s.dataDir, s.env, 'bob');
    await addClient(s.dataDir, s.env, 'carol'); // never runs a client: no end-to-end keys
    const set = await run(
      ['clients', 'set', String(bob.id), '--consent', 'allow', '--data-dir', s.dataDir],
      s.env,
    );
    assert.equal(set.code, 0, set.stderr);
    const users = { alice: s.client, bob };
    argsOf = (who, args) => {
      const creds = credentialFlags(s.hub.url, users[who]);
      return [[...args, ...creds], childEnv({ HIVELINK_CONFIG_DIR: join(root, `config-${who}`) })];
    };
    as = (who, args) => run(...argsOf(who, args));
  });

  const lines = (stdout: string): Printed[] =>
    stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Printed);

  it('hivelink --help lists send and inbox', async () => {
    const help = await run(['--help'], s.env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /\n {2}send \[options\] <text> +send a sealed private message/);
    assert.match(help.stdout, /\n {2}inbox \[options\] +print the sealed private messages/);
  });

  it("a first inbox has no messages, and publishes the client's keys so others can write to it", async () => {
    const r = await as('bob', ['inbox']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'No messages.\n', '']);
    const json = await as('bob', ['inbox', '--json']);
    assert.deepEqual([json.code, json.stdout], [0, '']);
  });

  it('names what cannot be written to: no such client or room, or a client without keys', async () => {
    const nobody = await as('alice', ['send', '--to', 'nobody', 'hello?']);
    assert.deepEqual([nobody.code, nobody.stderr], [1, 'hivelink: no client or room named "nobody"\n']);
    const carol = await as('alice', ['send', '--to', 'carol', 'hello?']);
    assert.equal(carol.code, 1);
    assert.match(carol.stderr, /^hivelink: carol has published no end-to-end keys yet \(.*hivelink inbox/);
    const empty = await as('alice', ['send', '--to', 'bob', '   ']);
    assert.equal(empty.code, 2);
  });

  it('an offline recipient gets signed and anonymous mail on its next inbox, exactly once', async () => {
    const signed = await as('alice', ['send', '--to', 'bob', 'dinner is at eight']);
    assert.deepEqual(
      [signed.code, signed.stdout],
      [0, "bob is offline: the message waits in the hub's mailbox.\n"],
      signed.stderr,
    );
    const anon = await as('alice', ['send', '--to', 'bob', '--anonymous', '--json', 'guess who']);
    assert.equal(anon.code, 0, anon.stderr);
    const sent = JSON.parse(anon.stdout) as {
      to: string;
      id: string;
      delivered: boolean;
      deposited: boolean;
    };
    assert.deepEqual([sent.to, sent.delivered, sent.deposited], ['bob', false, true]);

    const inbox = await as('bob', ['inbox', '--json']);
    assert.equal(inbox.code, 0, inbox.stderr);
    const got = lines(inbox.stdout);
    assert.deepEqual(
      got.map((m) => [m.text, m.sender, m.anonymous, m.via]),
      [
        ['dinner is at eight', 'alice', false, 'mailbox'],
        ['guess who', null, true, 'mailbox'],
      ],
    );
    assert.equal(got[1]!.id, sent.id, 'the id the sender was told');
    for (const m of got) assert.ok(Math.abs(Date.parse(m.received_at) - Date.now()) < 60_000, m.received_at);

    const again = await as('bob', ['inbox', '--json']);
    assert.deepEqual([again.code, again.stdout], [0, ''], 'acknowledged: never printed twice');
  });

  it('a message sent while an inbox waits arrives live; SIGTERM ends the wait', async () => {
    const inbox = start(...argsOf('bob', ['inbox', '--json', '--wait', '120000']));
    try {
      await inbox.wait(/\[connected; waiting 120000 ms for messages\]/, 'stderr');
      const sent = await as('alice', ['send', '--to', 'bob', 'are you there?']);
      assert.deepEqual([sent.code, sent.stdout], [0, 'Delivered to bob.\n'], sent.stderr);
      await inbox.wait(/"text":"are you there\?"/);
      const exit = await inbox.stop('SIGTERM');
      assert.equal(exit.code, 0, exit.stderr);
      assert.deepEqual(
        lines(exit.stdout).map((m) => [m.text, m.sender, m.via]),
        [['are you there?', 'alice', 'live']],
      );
    } finally {
      await inbox.stop('SIGKILL');
    }
    assert.equal((await as('bob', ['inbox', '--json'])).stdout, '');
  });

  it('a room means its other clients', async () => {
    const site = await run(
      ['clients', 'set', String(bob.id), '--site', 'kitchen', '--data-dir', s.dataDir],
      s.env,
    );
    assert.equal(site.code, 0, site.stderr);
    const sent = await as('alice', ['send', '--to', 'kitchen', 'the soup is hot']);
    assert.deepEqual(
      [sent.code, sent.stdout],
      [0, "bob is offline: the message waits in the hub's mailbox.\n"],
    );
    const inbox = await as('bob', ['inbox']);
    assert.deepEqual([inbox.code, inbox.stdout], [0, 'alice: the soup is hot\n']);
  });
});
