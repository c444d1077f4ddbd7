import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LastSeenBatcher } from '../../../src/store/last-seen.js';
import { FakeTimers } from '../../helpers/fake-timers.js';

class FakeStore {
  readonly writes: [number, number][][] = [];
  failNext = false;
  async touchLastSeenMany(entries: Iterable<readonly [number, number]>): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    this.writes.push([...entries].map(([id, at]) => [id, at] as [number, number]));
  }
}

/** Lets the flush started by a timer callback settle. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('LastSeenBatcher', () => {
  it('writes many touches once per interval, one batch with the latest time per client', async () => {
    const store = new FakeStore();
    const timers = new FakeTimers();
    const b = new LastSeenBatcher({ store, timers, intervalMs: 5000 });
    for (let i = 0; i < 1000; i++) b.touch(1 + (i % 3), 1000 + i);
    assert.equal(timers.scheduled.size, 1, 'one timer for all touches');
    assert.equal([...timers.scheduled.values()][0]!.ms, 5000);
    assert.equal(store.writes.length, 0, 'nothing written before the interval');
    timers.fire();
    await settle();
    assert.deepEqual(store.writes, [
      [
        [1, 1999],
        [2, 1997],
        [3, 1998],
      ],
    ]);
    assert.equal(timers.scheduled.size, 0, 'idle after the flush');
    b.touch(1, 3000);
    b.touch(1, 2500); // older: ignored
    timers.fire();
    await settle();
    assert.deepEqual(store.writes[1], [[1, 3000]]);
  });

  it('keeps the touches when a flush fails and retries on the next interval', async () => {
    const store = new FakeStore();
    const timers = new FakeTimers();
    const errors: unknown[] = [];
    const b = new LastSeenBatcher({ store, timers, onError: (e) => errors.push(e) });
    b.touch(5, 100);
    store.failNext = true;
    timers.fire();
    await settle();
    assert.equal(errors.length, 1);
    assert.equal(b.pendingCount, 1);
    assert.equal(timers.scheduled.size, 1, 're-armed');
    b.touch(5, 90);
    timers.fire();
    await settle();
    assert.deepEqual(store.writes, [[[5, 100]]]);
  });

  it('stop() cancels the timer, flushes, and ignores later touches', async () => {
    const store = new FakeStore();
    const timers = new FakeTimers();
    const b = new LastSeenBatcher({ store, timers, now: () => 42 });
    b.touch(9);
    await b.stop();
    assert.equal(timers.scheduled.size, 0);
    assert.deepEqual(store.writes, [[[9, 42]]]);
    b.touch(9);
    assert.equal(timers.scheduled.size, 0);
    assert.equal(b.pendingCount, 0);
  });

  it('rejects a bad interval', () => {
    assert.throws(() => new LastSeenBatcher({ store: new FakeStore(), intervalMs: 0 }), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
  });
});
