/**
 * Issue 9: REST `POST /v1/ask` and the SDK's `ask()` end a turn by the same rule (src/session/turn.ts), over real
 * HTTP and a real websocket on 127.0.0.1 port 0:
 * - a skill's question (`speak` with `expect_response: true`) ends the turn at once with `expect_response: true`,
 *   and the reply, asked next on the same session, reaches the skill;
 * - after `complete_intent_failure` the turn waits (the settle wait) for a fallback's answer instead of ending at
 *   the failure, and with nothing more ends not understood (200 `handled: false`, not a 408).
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { forward, reply } from '../../src/bus/message.js';
import type { MessageData } from '../../src/bus/types.js';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import { FAILURE_SETTLE_MS } from '../../src/session/turn.js';
import type { ClientStore } from '../../src/store/types.js';
import { postAsk, type RestHub, startRestHub } from './rest-harness.js';

interface AskBody {
  answers: string[];
  session_id: string;
  handled: boolean;
  expect_response: boolean;
}

interface Credentials {
  token: string;
  accessKey: string;
  password: string;
}

async function credentials(store: ClientStore, name: string): Promise<Credentials> {
  const { record, password } = await store.addClient({ name });
  return { token: await store.issueToken(record.id), accessKey: record.accessKey, password };
}

/** The client generates its Noise key and the hub pins it: one HiveClient per credentials. */
async function sdkClient(h: RestHub, c: Credentials, clients: HiveClient[]): Promise<HiveClient> {
  const client = createHiveClient({
    url: h.base.replace(/^http/, 'ws'),
    accessKey: c.accessKey,
    password: c.password,
    reconnect: { enabled: false },
  });
  clients.push(client);
  await client.connect();
  return client;
}

async function restAsk(h: RestHub, token: string, body: Record<string, unknown>): Promise<AskBody> {
  const r = await postAsk(h.base, token, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as AskBody;
}

describe('REST /v1/ask and the SDK: a question ends the turn (embedded assistant)', () => {
  let h: RestHub;
  let rest: Credentials;
  let sdk: Credentials;
  const clients: HiveClient[] = [];

  before(async () => {
    h = await startRestHub({
      prepare: async (store) => {
        rest = await credentials(store, 'rest-user');
        sdk = await credentials(store, 'sdk-user');
      },
    });
  });
  after(async () => {
    for (const c of clients) c.close();
    await h.close();
  });

  it('answers a question with expect_response: true at once, like the SDK, and takes the reply next', async () => {
    const client = await sdkClient(h, sdk, clients);
    const [overRest, overSdk] = await Promise.all([
      restAsk(h, rest.token, { utterance: 'ask me a question', session_id: 'dialogue' }),
      client.ask('ask me a question'),
    ]);
    assert.deepEqual(overRest, {
      answers: ['What is your favourite colour?'],
      session_id: 'dialogue',
      handled: true,
      expect_response: true,
    });
    assert.deepEqual(
      { answers: overSdk.answers, handled: overSdk.handled, expectsResponse: overSdk.expectsResponse },
      { answers: overRest.answers, handled: true, expectsResponse: true },
    );

    const [replyRest, replySdk] = await Promise.all([
      restAsk(h, rest.token, { utterance: 'blue', session_id: 'dialogue' }),
      client.ask('green'),
    ]);
    assert.deepEqual(replyRest.answers, ['I will remember that your favourite colour is blue.']);
    assert.equal(replyRest.expect_response, false);
    assert.deepEqual(replySdk.answers, ['I will remember that your favourite colour is green.']);
    assert.equal(replySdk.expectsResponse, undefined);
  });
});

describe('REST /v1/ask and the SDK: the wait after complete_intent_failure (a scripted agent)', () => {
  let h: RestHub;
  let rest: Credentials;
  let sdk: Credentials;
  const clients: HiveClient[] = [];
  let client: HiveClient;
  const offs: Array<() => void> = [];
  const ASK_TIMEOUT_MS = 5000;
  const first = (m: MessageData): unknown => (m.data.utterances as unknown[] | undefined)?.[0];

  before(async () => {
    h = await startRestHub({
      assistant: false,
      config: { limits: { restAskTimeoutMs: ASK_TIMEOUT_MS } },
      prepare: async (store) => {
        rest = await credentials(store, 'rest-user');
        sdk = await credentials(store, 'sdk-user');
      },
    });
    client = await sdkClient(h, sdk, clients);
    // A core that gives up on everything and, like a classic core, sends no ovos.utterance.handled after it.
    offs.push(
      h.bus.on('recognizer_loop:utterance', (m) => {
        h.bus.emit(reply(m, 'complete_intent_failure', { ...m.data }));
      }),
    );
    // A fallback that answers only after the core gave up (a bridge listening for the failure).
    offs.push(
      h.bus.on('complete_intent_failure', (m) => {
        if (first(m) !== 'anything for a late fallback') return;
        h.bus.emit(forward(m, 'speak', { utterance: 'Sorry, I only know jokes.', expect_response: false }));
        h.bus.emit(forward(m, 'ovos.utterance.handled', {}));
      }),
    );
  });
  after(async () => {
    for (const off of offs) off();
    for (const c of clients) c.close();
    await h.close();
  });

  it("keeps the fallback's answer that follows the failure (REST used to end at the failure), like the SDK", async () => {
    const utterance = 'anything for a late fallback';
    const [overRest, overSdk] = await Promise.all([
      restAsk(h, rest.token, { utterance, session_id: 'late' }),
      client.ask(utterance),
    ]);
    assert.deepEqual(overRest, {
      answers: ['Sorry, I only know jokes.'],
      session_id: 'late',
      handled: true,
      expect_response: false,
    });
    assert.deepEqual(overSdk, { answers: ['Sorry, I only know jokes.'], handled: true, timedOut: false });
  });

  it(`with nothing after the failure, ends not understood after the ${FAILURE_SETTLE_MS} ms wait, like the SDK`, async () => {
    const utterance = 'purple monkey dishwasher';
    const started = performance.now();
    const [overRest, overSdk] = await Promise.all([
      restAsk(h, rest.token, { utterance, session_id: 'lost' }),
      client.ask(utterance, { timeoutMs: ASK_TIMEOUT_MS }),
    ]);
    const elapsed = performance.now() - started;
    assert.deepEqual(overRest, { answers: [], session_id: 'lost', handled: false, expect_response: false });
    assert.deepEqual(overSdk, { answers: [], handled: false, timedOut: false });
    assert.ok(elapsed >= FAILURE_SETTLE_MS - 5, `waited after the failure (${Math.round(elapsed)} ms)`);
    assert.ok(elapsed < ASK_TIMEOUT_MS, `ended by the wait, not the ask timeout (${Math.round(elapsed)} ms)`);
  });
});
