import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type QueryPath,
  type QueryTimers,
  QueryTracker,
  type QueryTrackerInit,
} from '../../../src/hub/queries.js';
import type { HubPeer } from '../../../src/hub/types.js';

function timers() {
  const pending = new Map<number, () => void>();
  let seq = 0;
  const t: QueryTimers = {
    setTimeout(cb) {
      pending.set(++seq, cb);
      return seq;
    },
    clearTimeout(h) {
      pending.delete(h as number);
    },
  };
  return { t, pending };
}

const conn = (id: number) => ({ id, peer: `p${id}` }) as HubPeer;

/** A tracker of 4 paths (1 s TTL, 100 ms timeout) on fake timers, with `over` changed. */
function tracker(over: Partial<QueryTrackerInit> = {}) {
  const { t, pending } = timers();
  const q = new QueryTracker({
    maxEntries: 4,
    ttlMs: 1000,
    timeoutMs: 100,
    onTimeout: () => {},
    timers: t,
    ...over,
  });
  return { q, pending };
}

describe('QueryTracker', () => {
  it('finds a path by connection and id only', () => {
    const { q } = tracker();
    q.open(conn(1), 'q', 'query', 'o');
    assert.ok(q.find(conn(1), 'q'));
    assert.equal(q.find(conn(2), 'q'), undefined);
  });

  it('drops the oldest path when full, and expired paths on lookup', () => {
    let now = 0;
    const { q } = tracker({ maxEntries: 2, now: () => now });
    q.open(conn(1), 'a', 'query', 'o');
    q.open(conn(1), 'b', 'query', 'o');
    q.open(conn(1), 'c', 'query', 'o');
    assert.equal(q.find(conn(1), 'a'), undefined);
    assert.equal(q.size, 2);
    now = 1000;
    assert.equal(q.find(conn(1), 'b'), undefined);
  });

  it('times a query out once, and not after it finished', () => {
    const timedOut: QueryPath[] = [];
    const { q, pending } = tracker({ onTimeout: (p) => timedOut.push(p) });
    const done = q.open(conn(1), 'done', 'query', 'o');
    q.open(conn(1), 'slow', 'cascade', 'o');
    q.finish(done);
    assert.equal(pending.size, 1);
    for (const cb of [...pending.values()]) cb();
    assert.deepEqual(
      timedOut.map((p) => p.queryId),
      ['slow'],
    );
    assert.equal(q.size, 0);
  });

  it('forgets every path of a closed connection', () => {
    const { q } = tracker();
    q.open(conn(1), 'a', 'query', 'o');
    q.open(conn(2), 'b', 'query', 'o');
    q.dropConnection(conn(1));
    assert.equal(q.size, 1);
  });
});
