/**
 * Subscriptions by voice: the skill turns what was said into a request to the hub (in the turn's context, so the hub
 * knows who asked) and words the hub's answer; it keeps nothing itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { subscriptionsSkill } from '../../../src/assistant/skills/subscriptions/index.js';
import { response } from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import { PEER, spoken, startHarness } from './harness.js';

/** A stand-in for the hub's service: answers each request with `answer(request)`. */
async function withService(answer: (m: MessageData) => Record<string, unknown>) {
  const h = await startHarness({ skills: [subscriptionsSkill] });
  const requests: MessageData[] = [];
  for (const type of ['subscribe', 'unsubscribe', 'list']) {
    h.bus.on(`hive.subscriptions.${type}`, (m) => {
      requests.push(m);
      h.bus.emit(response(m, answer(m)));
    });
  }
  return { h, requests };
}

describe('subscriptions skill', () => {
  it('subscribes the asking client by the name it said, without the article', async () => {
    const { h, requests } = await withService((m) => ({ ok: true, name: m.data.name, already: false }));
    try {
      assert.deepEqual(spoken(await h.say('subscribe me to the morning news')), [
        'You are now subscribed to morning news.',
      ]);
      assert.equal(requests.length, 1);
      assert.equal(requests[0]!.type, 'hive.subscriptions.subscribe');
      assert.deepEqual(requests[0]!.data, { name: 'morning news' });
      assert.equal(requests[0]!.context.peer, PEER, 'the hub-set peer names who asked');
      assert.deepEqual(spoken(await h.say('sign me up for jokes')), ['You are now subscribed to jokes.']);
    } finally {
      h.close();
    }
  });

  it('says when the client was subscribed already, and unsubscribes', async () => {
    const { h } = await withService((m) =>
      m.type.endsWith('.unsubscribe')
        ? { ok: true, name: 'morning news', was_subscribed: m.data.name === 'morning news' }
        : { ok: true, name: 'morning news', already: true },
    );
    try {
      assert.deepEqual(spoken(await h.say('subscribe to morning news')), [
        'You are already subscribed to morning news.',
      ]);
      assert.deepEqual(spoken(await h.say('unsubscribe me from the morning news')), [
        'You are no longer subscribed to morning news.',
      ]);
      assert.deepEqual(spoken(await h.say('unsubscribe from weather')), [
        'You were not subscribed to morning news.',
      ]);
    } finally {
      h.close();
    }
  });

  it('names what there is when the subscription is unknown, and says when one is full', async () => {
    const { h } = await withService((m) =>
      m.data.name === 'weather'
        ? {
            ok: false,
            code: 'HL_ERR_NO_SUBSCRIPTION',
            error: 'no subscription called "weather"',
            available: ['morning news', 'jokes', 'time'],
          }
        : { ok: false, code: 'HL_ERR_TOO_MANY_SUBSCRIBERS', error: 'full', name: 'jokes' },
    );
    try {
      assert.deepEqual(spoken(await h.say('subscribe me to the weather')), [
        'There is no subscription called weather. You can subscribe to morning news, jokes and time.',
      ]);
      assert.deepEqual(spoken(await h.say('subscribe me to jokes')), [
        'Sorry, jokes already has as many subscribers as it can take.',
      ]);
    } finally {
      h.close();
    }
  });

  it('tells what the client is subscribed to, and what there is', async () => {
    let mine: string[] = ['morning news'];
    const { h } = await withService(() => ({
      ok: true,
      subscribed: mine,
      available: ['morning news', 'jokes'],
    }));
    try {
      assert.deepEqual(spoken(await h.say('what am I subscribed to')), [
        'You are subscribed to morning news.',
      ]);
      mine = [];
      assert.deepEqual(spoken(await h.say('what are my subscriptions')), [
        'You are not subscribed to anything. You can subscribe to morning news and jokes.',
      ]);
      assert.deepEqual(spoken(await h.say('what subscriptions are there')), [
        'You can subscribe to morning news and jokes.',
      ]);
    } finally {
      h.close();
    }
  });
});
