/**
 * When subscriptions tick: durations and cron expressions read one way everywhere, and the scheduler fires each one
 * on its beat with the shared fake clock — after a restart on the same beat, once after a stall, never early.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHiveLinkError } from '../../../src/errors.js';
import {
  checkInterval,
  describeSchedule,
  formatDuration,
  nextTick,
  parseCron,
  parseDuration,
  scheduleOf,
  shortestIntervalMs,
} from '../../../src/hub/house/schedule.js';
import { MAX_TIMER_MS, TickScheduler } from '../../../src/hub/house/scheduler.js';
import { FakeTimers } from '../../helpers/fake-timers.js';

const badSchedule = (err: unknown) => isHiveLinkError(err, 'HL_ERR_BAD_SCHEDULE');
const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1, 6, 0, 0);

describe('durations', () => {
  it('reads 30s, 15m, 1h, 1d, 2w, 500ms and sums such as 1h30m', () => {
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('15m'), 15 * MIN);
    assert.equal(parseDuration('1h'), HOUR);
    assert.equal(parseDuration('1d'), 24 * HOUR);
    assert.equal(parseDuration('2w'), 14 * 24 * HOUR);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration(' 1H30M '), 90 * MIN);
  });

  it('refuses what is not a duration, zero, and more than a year', () => {
    for (const bad of ['', '15', 'm', '1.5h', '-1m', '1 h', '1y', 'soon', '0s', '400d']) {
      assert.throws(() => parseDuration(bad), badSchedule, bad);
    }
  });

  it('writes durations back the short way', () => {
    assert.equal(formatDuration(90 * MIN), '1h30m');
    assert.equal(formatDuration(24 * HOUR + 1500), '1d1s500ms');
    assert.equal(formatDuration(0), '0s');
  });
});

describe('cron expressions', () => {
  it('accepts five fields, six with seconds, and nicknames; refuses the rest', () => {
    assert.equal(parseCron('  0 7   * * 1-5 '), '0 7 * * 1-5');
    assert.equal(parseCron('*/30 * * * * *'), '*/30 * * * * *');
    assert.equal(parseCron('@daily'), '@daily');
    for (const bad of ['', 'every morning', '61 * * * *', '* * * *', '0 0 30 2 *']) {
      assert.throws(() => parseCron(bad), badSchedule, bad);
    }
  });

  it('finds the next run in the given time zone', () => {
    const s = { kind: 'cron', cron: '0 7 * * *' } as const;
    assert.equal(nextTick(s, 0, T0, 'UTC'), Date.UTC(2025, 0, 1, 7));
    assert.equal(nextTick(s, 0, Date.UTC(2025, 0, 1, 7), 'UTC'), Date.UTC(2025, 0, 2, 7), 'strictly after');
    assert.equal(nextTick(s, 0, T0, 'Europe/Lisbon'), Date.UTC(2025, 0, 1, 7), 'Lisbon is UTC in winter');
    assert.equal(
      nextTick(s, 0, T0, 'Europe/Berlin'),
      Date.UTC(2025, 0, 2, 6),
      '07:00 in Berlin is 06:00 UTC',
    );
  });
});

describe('schedules', () => {
  it('takes exactly one of --every and --cron', () => {
    assert.deepEqual(scheduleOf({ every: '15m' }), { kind: 'every', everyMs: 15 * MIN });
    assert.deepEqual(scheduleOf({ cron: '0 7 * * *' }), { kind: 'cron', cron: '0 7 * * *' });
    assert.throws(() => scheduleOf({}), badSchedule);
    assert.throws(() => scheduleOf({ every: '1m', cron: '* * * * *' }), badSchedule);
  });

  it('ticks an --every schedule on its beat from the anchor, whenever it is asked', () => {
    const s = { kind: 'every', everyMs: 15 * MIN } as const;
    assert.equal(nextTick(s, T0, T0), T0 + 15 * MIN);
    assert.equal(nextTick(s, T0, T0 - HOUR), T0 + 15 * MIN, 'never before the first beat');
    assert.equal(nextTick(s, T0, T0 + 15 * MIN), T0 + 30 * MIN);
    assert.equal(nextTick(s, T0, T0 + 7 * HOUR + 1), T0 + 7 * HOUR + 15 * MIN, 'same beat after hours');
  });

  it('measures the shortest interval and refuses one below the minimum', () => {
    assert.equal(shortestIntervalMs({ kind: 'cron', cron: '*/10 * * * * *' }, T0, 'UTC'), 10_000);
    assert.equal(shortestIntervalMs({ kind: 'cron', cron: '0,5 7 * * *' }, T0, 'UTC'), 5 * MIN);
    assert.throws(
      () => checkInterval({ kind: 'every', everyMs: 30_000 }, MIN, T0),
      (err: unknown) => {
        assert.ok(badSchedule(err));
        assert.match(
          (err as Error).message,
          /every 30s ticks every 30s; the shortest interval allowed is 1m/,
        );
        return true;
      },
    );
    assert.throws(() => checkInterval({ kind: 'cron', cron: '* * * * * *' }, MIN, T0), badSchedule);
    checkInterval({ kind: 'cron', cron: '* * * * *' }, MIN, T0);
    assert.equal(describeSchedule({ kind: 'cron', cron: '0 7 * * *' }), 'cron 0 7 * * *');
  });
});

describe('tick scheduler (fake timers)', () => {
  function setup(start = T0) {
    const timers = new FakeTimers();
    timers.now = start;
    const ticks: [string, number][] = [];
    const scheduler = new TickScheduler({
      timers,
      now: timers.clock,
      onTick: (key, at) => ticks.push([key, at]),
      timezone: 'UTC',
    });
    return { timers, ticks, scheduler };
  }

  it('fires each key at its ticks, in order, with the tick time', () => {
    const { timers, ticks, scheduler } = setup();
    scheduler.set('every', { kind: 'every', everyMs: 20 * MIN }, T0);
    scheduler.set('cron', { kind: 'cron', cron: '30 6 * * *' }, T0);
    assert.equal(scheduler.nextAt('cron'), T0 + 30 * MIN);
    timers.advance(HOUR);
    assert.deepEqual(ticks, [
      ['every', T0 + 20 * MIN],
      ['cron', T0 + 30 * MIN],
      ['every', T0 + 40 * MIN],
      ['every', T0 + 60 * MIN],
    ]);
    assert.equal(timers.scheduled.size, 2, 'one timer per key');
  });

  it('keeps the armed timer when the same schedule is set again, and moves it when it changes', () => {
    const { timers, ticks, scheduler } = setup();
    scheduler.set('a', { kind: 'every', everyMs: 10 * MIN }, T0);
    timers.advance(5 * MIN);
    scheduler.set('a', { kind: 'every', everyMs: 10 * MIN }, T0);
    assert.deepEqual(timers.pending(), [5 * MIN], 'a reload of an unchanged subscription moves nothing');
    scheduler.set('a', { kind: 'every', everyMs: 20 * MIN }, T0);
    assert.deepEqual(timers.pending(), [15 * MIN]);
    scheduler.delete('a');
    timers.advance(HOUR);
    assert.deepEqual(ticks, []);
    assert.equal(timers.scheduled.size, 0);
  });

  it('starts again on the same beat after a restart (the anchor is the creation time)', () => {
    const { timers, ticks, scheduler } = setup(T0 + 65 * MIN);
    scheduler.set('a', { kind: 'every', everyMs: 30 * MIN }, T0);
    timers.advance(30 * MIN);
    assert.deepEqual(ticks, [['a', T0 + 90 * MIN]]);
  });

  it('fires once, not in a burst, after the clock jumped past several ticks', () => {
    const { timers, ticks, scheduler } = setup();
    scheduler.set('a', { kind: 'every', everyMs: MIN }, T0);
    const [handle] = [...timers.scheduled.keys()];
    timers.now = T0 + 10 * MIN + 1; // the process was suspended
    timers.scheduled.get(handle!)!.callback();
    assert.deepEqual(ticks, [['a', T0 + MIN]]);
    assert.equal(scheduler.nextAt('a'), T0 + 11 * MIN);
  });

  it('re-arms a timer that fired early, and splits waits longer than a timer can hold', () => {
    const { timers, ticks, scheduler } = setup();
    scheduler.set('yearly', { kind: 'cron', cron: '0 0 1 1 *' }, T0);
    assert.deepEqual(timers.pending(), [MAX_TIMER_MS], 'a year is more than one timer holds');
    timers.fireNext();
    assert.deepEqual(ticks, [], 'woken early: nothing said');
    timers.advance(366 * 24 * HOUR);
    assert.deepEqual(ticks, [['yearly', Date.UTC(2026, 0, 1)]]);
  });

  it('schedules nothing after stop', () => {
    const { timers, ticks, scheduler } = setup();
    scheduler.set('a', { kind: 'every', everyMs: MIN }, T0);
    scheduler.stop();
    scheduler.set('b', { kind: 'every', everyMs: MIN }, T0);
    timers.advance(HOUR);
    assert.deepEqual(ticks, []);
    assert.deepEqual(scheduler.keys(), []);
  });
});
