/**
 * A three-level house of real `hivelink hub` processes on 127.0.0.1 (issue 13 "Done means", docs/PROTOCOL.md §14):
 *
 * ```
 *   cloud  (knows "what is the cloud secret for X"; its agent bus watched through --bus-port)
 *     ▲
 *   house  (knows "what is the house secret for X")
 *     ▲
 *   room   (its satellites ask)
 * ```
 *
 * Escalation two levels up with each answer back to the satellite that asked; PROPAGATE and BROADCAST reach every
 * hub once; QUERY climbs to the first node that answers; CASCADE gathers the three hubs' answers and the selectors
 * pick (all, highest confidence, first); `hivelink mesh map` draws the real tree; the ESCALATE-wrapped BUS a
 * satellite's permissions forbid fails at the relay with its code (and one a link's record forbids, at the next
 * relay); two satellites under two children that both say session `default` never share a session at the top.
 * Every hub runs the embedded assistant with a test skill; links are v3 (Noise), satellites legacy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { MessageData } from '../../src/bus/types.js';
import type { HiveClient } from '../../src/client/index.js';
import { createHiveMessage, type HiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { DEFAULT_ALLOWED_TYPES } from '../../src/store/client-fields.js';
import { buildOnce } from './cli-process.js';
import {
  flood,
  floodAll,
  Listeners,
  MeshHub,
  meshRoot,
  meshSkill,
  startAll,
  treeOf,
} from './mesh-process-harness.js';

/** The messages of a hub's agent bus (`--bus-port`), with a wait. */
class BusWatch {
  readonly messages: MessageData[] = [];
  readonly #ws: WebSocket;
  readonly #waiters = new Set<() => void>();

  constructor(url: string) {
    this.#ws = new WebSocket(url);
    this.#ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as MessageData);
      for (const w of [...this.#waiters]) w();
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#ws.once('open', () => resolve());
      this.#ws.once('error', reject);
    });
  }

  until(predicate: (m: MessageData) => boolean): Promise<MessageData> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.messages.find(predicate);
        if (found === undefined) return;
        this.#waiters.delete(check);
        resolve(found);
      };
      this.#waiters.add(check);
      check();
    });
  }

  close(): void {
    this.#ws.close();
  }
}

/** A QUERY or CASCADE of `utterance`. */
function question(
  type: 'query' | 'cascade',
  utterance: string,
  metadata: Record<string, string>,
): HiveMessage {
  return createHiveMessage(
    type === 'query' ? HiveMessageType.QUERY : HiveMessageType.CASCADE,
    createHiveMessage(HiveMessageType.BUS, {
      type: 'recognizer_loop:utterance',
      data: { utterances: [utterance], lang: 'en-US' },
      context: {},
    }),
    { metadata },
  );
}

/** Sends `message` from `client` and resolves with the answers of its query id and the end of it. */
async function ask(
  client: HiveClient,
  message: HiveMessage,
): Promise<{ answers: HiveMessage[]; end: MessageData }> {
  const queryId = message.metadata.query_id;
  const answers: HiveMessage[] = [];
  const offs = [
    client.on(message.msg_type, (m) => {
      if (m.metadata.query_id === queryId) answers.push(m);
    }),
  ];
  const end = new Promise<MessageData>((resolve) => {
    for (const type of ['hive.query.complete', 'hive.query.timeout']) {
      offs.push(
        client.onBus(type, (m) => {
          if (m.data.query_id === queryId) resolve(m);
        }),
      );
    }
  });
  client.emit(message);
  const done = await end;
  for (const off of offs) off();
  return { answers, end: done };
}

function utteranceOf(answer: HiveMessage): string {
  return ((answer.payload as HiveMessage).payload as { data: { utterance: string } }).data.utterance;
}

describe('a three-level tree of hub processes', { timeout: 170_000 }, () => {
  const { root, remove } = meshRoot();
  let cloud: MeshHub;
  let house: MeshHub;
  let room: MeshHub;
  let cloudBus: BusWatch;
  const clients: HiveClient[] = [];
  const keep = (c: HiveClient) => {
    clients.push(c);
    return c;
  };

  before(async () => {
    buildOnce();
    // Roll-call confidences by keyword coverage of "mesh roll call now": cloud 4/4, house 3/4, room 2/4.
    cloud = await MeshHub.create(root, {
      name: 'cloud',
      site: 'cloud',
      skill: meshSkill('cloud', ['mesh', 'roll', 'call', 'now']),
      busPort: true,
    });
    house = await MeshHub.create(root, {
      name: 'house',
      site: 'house',
      skill: meshSkill('house', ['roll', 'call', 'now']),
      logLevel: 'debug', // its policy refusals are logged at debug
    });
    room = await MeshHub.create(root, {
      name: 'room',
      site: 'kitchen',
      skill: meshSkill('room', ['call', 'now'], false),
    });
    await house.linkTo(cloud);
    await room.linkTo(house);
    await startAll([cloud, house, room]);
    cloudBus = new BusWatch(cloud.running!.busUrl!);
    await cloudBus.opened();
  });

  after(async () => {
    for (const c of clients) c.close();
    cloudBus?.close();
    await Promise.all([room, house, cloud].map((h) => h?.stop()));
    remove();
  });

  it('escalates two levels up, and each answer comes back to the satellite that asked', async () => {
    const [a, b] = [keep(await room.satellite()), keep(await room.satellite())];
    const [ra, rb] = await Promise.all([
      a.ask('what is the cloud secret for apples', { timeoutMs: 20_000 }),
      b.ask('what is the cloud secret for pears', { timeoutMs: 20_000 }),
    ]);
    assert.deepEqual(ra.answers, ['cloud secret for apples']);
    assert.deepEqual(rb.answers, ['cloud secret for pears']);
    // One level up is enough for what the house knows; the room's own skill answers here.
    assert.deepEqual((await a.ask('what is the house secret for plums')).answers, ['house secret for plums']);
    assert.deepEqual((await b.ask('mesh call now')).answers, ['room here']);
  });

  it('PROPAGATE from the bottom and BROADCAST from the top reach every hub once', async () => {
    const listeners = await Listeners.on([cloud, house, room]);
    const sender = keep(await room.satellite({ isAdmin: true, canPropagate: true }));
    const admin = keep(await cloud.satellite({ isAdmin: true, canBroadcast: true }));
    assert.deepEqual(await floodAll(listeners, sender, 'propagate', 'mesh.test.hello'), [1, 1, 1]);
    assert.deepEqual(await floodAll(listeners, admin, 'broadcast', 'mesh.test.news'), [1, 1, 1]);
    listeners.close();
  });

  it('QUERY climbs to the first node that answers', async () => {
    const sat = keep(await room.satellite({ canEscalate: true }));
    const { answers, end } = await ask(
      sat,
      question('query', 'what is the cloud secret for figs', { query_id: 'q-proc-1' }),
    );
    assert.equal(end.type, 'hive.query.complete');
    assert.deepEqual(answers.map(utteranceOf), ['cloud secret for figs']);
  });

  it('CASCADE gathers every answer of the tree; all, highest and first pick from them', async () => {
    const sat = keep(await room.satellite({ canPropagate: true }));
    const all = await ask(
      sat,
      question('cascade', 'mesh roll call now', { query_id: 'c-all', selector: 'all' }),
    );
    assert.equal(all.end.type, 'hive.query.complete');
    assert.equal(all.end.data.gathered, 3);
    assert.deepEqual(all.answers.map(utteranceOf).sort(), ['cloud here', 'house here', 'room here']);
    const confidence = Object.fromEntries(
      all.answers.map((a) => [a.metadata.responder_peer, a.metadata.confidence as number]),
    );
    assert.ok(
      confidence.cloud! > confidence.house! && confidence.house! > confidence.room!,
      JSON.stringify(confidence),
    );
    assert.equal(
      all.answers.find((a) => a.metadata.responder_peer === 'cloud')!.metadata.responder_node,
      cloud.node,
    );

    const best = await ask(
      sat,
      question('cascade', 'mesh roll call now', { query_id: 'c-best', selector: 'highest' }),
    );
    assert.deepEqual(best.answers.map(utteranceOf), ['cloud here']);
    assert.equal(best.end.data.selector, 'highest');

    const first = await ask(
      sat,
      question('cascade', 'mesh roll call now', { query_id: 'c-first', selector: 'first' }),
    );
    assert.equal(first.answers.length, 1);
    assert.equal(first.end.data.selector, 'first');
  });

  it('`hivelink mesh map` draws the real tree, from any hub', async () => {
    const map = await room.map();
    assert.deepEqual(treeOf(map), { room: ['house'], house: ['cloud'], cloud: [] });
    const byName = Object.fromEntries(map.nodes.map((n) => [n.name, n]));
    assert.equal(byName.room!.self, true);
    assert.equal(byName.cloud!.node, cloud.node);
    assert.equal(byName.house!.site_id, 'house');
    assert.equal(byName.room!.parents[0]!.protocol, 3);
    assert.ok(byName.cloud!.rtt_ms >= 0 && typeof byName.house!.parents[0]!.rtt_ms === 'number');
    assert.deepEqual(treeOf(await cloud.map()), treeOf(map), 'the top sees the same tree');
  });

  it("an ESCALATE-wrapped BUS the sender's permissions forbid fails at the relay with its code", async () => {
    const sat = keep(await room.satellite({ canEscalate: true }));
    const denied = new Promise<MessageData>((resolve) => sat.onBus('hive.policy.denied', resolve));
    sat.emit(flood('escalate', 'mesh.forbidden', { attempt: 1 }));
    const refusal = await denied;
    assert.equal(refusal.data.code, 'acl_disallowed_type');
    assert.equal(refusal.data.denied_type, 'mesh.forbidden');
    // Allowed for this satellite at the room, but not for the room's link at the house: refused there.
    const wide = keep(
      await room.satellite({
        canEscalate: true,
        allowedTypes: [...DEFAULT_ALLOWED_TYPES, 'mesh.custom', 'mesh.test.marker'],
      }),
    );
    const houseMark = house.mark();
    wide.emit(flood('escalate', 'mesh.custom', { attempt: 2 }));
    await house.waitLog(/"code":"acl_disallowed_type"[^\n]*"msg":"policy denied"/, houseMark);
    // What is allowed at every hop reaches the top; nothing refused came with it or before it.
    wide.emit(flood('escalate', 'mesh.test.marker', { attempt: 3 }));
    await cloudBus.until(
      (m) => m.type === 'hive.send.upstream' && JSON.stringify(m.data).includes('mesh.test.marker'),
    );
    const upstream = cloudBus.messages
      .filter((m) => m.type === 'hive.send.upstream')
      .map((m) => JSON.stringify(m.data));
    assert.ok(
      !upstream.some((u) => u.includes('mesh.forbidden') || u.includes('mesh.custom')),
      upstream.join('\n'),
    );
  });

  it("two satellites under two children that both say session 'default' never share a session at the top", async () => {
    const [inRoom, inHouse] = [keep(await room.satellite()), keep(await house.satellite())];
    const asked = (thing: string) =>
      cloudBus.until(
        (m) =>
          m.type === 'recognizer_loop:utterance' && JSON.stringify(m.data).includes(`secret for ${thing}`),
      );
    const seen = [asked('limes'), asked('kiwis')];
    const session = { session: { session_id: 'default' } };
    inRoom.emitBus(
      'recognizer_loop:utterance',
      { utterances: ['what is the cloud secret for limes'] },
      session,
    );
    inHouse.emitBus(
      'recognizer_loop:utterance',
      { utterances: ['what is the cloud secret for kiwis'] },
      session,
    );
    const [a, b] = (await Promise.all(seen)) as [MessageData, MessageData];
    const idOf = (m: MessageData) => (m.context.session as { session_id: string }).session_id;
    assert.notEqual(idOf(a), idOf(b));
    assert.ok(idOf(a).endsWith(':default') && idOf(b).endsWith(':default'), `${idOf(a)} ${idOf(b)}`);
    // Each hop's NAT adds its namespace: the room's and its link's at the house, then the house link's at the top.
    assert.equal(idOf(a).split(':').length, 4);
    assert.equal(idOf(b).split(':').length, 3);
  });
});
