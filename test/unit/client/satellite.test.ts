/**
 * The local-first Satellite on an in-process bus, with a fake local assistant (answers "turn on the kitchen light",
 * fails everything else the way ovos-core does) and a fake hub (answers every question with a joke). Timers are
 * fake, so the grace period is stepped, never waited for.
 *
 * Glossary: *local bus* = the MemoryBus of the device; *hub* = the FakeHub standing in for a HiveClient.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MemoryBus } from '../../../src/bus/memory-bus.js';
import { createMessage, forward, reply } from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import {
  formatSatelliteEvent,
  SATELLITE_MARK,
  Satellite,
  type SatelliteEvent,
  type SatelliteHub,
} from '../../../src/client/satellite.js';
import type { AskOptions, AskResult } from '../../../src/client/types.js';
import { HiveLinkError } from '../../../src/errors.js';
import { FakeTimers } from '../../helpers/fake-timers.js';

const HUB_SESSION = 'hub-session-1';
const JOKE = 'Why did the bus stop? It was tired.';

/** Answers every question with `JOKE` (as `speak` for its session, then resolves), unless told to fail. */
class FakeHub implements SatelliteHub {
  readonly sessionId = HUB_SESSION;
  readonly asked: { utterance: string; options: AskOptions | undefined }[] = [];
  failWith: HiveLinkError | null = null;
  understood = true;
  readonly #listeners = new Set<(m: MessageData) => void>();

  async ask(utterance: string, options?: AskOptions): Promise<AskResult> {
    this.asked.push({ utterance, options });
    if (this.failWith !== null) throw this.failWith;
    await Promise.resolve();
    if (!this.understood) return { answers: [], handled: false, timedOut: false };
    this.send(
      createMessage('speak', { utterance: JOKE, lang: 'en-US' }, { session: { session_id: HUB_SESSION } }),
    );
    return { answers: [JOKE], handled: true, timedOut: false };
  }

  onBus(_type: string, handler: (m: MessageData) => void): () => void {
    this.#listeners.add(handler);
    return () => this.#listeners.delete(handler);
  }

  /** A bus message from the hub, as HiveClient.onBus delivers it. */
  send(message: MessageData): void {
    for (const l of [...this.#listeners]) l(message);
  }
}

type LocalMode = 'ovos' | 'unknown-fallback' | 'silent' | 'slow-fallback';

/** A fake local assistant: the messages ovos-core and a skill emit, as replies/forwards of the utterance. */
function attachLocalAssistant(bus: MemoryBus, mode: () => LocalMode): () => void {
  return bus.on('recognizer_loop:utterance', (u) => {
    if (u.context[SATELLITE_MARK] === true) return;
    const text = String((u.data.utterances as string[])[0]);
    if (mode() === 'silent') return;
    if (text.includes('kitchen light')) {
      const intent = reply(
        u,
        'kitchen.test:lights.intent',
        { ...u.data, utterance: text },
        { skill_id: 'kitchen.test' },
      );
      bus.emit(forward(intent, 'kitchen.test.activate'));
      bus.emit(intent);
      bus.emit(forward(intent, 'mycroft.skill.handler.start', { name: 'KitchenSkill.handle_lights' }));
      bus.emit(forward(intent, 'speak', { utterance: 'The kitchen light is on.' }));
      bus.emit(forward(intent, 'ovos.utterance.handled', {}));
      return;
    }
    const ping = forward(u, 'ovos.skills.fallback.ping', { ...u.data, range: [90, 101] });
    if (mode() === 'slow-fallback') {
      bus.emit(ping);
      return; // the test finishes the turn
    }
    if (mode() === 'unknown-fallback') {
      bus.emit(ping);
      const skill = 'ovos-skill-fallback-unknown.openvoiceos';
      bus.emit(reply(u, `ovos.skills.fallback.${skill}.request`, { ...u.data, skill_id: skill }));
      bus.emit(reply(u, 'speak', { utterance: "Sorry, I didn't catch that" }));
      bus.emit(reply(u, 'ovos.utterance.handled', {}));
      return;
    }
    bus.emit(reply(u, 'mycroft.audio.play_sound', { uri: 'snd/error.mp3' }));
    bus.emit(reply(u, 'complete_intent_failure', { ...u.data }));
    bus.emit(reply(u, 'ovos.utterance.handled', {}));
  });
}

function utterance(text: string, sessionId = 'default', extra: Record<string, unknown> = {}): MessageData {
  return createMessage(
    'recognizer_loop:utterance',
    { utterances: [text], lang: 'en-US' },
    { source: 'audio', destination: ['skills'], session: { session_id: sessionId }, ...extra },
  );
}

describe('Satellite (in-process bus, fake assistant, fake hub)', () => {
  let bus: MemoryBus;
  let hub: FakeHub;
  let timers: FakeTimers;
  let events: SatelliteEvent[];
  let mode: LocalMode;
  let satellite: Satellite;
  let seen: MessageData[];
  let offs: (() => void)[];

  beforeEach(() => {
    bus = new MemoryBus();
    hub = new FakeHub();
    timers = new FakeTimers();
    events = [];
    mode = 'ovos';
    seen = [];
    offs = [attachLocalAssistant(bus, () => mode), bus.on('*', (m) => seen.push(m))];
    satellite = new Satellite({
      bus,
      hub,
      graceMs: 1500,
      timers,
      now: () => timers.now,
      onEvent: (e) => {
        events.push(e);
        for (const w of waiters.filter((x) => x.type === e.type)) w.resolve(e);
        waiters = waiters.filter((x) => x.type !== e.type);
      },
    });
    satellite.start();
  });

  afterEach(() => {
    satellite.stop();
    for (const off of offs) off();
  });

  /** Resolves once every message emitted so far has been delivered (the bus delivers in order). */
  async function settled(): Promise<void> {
    const marker = createMessage('test.marker', { n: Math.random() });
    const delivered = bus.waitForMessage('test.marker', 1000, (m) => m.data.n === marker.data.n);
    bus.emit(marker);
    assert.ok(await delivered);
    await Promise.resolve();
  }

  let waiters: { type: SatelliteEvent['type']; resolve: (e: SatelliteEvent) => void }[] = [];

  /** The first event of `type` (already reported, or the next one). */
  function waitEvent<K extends SatelliteEvent['type']>(
    type: K,
  ): Promise<Extract<SatelliteEvent, { type: K }>> {
    const found = events.find((e) => e.type === type);
    if (found !== undefined) return Promise.resolve(found as Extract<SatelliteEvent, { type: K }>);
    return new Promise((resolve) =>
      waiters.push({ type, resolve: (e) => resolve(e as Extract<SatelliteEvent, { type: K }>) }),
    );
  }

  it('handles "turn on the kitchen light" locally: the hub is never asked', async () => {
    bus.emit(utterance('turn on the kitchen light'));
    const event = await waitEvent('handled-locally');
    assert.deepEqual(
      { ...event, afterMs: 0 },
      {
        type: 'handled-locally',
        utterance: 'turn on the kitchen light',
        sessionId: 'default',
        by: 'kitchen.test:lights.intent',
        afterMs: 0,
      },
    );
    timers.advance(60_000);
    await settled();
    assert.deepEqual(hub.asked, []);
    assert.equal(satellite.pending, 0);
    assert.equal(timers.scheduled.size, 0);
  });

  it('asks the hub after complete_intent_failure and speaks its answer on the local bus for the local session', async () => {
    const u = utterance('tell me a joke', 'default', { client_name: 'listener' });
    const handled = bus.waitForMessage(
      'ovos.utterance.handled',
      2000,
      (m) => m.context[SATELLITE_MARK] === true,
    );
    bus.emit(u);
    assert.ok(await handled);
    assert.deepEqual(hub.asked, [
      { utterance: 'tell me a joke', options: { timeoutMs: 10_000, lang: 'en-US' } },
    ]);
    const types = seen.map((m) => m.type);
    const failure = types.indexOf('complete_intent_failure');
    const speakIndex = seen.findIndex((m) => m.data.utterance === JOKE);
    assert.ok(failure >= 0 && speakIndex > failure, types.join(','));
    const speak = seen[speakIndex]!;
    assert.equal(speak.context.destination, 'audio', 'a reply of the utterance goes back to its source');
    assert.deepEqual(speak.context.source, ['skills']);
    assert.deepEqual(speak.context.session, { session_id: 'default' }, 'the local session, not the hub one');
    assert.equal(speak.context.client_name, 'listener');
    assert.equal(speak.data.lang, 'en-US');
    assert.equal(speak.context[SATELLITE_MARK], true);
    assert.equal(types.lastIndexOf('ovos.utterance.handled') > speakIndex, true);
    const asked = await waitEvent('asked-hub');
    assert.equal(asked.reason, 'intent-failure');
    assert.equal(asked.latencyMs, 0);
    assert.match(
      formatSatelliteEvent(asked),
      /^asked hub: "tell me a joke" after complete_intent_failure → 1 answer, first answer 0 ms/,
    );
  });

  it("asks the hub when the unknown-fallback skill is chosen, but not for another fallback skill's request", async () => {
    mode = 'unknown-fallback';
    bus.emit(utterance('tell me a joke'));
    const asked = await waitEvent('asked-hub');
    assert.equal(asked.reason, 'unknown-fallback');

    events.length = 0;
    hub.asked.length = 0;
    mode = 'slow-fallback';
    const u = utterance('what is the meaning of life', 's2');
    bus.emit(u);
    await settled();
    bus.emit(reply(u, 'ovos.skills.fallback.chatbot.example.request', { skill_id: 'chatbot.example' }));
    const local = await waitEvent('handled-locally');
    assert.equal(local.by, 'ovos.skills.fallback.chatbot.example.request');
    assert.deepEqual(hub.asked, []);
  });

  it('asks the hub after the grace period only when nothing on the local bus answers at all', async () => {
    mode = 'silent';
    bus.emit(utterance('tell me a joke'));
    await settled();
    timers.advance(1499);
    await settled();
    assert.deepEqual(hub.asked, []);
    timers.advance(1);
    const asked = await waitEvent('asked-hub');
    assert.equal(asked.reason, 'grace-period');
    assert.equal(hub.asked.length, 1);
  });

  it('a pipeline that shows activity is waited for: decided by its events, not by the grace timer', async () => {
    mode = 'slow-fallback';
    const u = utterance('tell me a joke');
    bus.emit(u);
    await settled();
    timers.advance(10_000);
    await settled();
    assert.deepEqual(hub.asked, [], 'the fallback ping ended the grace period');
    bus.emit(reply(u, 'complete_intent_failure', { ...u.data }));
    const asked = await waitEvent('asked-hub');
    assert.equal(asked.reason, 'intent-failure');
  });

  it('gives up on a pipeline that never decides (decision timeout) without asking the hub', async () => {
    mode = 'slow-fallback';
    bus.emit(utterance('tell me a joke'));
    await settled();
    timers.advance(30_000);
    const event = await waitEvent('undecided');
    assert.equal(event.type, 'undecided');
    assert.deepEqual(hub.asked, []);
    assert.equal(satellite.pending, 0);
  });

  it('keeps sessions apart: a failure in one session does not decide another', async () => {
    mode = 'slow-fallback';
    const a = utterance('first question', 'session-a');
    const b = utterance('second question', 'session-b');
    bus.emit(a);
    bus.emit(b);
    await settled();
    bus.emit(reply(b, 'complete_intent_failure', { ...b.data }));
    await waitEvent('asked-hub');
    assert.deepEqual(
      hub.asked.map((x) => x.utterance),
      ['second question'],
    );
    assert.equal(satellite.pending, 1);
  });

  it("emits what the hub sends on its own on the local bus, as the device's own, and never sends it back", async () => {
    const broadcast = bus.waitForMessage('speak', 1000, (m) => m.data.utterance === 'dinner is ready');
    hub.send(
      createMessage('speak', { utterance: 'dinner is ready' }, { session: { session_id: 'admin-session' } }),
    );
    const got = await broadcast;
    assert.ok(got);
    assert.equal(got.context.session, undefined, 'a foreign session is removed');
    assert.equal(got.context[SATELLITE_MARK], true);

    const late = bus.waitForMessage('speak', 1000, (m) => m.data.utterance === 'your timer is done');
    hub.send(
      createMessage('speak', { utterance: 'your timer is done' }, { session: { session_id: HUB_SESSION } }),
    );
    assert.ok(await late, "a hub skill's later speak for this client is said");

    hub.send(createMessage('ovos.session.update', {}, { session: { session_id: HUB_SESSION } }));
    const relayed = bus.waitForMessage('recognizer_loop:utterance', 1000);
    hub.send(utterance('tell me a joke', 'default'));
    assert.ok(await relayed);
    await settled();
    timers.advance(5000);
    await settled();
    assert.deepEqual(hub.asked, [], 'an utterance that came from the hub is not sent back to it');
    assert.equal(
      seen.some((m) => m.type === 'ovos.session.update'),
      false,
      "the hub's own bookkeeping for this client stays off the device",
    );
  });

  it('reports a hub failure and says nothing locally', async () => {
    hub.failWith = new HiveLinkError('HL_ERR_ASK_TIMEOUT', 'no answer within 10000 ms');
    bus.emit(utterance('tell me a joke'));
    const failed = await waitEvent('hub-failed');
    assert.equal(failed.error.code, 'HL_ERR_ASK_TIMEOUT');
    await settled();
    assert.equal(
      seen.some((m) => m.context[SATELLITE_MARK] === true),
      false,
    );
  });

  it('ends the turn with ovos.utterance.handled when the hub did not understand either', async () => {
    hub.understood = false;
    const handled = bus.waitForMessage(
      'ovos.utterance.handled',
      2000,
      (m) => m.context[SATELLITE_MARK] === true,
    );
    bus.emit(utterance('purple monkey dishwasher'));
    assert.ok(await handled);
    const asked = await waitEvent('asked-hub');
    assert.equal(asked.handled, false);
    assert.equal(asked.latencyMs, null);
  });

  it('stop() ends the bridge: later utterances are ignored', async () => {
    satellite.stop();
    bus.emit(utterance('tell me a joke'));
    await settled();
    timers.advance(5000);
    await settled();
    assert.deepEqual(hub.asked, []);
    assert.deepEqual(events, []);
  });

  it('rejects bad options with HL_ERR_INVALID_ARGUMENT', () => {
    assert.throws(
      () => new Satellite({ bus, hub, graceMs: -1 }),
      (err: HiveLinkError) => err.code === 'HL_ERR_INVALID_ARGUMENT' && /graceMs/.test(err.message),
    );
    assert.throws(
      () => new Satellite({ bus: {} as MemoryBus, hub }),
      (err: HiveLinkError) => err.code === 'HL_ERR_INVALID_ARGUMENT',
    );
    assert.throws(
      () => satellite.start(),
      (err: HiveLinkError) => err.code === 'HL_ERR_INVALID_ARGUMENT',
    );
  });
});
