/**
 * `POST /v1/ask` over real HTTP on 127.0.0.1 port 0, against a hub whose agent is the embedded assistant: a token
 * asks as its client, and that client's permissions apply as on its websocket (revocation, allowed types, IP rules,
 * rate limit, blocked skills), with the documented JSON errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { en as jokeLocale } from '../../src/assistant/skills/joke/locale/en.js';
import type { ClientRecord } from '../../src/store/types.js';
import { clientWithToken, errorCode, postAsk, type RestHub, startRestHub } from './rest-harness.js';

const JOKES: readonly string[] = jokeLocale.dialogs?.joke ?? [];
const JOKE_SKILL = 'hivelink-joke.hivelink';
const UTTERANCE_TYPE = 'recognizer_loop:utterance';

interface AskBody {
  answers: string[];
  session_id: string;
  handled: boolean;
}

describe('REST POST /v1/ask (embedded assistant)', () => {
  let h: RestHub;
  const tokens: Record<string, string> = {};
  let noUtterancesId = 0;

  before(async () => {
    assert.ok(JOKES.length > 0, 'the joke skill has jokes to recognise');
    h = await startRestHub({
      config: { limits: { restMaxBodyBytes: 2048 } },
      prepare: async (store) => {
        tokens.alice = (await clientWithToken(store, 'alice')).token;
        tokens.bob = (await clientWithToken(store, 'bob')).token;
        tokens.noJokes = (await clientWithToken(store, 'no-jokes', { blockedSkills: [JOKE_SKILL] })).token;
        tokens.slow = (await clientWithToken(store, 'slow', { rateLimitPerSecond: 1 })).token;
        const mute = await clientWithToken(store, 'mute');
        tokens.mute = mute.token;
        noUtterancesId = mute.id;
        const denied = await clientWithToken(store, 'denied-ip');
        tokens.deniedIp = denied.token;
        await store.addIpRule({ cidr: '127.0.0.0/8', action: 'deny', clientId: denied.id });
        const revoked = await clientWithToken(store, 'revoked-token');
        tokens.revokedToken = revoked.token;
        await store.revokeToken(revoked.token);
        const gone = await clientWithToken(store, 'revoked-client');
        tokens.revokedClient = gone.token;
        await store.revokeClient(gone.id);
      },
    });
    // The store always lets a client send utterances; a record without that type (an older database, a future
    // policy) is simulated by rewriting the record the hub reads for the token.
    const store = h.data.store;
    const original = store.clientForToken.bind(store);
    store.clientForToken = async (token: string): Promise<ClientRecord | null> => {
      const record = await original(token);
      if (record === null || record.id !== noUtterancesId) return record;
      return { ...record, allowedTypes: record.allowedTypes.filter((t) => t !== UTTERANCE_TYPE) };
    };
  });
  after(() => h.close());

  it('answers a joke with handled: true and the session id it was given', async () => {
    const r = await postAsk(h.base, tokens.alice!, {
      utterance: 'tell me a joke',
      lang: 'en-us',
      session_id: 'rest-1',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const body = r.body as AskBody;
    assert.equal(body.handled, true);
    assert.equal(body.session_id, 'rest-1');
    assert.equal(body.answers.length, 1);
    assert.ok(JOKES.includes(body.answers[0]!), `a joke: ${body.answers[0]}`);
  });

  it('makes up a session id when none is given, and says not understood with handled: false', async () => {
    const r = await postAsk(h.base, tokens.alice!, { utterance: 'purple monkey dishwasher quantum' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const body = r.body as AskBody;
    assert.equal(body.handled, false);
    assert.deepEqual(body.answers, []);
    assert.match(body.session_id, /^[0-9a-f-]{36}$/);
  });

  it('routes the answers of two asks on the same session back to each of them', async () => {
    const [a, b] = await Promise.all([
      postAsk(h.base, tokens.alice!, { utterance: 'tell me a joke', session_id: 'shared' }),
      postAsk(h.base, tokens.alice!, { utterance: 'what is two plus two', session_id: 'shared' }),
    ]);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(b.status, 200, JSON.stringify(b.body));
    assert.ok(JOKES.includes((a.body as AskBody).answers[0]!), JSON.stringify(a.body));
    assert.equal((b.body as AskBody).answers.length, 1, JSON.stringify(b.body));
    assert.ok(!JOKES.includes((b.body as AskBody).answers[0]!), 'the other ask got its own answer');
    assert.match((b.body as AskBody).answers[0]!, /\b4\b|four/i);
  });

  it('refuses a request without a token, with a malformed header, or with an unknown token (401)', async () => {
    for (const [token, headers] of [
      [null, {}],
      [null, { authorization: 'Basic dXNlcjpwYXNz' }],
      [null, { authorization: 'Bearer' }],
      ['hlt_not-a-real-token', {}],
    ] as const) {
      const r = await postAsk(h.base, token, { utterance: 'tell me a joke' }, headers);
      assert.equal(r.status, 401, JSON.stringify(r.body));
      assert.equal(errorCode(r), 'HL_ERR_TOKEN_INVALID');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer /);
    }
  });

  it('refuses a revoked token and a token of a revoked client (401)', async () => {
    for (const token of [tokens.revokedToken!, tokens.revokedClient!]) {
      const r = await postAsk(h.base, token, { utterance: 'tell me a joke' });
      assert.equal(r.status, 401, JSON.stringify(r.body));
      assert.equal(errorCode(r), 'HL_ERR_TOKEN_INVALID');
    }
  });

  it('refuses a client that may not send utterances (403 HL_ERR_POLICY_DENIED)', async () => {
    const r = await postAsk(h.base, tokens.mute!, { utterance: 'tell me a joke' });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(errorCode(r), 'HL_ERR_POLICY_DENIED');
  });

  it("refuses a caller the client's IP rules deny (403 HL_ERR_IP_DENIED)", async () => {
    const r = await postAsk(h.base, tokens.deniedIp!, { utterance: 'tell me a joke' });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(errorCode(r), 'HL_ERR_IP_DENIED');
  });

  it('keeps a blocked skill blocked over REST while another client still gets jokes', async () => {
    const blocked = await postAsk(h.base, tokens.noJokes!, { utterance: 'tell me a joke', lang: 'en-us' });
    assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
    const body = blocked.body as AskBody;
    assert.ok(!body.answers.some((a) => JOKES.includes(a)), `no joke: ${JSON.stringify(body.answers)}`);
    assert.equal(body.handled, false);
    const other = await postAsk(h.base, tokens.bob!, { utterance: 'tell me a joke', lang: 'en-us' });
    assert.equal(other.status, 200);
    assert.ok(JOKES.includes((other.body as AskBody).answers[0]!), 'bob still gets a joke');
  });

  it('answers 429 with Retry-After once the client is over its rate limit', async () => {
    // 1 message/s allows a burst of 2: of 6 requests sent at once, some must be refused.
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => postAsk(h.base, tokens.slow!, { utterance: 'tell me a joke' })),
    );
    const limited = answers.filter((a) => a.status === 429);
    assert.ok(limited.length >= 1, `statuses: ${answers.map((a) => a.status).join(',')}`);
    assert.ok(
      answers.some((a) => a.status === 200),
      'the burst is served',
    );
    for (const a of limited) {
      assert.equal(errorCode(a), 'HL_ERR_RATE_LIMITED');
      assert.equal(a.headers.get('retry-after'), '1');
    }
  });

  it('refuses a body over restMaxBodyBytes (413)', async () => {
    const r = await postAsk(h.base, tokens.alice!, { utterance: `tell me a joke ${'x'.repeat(4096)}` });
    assert.equal(r.status, 413, JSON.stringify(r.body));
    assert.equal(errorCode(r), 'HL_ERR_BODY_TOO_LARGE');
  });

  it('refuses bodies that are not an ask request (400)', async () => {
    const bad: unknown[] = [
      '{"utterance": ',
      '[]',
      '"tell me a joke"',
      {},
      { utterance: '' },
      { utterance: '   ' },
      { utterance: 42 },
      { utterance: 'hi', lang: 'not a language!' },
      { utterance: 'hi', session_id: '' },
      { utterance: 'hi', timeout_ms: 0 },
      { utterance: 'hi', timeout_ms: 10_001 },
      { utterance: 'hi', timeout_ms: 1.5 },
    ];
    for (const body of bad) {
      const r = await postAsk(h.base, tokens.alice!, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
      assert.equal(errorCode(r), 'HL_ERR_BAD_REQUEST', JSON.stringify(body));
    }
  });

  it('refuses a body that is not JSON (415)', async () => {
    const r = await postAsk(h.base, tokens.alice!, '<ask/>', { 'content-type': 'application/xml' });
    assert.equal(r.status, 415, JSON.stringify(r.body));
    assert.equal(errorCode(r), 'HL_ERR_BAD_REQUEST');
  });

  it('answers unknown /v1 routes with a JSON 404', async () => {
    const res = await fetch(`${h.base}/v1/nope`);
    assert.equal(res.status, 404);
    assert.deepEqual(((await res.json()) as { error: { code: string } }).error.code, 'HL_ERR_NOT_FOUND');
  });
});

describe('REST POST /v1/ask (an agent that never answers)', () => {
  let h: RestHub;
  let token = '';

  before(async () => {
    h = await startRestHub({
      assistant: false,
      config: { limits: { restAskTimeoutMs: 300 } },
      prepare: async (store) => {
        token = (await clientWithToken(store, 'waiting')).token;
      },
    });
  });
  after(() => h.close());

  it('answers 408 HL_ERR_ASK_TIMEOUT after the timeout, and the utterance did reach the agent', async () => {
    const seen = new Promise<Record<string, unknown>>((resolve) => {
      const off = h.bus.on('recognizer_loop:utterance', (m) => {
        off();
        resolve(m.context);
      });
    });
    const r = await postAsk(h.base, token, { utterance: 'anyone there?', session_id: 'quiet' });
    assert.equal(r.status, 408, JSON.stringify(r.body));
    assert.equal(errorCode(r), 'HL_ERR_ASK_TIMEOUT');
    const context = await seen;
    assert.match(String(context.source), /^rest::\d+::waiting::quiet$/);
    const session = context.session as { session_id: string };
    assert.match(session.session_id, /^[0-9a-f]{16}:quiet$/, 'the session id is NAT-ed into the namespace');
  });

  it('lets a request ask for a shorter timeout, never a longer one', async () => {
    const r = await postAsk(h.base, token, { utterance: 'hello?', timeout_ms: 50 });
    assert.equal(r.status, 408);
    const longer = await postAsk(h.base, token, { utterance: 'hello?', timeout_ms: 301 });
    assert.equal(longer.status, 400);
  });

  it('ends an ask in flight with 503 HL_ERR_HUB_UNAVAILABLE when the hub stops (last: it stops the hub)', async () => {
    const reached = new Promise<void>((resolve) => {
      const off = h.bus.on('recognizer_loop:utterance', () => {
        off();
        resolve();
      });
    });
    const pending = postAsk(h.base, token, { utterance: 'still there?' });
    await reached;
    await h.hub.stop();
    const r = await pending;
    assert.equal(r.status, 503, JSON.stringify(r.body));
    assert.equal(errorCode(r), 'HL_ERR_HUB_UNAVAILABLE');
    const later = await postAsk(h.base, token, { utterance: 'hello?' });
    assert.equal(later.status, 503);
  });
});
