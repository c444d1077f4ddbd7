/**
 * `hivelink bench`: a short smoke run of every scenario against a local hub (child process) with tiny sizes, and
 * the remote mode against a hub started on its own, including its refusals. No assertion on speed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalHub, prepareLocalHub, removeLocalHub } from '../../src/bench/local-hub.js';
import { type BenchOptions, defaultBenchOptions } from '../../src/bench/options.js';
import type { ReportRow } from '../../src/bench/report.js';
import { runBench } from '../../src/bench/run.js';
import { benchOptionsFrom } from '../../src/cli/commands/bench.js';

const tiny: Omit<BenchOptions, 'target'> = {
  ...defaultBenchOptions(),
  protocols: ['v3', 'legacy'],
  clients: [2],
  durationS: 0.5,
  warmupS: 0.1,
  handshakes: 4,
  concurrency: 2,
  background: 1,
  backgroundRate: 10,
  idle: 6,
  satellites: 3,
  reconnectMs: 50,
  reconnectMaxMs: 200,
  stormTimeoutS: 60,
  workers: 1,
  maxClients: 4,
};

function sink() {
  const parts: string[] = [];
  return {
    write: (s: string) => parts.push(s) > 0,
    text: () => parts.join(''),
  };
}

function rowsOf(rows: readonly ReportRow[], scenario: string): ReportRow[] {
  return rows.filter((r) => r.scenario === scenario);
}

describe('hivelink bench', { timeout: 240_000 }, () => {
  it('runs every scenario against a local hub and reports each measurement', async () => {
    const out = sink();
    const rows = await runBench(
      { ...tiny, target: { kind: 'local', agents: ['echo', 'embedded'] }, json: true },
      { out, err: sink() },
    );
    const ceiling = rowsOf(rows, 'ceiling');
    assert.equal(ceiling.length, 1);
    assert.ok((ceiling[0]!.rt_per_s as number) > 0);

    const throughput = rowsOf(rows, 'throughput');
    assert.deepEqual(
      throughput.map((r) => `${r.agent} ${r.protocol}`),
      [
        'echo v3 ChaChaPoly',
        'echo legacy AES-GCM JSON-HEX',
        'embedded v3 ChaChaPoly',
        'embedded legacy AES-GCM JSON-HEX',
      ],
    );
    for (const r of throughput) {
      assert.equal(r.errors, 0, JSON.stringify(r));
      assert.ok((r.rt_per_s as number) > 0);
      assert.ok((r.p50_ms as number) <= (r.p99_ms as number));
      assert.ok((r.p99_ms as number) <= (r.max_ms as number));
      assert.equal(typeof r.ceiling_ratio, 'number');
    }

    const connect = rowsOf(rows, 'connect');
    assert.deepEqual(
      connect.map((r) => [r.protocol, r.handshakes, r.failed]),
      [
        ['v3 ChaChaPoly', 4, 0],
        ['legacy AES-GCM JSON-HEX', 4, 0],
      ],
    );
    for (const r of connect) assert.equal(typeof r.talking_p99_ms, 'number');

    const [idle] = rowsOf(rows, 'idle');
    assert.equal(idle!.connections, 6);
    assert.equal(idle!.usable, 6);
    assert.equal(idle!.failed, 0);
    assert.equal(typeof idle!.rss_per_conn_kib, 'number');

    const storm = rowsOf(rows, 'storm');
    assert.deepEqual(
      storm.map((r) => [r.protocol, r.satellites, r.back, r.missing]),
      [
        ['v3 ChaChaPoly', 3, 3, 0],
        ['legacy AES-GCM JSON-HEX', 3, 3, 0],
      ],
    );
    for (const r of storm) assert.equal(typeof r.all_back_s, 'number');

    // --json: one line per row, each naming the machine.
    const lines = out.text().trim().split('\n');
    assert.equal(lines.length, rows.length);
    const first = JSON.parse(lines[0]!) as { scenario: string; machine: { cores: number; node: string } };
    assert.equal(first.scenario, 'ceiling');
    assert.equal(first.machine.node, process.version);
    assert.ok(first.machine.cores >= 1);
  });

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
