/**
 * The batched connection history on a real SQLite file: one transaction per interval for every start and end,
 * ends that ride along with their insert, rows of a deleted client skipped, pruning, a forced flush at the bound,
 * and a failing database that keeps (then drops, counted) what it could not write.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { ConnectionLog } from '../../../src/store/connection-log.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import type { ClientStore, ConnectionEnd, LoggedConnection } from '../../../src/store/types.js';
import { FakeTimers } from '../../helpers/fake-timers.js';

const root = mkdtempSync(join(tmpdir(), 'hl-connlog-'));
after(() => rmSync(root, { recursive: true, force: true }));
const SECRETS = new Uint8Array(32).fill(7);

/** Counts the store's batch writes, and can make them fail. */
function counting(store: ClientStore) {
  const calls: { opened: number; ended: number }[] = [];
  let failures = 0;
  return {
    calls,
    failNext(n = 1) {
      failures = n;
    },
    async recordConnections(
      opened: readonly LoggedConnection[],
      ended: readonly (readonly [number, ConnectionEnd])[],
    ): Promise<(number | null)[]> {
      calls.push({ opened: opened.length, ended: ended.length });
      if (failures > 0) {
        failures -= 1;
        throw new Error('disk I/O error');
      }
      return store.recordConnections(opened, ended);
    },
  };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('ConnectionLog', () => {
  let store: ClientStore;
  let n = 0;
  beforeEach(() => {
    n += 1;
    store = openSqliteStore(join(root, `h${n}.db`), { secrets: SECRETS, maxHistoryPerClient: 5 });
  });
  afterEach(async () => {
    await store.close();
  });

  it('writes a storm of starts and ends in one transaction per interval, ends riding with their insert', async () => {
    const { record: a } = await store.addClient({ name: 'a' });
    const { record: b } = await store.addClient({ name: 'b' });
    const db = counting(store);
    const timers = new FakeTimers();
    const log = new ConnectionLog({ store: db, timers, intervalMs: 1000 });
    const handles = [];
    for (let i = 0; i < 8; i++) {
      handles.push(
        log.opened({
          clientId: i % 2 === 0 ? a.id : b.id,
          ip: `10.0.0.${i}`,
          protocol: 3,
          startedAt: 100 + i,
        }),
      );
    }
    log.closed(handles[6]!, { endedAt: 500, closeCode: 1000, closeReason: 'bye' });
    assert.equal(timers.scheduled.size, 1, 'one timer for the whole storm');
    assert.equal([...timers.scheduled.values()][0]!.ms, 1000);
    assert.equal(db.calls.length, 0, 'nothing written before the interval');
    timers.fire();
    await settle();
    assert.deepEqual(db.calls, [{ opened: 8, ended: 0 }]);
    const historyA = await store.history(a.id);
    assert.deepEqual(
      historyA.map((c) => c.ip),
      ['10.0.0.6', '10.0.0.4', '10.0.0.2', '10.0.0.0'],
    );
    assert.equal(historyA[0]!.endedAt, 500, 'the end was written with the insert');
    assert.equal(historyA[0]!.closeReason, 'bye');
    assert.equal(historyA[1]!.endedAt, null);

    // Ends of rows already written: one update each, in the next batch.
    log.closed(handles[1]!, { endedAt: 900, closeCode: 1001, closeReason: 'hub shutting down' });
    log.closed(handles[1]!, { endedAt: 950, closeCode: 1006 }); // a second end is ignored
    await log.stop();
    assert.deepEqual(db.calls[1], { opened: 0, ended: 1 });
    const [row] = await store.history(b.id, 10).then((h) => h.filter((c) => c.ip === '10.0.0.1'));
    assert.equal(row?.endedAt, 900);
    assert.equal(row?.closeCode, 1001);
    assert.equal(log.pending, 0);
  });

  it('prunes each client to maxHistoryPerClient once per batch, newest kept', async () => {
    const { record } = await store.addClient({ name: 'busy' });
    const log = new ConnectionLog({ store, timers: new FakeTimers() });
    for (let i = 0; i < 12; i++) log.opened({ clientId: record.id, ip: `10.1.0.${i}`, startedAt: i });
    await log.flush();
    const history = await store.history(record.id, 100);
    assert.deepEqual(
      history.map((c) => c.ip),
      ['10.1.0.11', '10.1.0.10', '10.1.0.9', '10.1.0.8', '10.1.0.7'],
    );
  });

  it('skips the rows of a client deleted before the flush and keeps the others', async () => {
    const { record: gone } = await store.addClient({ name: 'gone' });
    const { record: kept } = await store.addClient({ name: 'kept' });
    const log = new ConnectionLog({ store, timers: new FakeTimers() });
    const h = log.opened({ clientId: gone.id, ip: '10.2.0.1', startedAt: 1 });
    log.opened({ clientId: kept.id, ip: '10.2.0.2', startedAt: 2 });
    await store.removeClient(gone.id);
    await log.flush();
    log.closed(h, { endedAt: 3 }); // nothing left to record for it
    assert.equal(log.pending, 0);
    assert.equal((await store.history(kept.id)).length, 1);
  });

  it('flushes at once when maxPending entries wait', async () => {
    const { record } = await store.addClient({ name: 'c' });
    const db = counting(store);
    const timers = new FakeTimers();
    const log = new ConnectionLog({ store: db, timers, maxPending: 3 });
    for (let i = 0; i < 3; i++) log.opened({ clientId: record.id, ip: '10.3.0.1', startedAt: i });
    await settle();
    assert.deepEqual(db.calls, [{ opened: 3, ended: 0 }], 'written without waiting for the timer');
    await log.stop();
  });

  it('keeps what a failed flush could not write, retries it, and drops the oldest beyond maxPending', async () => {
    const { record } = await store.addClient({ name: 'd' });
    const db = counting(store);
    const timers = new FakeTimers();
    const errors: unknown[] = [];
    const log = new ConnectionLog({ store: db, timers, maxPending: 4, onError: (e) => errors.push(e) });
    const first = log.opened({ clientId: record.id, ip: '10.4.0.1', startedAt: 1 });
    log.opened({ clientId: record.id, ip: '10.4.0.2', startedAt: 2 });
    db.failNext();
    await assert.rejects(log.flush(), /disk I\/O error/);
    assert.equal(log.pending, 2, 'kept for the next flush');
    log.closed(first, { endedAt: 10, closeCode: 1000 });
    // Two more fail again: six entries would wait, the bound is four.
    db.failNext(2);
    for (let i = 3; i <= 6; i++) log.opened({ clientId: record.id, ip: `10.4.0.${i}`, startedAt: i });
    await settle();
    await assert.rejects(log.flush(), /disk I\/O error/);
    assert.equal(log.pending, 4);
    assert.equal(log.dropped, 2);
    assert.equal(errors.length, 1, 'the forced background flush reported its failure');
    await log.flush();
    const history = await store.history(record.id, 10);
    assert.deepEqual(
      history.map((c) => c.ip),
      ['10.4.0.6', '10.4.0.5', '10.4.0.4', '10.4.0.3'],
    );
  });

  it('a flush asked for while a failing one runs still writes', async () => {
    const { record } = await store.addClient({ name: 'e' });
    const db = counting(store);
    const errors: unknown[] = [];
    const log = new ConnectionLog({
      store: db,
      timers: new FakeTimers(),
      maxPending: 2,
      onError: (e) => errors.push(e),
    });
    db.failNext();
    log.opened({ clientId: record.id, ip: '10.5.0.1', startedAt: 1 });
    log.opened({ clientId: record.id, ip: '10.5.0.2', startedAt: 2 }); // the bound: a background flush, which fails
    await log.flush(); // waits for it, then writes both
    assert.equal(errors.length, 1);
    assert.equal(log.pending, 0);
    assert.equal((await store.history(record.id)).length, 2);
  });

  it('refuses a bad interval or bound', () => {
    assert.throws(() => new ConnectionLog({ store, intervalMs: 0 }), { code: 'HL_ERR_INVALID_ARGUMENT' });
    assert.throws(() => new ConnectionLog({ store, maxPending: 1.5 }), { code: 'HL_ERR_INVALID_ARGUMENT' });
  });
});
