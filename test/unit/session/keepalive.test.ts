import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Keepalive } from '../../../src/session/keepalive.js';
import { FakeTimers } from '../../helpers/fake-timers.js';

describe('Keepalive', () => {
  it('pings every interval and keeps going while pongs come back', () => {
    const clock = new FakeTimers();
    let pings = 0;
    let timeouts = 0;
    const k = new Keepalive({
      intervalMs: 30,
      timeoutMs: 20,
      timers: clock,
      ping: () => pings++,
      onTimeout: () => timeouts++,
    });
    k.start();
    assert.equal(clock.fireNext(), 30);
    assert.equal(pings, 1);
    k.pong();
    assert.equal(clock.fireNext(), 60);
    assert.equal(pings, 2);
    assert.equal(timeouts, 0);
  });

  it('declares the peer dead when the pong does not come in time, once', () => {
    const clock = new FakeTimers();
    let timeouts = 0;
    const k = new Keepalive({
      intervalMs: 30,
      timeoutMs: 20,
      timers: clock,
      ping: () => {},
      onTimeout: () => timeouts++,
    });
    k.start();
    clock.fireNext(); // ping at 30
    assert.equal(clock.fireNext(), 50); // deadline
    assert.equal(timeouts, 1);
    assert.equal(k.running, false);
    assert.equal(clock.scheduled.size, 0);
  });

  it('stop() clears every timer', () => {
    const clock = new FakeTimers();
    const k = new Keepalive({
      intervalMs: 30,
      timeoutMs: 20,
      timers: clock,
      ping: () => {},
      onTimeout: () => {},
    });
    k.start();
    k.stop();
    assert.equal(clock.scheduled.size, 0);
  });
});
