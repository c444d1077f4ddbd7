/**
 * The house part of the store: room settings (names folded by roomKey), the running hub's presence (cleared by a
 * start and by its own stop only), and the admin command queue (bounded, finished once, withdrawn, pruned) — read
 * through a second connection as the admin CLI would.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isHiveLinkError } from '../../../src/errors.js';
import { checkRoomName, roomKey } from '../../../src/store/house.js';
import { describeEngines } from '../../helpers/store-engines.js';
import { tempStore } from './temp-db.js';

describeEngines('house store', 'hl-house-', (engine) => {
  const db = tempStore(engine, { now: () => 1000 });

  it('folds room names: case, _ and -, spaces and a leading "the"', () => {
    assert.equal(roomKey('The Living_Room'), 'living room');
    assert.equal(roomKey('living-room'), 'living room');
    assert.equal(checkRoomName('  kitchen '), 'kitchen');
    for (const bad of ['', '   ', 'x'.repeat(65), 'a\nb']) {
      assert.throws(
        () => checkRoomName(bad),
        (e) => isHiveLinkError(e, 'HL_ERR_INVALID_ARGUMENT'),
        bad,
      );
    }
  });

  it('keeps room settings by folded name; the last spelling is the name', async () => {
    assert.equal((await db.store.house.setRoom('Living_Room')).conference, 'off');
    const set = await db.store.house.setRoom('the living room', { conference: 'only' });
    assert.deepEqual([set.key, set.name, set.conference], ['living room', 'the living room', 'only']);
    assert.equal((await db.cli.house.getRoom('LIVING ROOM'))?.conference, 'only');
    assert.equal((await db.cli.house.listRooms()).length, 1);
    assert.equal(await db.cli.house.removeRoom('living-room'), true);
    assert.equal(await db.cli.house.getRoom('living room'), null);
  });

  it('clears presence when a hub starts, and when that hub (not another) stops', async () => {
    const entry = {
      connId: 1,
      clientId: 3,
      peer: 'p::3::k::s',
      helloSite: 'kitchen',
      assistant: true,
      connectedAt: 5,
    };
    await db.store.house.hubStarted({ bootId: 'a', pid: 42, startedAt: 10 });
    await db.store.house.writePresence([entry, { ...entry, connId: 2, assistant: false }], []);
    await db.store.house.writePresence([{ ...entry, helloSite: 'office' }], [2]);
    assert.deepEqual(await db.cli.house.listPresence(), [{ ...entry, helloSite: 'office' }]);
    assert.deepEqual(await db.cli.house.hubInstance(), {
      bootId: 'a',
      pid: 42,
      startedAt: 10,
      stoppedAt: null,
    });
    await db.store.house.hubStopped('someone-else', 20);
    assert.equal((await db.cli.house.listPresence()).length, 1);
    await db.store.house.hubStopped('a', 20);
    assert.deepEqual(await db.cli.house.listPresence(), []);
    assert.equal((await db.cli.house.hubInstance())?.stoppedAt, 20);
    await db.store.house.writePresence([entry], []);
    await db.store.house.hubStarted({ bootId: 'b', pid: 43, startedAt: 30 });
    assert.deepEqual(await db.cli.house.listPresence(), []);
  });

  it('queues admin commands up to the bound, finishes each once, and prunes finished ones', async () => {
    const first = await db.cli.house.enqueueAdminCommand(
      'announce',
      { text: 'hi', all: true },
      { maxPending: 2, now: 100 },
    );
    assert.deepEqual([first.state, first.args, first.result], ['pending', { text: 'hi', all: true }, null]);
    await db.cli.house.enqueueAdminCommand(
      'announce',
      { text: 'two', room: 'kitchen' },
      { maxPending: 2, now: 101 },
    );
    await assert.rejects(
      db.cli.house.enqueueAdminCommand('announce', { text: 'three' }, { maxPending: 2, now: 102 }),
      (e) => isHiveLinkError(e, 'HL_ERR_ADMIN_QUEUE_FULL'),
    );
    const pending = await db.store.house.pendingAdminCommands(10);
    assert.deepEqual(
      pending.map((c) => c.args.text),
      ['hi', 'two'],
    );
    assert.equal(
      await db.store.house.finishAdminCommand(first.id, 'done', { ok: true, delivered: 2 }, 200),
      true,
    );
    // Finished once: a withdrawal that comes too late changes nothing.
    assert.equal(await db.cli.house.finishAdminCommand(first.id, 'expired', { ok: false }, 201), false);
    const done = await db.cli.house.getAdminCommand(first.id);
    assert.deepEqual(
      [done?.state, done?.result, done?.finishedAt],
      ['done', { ok: true, delivered: 2 }, 200],
    );
    assert.equal(await db.store.house.pruneAdminCommands(150), 0);
    assert.equal(await db.store.house.pruneAdminCommands(201), 1);
    assert.equal(await db.cli.house.getAdminCommand(first.id), null);
    assert.equal((await db.store.house.pendingAdminCommands(10)).length, 1);
  });

  it('refuses an empty kind and oversized arguments', async () => {
    await assert.rejects(db.cli.house.enqueueAdminCommand('', {}, { maxPending: 5, now: 1 }), (e) =>
      isHiveLinkError(e, 'HL_ERR_INVALID_ARGUMENT'),
    );
    await assert.rejects(
      db.cli.house.enqueueAdminCommand('announce', { text: 'x'.repeat(70_000) }, { maxPending: 5, now: 1 }),
      (e) => isHiveLinkError(e, 'HL_ERR_INVALID_ARGUMENT'),
    );
  });
});
