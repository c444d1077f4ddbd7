/**
 * The `hivelink` entry: the CLI contract's exit codes (0 ok, 2 usage error), and only the named command's module
 * loads (a one-shot `ask` does not pay for the hub, fastify and SQLite).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/vectors.js';
import { buildOnce, hivelinkBin } from './cli-process.js';

function cli(args: string[]) {
  return spawnSync(process.execPath, [hivelinkBin(), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
}

describe('hivelink entry', () => {
  before(() => buildOnce());

  it('--version, --help and help CMD exit 0', () => {
    assert.match(cli(['--version']).stdout, /^\d+\.\d+\.\d+\n$/);
    for (const args of [['--help'], ['help', 'clients'], ['clients', '--help']]) {
      const r = cli(args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /Usage: hivelink/);
    }
  });

  it('lists every command in the full help', () => {
    const help = cli(['--help']).stdout;
    for (const name of ['hub', 'clients', 'ip', 'ask', 'chat', 'satellite', 'identity', 'bus', 'assistant']) {
      assert.match(help, new RegExp(`\\n  ${name} `), name);
    }
  });

  it('a missing subcommand, a missing argument and an unknown command are usage errors (2)', () => {
    for (const args of [[], ['clients'], ['ask'], ['no-such-command']]) {
      const r = cli(args);
      assert.equal(r.status, 2, `hivelink ${args.join(' ')} → ${r.status}`);
    }
  });
});
