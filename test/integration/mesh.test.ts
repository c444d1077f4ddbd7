/**
 * The mesh (issue 13, docs/PROTOCOL.md §14) over real sockets: hubs built by `composeHub` on 127.0.0.1, each with its
 * own identity, linked as clients of their parents. A satellite of a child asks what only the parent knows (the parent
 * runs the echo agent) and gets the parent's answer in its own session, while what the child knows stays local;
 * `escalate: never` keeps everything local; the link reconnects after the parent restarts and shows in `/healthz` and
 * in `hivelink mesh status --json` (the real CLI); QUERY climbs; a PROPAGATE in a cycle (A→B→C→A) and in a diamond is
 * handled once per node. Waits are on events (link changes, log lines, answers), never sleeps.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MessageData } from '../../src/bus/types.js';
import type { HiveClient } from '../../src/client/index.js';
import { createHiveMessage, type HiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { buildOnce, childEnv, run } from './cli-process.js';
import { linkCredentials, MeshNode } from './mesh-harness.js';

const GIBBERISH = 'zorbly quintessent marmalade fnarble';

/** Collects the `speak`s a client receives. */
function speaks(client: HiveClient): MessageData[] {
  const out: MessageData[] = [];
  client.onBus('speak', (m) => out.push(m));
  return out;
}

describe('nested hubs: local first, climbing to the parent', () => {
  let parent: MeshNode;
  let child: MeshNode;
  let never: MeshNode;
  const nodes: MeshNode[] = [];
  const clients: HiveClient[] = [];

  before(async () => {
    parent = await MeshNode.create('cloud');
    child = await MeshNode.create('house');
    never = await MeshNode.create('shed');
    nodes.push(child, never, parent);
    const link = linkCredentials();
    const shedLink = linkCredentials();
    await parent.addRecords([link.record, shedLink.record]);
    await parent.start({ agent: 'echo' });
    await child.start({ parents: [parent.parentEntry(link)] });
    await never.start({ parents: [parent.parentEntry(shedLink)], escalate: 'never' });
    await Promise.all([child.allOpen(), never.allOpen()]);
  });

  after(async () => {
    for (const c of clients) c.close();
    for (const n of nodes) await n.remove();
  });

  it("a satellite's question the child cannot answer climbs, and the parent's answer comes back in its session", async () => {
    const sat = await child.satellite({ siteId: 'kitchen' });
    clients.push(sat);
    const heard = speaks(sat);
    const result = await sat.ask(GIBBERISH);
    assert.deepEqual(result.answers, [GIBBERISH], 'the echo parent answered');
    assert.equal(result.handled, true);
    assert.equal(heard.length, 1, 'the answer came once');
    const session = heard[0]!.context.session as { session_id: string };
    assert.equal(session.session_id, sat.sessionId, "in the satellite's own session");
    // What the child knows is answered here: the echo parent would have repeated it.
    const local = await sat.ask('tell me a joke');
    assert.equal(local.handled, true);
    assert.notDeepEqual(local.answers, ['tell me a joke'], 'answered by the child, not the parent');
  });

  it('escalate never keeps the question local', async () => {
    const sat = await never.satellite();
    clients.push(sat);
    const result = await sat.ask(GIBBERISH);
    assert.equal(result.handled, false);
    assert.deepEqual(result.answers, []);
  });

  it('a QUERY nobody here answers climbs; the answer and hive.query.complete come back', async () => {
    const sat = await child.satellite({ canEscalate: true });
    clients.push(sat);
    const answers: HiveMessage[] = [];
    const complete = new Promise<MessageData>((resolve) => {
      sat.onBus('hive.query.complete', resolve);
      sat.onBus('hive.query.timeout', resolve);
    });
    sat.on(HiveMessageType.QUERY, (m) => answers.push(m));
    sat.emit(
      createHiveMessage(
        HiveMessageType.QUERY,
        createHiveMessage(HiveMessageType.BUS, {
          type: 'recognizer_loop:utterance',
          data: { utterances: [GIBBERISH], lang: 'en-US' },
          context: {},
        }),
        { metadata: { query_id: 'q-mesh-1' } },
      ),
    );
    const end = await complete;
    assert.equal(end.type, 'hive.query.complete');
    assert.equal(end.data.query_id, 'q-mesh-1');
    assert.equal(answers.length, 1);
    const inner = answers[0]!.payload as HiveMessage;
    assert.equal((inner.payload as { data: { utterance: string } }).data.utterance, GIBBERISH);
    assert.equal(answers[0]!.metadata.is_response, true);
  });

  it('shows the link in /healthz and in `hivelink mesh status --json`', async () => {
    await child.linksUntil((s) => s.parents[0]?.rtt_ms !== null);
    const res = await fetch(`http://127.0.0.1:${child.port}/healthz`);
    const body = (await res.json()) as { parents: { url: string; state: string; protocol: number }[] };
    assert.equal(body.parents.length, 1);
    assert.equal(body.parents[0]!.url, parent.url);
    assert.equal(body.parents[0]!.state, 'open');
    assert.equal(body.parents[0]!.protocol, 3, 'v3: the parent offers it');
    buildOnce(); // the CLI child runs dist/
    const cli = await run(['mesh', 'status', '--json', '--data-dir', child.dataDir], childEnv());
    assert.equal(cli.code, 0, cli.stderr);
    const status = JSON.parse(cli.stdout) as {
      escalate: string;
      parents: { url: string; state: string; protocol: number; since: string; rtt_ms: number }[];
    };
    assert.equal(status.escalate, 'on-failure');
    assert.equal(status.parents[0]!.url, parent.url);
    assert.equal(status.parents[0]!.state, 'open');
    assert.equal(typeof status.parents[0]!.rtt_ms, 'number');
    assert.ok(!Number.isNaN(Date.parse(status.parents[0]!.since)));
  });

  it('reconnects after the parent restarts, and climbs again', async () => {
    const down = child.linksUntil((s) => s.parents[0]?.state !== 'open');
    await parent.stop();
    await down;
    await parent.start({ agent: 'echo' });
    const status = await child.allOpen();
    assert.equal(status.parents[0]!.opens, 2);
    const sat = await child.satellite();
    clients.push(sat);
    const result = await sat.ask(GIBBERISH);
    assert.deepEqual(result.answers, [GIBBERISH]);
  });
});

/** A PROPAGATE of BUS `mesh.test.hello`. */
function hello(n: number): HiveMessage {
  return createHiveMessage(
    HiveMessageType.PROPAGATE,
    createHiveMessage(HiveMessageType.BUS, { type: 'mesh.test.hello', data: { n }, context: {} }),
  );
}

/**
 * Starts `names` hubs with the links `edges` (child → parent), a listening satellite on each and an admin sender on
 * the first; sends one PROPAGATE and resolves once the mesh dropped `drops` copies and every listener heard it.
 */
async function floodOnce(
  names: readonly string[],
  edges: readonly (readonly [string, string])[],
  drops: number,
): Promise<{ heard: number[]; dropped: number; nodes: MeshNode[]; clients: HiveClient[] }> {
  const nodes = new Map<string, MeshNode>();
  for (const name of names) nodes.set(name, await MeshNode.create(name));
  const parents = new Map<string, ReturnType<MeshNode['parentEntry']>[]>();
  for (const [from, to] of edges) {
    const cred = linkCredentials();
    await nodes.get(to)!.addRecords([cred.record]);
    parents.set(from, [...(parents.get(from) ?? []), nodes.get(to)!.parentEntry(cred)]);
  }
  await Promise.all(names.map((n) => nodes.get(n)!.start({ parents: parents.get(n) ?? [] })));
  const list = [...nodes.values()];
  await Promise.all(list.map((n) => n.allOpen()));
  const clients: HiveClient[] = [];
  const heard = list.map(() => 0);
  let heardAll: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    heardAll = resolve;
  });
  for (const [i, node] of list.entries()) {
    const listener = await node.satellite();
    clients.push(listener);
    listener.onBus('mesh.test.hello', () => {
      heard[i] = (heard[i] ?? 0) + 1;
      if (heard.every((h) => h > 0)) heardAll();
    });
  }
  const sender = await list[0]!.satellite({ isAdmin: true, canPropagate: true });
  clients.push(sender);
  sender.emit(hello(1));
  const dropped = () => list.reduce((sum, n) => sum + n.logs.count('dropped'), 0);
  await all;
  // The last drop is logged by one of the hubs: whichever it is wakes this wait.
  await Promise.race(list.map((n) => n.logs.until(() => dropped() >= drops)));
  return { heard, dropped: dropped(), nodes: list, clients };
}

describe('loop-safe floods', () => {
  it('a PROPAGATE in a cycle A→B→C→A reaches every node once', async () => {
    const r = await floodOnce(
      ['A', 'B', 'C'],
      [
        ['A', 'B'],
        ['B', 'C'],
        ['C', 'A'],
      ],
      2,
    );
    try {
      assert.deepEqual(r.heard, [1, 1, 1], 'each node handled it once');
      assert.equal(r.dropped, 2, 'the two copies that came round again were dropped');
    } finally {
      for (const c of r.clients) c.close();
      for (const n of r.nodes) await n.remove();
    }
  });

  it('a PROPAGATE in a diamond (A under B and C, both under D) reaches every node once', async () => {
    const r = await floodOnce(
      ['A', 'B', 'C', 'D'],
      [
        ['A', 'B'],
        ['A', 'C'],
        ['B', 'D'],
        ['C', 'D'],
      ],
      2,
    );
    try {
      assert.deepEqual(r.heard, [1, 1, 1, 1], 'each node handled it once');
      assert.equal(r.dropped, 2);
    } finally {
      for (const c of r.clients) c.close();
      for (const n of r.nodes) await n.remove();
    }
  });
});
