/**
 * Intercom lines (issue 11, docs/PROTOCOL.md §12.9) over real sockets: "intercom the garage" by voice opens a line,
 * both ends hear and see it open, each utterance is spoken on the other side ("office: …") instead of being
 * answered, both ways, until "end intercom" on either side; the SDK opens and ends one with `hive.house.intercom`
 * and `hive.house.intercom.end`; a call to a client that must consent rings until it says yes, and one it refused is
 * refused; a line closes when a side disconnects or stays silent for intercomIdleMs; maxIntercomLines bounds them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MessageData } from '../../src/bus/types.js';
import { type House, type Satellite, say, startHouse, until } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

const LINE_TYPES = ['recognizer_loop:utterance', 'hive.house.intercom', 'hive.house.intercom.end'];

/** The next message of `type` (and, for speak, matching `utterance`) the satellite gets after `start`. */
async function next(sat: Satellite, start: number, type: string, utterance?: RegExp): Promise<MessageData> {
  const m = await sat.peer.waitFor((x) => {
    const p = x.payload as unknown as MessageData;
    return (
      sat.peer.received.indexOf(x) >= start &&
      p.type === type &&
      (utterance === undefined || utterance.test(String(p.data?.utterance ?? '')))
    );
  });
  return m.payload as unknown as MessageData;
}

function utter(sat: Satellite, text: string): number {
  const start = sat.peer.received.length;
  sat.peer.sendBus('recognizer_loop:utterance', { utterances: [text], lang: 'en-US' });
  return start;
}

describe('intercom lines', () => {
  let h: House;
  let office: Satellite;
  let garage: Satellite;
  let attic: Satellite;
  let porch: Satellite;

  before(async () => {
    h = await startHouse({ limits: { maxIntercomLines: 1 } });
    office = await h.satellite('office-pc', { siteId: 'office', allowedTypes: LINE_TYPES });
    garage = await h.satellite('garage-pi', { siteId: 'garage', allowedTypes: LINE_TYPES });
    attic = await h.satellite('attic-pi', { siteId: 'attic', consent: 'ask' });
    porch = await h.satellite('porch-pi', { siteId: 'porch', allowedTypes: LINE_TYPES });
  });
  after(() => h?.close());

  it('opens by voice, carries utterances both ways instead of answering them, and ends by voice', async () => {
    const o = office.peer.received.length;
    const g = garage.peer.received.length;
    utter(office, 'intercom the garage');
    await next(office, o, 'speak', /^The intercom to garage is open\. Say end intercom to hang up\.$/);
    const opened = await next(office, o, 'hive.house.intercom.opened');
    assert.equal(opened.data.with, 'garage');
    assert.equal(opened.data.side, 'caller');
    await next(garage, g, 'speak', /^office opened the intercom\./);
    const calledOpen = await next(garage, g, 'hive.house.intercom.opened');
    assert.equal(calledOpen.data.line, opened.data.line);
    assert.equal(h.composed.hub.ctx.peers.size, 4);

    // Office → garage: spoken there, not answered here.
    const g2 = garage.peer.received.length;
    const o2 = utter(office, 'what time is it');
    await next(garage, g2, 'speak', /^office: what time is it$/);
    // Garage → office.
    utter(garage, 'half past four');
    await next(office, o2, 'speak', /^garage: half past four$/);
    assert.ok(
      !office.peer
        .busOf('speak')
        .slice(-5)
        .some((m) => /^It is|^It's/.test(String(m.data.utterance))),
      'the assistant did not answer an utterance said on the line',
    );

    // Either side ends it: here the called side.
    const o3 = office.peer.received.length;
    const g3 = utter(garage, 'end intercom');
    const closed = await next(office, o3, 'hive.house.intercom.closed');
    assert.deepEqual(closed.data, { line: opened.data.line, with: 'garage', reason: 'ended' });
    await next(office, o3, 'speak', /^The intercom with garage is closed\.$/);
    await next(garage, g3, 'hive.house.intercom.closed');
    // After the line, the assistant answers again.
    assert.match(await say(office.peer, 'what time is it'), /\d/);
  });

  it('opens and ends from the SDK (bus requests), and maxIntercomLines bounds the lines', async () => {
    office.peer.sendBus('hive.house.intercom', { target: 'garage-pi' }, { request_id: 'i-1' });
    const answer = await office.peer.waitFor(
      (x) => (x.payload as unknown as MessageData).context?.request_id === 'i-1',
    );
    const data = (answer.payload as unknown as MessageData).data;
    assert.equal(data.ok, true);
    assert.equal(data.state, 'open');
    assert.equal(data.with, 'garage-pi');
    // One line is the most (maxIntercomLines 1): the porch cannot open another.
    porch.peer.sendBus('hive.house.intercom', { target: 'attic' }, { request_id: 'i-2' });
    const busy = await porch.peer.waitFor(
      (x) => (x.payload as unknown as MessageData).context?.request_id === 'i-2',
    );
    assert.equal((busy.payload as unknown as MessageData).data.code, 'HL_ERR_INTERCOM_LIMIT');

    const g = garage.peer.received.length;
    office.peer.sendBus('hive.house.intercom.end', {}, { request_id: 'i-3' });
    const closed = await next(garage, g, 'hive.house.intercom.closed');
    assert.equal(closed.data.reason, 'ended');
    office.peer.sendBus('hive.house.intercom.end', {}, { request_id: 'i-4' });
    const none = await office.peer.waitFor(
      (x) => (x.payload as unknown as MessageData).context?.request_id === 'i-4',
    );
    assert.equal((none.payload as unknown as MessageData).data.code, 'HL_ERR_INTERCOM_NOT_OPEN');
  });

  it('rings a client that must consent; a yes opens the line, a remembered no refuses it', async () => {
    const o = office.peer.received.length;
    const a = attic.peer.received.length;
    assert.equal(
      await say(office.peer, 'intercom the attic'),
      'I asked attic to allow the intercom. You will hear when they answer.',
    );
    await next(attic, a, 'speak', /^office wants to talk to you\. Allow\?$/);
    utter(attic, 'yes');
    await next(office, o, 'hive.house.consent.granted');
    await next(office, o, 'hive.house.intercom.opened');
    await next(attic, a, 'hive.house.intercom.opened');
    const a2 = attic.peer.received.length;
    utter(office, 'can you hear me');
    await next(attic, a2, 'speak', /^office: can you hear me$/);
    const o2 = utter(office, 'hang up');
    await next(office, o2, 'hive.house.intercom.closed');

    await h.composed.data.store.consent.set(office.id, attic.id, false);
    assert.equal(
      await say(office.peer, 'intercom the attic'),
      'attic does not accept the intercom from you.',
    );
  });

  it('closes when a side disconnects', async () => {
    const o = office.peer.received.length;
    office.peer.sendBus('hive.house.intercom', { target: 'porch' }, { request_id: 'i-5' });
    await next(office, o, 'hive.house.intercom.opened');
    await porch.peer.close();
    const closed = await next(office, o, 'hive.house.intercom.closed');
    assert.equal(closed.data.reason, 'disconnected');
    await until(() => h.composed.hub.ctx.peers.size === 3);
  });
});

describe('intercom lines: idle', () => {
  let h: House;
  let office: Satellite;
  let garage: Satellite;

  before(async () => {
    h = await startHouse({ limits: { intercomIdleMs: 300 } });
    office = await h.satellite('office-pc', { siteId: 'office' });
    garage = await h.satellite('garage-pi', { siteId: 'garage' });
  });
  after(() => h?.close());

  it('closes a line nobody speaks on for intercomIdleMs', async () => {
    const o = utter(office, 'intercom the garage');
    await next(office, o, 'hive.house.intercom.opened');
    const closed = await next(garage, 0, 'hive.house.intercom.closed');
    assert.equal(closed.data.reason, 'idle');
    await next(office, o, 'speak', /^The intercom with garage is closed\.$/);
  });
});
