/**
 * The one turn rule (src/session/turn.ts) that the SDK's ask, REST /v1/ask and `hivelink chat` share: every way a
 * turn ends, on the shared fake clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HiveLinkError } from '../../../src/errors.js';
import {
  FAILURE_SETTLE_MS,
  notUnderstood,
  TurnCollector,
  type TurnCollectorInit,
  type TurnEnd,
  type TurnMessage,
} from '../../../src/session/turn.js';
import { FakeTimers } from '../../helpers/fake-timers.js';

const TIMEOUT_MS = 10_000;

function msg(type: string, data: Record<string, unknown> = {}, sessionId: string | null = 's1'): TurnMessage {
  return { type, data, context: sessionId === null ? {} : { session: { session_id: sessionId } } };
}
const speak = (utterance: string, extra: Record<string, unknown> = {}, sessionId: string | null = 's1') =>
  msg('speak', { utterance, expect_response: false, ...extra }, sessionId);
const HANDLED = msg('ovos.utterance.handled');
const FAILURE = msg('complete_intent_failure', { utterances: ['purple monkey dishwasher'] });

function start(extra: Partial<TurnCollectorInit> = {}) {
  const timers = new FakeTimers();
  const ends: TurnEnd[] = [];
  const turn = new TurnCollector({
    sessionId: 's1',
    timeoutMs: TIMEOUT_MS,
    timers,
    onEnd: (end) => ends.push(end),
    ...extra,
  });
  const feed = (...messages: TurnMessage[]) => {
    for (const m of messages) turn.receive(m);
  };
  return { timers, ends, turn, feed };
}

function result(
  answers: string[],
  handled: boolean,
  more: { timedOut?: boolean; expectsResponse?: boolean } = {},
): TurnEnd {
  return {
    type: 'result',
    result: {
      answers,
      handled,
      timedOut: more.timedOut ?? false,
      expectsResponse: more.expectsResponse ?? false,
    },
  };
}

function errorOf(ends: TurnEnd[]): HiveLinkError {
  assert.equal(ends.length, 1);
  const end = ends[0]!;
  assert.equal(end.type, 'error');
  return (end as { error: HiveLinkError }).error;
}

describe('TurnCollector: understood', () => {
  it('ends on ovos.utterance.handled, handled, and leaves no timer behind', () => {
    const { timers, ends, turn, feed } = start();
    feed(HANDLED);
    assert.deepEqual(ends, [result([], true)]);
    assert.equal(turn.done, true);
    assert.equal(timers.scheduled.size, 0);
  });

  it('collects every speak and ovos.utterance.speak in order until handled', () => {
    const { ends, feed } = start();
    feed(
      speak('one'),
      msg('mycroft.skill.handler.complete'),
      msg('ovos.utterance.speak', { utterance: 'two' }),
    );
    assert.deepEqual(ends, [], 'still collecting');
    feed(HANDLED, speak('late'));
    assert.deepEqual(ends, [result(['one', 'two'], true)]);
  });

  it('ends on a speak that expects a response, says so, and ignores the handled that comes later', () => {
    const { timers, ends, feed } = start();
    feed(speak('What is your favourite colour?', { expect_response: true }));
    assert.deepEqual(ends, [result(['What is your favourite colour?'], true, { expectsResponse: true })]);
    feed(HANDLED);
    assert.equal(ends.length, 1, 'onEnd is called once');
    assert.equal(timers.scheduled.size, 0);
  });
});

describe('TurnCollector: complete_intent_failure', () => {
  it('ends on the handled that follows the failure (ovos-core), not understood', () => {
    const { timers, ends, feed } = start();
    feed(FAILURE);
    assert.equal(ends.length, 0, 'waits for what follows the failure');
    feed(HANDLED);
    assert.deepEqual(ends, [result([], false)]);
    const end = ends[0];
    assert.ok(end?.type === 'result' && notUnderstood(end.result), 'a chat reports it as not understood');
    assert.equal(timers.scheduled.size, 0);
  });

  it('takes a fallback speak within the wait as the answer: handled', () => {
    const { timers, ends, feed } = start();
    feed(FAILURE);
    timers.advance(FAILURE_SETTLE_MS - 1);
    feed(speak('Sorry, I only know jokes.'), HANDLED);
    assert.deepEqual(ends, [result(['Sorry, I only know jokes.'], true)]);
  });

  it('after a fallback speak without handled, ends when the wait is over, handled', () => {
    const { timers, ends, feed } = start();
    feed(FAILURE, speak('Sorry?'));
    timers.advance(FAILURE_SETTLE_MS - 1);
    assert.deepEqual(ends, []);
    timers.advance(1);
    assert.deepEqual(ends, [result(['Sorry?'], true)]);
    assert.equal(timers.scheduled.size, 0, 'the global timeout is cleared too');
  });

  it('a fallback question ends the turn at once, expecting a response', () => {
    const { ends, feed } = start();
    feed(FAILURE, speak('Did you mean the weather?', { expect_response: true }));
    assert.deepEqual(ends, [result(['Did you mean the weather?'], true, { expectsResponse: true })]);
  });

  it(`with nothing after the failure, ends not understood after ${FAILURE_SETTLE_MS} ms, not before`, () => {
    const { timers, ends, feed } = start();
    feed(FAILURE);
    timers.advance(FAILURE_SETTLE_MS - 1);
    assert.deepEqual(ends, []);
    timers.advance(1);
    assert.deepEqual(ends, [result([], false)]);
    assert.equal(timers.now, FAILURE_SETTLE_MS);
  });

  it('waits the failureSettleMs it is given, and a second failure does not restart the wait', () => {
    const { timers, ends, feed } = start({ failureSettleMs: 300 });
    feed(FAILURE);
    timers.advance(200);
    feed(FAILURE);
    timers.advance(100);
    assert.deepEqual(ends, [result([], false)]);
    assert.equal(timers.now, 300);
  });

  it('a global timeout shorter than the wait ends it not understood, not as a timeout error', () => {
    const { timers, ends, feed } = start({ timeoutMs: 500 });
    feed(FAILURE);
    assert.equal(timers.fireNext(), 500);
    assert.deepEqual(ends, [result([], false)]);
  });
});

describe('TurnCollector: timeout', () => {
  it('with no answer, fails with HL_ERR_ASK_TIMEOUT at the timeout, not before', () => {
    const { timers, ends } = start();
    timers.advance(TIMEOUT_MS - 1);
    assert.deepEqual(ends, []);
    timers.advance(1);
    assert.equal(errorOf(ends).code, 'HL_ERR_ASK_TIMEOUT');
  });

  it('with answers but no handled (a skill that never reports it), ends timedOut with the answers', () => {
    const { timers, ends, feed } = start();
    feed(speak('partial'));
    timers.advance(TIMEOUT_MS);
    assert.deepEqual(ends, [result(['partial'], true, { timedOut: true })]);
  });
});

describe('TurnCollector: what is not its turn', () => {
  it("ignores another session's speak, handled and failure, and takes messages that name no session", () => {
    const { ends, feed } = start();
    feed(
      speak('not yours', {}, 's2'),
      msg('complete_intent_failure', {}, 's2'),
      msg('ovos.utterance.handled', {}, 's2'),
    );
    assert.deepEqual(ends, []);
    feed(speak('no session', {}, null), HANDLED);
    assert.deepEqual(ends, [result(['no session'], true)]);
  });

  it('ignores a speak without text, and a policy denial of another message type', () => {
    const { ends, feed } = start();
    feed(msg('speak', {}), msg('hive.policy.denied', { denied_type: 'speak', code: 'type_not_allowed' }));
    feed(HANDLED);
    assert.deepEqual(ends, [result([], true)]);
  });
});

describe('TurnCollector: refusals and outside ends', () => {
  it('fails with HL_ERR_POLICY_DENIED when the hub refuses the utterance, naming its reason', () => {
    const { timers, ends, feed } = start();
    feed(
      msg('hive.policy.denied', {
        denied_type: 'recognizer_loop:utterance',
        code: 'type_not_allowed',
        reason: 'not allowed',
      }),
    );
    const error = errorOf(ends);
    assert.equal(error.code, 'HL_ERR_POLICY_DENIED');
    assert.match(error.message, /not allowed \(type_not_allowed\)/);
    assert.equal(timers.scheduled.size, 0);
  });

  it('fail() ends it once with that error; later messages and timers change nothing', () => {
    const { timers, ends, turn, feed } = start();
    feed(FAILURE);
    const closed = new HiveLinkError('HL_ERR_CLIENT_CLOSED', 'the client was closed');
    turn.fail(closed);
    turn.fail(closed);
    feed(speak('late'), HANDLED);
    timers.fire();
    assert.deepEqual(ends, [{ type: 'error', error: closed }]);
  });
});
