/**
 * AskTurn regression: ovos-core follows `complete_intent_failure` with `ovos.utterance.handled`. A turn that ended
 * on the failure left that message to end the *next* turn of the same session early, with no answers (seen as a
 * piped `hivelink chat` dropping the answer after a question the hub did not understand).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMessage } from '../../../src/bus/message.js';
import { AskTurn, FAILURE_SETTLE_MS } from '../../../src/client/ask-turn.js';
import type { AskResult, ClientTimers } from '../../../src/client/types.js';

/** Timers fired by hand. */
function fakeTimers(): ClientTimers & { fire(): void; pending: number } {
  const due = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout: (callback) => {
      due.set(next, callback);
      return next++;
    },
    clearTimeout: (handle) => void due.delete(handle as number),
    fire: () => {
      for (const [id, callback] of [...due]) if (due.delete(id)) callback();
    },
    get pending() {
      return due.size;
    },
  };
}

const SESSION = { session_id: 's1' };

function turn(timers: ClientTimers) {
  const results: AskResult[] = [];
  let done = 0;
  const t = new AskTurn({
    sessionId: 's1',
    timeoutMs: 10_000,
    timers,
    resolve: (r) => results.push(r),
    reject: (e) => assert.fail(e),
    onDone: () => {
      done += 1;
    },
  });
  return { t, results, done: () => done };
}

describe('AskTurn after complete_intent_failure', () => {
  it('ends on the ovos.utterance.handled that follows the failure (handled: false), not before', () => {
    const timers = fakeTimers();
    const { t, results } = turn(timers);
    t.receive(createMessage('complete_intent_failure', {}, { session: SESSION }));
    assert.deepEqual(results, [], 'still waiting for the turn to end');
    t.receive(createMessage('ovos.utterance.handled', {}, { session: SESSION }));
    assert.deepEqual(results, [{ answers: [], handled: false, timedOut: false }]);
    assert.equal(timers.pending, 0);
  });

  it(`ends ${FAILURE_SETTLE_MS} ms after the failure when the hub sends no handled`, () => {
    const timers = fakeTimers();
    const { t, results } = turn(timers);
    t.receive(createMessage('complete_intent_failure', {}, { session: SESSION }));
    timers.fire();
    assert.deepEqual(results, [{ answers: [], handled: false, timedOut: false }]);
  });
});

describe('AskTurn with a question (get_response)', () => {
  it('ends on a speak that expects a response, marking it, and ignores what follows', () => {
    const timers = fakeTimers();
    const { t, results, done } = turn(timers);
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
    assert.equal(timers.pending, 0);
  });

  it('keeps collecting after a plain speak until handled', () => {
    const timers = fakeTimers();
    const { t, results } = turn(timers);
    t.receive(createMessage('speak', { utterance: 'one', expect_response: false }, { session: SESSION }));
    assert.deepEqual(results, []);
    t.receive(createMessage('ovos.utterance.handled', {}, { session: SESSION }));
    assert.deepEqual(results, [{ answers: ['one'], handled: true, timedOut: false }]);
  });
});
