/**
 * The CASCADE selectors (docs/PROTOCOL.md §14.5) and how `hivelink mesh map` draws a map (§14.6): a tree, a diamond
 * (a hub under two parents drawn once, named again), a cycle (started at the hub that drew it), and a parent that
 * did not answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMeshMap } from '../../../src/cli/commands/mesh.js';
import { isHiveLinkError } from '../../../src/errors.js';
import {
  allSelector,
  type CascadeAnswer,
  cascadeSelector,
  firstSelector,
  highestSelector,
  registerCascadeSelector,
} from '../../../src/hub/mesh/cascade.js';
import type { MeshMap, MeshMapNode } from '../../../src/hub/mesh/map.js';

function answer(responder: string, confidence: number | null, elapsedMs: number): CascadeAnswer {
  return { responder, node: null, utterances: [`${responder} here`], lang: 'en-US', confidence, elapsedMs };
}

describe('CASCADE selectors', () => {
  const gathered = [answer('room', 0.5, 5), answer('cloud', null, 9), answer('house', 0.75, 20)];

  it('first takes the first answer and ends the window with it; all takes every answer in order', () => {
    assert.deepEqual(firstSelector.select(gathered), [gathered[0]]);
    assert.equal(firstSelector.complete?.([]), false);
    assert.equal(firstSelector.complete?.(gathered.slice(0, 1)), true);
    assert.deepEqual(allSelector.select(gathered), gathered);
    assert.equal(allSelector.complete, undefined);
  });

  it('highest takes the most confident (none counts as 0; a tie goes to the earlier)', () => {
    assert.deepEqual(highestSelector.select(gathered), [gathered[2]]);
    assert.deepEqual(
      highestSelector.select([answer('a', null, 1), answer('b', null, 2)]).map((a) => a.responder),
      ['a'],
    );
    assert.deepEqual(highestSelector.select([]), []);
  });

  it('a program adds its own selector by name; a bad name is refused', () => {
    registerCascadeSelector({
      name: 'fastest-two',
      select: (a) => [...a].sort((x, y) => x.elapsedMs - y.elapsedMs).slice(0, 2),
    });
    assert.deepEqual(
      cascadeSelector('fastest-two')
        ?.select(gathered)
        .map((a) => a.responder),
      ['room', 'cloud'],
    );
    assert.equal(cascadeSelector('nope'), undefined);
    assert.throws(
      () => registerCascadeSelector({ name: 'Bad Name', select: () => [] }),
      (err) => isHiveLinkError(err) && err.code === 'HL_ERR_INVALID_ARGUMENT',
    );
  });
});

function node(name: string, parents: string[], extra: Partial<MeshMapNode> = {}): MeshMapNode {
  return {
    node: `fp-${name}`,
    name,
    site_id: null,
    parents: parents.map((p) => ({ node: `fp-${p}`, url: `ws://${p}:5678`, protocol: 3, rtt_ms: 2 })),
    connections: 1,
    rtt_ms: 4,
    self: false,
    ...extra,
  };
}

function map(nodes: MeshMapNode[]): MeshMap {
  return {
    root: nodes[0]!.node,
    flood_id: 'f',
    taken_at: '2026-01-01T00:00:00.000Z',
    window_ms: 1000,
    cached: false,
    nodes,
  };
}

describe('renderMeshMap', () => {
  it('draws a three-level house from the top, this hub marked', () => {
    const text = renderMeshMap(
      map([
        node('house', ['cloud'], { self: true, rtt_ms: 0, site_id: 'home' }),
        node('cloud', []),
        node('kitchen', ['house'], { site_id: 'kitchen' }),
        node('garage', ['house']),
      ]),
    );
    const lines = text.split('\n');
    assert.match(lines[0]!, /^cloud \(site -\), rtt 4 ms, 1 connections, node fp-cloud$/);
    assert.match(lines[1]!, /^└── house \(site home\), v3, this hub, link 2 ms/);
    assert.match(lines[2]!, /^ {4}├── kitchen \(site kitchen\), v3, rtt 4 ms/);
    assert.match(lines[3]!, /^ {4}└── garage/);
    assert.match(lines[4]!, /^4 hubs answered within 1000 ms/);
  });

  it('draws a hub under two parents once and names it under the second; a cycle starts at this hub', () => {
    const diamond = renderMeshMap(
      map([node('a', ['b', 'c'], { self: true }), node('b', ['d']), node('c', ['d']), node('d', [])]),
    );
    assert.equal((diamond.match(/\ba \(site/g) ?? []).length, 2);
    assert.match(diamond, /a \(site -\).*\(drawn above\)/);
    const cycle = renderMeshMap(map([node('a', ['b'], { self: true }), node('b', ['c']), node('c', ['a'])]));
    assert.match(cycle.split('\n')[0]!, /^a /);
    assert.equal((cycle.match(/\(drawn above\)/g) ?? []).length, 1);
  });

  it('lists a parent that did not answer by its URL', () => {
    const text = renderMeshMap(map([node('house', ['cloud'], { self: true })]));
    assert.match(text, /\(parent ws:\/\/cloud:5678 v3: no answer\)/);
  });
});
