/**
 * Subscriptions by voice: the skill turns what was said into a request to the hub (in the turn's context, so the hub
 * knows who asked) and words the hub's answer; it keeps nothing itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { subscriptionsSkill } from '../../../src/assistant/skills/subscriptions/index.js';
import { response } from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import { assertReplies, type Harness, PEER, startHarness } from './harness.js';

/**
 * Runs `body` with the skill on a harness whose stand-in for the hub's service answers each request with
 * `answer(request)`, and the requests it got; then closes the harness.
 */
async function withService(
  answer: (m: MessageData) => Record<string, unknown>,
  body: (h: Harness, requests: MessageData[]) => Promise<void>,
): Promise<void> {
  const h = await startHarness({ skills: [subscriptionsSkill] });
  const requests: MessageData[] = [];
  for (const type of ['subscribe', 'unsubscribe', 'list']) {
    h.bus.on(`hive.subscriptions.${type}`, (m) => {
      requests.push(m);
      h.bus.emit(response(m, answer(m)));
    });
  }
  try {
    await body(h, requests);
  } finally {
    h.close();
  }
}

describe('subscriptions skill', () => {
  it('subscribes the asking client by the name it said, without the article', async () => {
    await withService(
      (m) => ({ ok: true, name: m.data.name, already: false }),
      async (h, requests) => {
        await assertReplies(h, 'subscribe me to the morning news', 'You are now subscribed to morning news.');
        assert.equal(requests.length, 1);
        assert.equal(requests[0]!.type, 'hive.subscriptions.subscribe');
        assert.deepEqual(requests[0]!.data, { name: 'morning news' });
        assert.equal(requests[0]!.context.peer, PEER, 'the hub-set peer names who asked');
        await assertReplies(h, 'sign me up for jokes', 'You are now subscribed to jokes.');
      },
    );
  });

  it('says when the client was subscribed already, and unsubscribes', async () => {
    await withService(
      (m) =>
        m.type.endsWith('.unsubscribe')
          ? { ok: true, name: 'morning news', was_subscribed: m.data.name === 'morning news' }
          : { ok: true, name: 'morning news', already: true },
      async (h) => {
        await assertReplies(h, 'subscribe to morning news', 'You are already subscribed to morning news.');
        await assertReplies(
          h,
          'unsubscribe me from the morning news',
          'You are no longer subscribed to morning news.',
        );
        await assertReplies(h, 'unsubscribe from weather', 'You were not subscribed to morning news.');
      },
    );
  });

  it('names what there is when the subscription is unknown, and says when one is full', async () => {
    await withService(
      (m) =>
        m.data.name === 'weather'
          ? {
              ok: false,
              code: 'HL_ERR_NO_SUBSCRIPTION',
              error: 'no subscription called "weather"',
              available: ['morning news', 'jokes', 'time'],
            }
          : { ok: false, code: 'HL_ERR_TOO_MANY_SUBSCRIBERS', error: 'full', name: 'jokes' },
      async (h) => {
        await assertReplies(
          h,
          'subscribe me to the weather',
          'There is no subscription called weather. You can subscribe to morning news, jokes and time.',
        );
        await assertReplies(
          h,
          'subscribe me to jokes',
          'Sorry, jokes already has as many subscribers as it can take.',
        );
      },
    );
  });

  it('tells what the client is subscribed to, and what there is', async () => {
    let mine: string[] = ['morning news'];
    await withService(
      () => ({
        ok: true,
        subscribed: mine,
        available: ['morning news', 'jokes'],
      }),
      async (h) => {
        await assertReplies(h, 'what am I subscribed to', 'You are subscribed to morning news.');
        mine = [];
        await assertReplies(
          h,
          'what are my subscriptions',
          'You are not subscribed to anything. You can subscribe to morning news and jokes.',
        );
        await assertReplies(
          h,
          'what subscriptions are there',
          'You can subscribe to morning news and jokes.',
        );
      },
    );
  });
});
