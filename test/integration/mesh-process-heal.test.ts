/**
 * Five `hivelink hub` processes on 127.0.0.1 (issue 13 "Done means", docs/PROTOCOL.md §14): the tree
 *
 * ```
 *            cloud
 *           ▲     ▲
 *       house     office
 *      ▲     ▲
 *  kitchen   garage
 * ```
 *
 * `hivelink mesh map` draws it; PROPAGATE and BROADCAST reach every hub once; killing the middle hub (house, SIGKILL)
 * partitions it — its children's links go down (their logs say so), the map from the top has only cloud and office —
 * and bringing it back on the same address heals it: the children's links open again (their logs), the map is the
 * same tree, a flood reaches every hub once (no duplicates) and a climb from the kitchen gets one answer from the top.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HiveClient } from '../../src/client/index.js';
import { buildOnce } from './cli-process.js';
import {
  floodAll,
  LINK_OPEN,
  Listeners,
  MeshHub,
  meshRoot,
  meshSkill,
  startAll,
  treeOf,
} from './mesh-process-harness.js';

const LINK_DOWN = /"msg":"parent link down; reconnecting"/;

const TREE = {
  cloud: [],
  house: ['cloud'],
  office: ['cloud'],
  kitchen: ['house'],
  garage: ['house'],
};

describe('five hub processes: the map, floods, and a tree that heals', { timeout: 170_000 }, () => {
  const { root, remove } = meshRoot();
  let cloud: MeshHub;
  let house: MeshHub;
  let office: MeshHub;
  let kitchen: MeshHub;
  let garage: MeshHub;
  let hubs: MeshHub[];
  const clients: HiveClient[] = [];

  let listeners: Listeners;

  before(async () => {
    buildOnce();
    cloud = await MeshHub.create(root, {
      name: 'cloud',
      skill: meshSkill('cloud', ['mesh', 'roll', 'call', 'now']),
    });
    house = await MeshHub.create(root, { name: 'house' });
    office = await MeshHub.create(root, { name: 'office' });
    kitchen = await MeshHub.create(root, { name: 'kitchen', site: 'kitchen' });
    garage = await MeshHub.create(root, { name: 'garage', site: 'garage' });
    hubs = [cloud, house, office, kitchen, garage];
    await house.linkTo(cloud);
    await office.linkTo(cloud);
    await kitchen.linkTo(house);
    await garage.linkTo(house);
    await startAll(hubs);
    listeners = await Listeners.on(hubs);
  });

  after(async () => {
    for (const c of clients) c.close();
    listeners?.close();
    await Promise.all(hubs.map((h) => h.stop()));
    remove();
  });

  it('`hivelink mesh map` from a leaf draws the five-hub tree', async () => {
    const map = await kitchen.map();
    assert.deepEqual(treeOf(map), TREE);
    assert.equal(map.nodes.length, 5);
    assert.equal(map.nodes.find((n) => n.name === 'garage')!.site_id, 'garage');
  });

  it('PROPAGATE from a leaf and BROADCAST from the top reach every hub once', async () => {
    const leaf = await garage.satellite({ isAdmin: true, canPropagate: true });
    const top = await cloud.satellite({ isAdmin: true, canBroadcast: true });
    clients.push(leaf, top);
    assert.deepEqual(await floodAll(listeners, leaf, 'propagate', 'mesh.test.hello'), [1, 1, 1, 1, 1]);
    assert.deepEqual(await floodAll(listeners, top, 'broadcast', 'mesh.test.news'), [1, 1, 1, 1, 1]);
  });

  it('killing the middle hub partitions the tree; bringing it back heals it with no duplicates', async () => {
    const marks = [kitchen.mark(), garage.mark()];
    await house.stop('SIGKILL');
    await Promise.all([kitchen.waitLog(LINK_DOWN, marks[0]), garage.waitLog(LINK_DOWN, marks[1])]);
    assert.deepEqual(
      treeOf(await cloud.map()),
      { cloud: [], office: ['cloud'] },
      'the top sees the part it still has',
    );

    const reopened = [kitchen.mark(), garage.mark()];
    await house.start();
    await Promise.all([
      house.waitLog(LINK_OPEN),
      kitchen.waitLog(LINK_OPEN, reopened[0]),
      garage.waitLog(LINK_OPEN, reopened[1]),
    ]);
    assert.deepEqual(treeOf(await garage.map()), TREE, 'the same tree again');
    await listeners.replace(house);
    const leaf = await kitchen.satellite({ isAdmin: true, canPropagate: true });
    clients.push(leaf);
    assert.deepEqual(await floodAll(listeners, leaf, 'propagate', 'mesh.test.hello'), [1, 1, 1, 1, 1]);
    // A climb from the kitchen through the healed house to the top: one answer.
    const sat = await kitchen.satellite();
    clients.push(sat);
    const heard: unknown[] = [];
    sat.onBus('speak', (m) => heard.push(m));
    const result = await sat.ask('what is the cloud secret for quinces', { timeoutMs: 20_000 });
    assert.deepEqual(result.answers, ['cloud secret for quinces']);
    assert.equal(heard.length, 1);
  });
});
