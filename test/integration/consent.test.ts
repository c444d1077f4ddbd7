/**
 * Consent (issue 11, docs/PROTOCOL.md §12.8) over real sockets: a hub from compose.ts with its embedded assistant and
 * satellites in rooms. A relayed order from another room is held and the recipient asked ("office wants to talk to
 * you. Allow?", expect_response); "yes" by voice delivers it and is remembered, "no" refuses it with both warnings
 * and is remembered too; `hivelink consent forget` (a real child process) makes the recipient be asked again, and
 * `hivelink consent allow` releases a held message in the running hub; a held message times out with its reason;
 * `clients set --consent deny|allow` wins over everything; a client of the recipient's room needs no consent; the
 * SDK answers with `hive.house.consent`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MessageData } from '../../src/bus/types.js';
import { buildOnce, childEnv, run } from './cli-process.js';
import { type House, heard, type Satellite, say, startHouse, until } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

const QUESTION = /^office wants to talk to you\. Allow\?$/;

/** The next BUS event `type` the satellite gets after `start` received messages. */
async function eventAfter(sat: Satellite, type: string, start: number): Promise<MessageData> {
  const m = await sat.peer.waitFor(
    (x) => sat.peer.received.indexOf(x) >= start && (x.payload as unknown as MessageData).type === type,
  );
  return m.payload as unknown as MessageData;
}

/** The next speak the satellite hears after `start` received messages that matches. */
async function heardAfter(sat: Satellite, utterance: RegExp, start: number): Promise<string> {
  const m = await sat.peer.waitFor((x) => {
    const p = x.payload as unknown as MessageData;
    return (
      sat.peer.received.indexOf(x) >= start &&
      p.type === 'speak' &&
      utterance.test(String(p.data?.utterance ?? ''))
    );
  });
  return String((m.payload as unknown as MessageData).data.utterance);
}

describe('consent: is the office a friend?', () => {
  let h: House;
  let office: Satellite;
  let kitchen: Satellite;
  let kitchenTablet: Satellite;
  let garage: Satellite;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => run([...args, '--data-dir', h.dataDir], env);

  before(async () => {
    buildOnce();
    h = await startHouse({ limits: { policyRefreshMs: 50 } });
    env = childEnv();
    office = await h.satellite('office-pc', { siteId: 'office' });
    kitchen = await h.satellite('kitchen-speaker', { siteId: 'kitchen', consent: 'ask' });
    kitchenTablet = await h.satellite('kitchen-tablet', { siteId: 'kitchen', consent: 'ask' });
    garage = await h.satellite('garage-pi', {
      siteId: 'garage',
      consent: 'ask',
      allowedTypes: ['recognizer_loop:utterance', 'hive.house.consent'],
    });
  });
  after(() => h?.close());

  it('holds a message from another room, asks the recipient, and delivers it on a spoken yes', async () => {
    assert.equal(
      await say(office.peer, 'tell the kitchen dinner is ready'),
      'I asked the kitchen to allow you first. You will hear when they answer.',
    );
    const question = await heard(kitchen.peer, QUESTION);
    assert.equal(question.data.expect_response, true);
    assert.deepEqual(question.data.consent, { sender: 'office-pc', sender_id: office.id });
    // The tablet is asked too (it is a client of its own); nothing was delivered yet.
    await heard(kitchenTablet.peer, QUESTION);
    assert.ok(!kitchen.peer.busOf('speak').some((m) => m.data.utterance === 'office says: dinner is ready'));

    const officeStart = office.peer.received.length;
    kitchen.peer.sendBus('recognizer_loop:utterance', { utterances: ['yes'], lang: 'en-US' });
    await heard(kitchen.peer, 'office says: dinner is ready');
    await heard(kitchen.peer, 'OK, office-pc may talk to you.');
    await heardAfter(office, /^Kitchen accepted\. Your message went through\.$/, officeStart);
    const granted = await eventAfter(office, 'hive.house.consent.granted', officeStart);
    assert.deepEqual(granted.data, { recipient: 'kitchen', what: 'message' });
    assert.equal((await h.composed.data.store.consent.get(office.id, kitchen.id))?.allow, true);
  });

  it('remembers the yes: the next message goes straight through', async () => {
    // The tablet has not answered yet: its copy still waits; the speaker gets the next one at once.
    assert.equal(await say(office.peer, 'tell the kitchen the soup is hot'), 'Told the kitchen.');
    await heard(kitchen.peer, 'office says: the soup is hot');
  });

  it('needs no consent from a client of the same room', async () => {
    const tabletStart = kitchenTablet.peer.received.length;
    assert.equal(await say(kitchen.peer, 'tell the kitchen the kettle boiled'), 'Told the kitchen.');
    await heardAfter(kitchenTablet, /^kitchen says: the kettle boiled$/, tabletStart);
  });

  it('refuses on a spoken no, warns both sides, and remembers it', async () => {
    const officeStart = office.peer.received.length;
    const garageStart = garage.peer.received.length;
    assert.match(await say(office.peer, 'tell the garage the car is ready'), /^I asked the garage/);
    await heardAfter(garage, QUESTION, garageStart);
    garage.peer.sendBus('recognizer_loop:utterance', { utterances: ['no'], lang: 'en-US' });
    // The sender: a spoken line and HiveMind's connection.refused.warning equivalent.
    await heardAfter(office, /^Garage refused your message\.$/, officeStart);
    const refused = await eventAfter(office, 'hive.house.consent.refused', officeStart);
    assert.deepEqual(refused.data, { recipient: 'garage', what: 'message', code: 'HL_ERR_CONSENT_DENIED' });
    // The recipient: told an attempt was made (connection.attempt.warning).
    await heardAfter(garage, /^office tried to reach you\.$/, garageStart);
    const attempt = await eventAfter(garage, 'hive.house.consent.attempt', garageStart);
    assert.deepEqual(attempt.data, { sender: 'office', sender_id: office.id });
    assert.ok(!garage.peer.busOf('speak').some((m) => m.data.utterance === 'office says: the car is ready'));
    // Remembered: the next one is refused at once, and the garage is told again.
    const again = garage.peer.received.length;
    assert.equal(
      await say(office.peer, 'tell the garage hello'),
      'The garage does not accept messages from you.',
    );
    await eventAfter(garage, 'hive.house.consent.attempt', again);
  });

  it('the SDK answers with hive.house.consent {sender, allow}, and the CLI lists the answers', async () => {
    garage.peer.sendBus('hive.house.consent', { sender: office.id, allow: true }, { request_id: 'c-1' });
    const answer = await garage.peer.waitForBus('hive.house.consent.response');
    assert.equal(answer.data.ok, true);
    assert.equal(answer.data.sender, 'office-pc');
    assert.equal(answer.data.allow, true);
    assert.equal(await say(office.peer, 'tell the garage hello again'), 'Told the garage.');
    await heard(garage.peer, 'office says: hello again');

    const listed = await cli('consent', 'list', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    const json = JSON.parse(listed.stdout) as { answers: { sender: { name: string }; allow: boolean }[] };
    assert.deepEqual(
      json.answers.map((a) => [a.sender.name, a.allow]),
      [
        ['office-pc', true],
        ['office-pc', true],
      ],
    );
  });

  it('hivelink consent forget makes the recipient be asked again; consent allow releases what it holds', async () => {
    const forgot = await cli('consent', 'forget', String(office.id), String(kitchen.id));
    assert.equal(forgot.code, 0, forgot.stderr);
    assert.match(forgot.stdout, /it will be asked again/);
    const start = kitchen.peer.received.length;
    assert.match(await say(office.peer, 'tell the kitchen lunch is ready'), /^I asked the kitchen/);
    await heardAfter(kitchen, QUESTION, start);
    // The admin answers for the kitchen from the CLI: the running hub sees the store change and delivers.
    const officeStart = office.peer.received.length;
    const allowed = await cli('consent', 'allow', String(office.id), String(kitchen.id));
    assert.equal(allowed.code, 0, allowed.stderr);
    await heardAfter(kitchen, /^office says: lunch is ready$/, start);
    await eventAfter(office, 'hive.house.consent.granted', officeStart);
  });

  it('clients set --consent deny refuses every direct message, --consent allow takes every one', async () => {
    const denied = await cli('clients', 'set', String(kitchen.id), '--consent', 'deny', '--json');
    assert.equal(denied.code, 0, denied.stderr);
    assert.equal((JSON.parse(denied.stdout) as { consent: string }).consent, 'deny');
    const shown = await cli('clients', 'show', String(kitchen.id), '--json');
    assert.equal((JSON.parse(shown.stdout) as { consent: string }).consent, 'deny');
    await until(() =>
      [...h.composed.hub.ctx.peers.values()].some(
        (p) => p.record.id === kitchen.id && p.record.consent === 'deny',
      ),
    );
    // The stored yes no longer counts; the tablet still asks, so this one is held for it.
    assert.match(await say(office.peer, 'tell the kitchen are you there'), /^I asked the kitchen/);
    assert.ok(!kitchen.peer.busOf('speak').some((m) => m.data.utterance === 'office says: are you there'));

    const allowedAll = await cli('clients', 'set', String(garage.id), '--consent', 'allow');
    assert.equal(allowedAll.code, 0, allowedAll.stderr);
    await until(() =>
      [...h.composed.hub.ctx.peers.values()].some(
        (p) => p.record.id === garage.id && p.record.consent === 'allow',
      ),
    );
    await h.composed.data.store.consent.set(office.id, garage.id, false);
    assert.equal(await say(office.peer, 'tell the garage open the door'), 'Told the garage.');
    await heard(garage.peer, 'office says: open the door');
  });
});

describe('consent: a held message that nobody answers', () => {
  let h: House;
  let office: Satellite;
  let cellar: Satellite;

  before(async () => {
    h = await startHouse({ limits: { consentTimeoutMs: 300, maxHeldMessagesPerClient: 1 } });
    office = await h.satellite('office-pc', { siteId: 'office' });
    cellar = await h.satellite('cellar-pi', { siteId: 'cellar', consent: 'ask' });
  });
  after(() => h?.close());

  it('is dropped after consentTimeoutMs, and the sender hears why', async () => {
    const start = office.peer.received.length;
    assert.match(await say(office.peer, 'tell the cellar the wine is here'), /^I asked the cellar/);
    // maxHeldMessagesPerClient 1: a second one for the same recipient is not held.
    assert.equal(
      await say(office.peer, 'tell the cellar the beer is here'),
      'Too many messages are waiting for an answer already. Try again later.',
    );
    await heardAfter(office, /^Cellar did not answer, so your message was not delivered\.$/, start);
    const refused = await eventAfter(office, 'hive.house.consent.refused', start);
    assert.equal(refused.data.code, 'HL_ERR_CONSENT_TIMEOUT');
    assert.ok(!cellar.peer.busOf('speak').some((m) => /wine/.test(String(m.data.utterance))));
    assert.equal(await h.composed.data.store.consent.get(office.id, cellar.id), null);
  });
});

describe('consent over REST (an admin token)', () => {
  let h: House;
  let office: Satellite;
  let attic: Satellite;
  let admin: string;
  let notAdmin: string;

  const rest = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${h.base}/v1/consent${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    // The store poll is slow here: a REST answer must settle what waits by itself.
    h = await startHouse({ limits: { policyRefreshMs: 60_000 } });
    office = await h.satellite('office-pc', { siteId: 'office' });
    attic = await h.satellite('attic-pi', { siteId: 'attic', consent: 'ask' });
    const ops = await h.client('ops', { isAdmin: true });
    admin = await h.composed.data.store.issueToken(ops.id);
    notAdmin = await h.composed.data.store.issueToken(office.id);
  });
  after(() => h?.close());

  it('records an answer that releases what waits at once, lists it, and forgets it', async () => {
    assert.match(await say(office.peer, 'tell the attic the mail came'), /^I asked the attic/);
    await heard(attic.peer, QUESTION);
    const path = `/${office.id}/${attic.id}`;
    assert.equal((await rest('PUT', path, notAdmin, { allow: true })).status, 403);
    assert.equal((await rest('PUT', path, admin, { allow: 'yes' })).status, 400);
    assert.equal((await rest('PUT', `/${office.id}/999`, admin, { allow: true })).status, 404);

    const set = await rest('PUT', path, admin, { allow: true });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual(set.body.sender, { id: office.id, name: 'office-pc' });
    assert.equal(set.body.allow, true);
    await heard(attic.peer, 'office says: the mail came');

    const list = await rest('GET', '', admin);
    assert.equal(list.status, 200);
    const answers = list.body.answers as {
      sender: { id: number };
      recipient: { id: number };
      allow: boolean;
    }[];
    assert.ok(answers.some((a) => a.sender.id === office.id && a.recipient.id === attic.id && a.allow));

    assert.equal((await rest('DELETE', path, admin)).body.forgotten, true);
    assert.equal((await rest('DELETE', path, admin)).body.forgotten, false);
    assert.equal((await rest('GET', '', notAdmin)).status, 403);
  });
});
