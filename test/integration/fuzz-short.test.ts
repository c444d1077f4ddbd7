/**
 * The short fuzz run of CI (`npm run fuzz` is the long one, scripts/fuzz/): with a fixed seed, 20 000 mutated
 * inputs through every in-process decoder and 5 000 frames through a live hub in a child process (before
 * authentication, before the handshake, and inside legacy and v3 sessions) end with no crash, no hang, no throw
 * other than a HiveLinkError, and a hub that answered every health check.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIVE_TARGETS } from '../../scripts/fuzz/live.js';
import { formatReport, runFuzz } from '../../scripts/fuzz/run.js';
import { DECODER_TARGETS } from '../../scripts/fuzz/targets.js';

describe('fuzz (short)', () => {
  it('finds nothing in 20 000 decoder inputs and 5 000 live frames (seed 20260610)', async () => {
    const lines: string[] = [];
    const report = await runFuzz({
      frames: 25_000,
      liveFrames: 5_000,
      seed: 20260610,
      // A busy CI machine can make a zlib bomb at the decompression limit take 100 ms; a real hang takes longer.
      hangMs: 1000,
      // With both cores busy (the suite must pass that way) a health check of a healthy hub can take 2 s; a hub that
      // is really stuck stays silent far longer.
      healthLimitMs: 10_000,
      print: (line) => lines.push(line),
    });
    const text = `${formatReport(report)}\n${lines.join('\n')}`;
    assert.equal(report.findings, 0, text);
    const frames = new Map(report.targets.map((t) => [t.name, t.frames]));
    for (const t of DECODER_TARGETS)
      assert.ok((frames.get(t.name) ?? 0) > 0, `${t.name} ran no inputs\n${text}`);
    for (const t of LIVE_TARGETS) assert.ok((frames.get(t) ?? 0) > 0, `${t} sent no frames\n${text}`);
    assert.ok(report.targets.reduce((s, t) => s + t.frames, 0) >= 25_000, text);
    assert.ok(report.hub !== null && report.hub.healthChecks > 0 && report.hub.healthFailures === 0, text);
  });
});
