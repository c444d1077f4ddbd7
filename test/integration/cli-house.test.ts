/**
 * `hivelink rooms` and `hivelink announce` as users run them, against a real `hivelink hub` child process on the
 * same data dir, with satellites (FakePeer) in three rooms: the rooms listed with who is online (the hub's presence,
 * read from the store) and their modes, in text and `--json`; an announcement by room and to all, heard by the
 * satellites, through the store's admin command queue with `--data-dir` alone; the refusals (unknown room, offline
 * room, no hub running) with exit code 1 and one line on stderr.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RoomsJson } from '../../src/cli/commands/house.js';
import {
  type AddedClient,
  addClient,
  buildOnce,
  childEnv,
  type HubProcess,
  run,
  startHub,
} from './cli-process.js';
import { heard, openHelloPeer, until } from './house-harness.js';
import { type FakePeer, failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

describe('hivelink rooms / announce against a running hub', () => {
  const env = childEnv();
  let dataDir: string;
  let hub: HubProcess;
  const peers: FakePeer[] = [];
  let kitchen: FakePeer;
  let tablet: FakePeer;
  let office: FakePeer;
  const dd = () => ['--data-dir', dataDir];

  async function connect(c: AddedClient, helloSite?: string): Promise<FakePeer> {
    const peer = await openHelloPeer(hub.url, c, `s-${c.id}`, { helloSite });
    peers.push(peer);
    return peer;
  }

  async function rooms(): Promise<RoomsJson> {
    const r = await run(['rooms', '--json', ...dd()], env);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as RoomsJson;
  }

  before(async () => {
    buildOnce();
    dataDir = mkdtempSync(join(tmpdir(), 'hl-cli-house-'));
    const k = await addClient(dataDir, env, 'kitchen-speaker');
    const t = await addClient(dataDir, env, 'kitchen-tablet');
    const o = await addClient(dataDir, env, 'office-pc');
    const g = await addClient(dataDir, env, 'garage-pi');
    for (const [c, site] of [
      [k, 'kitchen'],
      [o, 'office'],
      [g, 'garage'],
    ] as const) {
      const r = await run(['clients', 'set', String(c.id), '--site', site, ...dd()], env);
      assert.equal(r.code, 0, r.stderr);
    }
    hub = await startHub(dataDir, env);
    kitchen = await connect(k);
    tablet = await connect(t, 'kitchen');
    office = await connect(o);
  });
  after(async () => {
    for (const p of peers) await p.close();
    await hub?.proc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists every room, its clients, who is online and its modes', async () => {
    // Presence is written in batches: wait until the hub has written all three connections.
    await until(async () => (await rooms()).rooms.reduce((n, r) => n + r.online, 0) === 3);
    const snapshot = await rooms();
    assert.equal(snapshot.hubRunning, true);
    assert.deepEqual(
      snapshot.rooms.map((r) => [
        r.name,
        r.online,
        r.conference,
        r.clients.map((c) => [c.name, c.online, c.from]),
      ]),
      [
        ['garage', 0, 'off', [['garage-pi', false, 'admin']]],
        [
          'kitchen',
          2,
          'off',
          [
            ['kitchen-speaker', true, 'admin'],
            ['kitchen-tablet', true, 'hello'],
          ],
        ],
        ['office', 1, 'off', [['office-pc', true, 'admin']]],
      ],
    );
    const text = await run(['rooms', ...dd()], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ROOM +ONLINE +CONFERENCE +CLIENTS\n/);
    assert.match(
      text.stdout,
      /\nkitchen +2\/2 +off +kitchen-speaker \(online\), kitchen-tablet \(online\)\n/,
    );
    assert.match(text.stdout, /\ngarage +0\/1 +off +garage-pi\n/);
  });

  it('announces in a room and everywhere through the running hub', async () => {
    const r = await run(['announce', '--room', 'Kitchen', 'dinner', 'is', 'ready', ...dd()], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Announced in kitchen on 2 connection\(s\): kitchen-speaker, kitchen-tablet\.\n$/,
    );
    await heard(kitchen, 'dinner is ready');
    await heard(tablet, 'dinner is ready');
    const all = await run(['announce', '--all', 'good night', '--json', ...dd()], env);
    assert.equal(all.code, 0, all.stderr);
    const body = JSON.parse(all.stdout) as { state: string; ok: boolean; delivered: number; room: null };
    assert.deepEqual([body.state, body.ok, body.delivered, body.room], ['done', true, 3, null]);
    for (const p of [kitchen, tablet, office]) await heard(p, 'good night');
    assert.ok(!office.busOf('speak').some((m) => m.data.utterance === 'dinner is ready'));
  });

  it('refuses an unknown or offline room, and a command without a target', async () => {
    const unknown = await run(['announce', '--room', 'attic', 'hello', ...dd()], env);
    assert.deepEqual([unknown.code, unknown.stderr], [1, 'hivelink: there is no room called "attic"\n']);
    const offline = await run(['announce', '--room', 'garage', 'hello', ...dd()], env);
    assert.deepEqual([offline.code, offline.stderr], [1, 'hivelink: the garage is offline\n']);
    const neither = await run(['announce', 'hello', ...dd()], env);
    assert.deepEqual([neither.code, neither.stderr], [1, 'hivelink: give either --room ROOM or --all\n']);
    const help = await run(['announce', '--help'], env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--room <room>/);
  });

  it('says when no hub runs on the data dir', async () => {
    await hub.proc.stop();
    const r = await run(['announce', '--all', 'hello', ...dd()], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^hivelink: no hub is running on this data dir/);
    const snapshot = await rooms();
    assert.equal(snapshot.hubRunning, false);
    assert.ok(snapshot.rooms.every((room) => room.online === 0));
    const text = await run(['rooms', ...dd()], env);
    assert.match(text.stdout, /^No hub is running on this data dir: nobody is online\.\n/);
  });
});
