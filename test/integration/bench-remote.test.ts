/**
 * `hivelink bench` against a hub started on its own: the remote mode with its refusals, and how the bench tells a
 * dead or stuck local hub. No assertion on speed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalHub, prepareLocalHub, removeLocalHub } from '../../src/bench/local-hub.js';
import { runBench } from '../../src/bench/run.js';
import { benchOptionsFrom } from '../../src/cli/commands/bench.js';
import { sink, tiny } from './bench-helpers.js';

describe('hivelink bench against its own hub', { timeout: 240_000 }, () => {
  it('tells a dead hub at once (exit status) and a stuck one by its /healthz, instead of waiting for its clients', async (t) => {
    const setup = await prepareLocalHub({ clients: 1, maxConnections: 10 });
    const hub = new LocalHub({ setup, agent: 'echo' });
    t.after(async () => {
      await hub.stop();
      removeLocalHub(setup);
    });
    await hub.start();
    // A kill and restart by the bench itself (the storm) is expected: no report.
    await hub.kill();
    await hub.start();
    // A hub that is alive but stuck (here: stopped) does not answer /healthz within the limit.
    assert.equal(typeof (await hub.health()).uptime_s, 'number');
    process.kill(hub.pid!, 'SIGSTOP');
    try {
      await assert.rejects(hub.health(300), { name: 'TimeoutError' });
    } finally {
      process.kill(hub.pid!, 'SIGCONT');
    }
    process.kill(hub.pid!, 'SIGKILL');
    await assert.rejects(hub.died, /the local hub exited unexpectedly \(SIGKILL\)/);
  });

  it('measures any hub by URL and says when it refuses the credentials or the protocol', async (t) => {
    const setup = await prepareLocalHub({ clients: 1, maxConnections: 100 });
    const hub = new LocalHub({ setup, agent: 'echo' });
    const configDir = mkdtempSync(join(tmpdir(), 'hivelink-bench-cfg-'));
    t.after(async () => {
      await hub.stop();
      removeLocalHub(setup);
      rmSync(configDir, { recursive: true, force: true });
    });
    await hub.start();
    const url = `ws://127.0.0.1:${hub.port}`;
    const env = { HIVELINK_CONFIG_DIR: configDir };
    const cred = setup.credentials[0]!;
    const remote = async (flags: { key?: string; password?: string }, protocols: ('legacy' | 'v3')[]) => {
      const options = await benchOptionsFrom(['throughput'], { url, ...flags }, env);
      const out = sink();
      const rows = await runBench(
        { ...options, ...tiny, ceiling: false, protocols, scenarios: ['throughput'] },
        {
          out,
          err: sink(),
        },
      );
      return { rows, text: out.text() };
    };

    const { rows, text } = await remote({ key: cred.accessKey, password: cred.password }, ['v3', 'legacy']);
    assert.deepEqual(
      rows.map((r) => [r.agent, r.protocol, r.errors]),
      [
        ['remote', 'v3 ChaChaPoly', 0],
        ['remote', 'legacy AES-GCM JSON-HEX', 0],
      ],
    );
    assert.match(text, /\| agent \| protocol \| clients \| rt_per_s \|/);
    assert.match(text, /machine: \d+ cores/);

    await assert.rejects(remote({ key: cred.accessKey, password: 'wrong' }, ['legacy']), (err: Error) => {
      assert.match(err.message, /refused the credentials/);
      return true;
    });
    await assert.rejects(remote({ key: cred.accessKey, password: 'wrong' }, ['v3']), (err: Error) => {
      assert.match(err.message, /refused the credentials/);
      return true;
    });
    await assert.rejects(remote({ key: 'no-such-key', password: cred.password }, ['v3']), (err: Error) => {
      assert.match(err.message, /refused the credentials \(access key\)/);
      return true;
    });

    // A hub that accepts only Noise (v3) refuses a legacy-only bench.
    await hub.stop();
    writeFileSync(setup.configFile, JSON.stringify({ minProtocol: 3 }));
    await hub.start();
    await assert.rejects(
      remote({ key: cred.accessKey, password: cred.password }, ['legacy']),
      (err: Error) => {
        assert.match(err.message, /or the protocol \(close 1008: .*minimum v3\)/);
        return true;
      },
    );
  });
});
