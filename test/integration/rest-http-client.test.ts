/**
 * `HiveHttpClient` (from the browser entry: global fetch only) against a real hub over HTTP on 127.0.0.1 port 0:
 * answers and session continuity, the hub's error codes as typed errors, an unreachable hub, an injected fetch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { en as jokeLocale } from '../../src/assistant/skills/joke/locale/en.js';
import { type FetchLike, HiveHttpClient } from '../../src/client/index.browser.js';
import { HiveLinkError } from '../../src/errors.js';
import { freePort } from './cli-process.js';
import { clientWithToken, type RestHub, startRestHub } from './rest-harness.js';

const JOKES: readonly string[] = jokeLocale.dialogs?.joke ?? [];

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<HiveLinkError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof HiveLinkError, `a HiveLinkError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('HiveHttpClient', () => {
  let h: RestHub;
  let quiet: RestHub;
  let token = '';
  let quietToken = '';

  before(async () => {
    h = await startRestHub({
      prepare: async (store) => {
        token = (await clientWithToken(store, 'http-client')).token;
      },
    });
    quiet = await startRestHub({
      assistant: false,
      prepare: async (store) => {
        quietToken = (await clientWithToken(store, 'quiet')).token;
      },
    });
  });
  after(async () => {
    await h.close();
    await quiet.close();
  });

  it('asks and gets a joke; the returned session id continues the conversation', async () => {
    const client = new HiveHttpClient({ url: h.base, token });
    const first = await client.ask('tell me a joke');
    assert.equal(first.handled, true);
    assert.ok(JOKES.includes(first.answers[0]!), first.answers[0]);
    const second = await client.ask('tell me a joke', { sessionId: first.sessionId, lang: 'en-us' });
    assert.equal(second.sessionId, first.sessionId);
    assert.notEqual(
      second.answers[0],
      first.answers[0],
      'the same session does not hear the same joke twice',
    );
  });

  it('accepts the ws:// form of the hub URL', async () => {
    const client = new HiveHttpClient({ url: h.base.replace('http:', 'ws:'), token });
    assert.equal((await client.ask('tell me a joke')).handled, true);
  });

  it("turns the hub's errors into HiveLinkErrors with its code", async () => {
    await rejectsWith(
      new HiveHttpClient({ url: h.base, token: 'hlt_nope' }).ask('hi'),
      'HL_ERR_TOKEN_INVALID',
    );
    const slow = new HiveHttpClient({ url: quiet.base, token: quietToken });
    const err = await rejectsWith(slow.ask('anyone?', { timeoutMs: 100 }), 'HL_ERR_ASK_TIMEOUT');
    assert.match(err.message, /no answer within 100 ms/);
    await rejectsWith(slow.ask('anyone?', { timeoutMs: 999_999 }), 'HL_ERR_BAD_REQUEST');
  });

  it('says HL_ERR_CONNECT_FAILED when nothing listens', async () => {
    const port = await freePort();
    const client = new HiveHttpClient({ url: `http://127.0.0.1:${port}`, token });
    await rejectsWith(client.ask('hello'), 'HL_ERR_CONNECT_FAILED');
  });

  it('uses the fetch it is given, and checks its arguments', async () => {
    const calls: { url: string; body: string; auth: string | undefined }[] = [];
    const fake: FetchLike = async (url, init) => {
      calls.push({ url, body: init.body, auth: init.headers.authorization });
      return { status: 200, text: async () => '{"answers":["hi"],"handled":true,"session_id":"s"}' };
    };
    const client = new HiveHttpClient({ url: 'https://hub.example:5678/base', token: 'tok', fetch: fake });
    assert.deepEqual(await client.ask('hello', { sessionId: 's', timeoutMs: 500 }), {
      answers: ['hi'],
      handled: true,
      sessionId: 's',
    });
    assert.deepEqual(calls, [
      {
        url: 'https://hub.example:5678/base/v1/ask',
        body: '{"utterance":"hello","lang":"en-us","session_id":"s","timeout_ms":500}',
        auth: 'Bearer tok',
      },
    ]);
    const odd: FetchLike = async () => ({ status: 200, text: async () => '{"answers":"nope"}' });
    await rejectsWith(
      new HiveHttpClient({ url: h.base, token, fetch: odd }).ask('x'),
      'HL_ERR_INVALID_MESSAGE',
    );
    const html: FetchLike = async () => ({ status: 502, text: async () => '<html>bad gateway</html>' });
    await rejectsWith(new HiveHttpClient({ url: h.base, token, fetch: html }).ask('x'), 'HL_ERR_INTERNAL');
    assert.throws(() => new HiveHttpClient({ url: 'ftp://x', token }), { code: 'HL_ERR_INVALID_ARGUMENT' });
    assert.throws(() => new HiveHttpClient({ url: h.base, token: '' }), { code: 'HL_ERR_INVALID_ARGUMENT' });
    await rejectsWith(client.ask('  '), 'HL_ERR_INVALID_ARGUMENT');
  });
});
