/**
 * The timers of the SQLite store (issue 11): each belongs to one client, the per-client bound is one transaction
 * with the insert, a fired-but-unheard timer is remembered, and everything is still there after reopening the file
 * (a hub restart). Removing a client removes its timers.
 */
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import type { NewTimer } from '../../../src/store/types.js';
import { describeEngines } from '../../helpers/store-engines.js';
import { tempStore } from './temp-db.js';

function timer(clientId: number, extra: Partial<NewTimer> = {}): NewTimer {
  return {
    clientId,
    kind: 'timer',
    name: null,
    siteId: 'kitchen',
    lang: 'en-US',
    utterance: 'Your 5 minute timer is done.',
    roomUtterance: null,
    dueAt: 1_000_300_000,
    durationMs: 300_000,
    createdAt: 1_000_000_000,
    ...extra,
  };
}

describeEngines('store: timers', 'hl-sqlite-timers-', (engine) => {
  const db = tempStore(engine);
  let a: number;
  let b: number;
  beforeEach(async () => {
    [a, b] = await db.addClientIds('kitchen', 'garage');
  });

  it('stores timers per client, soonest first, and keeps them across a reopen', async () => {
    const late = await db.store.addTimer(timer(a, { dueAt: 2_000_000_000, name: 'pasta' }), 10);
    const soon = await db.store.addTimer(timer(a, { kind: 'alarm', durationMs: null }), 10);
    await db.store.addTimer(timer(b, { kind: 'reminder', name: 'call mum' }), 10);
    assert.equal(late.name, 'pasta');
    assert.equal(late.firedAt, null);
    assert.deepEqual(
      (await db.store.listTimers(a)).map((t) => t.id),
      [soon.id, late.id],
    );
    assert.deepEqual(
      (await db.store.listTimers(b)).map((t) => t.name),
      ['call mum'],
    );
    await db.store.markTimerFired(soon.id, 1_000_400_000);
    await db.reopen();
    const all = await db.store.listTimers();
    assert.equal(all.length, 3);
    const reopened = all.find((t) => t.id === soon.id)!;
    assert.equal(reopened.kind, 'alarm');
    assert.equal(reopened.durationMs, null);
    assert.equal(reopened.firedAt, 1_000_400_000);
    assert.equal(reopened.siteId, 'kitchen');
  });

  it('refuses a timer beyond the per-client bound, for that client only', async () => {
    await db.store.addTimer(timer(a), 2);
    await db.store.addTimer(timer(a), 2);
    await assert.rejects(db.store.addTimer(timer(a), 2), { code: 'HL_ERR_TIMER_LIMIT' });
    await db.store.addTimer(timer(b), 2);
    // Concurrent adds never pass the bound together.
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => db.store.addTimer(timer(b), 3)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
    assert.equal((await db.store.listTimers(b)).length, 3);
  });

  it('removes a timer once, and every timer of a removed client', async () => {
    const t = await db.store.addTimer(timer(a), 10);
    await db.store.addTimer(timer(b), 10);
    assert.equal(await db.store.removeTimer(t.id), true);
    assert.equal(await db.store.removeTimer(t.id), false);
    await db.store.removeClient(b);
    assert.deepEqual(await db.store.listTimers(), []);
  });

  it('refuses bad timers and unknown clients', async () => {
    await assert.rejects(db.store.addTimer(timer(999), 10), { code: 'HL_ERR_NOT_FOUND' });
    await assert.rejects(db.store.addTimer(timer(a, { kind: 'nap' as 'timer' }), 10), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
    await assert.rejects(db.store.addTimer(timer(a, { utterance: '' }), 10), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
    await assert.rejects(db.store.addTimer(timer(a, { name: 'x'.repeat(201) }), 10), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
    await assert.rejects(db.store.addTimer(timer(a, { durationMs: -1 }), 10), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
    await assert.rejects(db.store.addTimer(timer(a), 0), { code: 'HL_ERR_INVALID_ARGUMENT' });
  });
});
