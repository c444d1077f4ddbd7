/**
 * The deployment files: the systemd unit passes `systemd-analyze verify` and its environment makes a real hub use
 * /var/lib/hivelink-style data and /etc/hivelink/hivelink.json-style settings; the Dockerfile copies only what
 * exists and starts `hivelink hub` (the image is built where a Docker engine runs).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/vectors.js';
import { buildOnce, childEnv, start } from './cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'hl-deploy-'));
after(() => rmSync(root, { recursive: true, force: true }));

const UNIT = readFileSync(join(REPO_ROOT, 'deploy/hivelink.service'), 'utf8');

/** `Key=value` lines of the unit, in order. */
function unitValues(key: string): string[] {
  return UNIT.split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

describe('systemd unit (deploy/hivelink.service)', () => {
  it('passes systemd-analyze verify', (t) => {
    if (spawnSync('systemd-analyze', ['--version']).status !== 0) {
      t.skip('systemd-analyze is not installed');
      return;
    }
    // verify checks that ExecStart's program exists: point it at this checkout's binary.
    const unit = join(root, 'hivelink.service');
    writeFileSync(unit, UNIT.replace('/usr/local/bin/hivelink', join(REPO_ROOT, 'bin/hivelink.js')));
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), '', 'no warnings');
  });

  it('runs hivelink hub, and its environment gives the hub its data dir and config file', async () => {
    const [exec] = unitValues('ExecStart');
    assert.match(exec ?? '', /^\/usr\/local\/bin\/hivelink hub\b/);
    const env = Object.fromEntries(unitValues('Environment').map((e) => e.split('=') as [string, string]));
    assert.equal(env.HIVELINK_HOME, '/var/lib/hivelink');
    assert.equal(env.XDG_CONFIG_HOME, '/etc');
    assert.deepEqual(unitValues('StateDirectory'), ['hivelink']);
    assert.deepEqual(unitValues('ConfigurationDirectory'), ['hivelink']);
    // The same layout under a temp root: <root>/var/lib/hivelink and <root>/etc/hivelink/hivelink.json.
    buildOnce();
    const home = join(root, 'var/lib/hivelink');
    const etc = join(root, 'etc');
    mkdirSync(join(etc, 'hivelink'), { recursive: true });
    writeFileSync(
      join(etc, 'hivelink/hivelink.json'),
      JSON.stringify({ host: '127.0.0.1', port: 0, name: 'from-etc', mdns: false }),
    );
    const args = (exec ?? '').split(' ').slice(1);
    const hub = start(args, childEnv({ HIVELINK_HOME: home, XDG_CONFIG_HOME: etc }));
    try {
      await hub.wait(/hivelink hub listening on ws:\/\/127\.0\.0\.1:\d+\n/);
      const dir = await hub.wait(/^data dir: (.*)\n/m);
      assert.equal(dir[1], home);
      assert.ok(existsSync(join(home, 'hivelink.db')), 'the database is in HIVELINK_HOME');
    } finally {
      const exit = await hub.stop('SIGTERM');
      assert.equal(exit.code, 0, `SIGTERM (KillSignal) stops it cleanly: ${exit.stderr}`);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').filter(Boolean);

  it('copies only files that exist and are not ignored, and starts hivelink hub', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    assert.ok(sources.includes('package-lock.json') && sources.includes('src'));
    for (const source of sources) {
      assert.ok(existsSync(join(REPO_ROOT, source)), `${source} exists`);
      assert.ok(!ignored.includes(source), `${source} is not in .dockerignore`);
    }
    assert.match(dockerfile, /^ENTRYPOINT \["hivelink"\]$/m);
    assert.match(dockerfile, /^CMD \["hub"\]$/m);
    assert.match(dockerfile, /^ENV HIVELINK_HOME=\/data\b/m);
  });

  it('builds, where a Docker engine runs', (t) => {
    if (spawnSync('docker', ['info'], { encoding: 'utf8' }).status !== 0) {
      t.skip('no Docker engine on this machine');
      return;
    }
    const r = spawnSync('docker', ['build', '-q', '-t', 'hivelink-test', REPO_ROOT], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
