import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Keepalive } from '../../../src/session/keepalive.js';
import type { Timers } from '../../../src/timers.js';

/** Timers driven by hand: `fire()` runs the earliest pending one. */
function manualTimers() {
  let seq = 0;
  const pending = new Map<number, { at: number; run: () => void }>();
  let now = 0;
  const timers: Timers = {
    setTimeout(callback, ms) {
      seq += 1;
      pending.set(seq, { at: now + ms, run: callback });
      return seq;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  return {
    timers,
    get count() {
      return pending.size;
    },
    fire(): number {
      const [id, t] = [...pending.entries()].sort((a, b) => a[1].at - b[1].at)[0]!;
      pending.delete(id);
      now = t.at;
      t.run();
      return now;
    },
  };
}

describe('Keepalive', () => {
  it('pings every interval and keeps going while pongs come back', () => {
    const clock = manualTimers();
    let pings = 0;
    let timeouts = 0;
    const k = new Keepalive({
      intervalMs: 30,
      timeoutMs: 20,
      timers: clock.timers,
      ping: () => pings++,
      onTimeout: () => timeouts++,
    });
    k.start();
    assert.equal(clock.fire(), 30);
    assert.equal(pings, 1);
    k.pong();
    assert.equal(clock.fire(), 60);
    assert.equal(pings, 2);
    assert.equal(timeouts, 0);
  });

  it('declares the peer dead when the pong does not come in time, once', () => {
    const clock = manualTimers();
    let timeouts = 0;
    const k = new Keepalive({
      intervalMs: 30,
      timeoutMs: 20,
      timers: clock.timers,
      ping: () => {},
      onTimeout: () => timeouts++,
    });
    k.start();
    clock.fire(); // ping at 30
    assert.equal(clock.fire(), 50); // deadline
    assert.equal(timeouts, 1);
    assert.equal(k.running, false);
    assert.equal(clock.count, 0);
  });

  it('stop() clears every timer', () => {
    const clock = manualTimers();
    const k = new Keepalive({
      intervalMs: 30,
      timeoutMs: 20,
      timers: clock.timers,
      ping: () => {},
      onTimeout: () => {},
    });
    k.start();
    k.stop();
    assert.equal(clock.count, 0);
  });
});
