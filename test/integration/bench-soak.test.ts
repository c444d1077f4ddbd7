/**
 * `hivelink bench soak`: a few seconds of churn, v3 and legacy handshakes and traffic against a local hub child,
 * sampled from inside the hub. The command reports memory and stalls, and fails when a stall is over the limit
 * (here an impossible 1 ms, so that the failure path runs). No assertion on speed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { registerBenchCommand } from '../../src/cli/commands/bench.js';

function sink() {
  const parts: string[] = [];
  return { write: (s: string) => parts.push(s) > 0, text: () => parts.join('') };
}

function program(out: ReturnType<typeof sink>, err: ReturnType<typeof sink>): Command {
  const p = new Command('hivelink').exitOverride();
  p.configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) });
  registerBenchCommand(p, { out, err });
  return p;
}

describe('hivelink bench soak', { timeout: 120_000 }, () => {
  it('samples the hub under churn and traffic, reports memory and stalls, and fails on a stall over the limit', async () => {
    const out = sink();
    const err = sink();
    const argv = ['soak', '--minutes', '0.1', '--sample-s', '1', '--talking', '4', '--talking-rate', '5'];
    await assert.rejects(
      program(out, err).parseAsync([
        'node',
        'hivelink',
        'bench',
        ...argv,
        '--v3-per-s',
        '2',
        '--legacy-per-s',
        '1',
        '--max-stall-ms',
        '1',
        '--json',
      ]),
      (e: Error) => /event loop stalled for \d+ ms \(over --max-stall-ms 1\)/.test(e.message),
    );
    const rows = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const by = (scenario: string) => rows.filter((r) => r.scenario === scenario);

    const [summary] = by('soak');
    assert.ok(summary !== undefined, out.text());
    assert.ok((summary.samples as number) >= 4, JSON.stringify(summary));
    assert.ok((summary.rss_end_mib as number) > 10);
    assert.equal(typeof summary.memory_flat, 'boolean');
    assert.ok((summary.worst_stall_ms as number) > 1);
    assert.equal(summary.stalled, true);

    const handshakes = by('soak handshakes');
    assert.deepEqual(
      handshakes.map((r) => r.protocol),
      ['v3 ChaChaPoly', 'legacy AES-GCM JSON-HEX'],
    );
    for (const r of handshakes) {
      assert.ok((r.handshakes as number) >= 4, JSON.stringify(r));
      assert.equal(r.failed, 0, JSON.stringify(r));
    }
    const [traffic] = by('soak traffic');
    assert.ok((traffic!.round_trips as number) > 20, JSON.stringify(traffic));
    assert.equal(traffic!.failed, 0);
    assert.ok(by('soak timeline').length >= 4);
    assert.match(err.text(), /soak: memory (flat|NOT flat)/);
  });

  it('refuses a soak of no minutes before starting anything', async () => {
    const out = sink();
    const err = sink();
    await assert.rejects(
      program(out, err).parseAsync(['node', 'hivelink', 'bench', 'soak', '--minutes', '0']),
      {
        code: 'commander.invalidArgument',
      },
    );
    assert.match(err.text(), /--minutes/);
  });
});
