/**
 * The hub's timer service on its own (issue 11): the wall clock of a time zone (across midnight and daylight
 * saving), the one-shot scheduler on fake timers (never early, waits past the 24.8-day ceiling), and the service
 * with a real SQLite store, an in-process bus and stand-in connections: who asks comes from the hub-set
 * `context.peer` only, each client sees and cancels only its own timers, a due timer is spoken on the owner, else
 * on its room, else held until the owner connects, the bounds are refused with their codes, and a new service on
 * the same store (a restart) picks everything up.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MemoryBus } from '../../../src/bus/memory-bus.js';
import { createMessage } from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import { waitForMessage } from '../../../src/bus/wait.js';
import { PeerRegistry } from '../../../src/hub/peers.js';
import { nextWallClock } from '../../../src/hub/timers/clock.js';
import { MAX_TIMER_MS, OneShotScheduler } from '../../../src/hub/timers/scheduler.js';
import { TimerService } from '../../../src/hub/timers/service.js';
import type { HubPeer } from '../../../src/hub/types.js';
import type { HiveMessage } from '../../../src/protocol/message.js';
import type { ClientRecord } from '../../../src/store/types.js';
import { FakeTimers } from '../../helpers/fake-timers.js';
import { tempStore } from '../store/temp-db.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('timers: wall clock in a time zone', () => {
  const at = (iso: string) => Date.parse(iso);
  it('is today when the time is still ahead, else tomorrow, in the zone asked', () => {
    const now = at('2025-06-10T05:00:00Z');
    assert.equal(nextWallClock(now, { hour: 7, minute: 30 }, 'UTC'), at('2025-06-10T07:30:00Z'));
    assert.equal(nextWallClock(now, { hour: 4, minute: 0 }, 'UTC'), at('2025-06-11T04:00:00Z'));
    // 05:00 UTC is 07:00 in Berlin (CEST): 07:30 Berlin is 05:30 UTC, 06:00 Berlin is tomorrow.
    assert.equal(nextWallClock(now, { hour: 7, minute: 30 }, 'Europe/Berlin'), at('2025-06-10T05:30:00Z'));
    assert.equal(nextWallClock(now, { hour: 6, minute: 0 }, 'Europe/Berlin'), at('2025-06-11T04:00:00Z'));
    // 05:00 UTC is 22:00 the day before in Los Angeles (PDT).
    assert.equal(
      nextWallClock(now, { hour: 7, minute: 0 }, 'America/Los_Angeles'),
      at('2025-06-10T14:00:00Z'),
    );
  });

  it('skips today for "tomorrow", and rolls over month and year ends', () => {
    const now = at('2025-12-31T05:00:00Z');
    assert.equal(
      nextWallClock(now, { hour: 7, minute: 0, tomorrow: true }, 'UTC'),
      at('2026-01-01T07:00:00Z'),
    );
    assert.equal(
      nextWallClock(at('2025-12-31T23:00:00Z'), { hour: 6, minute: 0 }, 'UTC'),
      at('2026-01-01T06:00:00Z'),
    );
  });

  it('keeps the wall time across a daylight-saving change', () => {
    // Europe/Berlin leaves summer time on 2025-10-26 (03:00 CEST → 02:00 CET).
    const evening = at('2025-10-25T18:00:00Z');
    assert.equal(nextWallClock(evening, { hour: 7, minute: 0 }, 'Europe/Berlin'), at('2025-10-26T06:00:00Z'));
    // …and enters it on 2025-03-30 (02:00 CET → 03:00 CEST): 07:00 is 05:00 UTC that morning.
    assert.equal(
      nextWallClock(at('2025-03-29T20:00:00Z'), { hour: 7, minute: 0 }, 'Europe/Berlin'),
      at('2025-03-30T05:00:00Z'),
    );
  });
});

describe('timers: one-shot scheduler', () => {
  it('fires each key once at its due time, never early, and can be disarmed', () => {
    const fake = new FakeTimers();
    const fired: string[] = [];
    const s = new OneShotScheduler<string>({ timers: fake, now: fake.clock, onDue: (k) => fired.push(k) });
    s.set('a', 5000);
    s.set('b', 2000);
    s.set('c', 3000);
    s.delete('c');
    fake.advance(1999);
    assert.deepEqual(fired, []);
    fake.advance(1);
    assert.deepEqual(fired, ['b']);
    fake.advance(10_000);
    assert.deepEqual(fired, ['b', 'a']);
    assert.equal(s.size, 0);
  });

  it('waits past the 24.8-day timer ceiling, and fires a past due time at once', () => {
    const fake = new FakeTimers();
    const fired: number[] = [];
    const s = new OneShotScheduler<number>({ timers: fake, now: fake.clock, onDue: (k) => fired.push(k) });
    const far = 30 * 24 * HOUR;
    s.set(1, far);
    assert.ok(fake.pending()[0]! <= MAX_TIMER_MS);
    fake.advance(MAX_TIMER_MS);
    assert.deepEqual(fired, [], 'not yet');
    fake.advance(far - MAX_TIMER_MS);
    assert.deepEqual(fired, [1]);
    fake.now = 100 * 24 * HOUR;
    s.set(2, 5);
    fake.advance(0);
    assert.deepEqual(fired, [1, 2]);
  });

  it('re-arms a timer that runs before the clock is there', () => {
    let clock = 0;
    const callbacks: (() => void)[] = [];
    const fired: number[] = [];
    const s = new OneShotScheduler<number>({
      timers: { setTimeout: (cb) => callbacks.push(cb), clearTimeout: () => {} },
      now: () => clock,
      onDue: (k) => fired.push(k),
    });
    s.set(1, 1000);
    clock = 999;
    callbacks.shift()!();
    assert.deepEqual(fired, []);
    clock = 1000;
    callbacks.shift()!();
    assert.deepEqual(fired, [1]);
  });
});

/** A stand-in for an open connection: records what the hub sends it. */
class StubPeer implements HubPeer {
  readonly id: number;
  readonly useragent = 'test';
  readonly ip = '127.0.0.1';
  readonly rateKey: string;
  readonly protocolVersion: number;
  readonly pubkey = null;
  readonly nat = { namespace: 'x' } as HubPeer['nat'];
  readonly session = { hello: null, latest: null };
  readonly sent: HiveMessage[] = [];
  open = true;
  constructor(
    readonly peer: string,
    readonly record: ClientRecord,
    readonly siteId: string | null,
    protocolVersion = 3,
  ) {
    this.id = record.id;
    this.rateKey = peer;
    this.protocolVersion = protocolVersion;
  }
  send(message: HiveMessage): boolean {
    if (!this.open) return false;
    this.sent.push(message);
    return true;
  }
  /** The `speak` texts this peer received. */
  spoken(): string[] {
    return this.sent.map((m) => (m.payload as unknown as MessageData).data.utterance as string);
  }
  deny(): void {}
  close(): void {}
  applyHello(): void {}
  async rekey(): Promise<void> {}
}

/** Closed after the service's own `afterEach` has stopped it. */
const db = tempStore('hl-timers-');

describe('timers: the hub service', () => {
  let bus: MemoryBus;
  let peers: PeerRegistry;
  let fake: FakeTimers;
  let service: TimerService;
  let kitchen: ClientRecord;
  let garage: ClientRecord;
  let hall: ClientRecord;

  const start = async (limits = { maxTimersPerClient: 10, maxTimerDurationMs: 7 * 24 * HOUR }) => {
    service = new TimerService({
      bus,
      store: db.store,
      peers,
      limits,
      timers: fake,
      now: fake.clock,
      timezone: 'UTC',
    });
    await service.start();
  };

  beforeEach(async () => {
    [kitchen, garage, hall] = await db.addClients({ name: 'kitchen-sat', siteId: 'kitchen' }, 'garage-sat', {
      name: 'hall-sat',
      siteId: 'Kitchen',
    });
    bus = new MemoryBus();
    peers = new PeerRegistry();
    fake = new FakeTimers();
    fake.now = Date.parse('2025-06-10T05:00:00Z');
    await start();
  });
  afterEach(() => service.stop());

  const connect = (record: ClientRecord, peer: string, site: string | null = null) => {
    const p = new StubPeer(peer, record, site);
    peers.add(p);
    return p;
  };

  /** Sends a request as the hub would have injected it from `peer` and resolves with the answer's data. */
  const ask = async (peer: string, type: string, data: Record<string, unknown>) => {
    const request = createMessage(type, data, {
      source: 'hivelink-timer.hivelink',
      destination: 'skills',
      peer,
      request_id: `${Math.random()}`,
    });
    const answer = waitForMessage(
      bus,
      `${type}.response`,
      2000,
      (m) => m.context.request_id === request.context.request_id,
    );
    bus.emit(request);
    const m = await answer;
    assert.ok(m !== undefined, `no answer to ${type}`);
    assert.equal(
      m.context.destination,
      'hivelink-timer.hivelink',
      'answered to the asker on the bus, not a client',
    );
    return m.data;
  };

  /** Resolves with the next `hive.timer.fired` (listening from the call on). */
  const fired = async (): Promise<MessageData> => {
    const m = await waitForMessage(bus, 'hive.timer.fired', 2000);
    assert.ok(m !== undefined, 'no hive.timer.fired');
    return m;
  };
  /** Moves the fake clock by `ms` and asserts the timer that fires then was delivered as `delivered`. */
  const firesAfter = async (ms: number, delivered: string): Promise<void> => {
    const done = fired();
    fake.advance(ms);
    assert.equal((await done).data.delivered, delivered);
  };

  it('keeps each client to its own timers, identified by the hub-set context.peer', async () => {
    connect(kitchen, 'k1');
    connect(garage, 'g1');
    const a = await ask('k1', 'hive.timer.set', {
      kind: 'timer',
      duration_ms: 5 * MIN,
      utterance: 'kitchen done',
    });
    assert.equal(a.ok, true);
    await ask('g1', 'hive.timer.set', { kind: 'timer', duration_ms: 3 * MIN, name: 'tea' });
    const kitchenList = await ask('k1', 'hive.timer.list', {});
    assert.deepEqual(
      (kitchenList.timers as { duration_ms: number }[]).map((t) => t.duration_ms),
      [5 * MIN],
    );
    const garageId = ((await ask('g1', 'hive.timer.list', {})).timers as { id: number }[])[0]!.id;
    const stolen = await ask('k1', 'hive.timer.cancel', { ids: [garageId] });
    assert.equal(stolen.ok, false);
    assert.equal(stolen.code, 'HL_ERR_TIMER_NOT_FOUND', "another client's timer cannot be cancelled");
    const unknown = await ask('nobody', 'hive.timer.set', { kind: 'timer', duration_ms: MIN });
    assert.equal(unknown.code, 'HL_ERR_TIMER_NO_CLIENT');
    assert.equal((await db.store.listTimers()).length, 2);
  });

  it('speaks a due timer on the owner, else on an online client of its room, else holds it for the owner', async () => {
    const k = connect(kitchen, 'k1');
    const h = connect(hall, 'h1');
    const g = connect(garage, 'g1');
    await ask('k1', 'hive.timer.set', {
      kind: 'timer',
      duration_ms: MIN,
      utterance: 'Your timer is done.',
      room_utterance: "kitchen-sat's timer is done.",
    });
    await firesAfter(MIN, 'owner');
    assert.deepEqual(k.spoken(), ['Your timer is done.']);
    assert.deepEqual(h.spoken(), []);

    // The owner goes offline: a client of its room (the admin's site "Kitchen" is the same room) hears it.
    await ask('k1', 'hive.timer.set', { duration_ms: MIN, room_utterance: "kitchen-sat's timer is done." });
    peers.remove(k);
    await firesAfter(MIN, 'room');
    assert.deepEqual(h.spoken(), ["kitchen-sat's timer is done."]);
    assert.deepEqual(g.spoken(), [], 'another room hears nothing');

    // Nobody in the room either: held (stored as fired) until the owner connects again.
    peers.add(k);
    await ask('k1', 'hive.timer.set', { duration_ms: MIN, utterance: 'Held timer.' });
    peers.remove(k);
    peers.remove(h);
    await firesAfter(MIN, 'held');
    assert.notEqual((await db.store.listTimers(kitchen.id))[0]!.firedAt, null);
    const k2 = connect(kitchen, 'k2');
    const done = fired();
    bus.emit(createMessage('hive.client.connect', { key: 'k2' }, { source: 'k2' }));
    assert.equal((await done).data.delivered, 'owner');
    assert.deepEqual(k2.spoken(), ['Held timer.']);
    await service.stop();
    assert.deepEqual(await db.store.listTimers(), [], 'delivered timers are gone from the store');
  });

  it('never speaks on a REST ask; a room is the record site, else the HELLO site', async () => {
    const g = connect(garage, 'g1', 'garage');
    const rest = new StubPeer('rest::g', garage, 'garage', 0);
    peers.add(rest);
    const notMate = connect(kitchen, 'k1', 'garage'); // its record's site (kitchen) wins over its HELLO
    await ask('rest::g', 'hive.timer.set', { duration_ms: MIN, utterance: 'from rest' });
    peers.remove(g);
    await firesAfter(MIN, 'held');
    assert.deepEqual(rest.sent, []);
    assert.deepEqual(notMate.sent, []);

    const shedRecord = (await db.store.addClient({ name: 'shed-sat' })).record;
    const shed = connect(shedRecord, 's1', 'garage'); // no record site: its HELLO's garage is its room
    peers.add(g);
    await ask('g1', 'hive.timer.set', { duration_ms: MIN, utterance: 'for the garage' });
    peers.remove(g);
    await firesAfter(MIN, 'room');
    assert.deepEqual(shed.spoken(), ['for the garage']);
    assert.deepEqual(notMate.sent, []);
  });

  it('sets alarms at a clock time in the zone asked, and refuses the bounds with their codes', async () => {
    connect(kitchen, 'k1');
    const alarm = await ask('k1', 'hive.timer.set', {
      kind: 'alarm',
      at: { hour: 7, minute: 30 },
      timezone: 'Europe/Berlin',
    });
    assert.equal((alarm.timer as { due_at: number }).due_at, Date.parse('2025-06-10T05:30:00Z'));
    const tooLong = await ask('k1', 'hive.timer.set', { duration_ms: 8 * 24 * HOUR });
    assert.equal(tooLong.code, 'HL_ERR_TIMER_TOO_LONG');
    assert.equal(tooLong.max_ms, 7 * 24 * HOUR);
    const bad = await ask('k1', 'hive.timer.set', { kind: 'nap', duration_ms: MIN });
    assert.equal(bad.code, 'HL_ERR_INVALID_ARGUMENT');
    await service.stop();
    await start({ maxTimersPerClient: 2, maxTimerDurationMs: 7 * 24 * HOUR });
    assert.equal((await ask('k1', 'hive.timer.set', { duration_ms: MIN })).ok, true);
    const full = await ask('k1', 'hive.timer.set', { duration_ms: MIN });
    assert.equal(full.code, 'HL_ERR_TIMER_LIMIT');
    assert.equal(full.max, 2);
  });

  it('cancels all of a kind, and a restarted service fires what is stored (late ones at once)', async () => {
    connect(kitchen, 'k1');
    await ask('k1', 'hive.timer.set', { kind: 'reminder', duration_ms: HOUR, name: 'call mum' });
    await ask('k1', 'hive.timer.set', { kind: 'timer', duration_ms: MIN });
    await ask('k1', 'hive.timer.set', { kind: 'timer', duration_ms: 2 * MIN });
    const cancelled = await ask('k1', 'hive.timer.cancel', { all: true, kind: 'timer' });
    assert.equal((cancelled.cancelled as unknown[]).length, 2);
    await ask('k1', 'hive.timer.set', { kind: 'timer', duration_ms: 10 * MIN, utterance: 'ten minutes' });

    // A restart: a new service on the same file, with the clock past the timer but not the reminder.
    await service.stop();
    await db.reopen();
    peers = new PeerRegistry();
    const k = connect(kitchen, 'k1');
    fake = new FakeTimers();
    fake.now = Date.parse('2025-06-10T05:20:00Z');
    await start();
    assert.equal(service.size, 2);
    await firesAfter(0, 'owner');
    assert.deepEqual(k.spoken(), ['ten minutes']);
    const left = await ask('k1', 'hive.timer.list', {});
    assert.deepEqual(
      (left.timers as { name: string }[]).map((t) => t.name),
      ['call mum'],
    );
  });
});
