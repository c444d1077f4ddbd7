/**
 * The event-loop watchdog on the shared fake clock: a check timer that fires late by more than `stallMs` is a stall,
 * logged as a warning with its length and counted; on time (or late by at most the limit) is not. The real thing,
 * a busy loop in a running hub seen in `/metrics` and the log, is `test/integration/hub-watchdog.test.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEventLoopWatchdog, defaultCheckEveryMs } from '../../../src/hub/watchdog.js';
import { FakeTimers } from '../../helpers/fake-timers.js';

function setup(stallMs = 1000) {
  const timers = new FakeTimers();
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  const logger = {
    warn: (obj: object, msg: string) => warnings.push({ obj: obj as Record<string, unknown>, msg }),
  };
  const watchdog = createEventLoopWatchdog({ stallMs, logger, timers, now: timers.clock });
  return { timers, warnings, watchdog };
}

describe('event-loop watchdog', () => {
  it('counts and logs a check that fires later than the limit, with the stall in ms', () => {
    const { timers, warnings, watchdog } = setup(1000);
    watchdog.start();
    timers.advance(10_000); // forty checks on time
    assert.equal(watchdog.stalls, 0);
    assert.equal(warnings.length, 0);
    // The loop is blocked from when the next check is due for 2.5 s: that check fires 2.5 s late.
    timers.now += timers.pending()[0]! + 2500;
    timers.fire();
    assert.equal(watchdog.stalls, 1);
    assert.equal(watchdog.worstStallMs, 2500);
    assert.equal(warnings.length, 1);
    assert.deepEqual(warnings[0]!.obj, { stallMs: 2500, limitMs: 1000 });
    assert.match(warnings[0]!.msg, /event loop stalled for 2500 ms/);
    // A shorter second stall is counted; the worst stays.
    timers.now += timers.pending()[0]! + 1200;
    timers.fire();
    assert.equal(watchdog.stalls, 2);
    assert.equal(watchdog.worstStallMs, 2500);
  });

  it('does not count lateness up to the limit', () => {
    const { timers, warnings, watchdog } = setup(1000);
    watchdog.start();
    timers.now += timers.pending()[0]! + 1000;
    timers.fire();
    assert.equal(watchdog.stalls, 0);
    assert.equal(warnings.length, 0);
  });

  it('keeps one timer: start twice schedules one check, stop cancels it and is safe to repeat', () => {
    const { timers, watchdog } = setup(1000);
    watchdog.stop();
    watchdog.start();
    watchdog.start();
    assert.deepEqual(timers.pending(), [250]);
    watchdog.stop();
    watchdog.stop();
    assert.deepEqual(timers.pending(), []);
    timers.now += 5000;
    timers.fire();
    assert.equal(watchdog.stalls, 0);
  });

  it('checks a quarter of the limit apart, between 10 and 250 ms', () => {
    assert.equal(defaultCheckEveryMs(1000), 250);
    assert.equal(defaultCheckEveryMs(60_000), 250);
    assert.equal(defaultCheckEveryMs(100), 25);
    assert.equal(defaultCheckEveryMs(20), 10);
  });
});
