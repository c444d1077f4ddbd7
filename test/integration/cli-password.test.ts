/**
 * Issue 10, finding 5: `hivelink ask --password P` puts the password in the process list, where every user of the
 * machine can read it. The password can also come from a file (`--password-file`), a prompt (`--password-prompt`,
 * not echoed), `$HIVELINK_PASSWORD` or the saved identity; `--password` still works but warns once on stderr, and
 * `--help` says why.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { reply } from '../../src/bus/message.js';
import { promptPassword } from '../../src/cli/password-input.js';
import { buildOnce, childEnv, run } from './cli-process.js';
import { failOnUnhandledRejection, startHub, type TestHub } from './hub-harness.js';

failOnUnhandledRejection();

const WARNING = /warning: --password is visible to every user of this machine in the process list/g;

describe('hivelink ask: ways to give the password', () => {
  let t: TestHub;
  let creds: { accessKey: string; password: string };
  let env: NodeJS.ProcessEnv;

  before(async () => {
    buildOnce();
    t = await startHub();
    t.bus.on('recognizer_loop:utterance', (m) => {
      t.bus.emit(reply(m, 'speak', { utterance: 'here I am' }));
      t.bus.emit(reply(m, 'ovos.utterance.handled', {}));
    });
    creds = await t.addClient();
    env = childEnv({ XDG_CONFIG_HOME: join(t.dataDir, 'config') });
  });
  after(() => t.close());

  const ask = (args: string[], extraEnv: Record<string, string> = {}) =>
    run(['ask', '--url', t.url, '--key', creds.accessKey, ...args, 'hello'], { ...env, ...extraEnv });

  it('--password still works, and warns once on stderr that the password is in the process list', async () => {
    const r = await ask(['--password', creds.password]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'here I am\n');
    assert.equal(r.stderr.match(WARNING)?.length, 1, r.stderr);
    assert.match(r.stderr, /--password-file FILE, --password-prompt, \$HIVELINK_PASSWORD/);
  });

  it('--password-file reads the first line of a file, without a warning', async () => {
    const file = join(t.dataDir, 'password.txt');
    writeFileSync(file, `${creds.password}\n`, { mode: 0o600 });
    const r = await ask(['--password-file', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'here I am\n');
    assert.equal(r.stderr, '');
    const missing = await ask(['--password-file', join(t.dataDir, 'nope')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^hivelink: cannot read the password file /);
  });

  it('$HIVELINK_PASSWORD works without a warning; --password-prompt without a terminal says what to use', async () => {
    const r = await ask([], { HIVELINK_PASSWORD: creds.password });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const prompt = await ask(['--password-prompt']);
    assert.equal(prompt.code, 1);
    assert.match(
      prompt.stderr,
      /--password-prompt needs a terminal; use --password-file FILE or \$HIVELINK_PASSWORD/,
    );
    const both = await ask(['--password', 'x', '--password-file', 'y']);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /give only one of --password, --password-file and --password-prompt/);
  });

  it('--help says why --password is the last resort', async () => {
    const r = await run(['ask', '--help'], env);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--password-file <file>/);
    assert.match(r.stdout, /--password-prompt/);
    assert.match(r.stdout.replace(/\s+/g, ' '), /--password puts the password in the process list/);
  });
});

describe('promptPassword', () => {
  it('reads one line from a terminal without echoing it; backspace edits, Ctrl-C gives up', async () => {
    const tty = () => {
      const input = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (on: boolean) => void };
      const modes: boolean[] = [];
      input.isTTY = true;
      input.setRawMode = (on) => modes.push(on);
      return { input, modes };
    };
    let shown = '';
    const output = { write: (s: string) => (shown += s) };
    const a = tty();
    const typed = promptPassword('Password: ', { input: a.input as unknown as NodeJS.ReadStream, output });
    a.input.write('s3cretx\u007f!\r');
    assert.equal(await typed, 's3cret!');
    assert.equal(shown, 'Password: \n', 'nothing typed is echoed');
    assert.deepEqual(a.modes, [true, false]);
    const b = tty();
    const cancelled = promptPassword('Password: ', {
      input: b.input as unknown as NodeJS.ReadStream,
      output,
    });
    b.input.write('\u0003');
    await assert.rejects(cancelled, { code: 'HL_ERR_INVALID_ARGUMENT' });
  });
});
