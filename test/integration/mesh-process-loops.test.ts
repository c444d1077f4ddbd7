/**
 * Loops in a mesh of real `hivelink hub` processes on 127.0.0.1 (issue 13 "Done means", docs/PROTOCOL.md §14.4): a
 * cycle (A→B→C→A, each the child of the next) and a diamond (A under B and C, both under D). A PROPAGATE reaches every
 * hub once, and the copies that come round again are dropped (counted in the hubs' debug logs: a flood sent from A
 * makes exactly two copies too many in either shape, whatever the timing); in the cycle an utterance nobody knows
 * climbs until its route comes back to A and is answered there "not understood", once; the map names each hub once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HiveClient } from '../../src/client/index.js';
import { buildOnce } from './cli-process.js';
import {
  flood,
  Listeners,
  MeshHub,
  meshRoot,
  startAll,
  totalLog,
  treeOf,
  untilTotal,
} from './mesh-process-harness.js';

const DROPPED = /dropped: loop, too many hops or already seen/;

/** Hubs `names` with the links `edges` (child → parent), debug logs, started and linked. */
async function mesh(root: string, names: readonly string[], edges: readonly (readonly [string, string])[]) {
  const hubs = new Map<string, MeshHub>();
  for (const name of names) hubs.set(name, await MeshHub.create(root, { name, logLevel: 'debug' }));
  for (const [child, parent] of edges) await hubs.get(child)!.linkTo(hubs.get(parent)!);
  const list = [...hubs.values()];
  await startAll(list);
  return list;
}

/** Sends one PROPAGATE from an admin satellite of the first hub; resolves with what each hub's listener heard. */
async function propagateOnce(hubs: readonly MeshHub[], clients: HiveClient[]): Promise<number[]> {
  const listeners = await Listeners.on(hubs);
  const sender = await hubs[0]!.satellite({ isAdmin: true, canPropagate: true });
  clients.push(sender);
  const hello = listeners.heard('mesh.test.hello');
  sender.emit(flood('propagate', 'mesh.test.hello'));
  await hello.all;
  // Every copy beyond the first at each hub is dropped and logged: wait for the two there must be.
  await untilTotal(hubs, DROPPED, 2);
  listeners.close();
  return hello.counts;
}

describe('loops in a mesh of hub processes', { timeout: 170_000 }, () => {
  const { root, remove } = meshRoot();
  const clients: HiveClient[] = [];
  const all: MeshHub[] = [];

  before(() => buildOnce());

  after(async () => {
    for (const c of clients) c.close();
    await Promise.all(all.map((h) => h.stop()));
    remove();
  });

  it('a cycle A→B→C→A: a PROPAGATE reaches every hub once, a climb ends at its origin, the map names each once', async () => {
    const hubs = await mesh(
      root,
      ['A', 'B', 'C'],
      [
        ['A', 'B'],
        ['B', 'C'],
        ['C', 'A'],
      ],
    );
    all.push(...hubs);
    assert.deepEqual(await propagateOnce(hubs, clients), [1, 1, 1]);
    assert.equal(totalLog(hubs, DROPPED), 2);
    // Nobody knows it: it climbs A→B→C, whose parent A is on its route, so C answers "not understood" and that
    // answer comes back down to the satellite, once.
    const sat = await hubs[0]!.satellite();
    clients.push(sat);
    const failures: unknown[] = [];
    sat.onBus('complete_intent_failure', (m) => failures.push(m));
    const result = await sat.ask('zorbly quintessent marmalade fnarble', { timeoutMs: 20_000 });
    assert.equal(result.handled, false);
    assert.equal(failures.length, 1);
    const map = await hubs[0]!.map();
    assert.deepEqual(treeOf(map), { A: ['B'], B: ['C'], C: ['A'] });
  });

  it('a diamond (A under B and C, both under D): a PROPAGATE reaches every hub once', async () => {
    const hubs = await mesh(
      root,
      ['A2', 'B2', 'C2', 'D2'],
      [
        ['A2', 'B2'],
        ['A2', 'C2'],
        ['B2', 'D2'],
        ['C2', 'D2'],
      ],
    );
    all.push(...hubs);
    assert.deepEqual(await propagateOnce(hubs, clients), [1, 1, 1, 1]);
    assert.equal(totalLog(hubs, DROPPED), 2);
    const map = await hubs[0]!.map();
    assert.deepEqual(treeOf(map), { A2: ['B2', 'C2'], B2: ['D2'], C2: ['D2'], D2: [] });
  });
});
