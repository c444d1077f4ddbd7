/**
 * Timers, alarms and reminders that find their room (issue 11), end to end: a hub built by `composeHub` (what
 * `hivelink hub` runs) with the embedded assistant, on 127.0.0.1 port 0, and SDK satellites that set timers by voice.
 * Only the timer service's clock is fake (test/helpers/fake-timers.ts), so minutes pass at once; everything else —
 * sockets, handshakes, the assistant, the store — is real.
 *
 * - two satellites set timers and each hears only its own, and lists only its own;
 * - list and cancel (one of several, by name);
 * - the owner offline: the next online client of its room hears it; nobody in the room: it is held and said when
 *   the owner reconnects;
 * - a timer set, the hub stopped and started again on the same data dir: it fires on the right satellite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { MessageBus, MessageData } from '../../src/bus/types.js';
import type { HiveClient } from '../../src/client/index.js';
import type { ComposedHub } from '../../src/hub/compose.js';
import { FakeTimers } from '../helpers/fake-timers.js';
import { composeTestHub, SdkDevice } from './house-harness.js';
import { failOnUnhandledRejection, nextOnBus } from './hub-harness.js';

failOnUnhandledRejection();

const MIN = 60_000;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Running {
  readonly composed: ComposedHub;
  readonly url: string;
  readonly fake: FakeTimers;
  /** Connects `sat` (again) to this hub; `stop` closes it. */
  connect(sat: Satellite): Promise<Satellite>;
  /** Adds a satellite named `name` in `siteId` and connects it. */
  satellite(name: string, siteId: string | null): Promise<Satellite>;
  /** Closes the satellites connected to it, then stops the hub. */
  stop(): Promise<void>;
}

/** Composes and starts a hub on `dataDir` whose timer service runs on `fake`. */
async function startHub(dataDir: string, fake: FakeTimers): Promise<Running> {
  const { composed, url } = await composeTestHub(
    dataDir,
    {},
    { timerClock: { timers: fake, now: fake.clock } },
  );
  const connected = new Set<Satellite>();
  const hub: Running = {
    composed,
    url,
    fake,
    async connect(sat) {
      connected.add(sat);
      return sat.connect(hub);
    },
    async satellite(name, siteId) {
      return hub.connect(await Satellite.add(hub, name, siteId));
    },
    async stop() {
      for (const sat of connected) sat.client?.close();
      await composed.stop();
    },
  };
  return hub;
}

/** Runs `test` on a hub of its own (a fresh data dir, a new clock) and stops it after. */
async function withHub(test: (hub: Running) => Promise<void>): Promise<void> {
  const hub = await startHub(freshDir(), newClock());
  try {
    await test(hub);
  } finally {
    await hub.stop();
  }
}

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hivelink-timers-'));
  dirs.push(dir);
  return dir;
}

/** A satellite: one client record, reconnecting with the same keys (as a real device would). */
class Satellite {
  readonly heard: MessageData[] = [];
  client: HiveClient | null = null;
  #waiters: { text: string; resolve: (m: MessageData) => void }[] = [];

  private constructor(readonly device: SdkDevice) {}

  static async add(hub: Running, name: string, siteId: string | null): Promise<Satellite> {
    return new Satellite(await SdkDevice.add(hub.composed, name, { siteId }));
  }

  async connect(hub: Running): Promise<this> {
    const client = this.device.client(hub.url);
    client.onBus('speak', (m) => {
      this.heard.push(m);
      const text = String(m.data.utterance);
      for (const w of this.#waiters.filter((x) => x.text === text)) w.resolve(m);
      this.#waiters = this.#waiters.filter((x) => x.text !== text);
    });
    await client.connect();
    this.client = client;
    return this;
  }

  /** Says `utterance` and resolves with the spoken answers. */
  async say(utterance: string): Promise<string[]> {
    return (await this.client!.ask(utterance)).answers;
  }

  /** Resolves when this satellite hears `text` (or has heard it already). */
  hears(text: string): Promise<MessageData> {
    const before = this.heard.find((m) => m.data.utterance === text);
    if (before !== undefined) return Promise.resolve(before);
    return new Promise((resolve) => this.#waiters.push({ text, resolve }));
  }

  /** The texts heard outside of answers to its own questions (the hub's own speaks). */
  unprompted(): string[] {
    return this.heard.filter((m) => m.data.timer !== undefined).map((m) => String(m.data.utterance));
  }

  /** Closes the connection and resolves when the hub has seen it go. */
  async disconnect(bus: MessageBus): Promise<void> {
    const client = this.client!;
    const gone = nextOnBus(bus, 'hive.client.disconnect', (m) =>
      String(m.data.key).includes(`::${this.device.name}::`),
    );
    client.close();
    this.client = null;
    await gone;
  }
}

/** Moves the timer clock and resolves with the `hive.timer.fired` of the timer that comes due. */
function advance(hub: Running, ms: number): Promise<MessageData> {
  const fired = nextOnBus(hub.composed.bus, 'hive.timer.fired');
  hub.fake.advance(ms);
  return fired;
}

function newClock(): FakeTimers {
  const fake = new FakeTimers();
  fake.now = Date.now();
  return fake;
}

describe('timers that find their room (issue 11)', () => {
  it('two satellites set timers by voice and each hears, and lists, only its own', { timeout: 60_000 }, () =>
    withHub(async (hub) => {
      const kitchen = await hub.satellite('kitchen-sat', 'kitchen');
      const garage = await hub.satellite('garage-sat', 'garage');
      assert.deepEqual(await kitchen.say('set a timer for 5 minutes'), ['Timer set for 5 minutes.']);
      assert.deepEqual(await garage.say('set a timer for 1 hour and 30 minutes'), [
        'Timer set for 1 hour and 30 minutes.',
      ]);
      assert.deepEqual(await kitchen.say('what timers do i have'), [
        'You have a timer for 5 minutes with 5 minutes left.',
      ]);
      assert.deepEqual(await garage.say('what timers do i have'), [
        'You have a timer for 1 hour and 30 minutes with 1 hour and 30 minutes left.',
      ]);

      const heardKitchen = kitchen.hears('Your timer for 5 minutes is done.');
      const first = await advance(hub, 5 * MIN);
      assert.equal(first.data.delivered, 'owner');
      await heardKitchen;
      assert.deepEqual(await garage.say('what timers do i have'), [
        'You have a timer for 1 hour and 30 minutes with 1 hour and 25 minutes left.',
      ]);
      const heardGarage = garage.hears('Your timer for 1 hour and 30 minutes is done.');
      await advance(hub, 85 * MIN);
      await heardGarage;
      assert.deepEqual(kitchen.unprompted(), ['Your timer for 5 minutes is done.']);
      assert.deepEqual(garage.unprompted(), ['Your timer for 1 hour and 30 minutes is done.']);
      assert.deepEqual(await kitchen.say('what timers do i have'), ["You don't have any timers."]);
    }),
  );

  it(
    'lists and cancels: one of several by name, the only one, and what is left keeps firing',
    { timeout: 60_000 },
    () =>
      withHub(async (hub) => {
        const sat = await hub.satellite('office-sat', 'office');
        await sat.say('set a pasta timer for 10 minutes');
        await sat.say('set a timer for 3 minutes');
        await sat.say('remind me to call mum in 2 hours');
        assert.deepEqual(await sat.say('what timers do i have'), [
          'You have 2 timers: a timer for 3 minutes with 3 minutes left and the pasta timer with 10 minutes left.',
        ]);
        assert.deepEqual(await sat.say('what reminders do i have'), [
          'You have a reminder to call mum in 2 hours.',
        ]);
        assert.deepEqual(await sat.say('cancel the pasta timer'), ['Cancelled your pasta timer.']);
        assert.deepEqual(await sat.say('cancel the timer'), ['Cancelled your timer for 3 minutes.']);
        assert.deepEqual(await sat.say('cancel the timer'), ["You don't have any timers."]);
        const reminded = sat.hears('Reminder: call mum.');
        const fired = await advance(hub, 2 * 60 * MIN);
        assert.equal((fired.data.timer as { kind: string }).kind, 'reminder');
        await reminded;
        assert.deepEqual(sat.unprompted(), ['Reminder: call mum.'], 'the cancelled timers never rang');
      }),
  );

  it(
    'the owner offline: a client of its room hears it; nobody in the room: said when the owner comes back',
    { timeout: 60_000 },
    () =>
      withHub(async (hub) => {
        const bus = hub.composed.bus;
        const owner = await hub.satellite('kitchen-sat', 'kitchen');
        const display = await hub.satellite('kitchen-display', 'kitchen');
        const garage = await hub.satellite('garage-sat', 'garage');
        await owner.say('set a timer for 1 minute');
        await owner.disconnect(bus);
        const roomHears = display.hears("kitchen-sat's timer for 1 minute is done.");
        const fired = await advance(hub, MIN);
        assert.equal(fired.data.delivered, 'room');
        await roomHears;
        assert.deepEqual(garage.unprompted(), [], 'another room hears nothing');

        await garage.say('remind me to close the door in 2 minutes');
        await garage.disconnect(bus);
        const held = await advance(hub, 2 * MIN);
        assert.equal(held.data.delivered, 'held', 'nobody else is in the garage');
        await garage.connect(hub);
        const late = await garage.hears('Reminder: close the door.');
        assert.equal((late.data.timer as { late: boolean }).late, true);
        assert.deepEqual(display.unprompted(), ["kitchen-sat's timer for 1 minute is done."]);
      }),
  );

  it('a timer set before a hub restart fires after it, on the satellite that set it', {
    timeout: 60_000,
  }, async () => {
    const dataDir = freshDir();
    const clock = newClock();
    let hub = await startHub(dataDir, clock);
    try {
      const kitchen = await hub.satellite('kitchen-sat', 'kitchen');
      const garage = await hub.satellite('garage-sat', 'garage');
      assert.deepEqual(await kitchen.say('set a timer for 5 minutes'), ['Timer set for 5 minutes.']);
      assert.deepEqual(await garage.say('set a timer for 20 minutes'), ['Timer set for 20 minutes.']);
      await hub.stop();

      // The same data dir, a new process's worth of hub; a minute went by while it was down.
      const later = newClock();
      later.now = clock.now + MIN;
      hub = await startHub(dataDir, later);
      await hub.connect(kitchen);
      await hub.connect(garage);
      assert.deepEqual(await kitchen.say('what timers do i have'), [
        'You have a timer for 5 minutes with 4 minutes left.',
      ]);
      const kitchenHears = kitchen.hears('Your timer for 5 minutes is done.');
      const first = await advance(hub, 4 * MIN);
      assert.equal(first.data.delivered, 'owner');
      await kitchenHears;
      const garageHears = garage.hears('Your timer for 20 minutes is done.');
      await advance(hub, 15 * MIN);
      await garageHears;
      assert.deepEqual(kitchen.unprompted(), ['Your timer for 5 minutes is done.']);
      assert.deepEqual(garage.unprompted(), ['Your timer for 20 minutes is done.']);
    } finally {
      await hub.stop();
    }
  });
});
