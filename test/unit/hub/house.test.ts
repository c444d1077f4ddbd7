/**
 * The house's pure parts and its admin queue: rooms computed from records, live connections and settings (the
 * admin's site wins over the HELLO's, OVOS's "unknown" is no room, revoked clients are in none, a room with settings
 * and no client is listed empty); the hub's side of the admin command queue (run in order, a failure keeps its code,
 * an old command expires instead of running late, an unknown kind fails, a withdrawn one is not overwritten).
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { HiveLinkError } from '../../../src/errors.js';
import { AdminQueue } from '../../../src/hub/house/admin-queue.js';
import { buildRooms, findRoom, siteRoom } from '../../../src/hub/house/rooms.js';
import type { RoomSettings } from '../../../src/store/house.js';
import type { ClientRecord } from '../../../src/store/types.js';
import { tempStore } from '../store/temp-db.js';

function record(
  id: number,
  name: string,
  siteId: string | null,
  extra: Partial<ClientRecord> = {},
): ClientRecord {
  return { id, name, siteId, revoked: false, isAdmin: false, ...extra } as ClientRecord;
}

describe('rooms', () => {
  it('puts each client in its record site, else its HELLO site, and lists rooms with settings', () => {
    const records = [
      record(1, 'speaker', 'kitchen'),
      record(2, 'tablet', null),
      record(3, 'pc', 'Office'),
      record(4, 'old', 'kitchen', { revoked: true }),
      record(5, 'laptop', null),
      record(6, 'mirror', 'unknown'),
    ];
    const live = [
      { clientId: 2, peer: 'p2', helloSite: 'Kitchen', assistant: false },
      { clientId: 3, peer: 'p3', helloSite: 'kitchen', assistant: true },
      { clientId: 3, peer: 'p3b', helloSite: null, assistant: false },
      { clientId: 5, peer: 'p5', helloSite: 'unknown', assistant: false },
    ];
    const settings: RoomSettings[] = [
      { key: 'pantry', name: 'Pantry', conference: 'on', updatedAt: 1 },
      { key: 'office', name: 'the office', conference: 'only', updatedAt: 1 },
    ];
    const { rooms, unassigned } = buildRooms(records, live, settings);
    assert.deepEqual(
      rooms.map((r) => [
        r.name,
        r.conference,
        r.online,
        r.clients.map((c) => `${c.name}:${c.from}:${c.connections}`),
      ]),
      [
        ['kitchen', 'off', 1, ['speaker:admin:0', 'tablet:hello:1']],
        ['the office', 'only', 1, ['pc:admin:2']],
        ['Pantry', 'on', 0, []],
      ],
    );
    assert.equal(rooms[1]!.clients[0]!.assistant, true);
    assert.deepEqual(
      unassigned.map((c) => [c.name, c.online]),
      [
        ['laptop', true],
        ['mirror', false],
      ],
    );
    assert.equal(findRoom({ rooms, unassigned }, 'The Office')?.name, 'the office');
    assert.equal(findRoom({ rooms, unassigned }, 'attic'), undefined);
    assert.equal(siteRoom(' Unknown '), null);
    assert.equal(siteRoom(''), null);
  });
});

describe('admin command queue (the hub side)', () => {
  const db = tempStore('hl-admin-queue-');
  let clock: number;
  let queue: AdminQueue;
  beforeEach(() => {
    clock = 1_000_000;
    queue = new AdminQueue({
      store: db.store.house,
      ttlMs: 60_000,
      now: () => clock,
      logger: pino({ level: 'silent' }),
    });
  });

  const enqueue = (kind: string, args: Record<string, unknown>, at = clock) =>
    db.store.house.enqueueAdminCommand(kind, args, { maxPending: 10, now: at });

  it('runs pending commands in order with their handlers and writes each result', async () => {
    const ran: unknown[] = [];
    queue.register('echo', async (args) => {
      ran.push(args.n);
      return { n: args.n };
    });
    queue.register('fail', async () => {
      throw new HiveLinkError('HL_ERR_ROOM_OFFLINE', 'the garage is offline');
    });
    const a = await enqueue('echo', { n: 1 });
    const b = await enqueue('fail', {});
    const c = await enqueue('echo', { n: 2 });
    const old = await enqueue('echo', { n: 3 }, clock - 60_001);
    const unknown = await enqueue('rooms.set', { room: 'x' });
    await queue.drain();
    assert.deepEqual(ran, [1, 2]);
    const get = async (id: number) => {
      const cmd = await db.store.house.getAdminCommand(id);
      return [cmd?.state, cmd?.result];
    };
    assert.deepEqual(await get(a.id), ['done', { ok: true, n: 1 }]);
    assert.deepEqual(await get(b.id), [
      'failed',
      { ok: false, code: 'HL_ERR_ROOM_OFFLINE', error: 'the garage is offline' },
    ]);
    assert.deepEqual(await get(c.id), ['done', { ok: true, n: 2 }]);
    assert.equal((await get(old.id))[0], 'expired');
    assert.equal(((await get(old.id))[1] as { code: string }).code, 'HL_ERR_ADMIN_COMMAND_EXPIRED');
    assert.equal(((await get(unknown.id))[1] as { code: string }).code, 'HL_ERR_ADMIN_COMMAND_UNKNOWN');
    // Finished rows go adminCommandTtlMs after they finished.
    clock += 60_001;
    await queue.drain();
    assert.equal(await db.store.house.getAdminCommand(a.id), null);
  });

  it('leaves a command withdrawn while it ran as withdrawn', async () => {
    queue.register('slow', async () => {
      await db.store.house.finishAdminCommand(
        cmd.id,
        'expired',
        { ok: false, code: 'HL_ERR_ADMIN_COMMAND_TIMEOUT' },
        clock,
      );
      return { late: true };
    });
    const cmd = await enqueue('slow', {});
    await queue.drain();
    assert.equal((await db.store.house.getAdminCommand(cmd.id))?.state, 'expired');
  });
});
