/**
 * The SDK's AskTurn is the shared turn rule (src/session/turn.ts, tested there) bound to `ask()`'s promise: the
 * public AskResult shape, and the regression that made the rule wait after a failure. ovos-core follows
 * `complete_intent_failure` with `ovos.utterance.handled`; a turn that ended on the failure left that message to end
 * the *next* turn of the same session early, with no answers (seen as a piped `hivelink chat` dropping the answer
 * after a question the hub did not understand).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMessage } from '../../../src/bus/message.js';
import { AskTurn, FAILURE_SETTLE_MS } from '../../../src/client/ask-turn.js';
import type { AskResult } from '../../../src/client/types.js';
import { HiveLinkError } from '../../../src/errors.js';
import { FakeTimers } from '../../helpers/fake-timers.js';

const SESSION = { session_id: 's1' };

function turn() {
  const timers = new FakeTimers();
  const results: AskResult[] = [];
  const errors: HiveLinkError[] = [];
  let done = 0;
  const t = new AskTurn({
    sessionId: 's1',
    timeoutMs: 10_000,
    timers,
    resolve: (r) => results.push(r),
    reject: (e) => errors.push(e),
    onDone: () => {
      done += 1;
    },
  });
  return { t, timers, results, errors, done: () => done };
}

describe('AskTurn (SDK ask)', () => {
  it('resolves {answers, handled, timedOut} without expectsResponse when no question was asked', () => {
    const { t, results, done } = turn();
    t.receive(createMessage('speak', { utterance: 'one', expect_response: false }, { session: SESSION }));
    t.receive(createMessage('ovos.utterance.handled', {}, { session: SESSION }));
    assert.deepEqual(results, [{ answers: ['one'], handled: true, timedOut: false }]);
    assert.equal(done(), 1);
  });

  it('marks a question with expectsResponse: true and ends there', () => {
    const { t, timers, results, done } = turn();
    t.receive(
      createMessage(
        'speak',
        { utterance: 'What is your favourite colour?', expect_response: true },
        { session: SESSION },
      ),
    );
    assert.deepEqual(results, [
      { answers: ['What is your favourite colour?'], handled: true, timedOut: false, expectsResponse: true },
    ]);
    t.receive(createMessage('ovos.utterance.handled', {}, { session: SESSION }));
    assert.equal(results.length, 1);
    assert.equal(done(), 1);
    assert.equal(timers.scheduled.size, 0);
  });

  it('consumes the ovos.utterance.handled that follows a failure, so it cannot end the next turn', () => {
    const { t, timers, results } = turn();
    t.receive(createMessage('complete_intent_failure', {}, { session: SESSION }));
    assert.deepEqual(results, [], 'still waiting for the turn to end');
    t.receive(createMessage('ovos.utterance.handled', {}, { session: SESSION }));
    assert.deepEqual(results, [{ answers: [], handled: false, timedOut: false }]);
    assert.equal(timers.scheduled.size, 0);
  });

  it(`ends ${FAILURE_SETTLE_MS} ms after the failure when the hub sends nothing more`, () => {
    const { t, timers, results } = turn();
    t.receive(createMessage('complete_intent_failure', {}, { session: SESSION }));
    assert.equal(timers.fireNext(), FAILURE_SETTLE_MS);
    assert.deepEqual(results, [{ answers: [], handled: false, timedOut: false }]);
  });

  it('rejects with the timeout error when nothing is said, and with what fail() is given', () => {
    const a = turn();
    a.timers.advance(10_000);
    assert.deepEqual(
      a.errors.map((e) => e.code),
      ['HL_ERR_ASK_TIMEOUT'],
    );
    assert.equal(a.done(), 1);
    const b = turn();
    const closed = new HiveLinkError('HL_ERR_CLIENT_CLOSED', 'client closed');
    b.t.fail(closed);
    b.t.receive(createMessage('ovos.utterance.handled', {}, { session: SESSION }));
    assert.deepEqual(b.errors, [closed]);
    assert.deepEqual(b.results, []);
    assert.equal(b.timers.scheduled.size, 0);
  });
});
