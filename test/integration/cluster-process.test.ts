/**
 * One hive on three `hivelink hub` processes (issue 16, Routing), on the machine's PostgreSQL and NATS: every node
 * runs with `--store postgres://… --cluster nats://…` (a database, buckets and subjects of this file's own, removed
 * after), and SDK clients connect to different nodes:
 *
 * ```
 *   node a: office, admin      node b: kitchen      node c: garage
 * ```
 *
 * "tell the kitchen" from the office (a) is heard by the kitchen (b); an announcement from the CLI (the admin queue,
 * run by one node) is heard on every node once; a sealed message from the office reaches the garage (c);
 * `hivelink cluster status --json` lists the three nodes; after a SIGKILL of node b the kitchen client (given b and
 * c) reconnects to c, answers, node b's entry leaves the cluster when its TTL runs out, a tell reaches the kitchen
 * on c again, and the timer it set on node b rings there once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MessageData } from '../../src/bus/types.js';
import { readClusterStatus } from '../../src/cli/commands/cluster.js';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import type { PrivateMessage } from '../../src/client/sealed.js';
import { connectCluster, openBuckets } from '../../src/hub/cluster/cluster.js';
import { clusterNames } from '../../src/hub/cluster/names.js';
import { postgresTestDatabase } from '../helpers/postgres.js';
import { type AddedClient, buildOnce, childEnv, type HubProcess, run, startHub } from './cli-process.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

const NATS = process.env.HIVELINK_TEST_NATS ?? 'nats://127.0.0.1:4222';
/** Buckets and subjects of this file alone. */
const PREFIX = `hltest-${process.pid}-${randomBytes(4).toString('hex')}`;
/** Short, so a killed node leaves within a few seconds. */
const TTL_MS = 2400;

const database = postgresTestDatabase('cluster');
const root = mkdtempSync(join(tmpdir(), 'hl-cluster-'));
const env = childEnv();

after(async () => {
  rmSync(root, { recursive: true, force: true });
  const nc = await connectCluster(NATS, 'hivelink-test-cleanup');
  try {
    const buckets = await openBuckets(nc, clusterNames(PREFIX), TTL_MS);
    await Promise.all(Object.values(buckets).map((kv) => kv.destroy()));
  } finally {
    await nc.close();
  }
});

async function cli(args: readonly string[]): Promise<string> {
  const r = await run(args, env);
  assert.equal(r.code, 0, `hivelink ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The next bus message of `type` on `client` that `match` accepts. */
function nextBus(
  client: HiveClient,
  type: string,
  match: (m: MessageData) => boolean = () => true,
): Promise<MessageData> {
  return new Promise((resolve) => {
    const off = client.onBus(type, (m) => {
      if (!match(m)) return;
      off();
      resolve(m);
    });
  });
}

const said = (text: string) => (m: MessageData) => String(m.data?.utterance ?? '').includes(text);

/** Retries `fn` while it fails with `code` (the other nodes have not seen a connection yet), up to 15 s. */
async function whileRefused<T>(code: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: unknown }).code !== code || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('a cluster of three hub processes (PostgreSQL + NATS)', () => {
  const hubs = new Map<string, HubProcess>();
  const clients: HiveClient[] = [];
  let store: string[];
  let admin: string[];

  before(async () => {
    buildOnce();
    const keyFile = join(root, 'cluster.key');
    await cli(['store', 'keygen', '--out', keyFile]);
    store = ['--store', await database.url(), '--secrets-key-file', keyFile];
    admin = ['--data-dir', join(root, 'admin'), ...store];
    const cluster = ['--cluster', NATS, '--cluster-prefix', PREFIX, '--cluster-ttl-ms', String(TTL_MS)];
    await Promise.all(
      ['a', 'b', 'c'].map(async (id) => {
        const hub = await startHub(join(root, `hub-${id}`), env, [
          ...store,
          ...cluster,
          '--node-id',
          `node-${id}`,
          '--agent',
          'echo',
        ]);
        await hub.proc.wait(new RegExp(`^cluster: \\S+ as node node-${id}\\n`, 'm'));
        hubs.set(id, hub);
      }),
    );
  });

  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    for (const hub of hubs.values()) if (hub.proc.child.exitCode === null) hub.proc.child.kill('SIGKILL');
  });

  /** A client in its own room that takes direct messages from anyone, with `more` admin commands run on it too. */
  async function add(name: string, more: readonly (readonly string[])[] = []): Promise<AddedClient> {
    const c = JSON.parse(
      await cli(['clients', 'add', '--name', name, '--site', name, '--json', ...admin]),
    ) as AddedClient;
    const id = String(c.id);
    await Promise.all(
      [['clients', 'set', id, '--consent', 'allow'], ...more.map((m) => [...m, id])].map((args) =>
        cli([...args, ...admin]),
      ),
    );
    return c;
  }

  async function connect(creds: AddedClient, on: string, more: readonly string[] = []): Promise<HiveClient> {
    const urls = more.map((id) => hubs.get(id)!.url);
    const client = createHiveClient({
      url: hubs.get(on)!.url,
      ...(urls.length > 0 ? { urls } : {}),
      accessKey: creds.accessKey,
      password: creds.password,
      protocol: 'legacy',
      reconnect: { enabled: urls.length > 0, initialDelayMs: 50, maxDelayMs: 400 },
    });
    clients.push(client);
    await client.connect();
    return client;
  }

  it('routes tells, announcements and sealed messages across nodes; survives a SIGKILL', {
    timeout: 150_000,
  }, async () => {
    // Every child process at once: the CLI's start-up is most of the time on a busy machine.
    const [officeCreds, kitchenCreds, garageCreds] = await Promise.all([
      add('office'),
      add('kitchen', [['clients', 'allow-msg', 'hive.timer.set']]),
      add('garage'),
    ]);
    const [office, kitchen, garage] = await Promise.all([
      connect(officeCreds, 'a'),
      connect(kitchenCreds, 'b', ['c']),
      connect(garageCreds, 'c'),
    ]);

    // A relayed order from node a reaches the kitchen on node b.
    const heard = nextBus(kitchen, 'speak', said('dinner is ready'));
    const told = await whileRefused('HL_ERR_ROOM_OFFLINE', () => office.tell('kitchen', 'dinner is ready'));
    assert.equal(told.delivered, 1);
    assert.match(String((await heard).data?.utterance), /^office says: dinner is ready$/);

    // An announcement from the CLI (the admin queue: one node runs it) is heard once on every node.
    const text = `announcement ${randomBytes(4).toString('hex')}`;
    const counts = new Map<HiveClient, number>();
    const everyone = [office, kitchen, garage].map((c) => {
      counts.set(c, 0);
      c.onBus('speak', (m) => {
        if (said(text)(m)) counts.set(c, (counts.get(c) ?? 0) + 1);
      });
      return nextBus(c, 'speak', said(text));
    });
    const announced = JSON.parse(await cli(['announce', '--all', '--json', text, ...admin])) as {
      delivered: number;
    };
    assert.equal(announced.delivered, 3);
    await Promise.all(everyone);

    // A sealed message from the office (node a) to the garage (node c).
    await office.sealed.publish();
    await garage.sealed.publish();
    const secret = `sealed ${randomBytes(4).toString('hex')}`;
    const opened = new Promise<PrivateMessage>((resolve) => {
      const off = garage.sealed.onMessage((m) => {
        off();
        resolve(m);
      });
    });
    const sent = await office.sealed.send('garage', {
      type: 'speak',
      data: { utterance: secret },
      context: {},
    });
    assert.equal(sent.delivered, true);
    const mail = await opened;
    assert.equal(mail.bus?.data?.utterance, secret);
    assert.equal(mail.sender?.name, 'office');
    // Every node ran the announcement's delivery once: nobody heard it twice.
    for (const [c, n] of counts) assert.equal(n, 1, `${c.hostPort} heard the announcement ${n} times`);

    // cluster status reads the nodes from NATS alone.
    const status = JSON.parse(
      await cli(['cluster', 'status', '--json', '--cluster', NATS, '--cluster-prefix', PREFIX]),
    ) as { nodes: { node: string; connections: number; version: string }[] };
    assert.deepEqual(
      status.nodes.map((n) => [n.node, n.connections]),
      [
        ['node-a', 1],
        ['node-b', 1],
        ['node-c', 1],
      ],
    );

    // SIGKILL node b: the kitchen reconnects to node c and answers there.
    const b = hubs.get('b')!;
    const reopened = new Promise<void>((resolve) => {
      const off = kitchen.onState((s) => {
        if (s.type === 'open' && kitchen.hostPort === `127.0.0.1:${hubs.get('c')!.port}`) {
          off();
          resolve();
        }
      });
    });
    // A timer the kitchen sets on node b (acknowledged there) outlives node b: another node adopts it when node b
    // leaves and says it on node c, once.
    let rang = 0;
    kitchen.onBus('speak', (m) => {
      if (said('outlived node b')(m)) rang += 1;
    });
    const ringing = nextBus(kitchen, 'speak', said('outlived node b'));
    const set = await kitchen.request('hive.timer.set', {
      duration_ms: 8000,
      utterance: 'the timer outlived node b',
    });
    assert.equal(set.ok, true, JSON.stringify(set));
    b.proc.child.kill('SIGKILL');
    await b.proc.exit;
    await reopened;
    const answered = await kitchen.ask('are you there');
    assert.match(answered.answers.join(' '), /are you there/);
    // Node b's heartbeat stops: its entry is gone from the cluster within its TTL.
    const deadline = Date.now() + TTL_MS * 4;
    let nodes = await readClusterStatus(NATS, PREFIX);
    while (nodes.some((n) => n.node === 'node-b') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      nodes = await readClusterStatus(NATS, PREFIX);
    }
    assert.deepEqual(
      nodes.map((n) => [n.node, n.connections]),
      [
        ['node-a', 1],
        ['node-c', 2],
      ],
    );
    // The tell from node a reaches the kitchen on node c (node b's entry, which still named it, is gone).
    const again = nextBus(kitchen, 'speak', said('the kitchen moved'));
    assert.equal((await office.tell('kitchen', 'the kitchen moved')).delivered, 1);
    await again;
    await ringing;
    assert.equal(rang, 1);

    for (const id of ['a', 'c']) assert.equal((await hubs.get(id)!.proc.stop('SIGTERM')).code, 0);
  });
});
