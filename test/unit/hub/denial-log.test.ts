/**
 * The admin page's numbers kept in memory: the ring of recent denials (`DenialLog`, limit `recentDenials`) and the
 * quantile estimate of a histogram's cumulative buckets (`histogramQuantile`, the turn latency p50/p95), checked
 * against hand-computed values and a `HubMetrics` fed real observations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DenialEntry, DenialLog } from '../../../src/hub/denial-log.js';
import { HubMetrics, histogramQuantile } from '../../../src/hub/metrics.js';

/** What a connection tells about a denial beside its code. */
const detail = (n: number, reason = 'no'): Omit<DenialEntry, 'code'> => ({
  at: n,
  peer: `p${n}`,
  clientId: n,
  clientName: `c${n}`,
  ip: '127.0.0.1',
  deniedType: `t${n}`,
  reason,
});

const entry = (n: number, reason = 'no'): DenialEntry => ({
  ...detail(n, reason),
  code: 'acl_disallowed_type',
});

describe('DenialLog', () => {
  it('keeps the last capacity entries, newest first, and counts them all', () => {
    const log = new DenialLog(3);
    assert.deepEqual(log.recent(), []);
    for (let i = 1; i <= 5; i++) log.record(entry(i));
    assert.deepEqual(
      log.recent().map((e) => e.at),
      [5, 4, 3],
    );
    assert.equal(log.total, 5);
    assert.equal(log.capacity, 3);
  });

  it('holds fewer than capacity before it wraps, and cuts long reasons', () => {
    const log = new DenialLog(10);
    log.record(entry(1, 'x'.repeat(500)));
    log.record(entry(2));
    const [second, first] = log.recent();
    assert.equal(second?.at, 2);
    assert.equal(first?.reason.length, 200);
    assert.ok(first?.reason.endsWith('…'));
  });
});

describe('histogramQuantile', () => {
  it('is null with no observations', () => {
    assert.equal(
      histogramQuantile(0.5, [
        [0.1, 0],
        [Number.POSITIVE_INFINITY, 0],
      ]),
      null,
    );
  });

  it('interpolates within the bucket the rank falls in', () => {
    // 10 observations: 4 at most 0.1, 6 in (0.1, 0.2].
    const buckets: [number, number][] = [
      [0.1, 4],
      [0.2, 10],
      [Number.POSITIVE_INFINITY, 10],
    ];
    assert.equal(histogramQuantile(0.5, buckets), 0.1 + 0.1 * (1 / 6));
    assert.equal(histogramQuantile(0.2, buckets), 0.05);
  });

  it('answers the highest finite bound for a rank beyond them', () => {
    assert.equal(
      histogramQuantile(0.95, [
        [1, 1],
        [Number.POSITIVE_INFINITY, 10],
      ]),
      1,
    );
  });
});

describe('HubMetrics.summary', () => {
  it('sums connections by protocol, messages, denials by code and the turn quantiles', async () => {
    const metrics = new HubMetrics(
      () => [
        { protocolVersion: 3, inboundQueued: 0, bufferedBytes: 0 },
        { protocolVersion: 3, inboundQueued: 0, bufferedBytes: 0 },
        { protocolVersion: 2, inboundQueued: 0, bufferedBytes: 0 },
        { protocolVersion: 0, inboundQueued: 0, bufferedBytes: 0 },
      ],
      { recentDenials: 2 },
    );
    metrics.received('bus');
    metrics.received('bus');
    metrics.sent('bus');
    metrics.denied('rate_limited');
    metrics.denied('acl_disallowed_type', detail(1));
    const clock = { startedAt: 0, answered: false };
    metrics.utterance(clock);
    metrics.answered(clock, 'ovos.utterance.handled');
    const s = await metrics.summary();
    assert.deepEqual(s.connections, { '2': 1, '3': 2 });
    assert.deepEqual(s.messages, { in: 2, out: 1 });
    assert.deepEqual(s.denials, { total: 2, byCode: { rate_limited: 1, acl_disallowed_type: 1 } });
    assert.equal(s.turn.count, 1);
    assert.ok(s.turn.p50Ms !== null && s.turn.p50Ms >= 0 && s.turn.p50Ms <= 1, String(s.turn.p50Ms));
    assert.deepEqual(
      metrics.denials.recent().map((d) => d.code),
      ['acl_disallowed_type'],
      'only a denial with its details is kept',
    );
  });
});
