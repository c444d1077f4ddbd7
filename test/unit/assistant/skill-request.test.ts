/**
 * `ctx.request`: a skill asks a service on the bus in the turn's context and gets the matching answer back; the
 * request still names the client (`context.peer`, the session), the answer is addressed to the skill (never the
 * client), and a service that does not answer costs the skill `null`, not a hang.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineSkill } from '../../../src/assistant/skill.js';
import { response } from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import { PEER, spoken, startHarness } from './harness.js';

const probe = defineSkill({
  id: 'probe.test',
  locale: {
    en: {
      intents: { 'ask.intent': ['ask the service'], 'slow.intent': ['ask the silent service'] },
    },
  },
  intents: [
    {
      name: 'ask.intent',
      handler: async (ctx) => {
        const answer = await ctx.request('probe.service', { question: 42 });
        ctx.speak(answer === null ? 'no answer' : `answer ${String(answer.value)}`);
      },
    },
    {
      name: 'slow.intent',
      handler: async (ctx) => {
        const answer = await ctx.request('probe.silent', {}, { timeoutMs: 20 });
        ctx.speak(answer === null ? 'no answer' : 'answered');
      },
    },
  ],
});

describe('skill requests on the bus', () => {
  it('emits the request in the turn context and resolves with the answer carrying its request id', async () => {
    const h = await startHarness({ skills: [probe] });
    const requests: MessageData[] = [];
    h.bus.on('probe.service', (m) => {
      requests.push(m);
      // A stray answer with another id first: it must not be taken.
      h.bus.emit(response({ ...m, context: { ...m.context, request_id: 'other' } }, { value: 'wrong' }));
      h.bus.emit(response(m, { value: m.data.question }));
    });
    const answers: MessageData[] = [];
    h.bus.on('probe.service.response', (m) => answers.push(m));
    try {
      const turn = await h.say('ask the service');
      assert.deepEqual(spoken(turn), ['answer 42']);
      assert.equal(requests.length, 1);
      const req = requests[0]!;
      assert.equal(req.context.peer, PEER, 'the hub-set peer still names the client');
      assert.equal(req.context.source, 'probe.test');
      assert.equal(req.context.skill_id, 'probe.test');
      assert.equal((req.context.session as { session_id: string }).session_id, 'sat-kitchen');
      assert.equal(typeof req.context.request_id, 'string');
      const mine = answers.find((a) => a.context.request_id === req.context.request_id)!;
      assert.equal(mine.context.destination, 'probe.test', 'the answer goes to the skill, not the client');
    } finally {
      h.close();
    }
  });

  it('resolves with null when nothing answers in time', async () => {
    const h = await startHarness({ skills: [probe] });
    try {
      assert.deepEqual(spoken(await h.say('ask the silent service')), ['no answer']);
      assert.deepEqual(h.errors, []);
    } finally {
      h.close();
    }
  });
});
