/**
 * Every hub limit reaches its consumer. For each limit of `scope: 'hub'` in `src/limits.ts` one case builds a real
 * hub with `composeHub` (what `hivelink hub` runs; 127.0.0.1, port 0), sets that limit where it trips (low; high
 * for a floor such as `minPasswordBits`), trips it over real sockets and sees what `docs/LIMITS.md` promises: the
 * close code, the error, the policy answer, the counter. With the default the case does not trip (or not within its
 * deadline; each was checked against a compose that dropped every limit), so a limit the hub config accepts but
 * never hands on fails here.
 *
 * The first test walks the registry: a hub limit with neither a case nor an entry in {@link NOT_TRIPPED} (the
 * allow-list, with a reason each; empty) fails it, so a new limit cannot be added unwired.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { createMessage, reply } from '../../src/bus/message.js';
import type { MessageBus, MessageData } from '../../src/bus/types.js';
import type { BusClient } from '../../src/bus/ws-client.js';
import { BusServer } from '../../src/bus/ws-server.js';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import type { JobHandle } from '../../src/client/jobs.js';
import type { PrivateMessage } from '../../src/client/sealed.js';
import { MemoryIdentityStore } from '../../src/client/stores.js';
import { e2eIdentity, sealEnvelope } from '../../src/crypto/sealed.js';
import { isHiveLinkError } from '../../src/errors.js';
import type { ComposedHub } from '../../src/hub/compose.js';
import type { HubConfigInput } from '../../src/hub/config.js';
import { type HubLimitName, LIMIT_DEFS, type LimitName, limitsOfScope } from '../../src/limits.js';
import type { JsonObject } from '../../src/protocol/json.js';
import { createHiveMessage, type HiveMessage, serializeHiveMessage } from '../../src/protocol/message.js';
import { BinaryType, HiveMessageType } from '../../src/protocol/message-types.js';
import { SealedContent } from '../../src/protocol/sealed.js';
import { newPairingCode, type PairingCode } from '../../src/session/pairing-code.js';
import { dataDirPaths } from '../../src/store/data-dir.js';
import { DEFAULT_ALLOWED_TYPES } from '../../src/store/index.js';
import { loadOrCreateSecretsKey } from '../../src/store/secrets.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { ClientStore, NewClient } from '../../src/store/types.js';
import { defaultVoiceConfig } from '../../src/voice/config.js';
import { FakeTimers } from '../helpers/fake-timers.js';
import { pgQuery, postgresTestDatabase } from '../helpers/postgres.js';
import { bundleOf, publisherKey, type TestSkill } from '../helpers/skill-bundles.js';
import { Peer as BusPeer, frame as busFrame } from './bus-helpers.js';
import { composeTestHub } from './house-harness.js';
import {
  type CloseInfo,
  FakePeer,
  failOnUnhandledRejection,
  legacyOffer,
  type PeerOptions,
  token,
} from './hub-harness.js';
import { linkCredentials, MeshNode } from './mesh-harness.js';
import { joinAt } from './pair-helpers.js';
import { fakeChildHub, fakeEntry, sealedFor } from './relay-hop-helpers.js';
import { deposit, rendezvous } from './rendezvous-helpers.js';

failOnUnhandledRejection();
/** The PostgreSQL database of the `storePoolSize` case (made on first use, dropped after the file). */
const postgres = postgresTestDatabase('limits-wired');
// The bus server's own logger (the hub's agent bus with busPort) reads this; its refusals are expected here.
process.env.HIVELINK_LOG_LEVEL ??= 'silent';

// -- a hub built by compose.ts

const silentBusLogger = { debug() {}, info() {}, warn() {}, error() {} };
let clientCounter = 0;

interface Running {
  readonly composed: ComposedHub;
  readonly port: number;
  /** `ws://127.0.0.1:PORT` */
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  /** `ws://127.0.0.1:BUSPORT/core` when `busPort` is set. */
  readonly busUrl: string;
  readonly dataDir: string;
  /** A client with a strong password; `peer` connects it over the legacy protocol. */
  addClient(
    extra?: Omit<NewClient, 'name'>,
  ): Promise<{ id: number; accessKey: string; password: string; peer: PeerOptions }>;
  close(): Promise<void>;
}

/** Composes and starts a hub (agent `echo` unless told otherwise), runs `body`, then stops it. */
async function withHub(
  input: HubConfigInput,
  body: (h: Running) => Promise<void>,
  options: { now?: () => number; jobKinds?: readonly URL[] } = {},
): Promise<void> {
  const h = await startComposed(input, options);
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

async function startComposed(
  input: HubConfigInput,
  options: { now?: () => number; jobKinds?: readonly URL[] } = {},
): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-limits-'));
  const { composed, port, busPort, url } = await composeTestHub(
    dataDir,
    { agent: 'echo', ...input },
    { ...options, keepAuthBudgets: true },
  );
  return {
    composed,
    port,
    url,
    base: `http://127.0.0.1:${port}`,
    busUrl: `ws://127.0.0.1:${busPort ?? 0}/core`,
    dataDir,
    async addClient(extra = {}) {
      clientCounter += 1;
      const password = randomBytes(18).toString('base64url'); // strong: passes any password policy
      const { record } = await composed.data.store.addClient({
        name: `client${clientCounter}`,
        password,
        ...extra,
      });
      const peer: PeerOptions = { accessKey: record.accessKey, password, protocol: 'legacy' };
      return { id: record.id, accessKey: record.accessKey, password, peer };
    },
    async close() {
      await composed.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An OVOS messagebus standing in for the agent (`agent: 'ovos'`): silent unless the test answers on `skills`. */
async function withOvosBus(body: (ovos: { url: string; skills: MessageBus }) => Promise<void>) {
  const server = new BusServer({ port: 0, logger: silentBusLogger });
  const { port } = await server.start();
  try {
    await body({ url: `ws://127.0.0.1:${port}/core`, skills: server.localBus() });
  } finally {
    await server.stop();
  }
}

/** Composes a hub whose agent is the OVOS messagebus at `ovosUrl`, connected before `body` runs. */
async function withOvosHub(ovosUrl: string, input: HubConfigInput, body: (h: Running) => Promise<void>) {
  await withHub({ ...input, agent: 'ovos', ovosUrl }, async (h) => {
    await (h.composed.bus as BusClient).connect();
    await body(h);
  });
}

// -- the mesh (issue 13): hubs with their own identities, a child linked to its parent

/**
 * A parent hub whose agent is the OVOS bus at `ovosUrl` (nobody answers there unless the test does) and a child
 * (embedded assistant) linked to it with `limits`, the link open before `body` runs.
 */
async function withSilentParent(
  ovosUrl: string,
  limits: HubConfigInput['limits'],
  body: (child: MeshNode) => Promise<void>,
) {
  const [parent, child] = [await MeshNode.create('parent'), await MeshNode.create('child')];
  try {
    const link = linkCredentials();
    await parent.addRecords([link.record]);
    await parent.start({ agent: 'ovos', ovosUrl });
    await child.start({ parents: [parent.parentEntry(link)], limits: { ...limits } });
    await child.allOpen();
    await body(child);
  } finally {
    await child.remove();
    await parent.remove();
  }
}

/** Nothing the embedded assistant understands: it reports complete_intent_failure. */
const NOT_UNDERSTOOD = 'zorbly quintessent marmalade fnarble';

// -- small helpers

/** `promise`, or a failure naming `what` after `ms`: a limit left at its default would not have tripped yet. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when `check` holds, checking after every turn of the event loop that lets I/O run. */
async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** The next message of `type` on `bus` that matches `filter`. */
function nextOn(bus: MessageBus, type: string, filter: (m: MessageData) => boolean = () => true) {
  return new Promise<MessageData>((resolve) => {
    const off = bus.on(type, (m) => {
      if (!filter(m)) return;
      off();
      resolve(m);
    });
  });
}

/** A raw websocket to the hub with the token of `accessKey` (from `localAddress`), closed-info as a promise. */
function rawSocket(
  h: Running,
  accessKey: string,
  localAddress?: string,
): { ws: WebSocket; closed: Promise<CloseInfo> } {
  const ws = new WebSocket(
    `${h.url}/?authorization=${token('limits-test', accessKey)}`,
    localAddress === undefined ? {} : { localAddress },
  );
  const closed = new Promise<CloseInfo>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => undefined);
  return { ws, closed };
}

/** Connects with an access key the hub does not know: one failure for the address. */
function unknownKey(h: Running, localAddress?: string): Promise<CloseInfo> {
  return rawSocket(h, 'no-such-key', localAddress).closed;
}

/** Sends `offer` on a raw socket and resolves with the hub's answering envelope, or the close that came instead. */
async function offerOnce(h: Running, accessKey: string, offer: HiveMessage): Promise<'answered' | CloseInfo> {
  const { ws, closed } = rawSocket(h, accessKey);
  const answered = new Promise<'answered'>((resolve) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { msg_type: string; payload: JsonObject };
      if (m.msg_type === HiveMessageType.HANDSHAKE && typeof m.payload.envelope === 'string') {
        resolve('answered');
      }
    });
  });
  await once(ws, 'open');
  ws.send(serializeHiveMessage(offer));
  const outcome = await Promise.race([answered, closed]);
  ws.close();
  await closed;
  return outcome;
}

/** A TCP connection to the hub that sends nothing; resolves `closed` when the hub drops it. */
async function idleTcp(h: Running): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(h.port, '127.0.0.1');
  const closed = once(socket, 'close').then(() => undefined);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return { socket, closed };
}

/**
 * A hub with `limits` and one client connected: `written(store, clientId)` holds within `ms` (`what` names the
 * write in the failure: with the limit at its default it comes later).
 */
function writtenWithin(
  limits: Partial<Record<LimitName, number>>,
  ms: number,
  what: string,
  written: (store: ClientStore, clientId: number) => Promise<boolean>,
): Promise<void> {
  return withHub({ limits }, async (h) => {
    const c = await h.addClient();
    const peer = await FakePeer.open(h.url, c.peer);
    await within(
      ms,
      what,
      until(() => written(h.composed.data.store, c.id)),
    );
    await peer.close();
  });
}

/** Whether client `clientId`'s one connection is in the history. */
const historyRow = async (store: ClientStore, clientId: number) =>
  (await store.history(clientId)).length === 1;

/** Opens legacy sessions at once and resolves with the close of one refused with 1013. */
async function oneRefusedOf(h: Running, options: PeerOptions[]): Promise<CloseInfo> {
  const peers = options.map((o) => new FakePeer(h.url, o));
  for (const p of peers) p.established().catch(() => undefined);
  const refused = await Promise.race(
    peers.map((p) => p.closed.then((info) => (info.code === 1013 ? info : new Promise<never>(() => {})))),
  );
  await Promise.all(peers.map((p) => p.close()));
  return refused;
}

const bus = (type: string, data: JsonObject = {}): HiveMessage =>
  createHiveMessage(HiveMessageType.BUS, { type, data, context: {} });
const utterance = (text: string): HiveMessage =>
  bus('recognizer_loop:utterance', { utterances: [text], lang: 'en-US' });
const ping = (floodId: string): HiveMessage => createHiveMessage(HiveMessageType.PING, { flood_id: floodId });
const query = (id: string, text: string): HiveMessage =>
  createHiveMessage(HiveMessageType.QUERY, utterance(text), { metadata: { query_id: id } });
const busType = (m: HiveMessage): unknown => (m.payload as JsonObject).type;

function isQueryAnswer(m: HiveMessage, id: string): boolean {
  return m.msg_type === HiveMessageType.QUERY && m.metadata.query_id === id;
}

/** The speak utterances `peer` received so far. */
function spoken(peer: FakePeer): string[] {
  return peer.busOf('speak').map((m) => String(m.data.utterance));
}

async function hiveClient(h: Running, sessionId: string): Promise<HiveClient> {
  const c = await h.addClient();
  const client = createHiveClient({
    url: h.url,
    accessKey: c.accessKey,
    password: c.password,
    sessionId,
    reconnect: { enabled: false },
  });
  await client.connect();
  return client;
}

async function postAsk(
  base: string,
  bearer: string,
  body: string,
): Promise<{ status: number; code: unknown }> {
  const res = await fetch(`${base}/v1/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body,
  });
  const parsed = (await res.json()) as { error?: { code?: unknown } };
  return { status: res.status, code: parsed.error?.code };
}

/**
 * A room "cellar" whose one client says in its HELLO that it is a full assistant and never answers, and an asker that
 * may send `hive.house.ask` itself (allowed type), each connected and known to the hub.
 */
async function mutedRoom(h: Running): Promise<{ asker: FakePeer; mute: FakePeer }> {
  const m = await h.addClient({ siteId: 'cellar', consent: 'allow' });
  const mute = await FakePeer.open(h.url, { ...m.peer, hello: false });
  mute.send(
    createHiveMessage(HiveMessageType.HELLO, {
      pubkey: '',
      session: { session_id: 'cellar-1' },
      hivelink_assistant: true,
    } as unknown as JsonObject),
  );
  const a = await h.addClient({
    siteId: 'hall',
    allowedTypes: ['recognizer_loop:utterance', 'hive.house.ask'],
  });
  const asker = await FakePeer.open(h.url, a.peer);
  await until(() => [...h.composed.hub.ctx.peers.values()].some((p) => p.isAssistant === true));
  return { asker, mute };
}

/** A connected client that may send the timer service's requests itself (docs/PROTOCOL.md §12.6). */
async function timerClient(h: Running): Promise<FakePeer> {
  const c = await h.addClient({ allowedTypes: ['recognizer_loop:utterance', 'hive.timer.set'] });
  return FakePeer.open(h.url, c.peer);
}

/** Sends `hive.timer.set` for `durationMs` and resolves with its answer's data. */
async function setTimer(
  peer: FakePeer,
  requestId: string,
  durationMs: number,
): Promise<Record<string, unknown>> {
  peer.sendBus('hive.timer.set', { kind: 'timer', duration_ms: durationMs }, { request_id: requestId });
  const answer = await within(
    1500,
    `the answer to ${requestId}`,
    peer.waitFor((m) => {
      const payload = m.payload as unknown as MessageData;
      return payload.type === 'hive.timer.set.response' && payload.context?.request_id === requestId;
    }),
  );
  return (answer.payload as unknown as MessageData).data;
}

/** A connected client in room `siteId` that may send the house's direct requests itself (§12.8, §12.9). */
async function roomPeer(h: Running, siteId: string, extra: Omit<NewClient, 'name'> = {}): Promise<FakePeer> {
  const types = ['recognizer_loop:utterance', 'hive.house.tell', 'hive.house.intercom'];
  return FakePeer.open(h.url, (await h.addClient({ siteId, allowedTypes: types, ...extra })).peer);
}

/** Sends the house request `type` as `peer` and resolves with its answer's data. */
async function houseAs(
  peer: FakePeer,
  type: string,
  data: Record<string, unknown>,
  requestId: string,
): Promise<Record<string, unknown>> {
  peer.sendBus(type, data, { request_id: requestId });
  const m = await within(
    3000,
    `the answer to ${type}`,
    peer.waitFor((x) => (x.payload as unknown as MessageData).context?.request_id === requestId),
  );
  return (m.payload as unknown as MessageData).data;
}

/** A hall client tells the cellar (held: the cellar must consent), then `second`: not held under `limits`. */
function secondNotHeld(limits: HubConfigInput['limits'], second: 'cellar' | 'attic'): Promise<void> {
  return withHub({ limits }, async (h) => {
    await roomPeer(h, 'cellar');
    await roomPeer(h, 'attic');
    const hall = await roomPeer(h, 'hall');
    const first = await houseAs(hall, 'hive.house.tell', { room: 'cellar', text: 'a' }, 't-1');
    assert.equal(first.code, 'HL_ERR_CONSENT_PENDING');
    const full = await houseAs(hall, 'hive.house.tell', { room: second, text: 'b' }, 't-2');
    assert.equal(full.code, 'HL_ERR_CONSENT_HELD_FULL');
  });
}

/** Sends `hive.subscriptions.subscribe {name}` as `peer` and resolves with its answer's data (docs/PROTOCOL.md §12.7). */
async function subscribeAs(
  peer: FakePeer,
  name: string,
  requestId: string,
): Promise<Record<string, unknown>> {
  peer.sendBus('hive.subscriptions.subscribe', { name }, { request_id: requestId });
  const answer = await within(
    1500,
    `the answer to ${requestId}`,
    peer.waitFor((m) => {
      const payload = m.payload as unknown as MessageData;
      return (
        payload.type === 'hive.subscriptions.subscribe.response' && payload.context?.request_id === requestId
      );
    }),
  );
  return (answer.payload as unknown as MessageData).data;
}

// -- the cases

/** QUERY needs `can_escalate`. */
const QUERIES: Omit<NewClient, 'name'> = { canEscalate: true };

type Trip = () => Promise<void>;

/** With `limit` at 1, a second connection of one client is closed 1013 with `reason` while the first stays open. */
const secondConnectionRefused = (limit: 'maxConnections' | 'maxConnectionsPerIp', reason: string) =>
  withHub({ limits: { [limit]: 1 } }, async (h) => {
    const c = await h.addClient();
    const first = await FakePeer.open(h.url, c.peer);
    const second = new FakePeer(h.url, c.peer);
    assert.deepEqual(await second.closed, { code: 1013, reason });
    await first.close();
  });

/** Hub limits with no case, each with the reason. Keep it tiny: a limit here is one nobody checks is wired. */
const NOT_TRIPPED: Partial<Record<HubLimitName, string>> = {};

/**
 * One case per hub limit. Typed as partial so that a limit added to the registry shows up here as a failing test
 * (the first one below), not as a type error in every checkout.
 */
// -- the voice path

const voiceOn = { ...defaultVoiceConfig(), stt: 'pocketsphinx', tts: 'espeak-ng' };
const VOICE_TYPES = [...DEFAULT_ALLOWED_TYPES, 'hive.binary.received', 'speak:synth'];

/** A BINARY of `binType` holding `ms` of a 440 Hz tone, 16 kHz s16le mono. */
function sttAudio(binType: number, ms: number): HiveMessage {
  const samples = new Int16Array(16 * ms);
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 16_000));
  return createHiveMessage(HiveMessageType.BINARY, new Uint8Array(samples.buffer), {
    bin_type: binType,
    metadata: { sample_rate: 16_000, sample_width: 2 },
  });
}

const CASES: Partial<Record<HubLimitName, Trip>> = {
  maxMeshHops: async () => {
    const node = await MeshNode.create('hops');
    try {
      await node.start({ limits: { maxMeshHops: 2 } });
      const listener = await node.satellite();
      const sender = await node.satellite({ isAdmin: true, canPropagate: true });
      const got: number[] = [];
      const last = new Promise<void>((resolve) => {
        listener.onBus('mesh.test.hops', (m) => {
          got.push(Number(m.data.n));
          if (m.data.n === 1) resolve();
        });
      });
      const flood = (n: number, hops: number) =>
        createHiveMessage(
          HiveMessageType.PROPAGATE,
          createHiveMessage(HiveMessageType.BUS, { type: 'mesh.test.hops', data: { n }, context: {} }),
          { route: Array.from({ length: hops }, (_, i) => ({ source: `hub-${n}-${i}`, targets: [] })) },
        );
      sender.emit(flood(2, 2)); // two hops already: dropped (the default lets 16 through)
      sender.emit(flood(1, 1));
      await within(5000, 'the one-hop flood', last);
      assert.deepEqual(got, [1]);
      sender.close();
      listener.close();
    } finally {
      await node.remove();
    }
  },

  maxMeshTurns: () =>
    withOvosBus(({ url }) =>
      withSilentParent(url, { maxMeshTurns: 1 }, async (child) => {
        const sat = await child.satellite();
        const firstEnded = new Promise<MessageData>((resolve) => {
          sat.onBus('ovos.utterance.handled', (m) => {
            if ((m.context.session as { session_id?: string } | undefined)?.session_id === 's1') resolve(m);
          });
        });
        // Two utterances followed at once: with one turn allowed, the first is answered here (not understood)
        // instead of climbing to the parent, which never answers.
        sat.emitBus(
          'recognizer_loop:utterance',
          { utterances: [NOT_UNDERSTOOD] },
          { session: { session_id: 's1' } },
        );
        sat.emitBus(
          'recognizer_loop:utterance',
          { utterances: [NOT_UNDERSTOOD] },
          { session: { session_id: 's2' } },
        );
        await within(4000, 'the local answer of the first utterance', firstEnded);
        sat.close();
      }),
    ),

  meshClimbTimeoutMs: () =>
    withOvosBus(({ url }) =>
      withSilentParent(url, { meshClimbTimeoutMs: 200 }, async (child) => {
        const sat = await child.satellite();
        // The parent never answers: after 200 ms the satellite gets this hub's "not understood" (the default: 8 s).
        const result = await within(4000, 'the local answer', sat.ask(NOT_UNDERSTOOD, { timeoutMs: 20_000 }));
        assert.equal(result.handled, false);
        sat.close();
      }),
    ),

  parentReconnectDelayMs: async () => {
    const [child, nobody] = [await MeshNode.create('child'), await MeshNode.create('nobody')];
    try {
      await child.start({
        parents: [nobody.parentEntry(linkCredentials())], // nothing listens there
        limits: { parentReconnectDelayMs: 30_000 },
      });
      const status = await within(
        5000,
        'a failed attempt',
        child.linksUntil((s) => s.parents[0]?.state === 'reconnecting'),
      );
      // 30 s × uniform(0.5, 1.5); the default (1 s) would retry within 1.5 s.
      assert.ok((status.parents[0]?.retry_ms ?? 0) >= 15_000, JSON.stringify(status.parents[0]));
    } finally {
      await child.remove();
      await nobody.remove();
    }
  },

  maxFrameBytes: () =>
    withHub({ limits: { maxFrameBytes: 1024 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      peer.ws.send('x'.repeat(2000));
      assert.equal((await peer.closed).code, 1009);
    }),

  maxDecompressedBytes: () =>
    withHub({ limits: { maxDecompressedBytes: 1024 } }, async (h) => {
      const c = await h.addClient();
      const peer = await FakePeer.open(h.url, { ...c.peer, protocol: 'v3', binarize: true });
      // A compressed bitstring: a few hundred bytes on the wire, 8 kB once inflated.
      peer.send(bus('test.inflate', { pad: 'a'.repeat(8000) }));
      assert.equal((await peer.closed).code, 1009);
    }),

  maxJsonDepth: () =>
    withHub({ limits: { maxJsonDepth: 16 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      let deep: JsonObject = {};
      for (let i = 0; i < 20; i++) deep = { a: deep };
      peer.send(bus('test.deep', deep));
      const denied = await peer.waitForBus('hive.policy.denied');
      assert.equal(denied.data.code, 'malformed_message');
      assert.match(String(denied.data.reason), /nested deeper than 16 levels/);
      await peer.close();
    }),

  maxWrapperDepth: () =>
    withHub({ limits: { maxWrapperDepth: 2 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      let wrapped = bus('test.wrapped');
      for (let i = 0; i < 3; i++) wrapped = createHiveMessage(HiveMessageType.BROADCAST, wrapped);
      peer.send(wrapped);
      const denied = await peer.waitForBus('hive.policy.denied');
      assert.equal(denied.data.code, 'malformed_message');
      assert.match(String(denied.data.reason), /wrappers nested deeper than 2/);
      await peer.close();
    }),

  noiseChunkBytes: () =>
    withHub({ limits: { noiseChunkBytes: 64 } }, async (h) => {
      const peer = await FakePeer.open(h.url, { ...(await h.addClient()).peer, protocol: 'v3' });
      const sizes: number[] = [];
      peer.ws.on('message', (data: Buffer) => sizes.push(data.byteLength));
      const text = 'a sentence long enough to need several v3 transport frames of sixty-four bytes';
      peer.send(utterance(text));
      assert.equal((await peer.waitForBus('speak')).data.utterance, text);
      // Each frame: marker + at most 64 bytes of body + the 16-byte AEAD tag.
      assert.ok(sizes.length > 2, `${sizes.length} frames`);
      assert.ok(
        sizes.every((n) => n <= 1 + 64 + 16),
        `frame sizes ${sizes.join(', ')}`,
      );
      await peer.close();
    }),

  maxReassemblyBytes: () =>
    withHub({ limits: { maxReassemblyBytes: 65000 } }, async (h) => {
      const peer = await FakePeer.open(h.url, { ...(await h.addClient()).peer, protocol: 'v3' });
      peer.send(bus('test.big', { pad: 'x'.repeat(70_000) })); // two chunks of the client's 65000
      assert.equal((await peer.closed).code, 1009);
    }),

  maxNoiseNonce: () =>
    withHub({ limits: { maxNoiseNonce: 16 } }, async (h) => {
      const peer = await FakePeer.open(h.url, { ...(await h.addClient()).peer, protocol: 'v3' });
      for (let i = 0; i < 20; i++) peer.send(bus('test.count', { i }));
      const closed = await peer.closed;
      assert.equal(closed.code, 1008);
      assert.match(closed.reason, /nonces/);
    }),

  maxHistoryPerClient: () =>
    withHub({ limits: { maxHistoryPerClient: 1 } }, async (h) => {
      const c = await h.addClient();
      await (await FakePeer.open(h.url, c.peer)).close();
      await (await FakePeer.open(h.url, c.peer)).close();
      await h.composed.hub.stop(); // writes the pending history
      assert.equal((await h.composed.data.store.history(c.id)).length, 1);
    }),

  storePoolSize: async () => {
    const url = await postgres.url();
    await withHub({ store: url, limits: { storePoolSize: 1 } }, async (h) => {
      const clients = await Promise.all([1, 2, 3, 4, 5, 6].map(() => h.addClient()));
      // Six logins at once, each reading the store: they wait their turn for the pool's one connection.
      const peers = await Promise.all(clients.map((c) => FakePeer.open(h.url, c.peer)));
      const open = await pgQuery<{ n: number }>(
        url,
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'hivelink' AND pid <> pg_backend_pid()",
      );
      assert.equal(open[0]?.n, 1);
      await Promise.all(peers.map((p) => p.close()));
    });
  },

  busMaxMessageBytes: async () => {
    await withHub({ busPort: 0, limits: { busMaxMessageBytes: 1024 } }, async (h) => {
      const socket = await BusPeer.connect(h.busUrl);
      socket.send(busFrame('test.big', `"pad": "${'x'.repeat(2000)}"`));
      assert.equal((await socket.closed).code, 1009);
    });
    // The OVOS agent's bus client refuses to send one.
    await withHub(
      { agent: 'ovos', ovosUrl: 'ws://127.0.0.1:9/core', limits: { busMaxMessageBytes: 1024 } },
      async (h) => {
        assert.throws(
          () => h.composed.bus.emit({ type: 'test.big', data: { pad: 'x'.repeat(2000) }, context: {} }),
          (err: unknown) => isHiveLinkError(err, 'HL_ERR_FRAME_TOO_LARGE'),
        );
      },
    );
  },

  busMaxBufferedBytes: () =>
    withHub({ busPort: 0, limits: { busMaxBufferedBytes: 1024 } }, async (h) => {
      const slow = await BusPeer.connect(h.busUrl);
      slow.ws.pause(); // a receiver that stops reading
      // 4 MiB messages: the kernel takes a few MiB, the rest waits in the server's buffer, and the bus server checks
      // that before each send. Four of them are too few to pass the default (16 MiB) buffered.
      const big = { type: 'test.bulk', data: { pad: 'y'.repeat(4 * 1024 * 1024) }, context: {} };
      for (let i = 0; i < 4; i++) {
        h.composed.bus.emit(big);
        await new Promise((resolve) => setImmediate(resolve));
      }
      slow.ws.resume();
      assert.equal((await within(10_000, 'the 1013', slow.closed)).code, 1013);
    }),

  busMaxPendingMessages: async () => {
    const message = (type: string): MessageData => ({ type, data: {}, context: {} });
    const limits = { busMaxPendingMessages: 2 };
    const refusesTheThird = (b: MessageBus) => {
      b.emit(message('test.one'));
      b.emit(message('test.two'));
      assert.throws(
        () => b.emit(message('test.three')),
        (err: unknown) => isHiveLinkError(err, 'HL_ERR_BUS_QUEUE_FULL'),
      );
    };
    await withHub({ limits }, async (h) => refusesTheThird(h.composed.bus)); // the in-process bus
    // The OVOS agent's offline queue (nothing listens on port 9).
    await withHub({ agent: 'ovos', ovosUrl: 'ws://127.0.0.1:9/core', limits }, async (h) =>
      refusesTheThird(h.composed.bus),
    );
    // The bus server (busPort) still sends the third to its sockets; its local view drops it (and logs it).
    await withHub({ busPort: 0, limits }, async (h) => {
      const delivered: string[] = [];
      const four = nextOn(h.composed.bus, 'test.four');
      h.composed.bus.on('*', (m) => void delivered.push(m.type));
      for (const type of ['test.one', 'test.two', 'test.three']) h.composed.bus.emit(message(type));
      await new Promise((resolve) => setImmediate(resolve));
      h.composed.bus.emit(message('test.four'));
      await four;
      assert.deepEqual(delivered, ['test.one', 'test.two', 'test.four']);
    });
  },

  busMaxKnownSessions: () =>
    withOvosBus(({ url, skills }) =>
      withOvosHub(url, { limits: { busMaxKnownSessions: 2 } }, async (h) => {
        const agentBus = h.composed.bus as BusClient;
        const mark = nextOn(agentBus, 'test.mark');
        for (const id of ['s1', 's2', 's3']) {
          skills.emit({ type: 'test.session', data: {}, context: { session: { session_id: id } } });
        }
        skills.emit({ type: 'test.mark', data: {}, context: {} });
        await mark;
        assert.equal(agentBus.getSession('s1'), undefined, 'the least recently seen is forgotten');
        assert.equal(agentBus.getSession('s3')?.session_id, 's3');
      }),
    ),

  assistantResponseTimeoutMs: () =>
    withHub({ agent: 'embedded', limits: { assistantResponseTimeoutMs: 0 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      peer.send(utterance('ask me a question'));
      await peer.waitFor(
        (m) => busType(m) === 'speak' && spoken(peer).includes('Never mind, you can tell me later.'),
      );
      assert.deepEqual(spoken(peer), [
        'What is your favourite colour?',
        'Never mind, you can tell me later.',
      ]);
      await peer.close();
    }),

  assistantMaxSessions: () =>
    withHub({ agent: 'embedded', limits: { assistantMaxSessions: 1 } }, async (h) => {
      const kitchen = await hiveClient(h, 'kitchen');
      const garage = await hiveClient(h, 'garage');
      try {
        assert.equal((await kitchen.ask('ask me a question')).expectsResponse, true);
        assert.deepEqual((await kitchen.ask('blue')).answers, [
          'I will remember that your favourite colour is blue.',
        ]);
        await garage.ask('tell me a joke'); // a second session: the first one's state goes
        assert.deepEqual((await kitchen.ask('what is my favourite colour')).answers, [
          "I don't know your favourite colour yet. Say: ask me a question.",
        ]);
      } finally {
        kitchen.close();
        garage.close();
      }
    }),

  assistantMaxUtteranceWords: () =>
    withHub({ agent: 'embedded', limits: { assistantMaxUtteranceWords: 3 } }, async (h) => {
      const client = await hiveClient(h, 'words');
      try {
        assert.equal((await client.ask('tell me a joke')).handled, false, 'four words match nothing');
        assert.equal((await client.ask('joke please')).handled, true);
      } finally {
        client.close();
      }
    }),

  handshakeTimeoutMs: () =>
    withHub({ limits: { handshakeTimeoutMs: 100 } }, async (h) => {
      const { closed } = rawSocket(h, (await h.addClient()).accessKey);
      assert.deepEqual(await within(5000, 'handshake timeout', closed), {
        code: 1008,
        reason: 'handshake timeout',
      });
    }),

  maxHandshakeFrameBytes: () =>
    withHub({ limits: { maxHandshakeFrameBytes: 4096 } }, async (h) => {
      const { ws, closed } = rawSocket(h, (await h.addClient()).accessKey);
      await once(ws, 'open');
      // A well-formed HELLO, only too big for the handshake phase.
      ws.send(serializeHiveMessage(createHiveMessage(HiveMessageType.HELLO, { pad: 'x'.repeat(5000) })));
      assert.equal((await closed).code, 1009);
    }),

  legacyKdfConcurrency: () =>
    // One derivation at a time, and half the handshake timeout (50 ms) is less than one derivation is expected to
    // take: a handshake arriving while another derives is refused at once.
    withHub({ limits: { legacyKdfConcurrency: 1, handshakeTimeoutMs: 100 } }, async (h) => {
      const c = await h.addClient();
      assert.match((await oneRefusedOf(h, [c.peer, c.peer, c.peer, c.peer])).reason, /hub busy/);
    }),

  legacyKdfPerIp: () =>
    withHub({ limits: { legacyKdfPerIp: 1, legacyKdfPerKey: 0, legacyKdfConcurrency: 16 } }, async (h) => {
      const clients = [await h.addClient(), await h.addClient(), await h.addClient(), await h.addClient()];
      assert.match(
        (
          await oneRefusedOf(
            h,
            clients.map((c) => c.peer),
          )
        ).reason,
        /hub busy/,
      );
    }),

  legacyKdfPerKey: () =>
    withHub({ limits: { legacyKdfPerKey: 1, legacyKdfPerIp: 0, legacyKdfConcurrency: 16 } }, async (h) => {
      const c = await h.addClient();
      assert.match((await oneRefusedOf(h, [c.peer, c.peer, c.peer, c.peer])).reason, /hub busy/);
    }),

  pingIntervalMs: () =>
    withHub({ limits: { pingIntervalMs: 100 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      await within(5000, 'a keepalive ping', once(peer.ws, 'ping'));
      await peer.close();
    }),

  pingTimeoutMs: () =>
    withHub({ limits: { pingIntervalMs: 100, pingTimeoutMs: 100 } }, async (h) => {
      const peer = new FakePeer(h.url, (await h.addClient()).peer);
      peer.ws.pong = () => undefined; // never answer the hub's pings (they start with the connection)
      peer.established().catch(() => undefined);
      assert.equal((await within(5000, 'the drop', peer.closed)).code, 1006);
    }),

  maxConnections: () => secondConnectionRefused('maxConnections', 'too many connections'),

  maxConnectionsPerIp: () =>
    secondConnectionRefused('maxConnectionsPerIp', 'too many connections from this address'),

  inboundQueueMessages: () =>
    withHub({ limits: { inboundQueueMessages: 1 } }, async (h) => {
      const c = await h.addClient();
      const { ws, closed } = rawSocket(h, c.accessKey);
      await once(ws, 'open');
      // The offer starts the key derivation (asynchronous): the frames behind it wait in the inbound queue.
      ws.send(serializeHiveMessage(legacyOffer(c.password)));
      const hello = serializeHiveMessage(createHiveMessage(HiveMessageType.HELLO, { session: {} }));
      for (let i = 0; i < 5; i++) ws.send(hello);
      assert.deepEqual(await closed, { code: 1013, reason: 'message queue full' });
    }),

  maxBufferedBytes: () =>
    withHub({ limits: { maxBufferedBytes: 1024 } }, async (h) => {
      const agentBus = h.composed.bus;
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      const asked = nextOn(agentBus, 'recognizer_loop:utterance');
      peer.send(utterance('hi'));
      const question = await asked;
      const failures: string[] = [];
      agentBus.on('hive.client.connection.error', (m) => failures.push(String(m.data.error)));
      peer.ws.pause(); // a client that stops reading
      // 24 answers of 64 kB (about 2 MiB once sealed) overflow 1 kB at once and can never reach the default 4 MiB.
      const big = 'z'.repeat(64 * 1024);
      for (let i = 0; i < 24 && failures.length === 0; i++) {
        agentBus.emit(reply(question, 'speak', { utterance: big }));
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.deepEqual(failures, ['send buffer full: client too slow']);
      peer.ws.resume();
      await peer.closed;
    }),

  defaultRateLimitPerSecond: () =>
    withHub({ limits: { defaultRateLimitPerSecond: 1 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      for (let i = 0; i < 5; i++) peer.send(ping(`rate-${i}`));
      assert.equal((await peer.waitForBus('hive.policy.denied')).data.code, 'rate_limited');
      await peer.close();
    }),

  lastSeenFlushMs: () =>
    writtenWithin(
      { lastSeenFlushMs: 1 },
      5000,
      'the last-seen write',
      async (store, id) => typeof (await store.getClient(id))?.lastSeen === 'number',
    ),

  connectionLogFlushMs: () =>
    writtenWithin({ connectionLogFlushMs: 1 }, 500, 'the history write', historyRow),

  connectionLogMaxPending: () =>
    // Forced by the first start; with the default bound (10 000) it would wait for the flush (default 1000 ms).
    writtenWithin(
      { connectionLogMaxPending: 1, connectionLogFlushMs: 600_000 },
      500,
      'the forced history write',
      historyRow,
    ),

  policyRefreshMs: () =>
    withHub({ limits: { policyRefreshMs: 10 } }, async (h) => {
      const [a, b] = [await h.addClient(), await h.addClient()];
      const peerA = await FakePeer.open(h.url, a.peer);
      const peerB = await FakePeer.open(h.url, b.peer);
      // An admin revokes the clients from another process (another database connection).
      const admin = openSqliteStore(dataDirPaths(h.dataDir).database, {
        secrets: loadOrCreateSecretsKey(h.dataDir).key,
      });
      try {
        await admin.revokeClient(a.id);
        assert.deepEqual(await peerA.closed, { code: 1008, reason: 'revoked' });
        // Right after a check: the next one comes within policyRefreshMs (the default would take about 250 ms).
        await admin.revokeClient(b.id);
        assert.deepEqual(await within(150, 'the next policy check', peerB.closed), {
          code: 1008,
          reason: 'revoked',
        });
      } finally {
        await admin.close();
      }
    }),

  pingFloodIntervalMs: () =>
    withHub({ limits: { pingFloodIntervalMs: 0 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      peer.send(ping('flood-1'));
      peer.send(ping('flood-2'));
      // A bare PING is answered with a bare PING (the shape an old client reads).
      const answered = (id: string) =>
        peer.waitFor((m) => m.msg_type === HiveMessageType.PING && (m.payload as JsonObject).flood_id === id);
      await answered('flood-1');
      await answered('flood-2'); // a second flood of the same peer, answered at once
      await peer.close();
    }),

  floodCacheSize: () =>
    withHub({ limits: { floodCacheSize: 16 } }, async (h) => {
      const agentBus = h.composed.bus;
      const seen: string[] = [];
      agentBus.on('hive.ping.received', (m) => seen.push(String(m.data.flood_id)));
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      const end = nextOn(agentBus, 'hive.ping.received', (m) => m.data.flood_id === 'end');
      peer.send(ping('again'));
      for (let i = 0; i < 16; i++) peer.send(ping(`other-${i}`));
      peer.send(ping('again')); // forgotten by now: a new flood
      peer.send(ping('end'));
      await end;
      assert.equal(seen.filter((id) => id === 'again').length, 2);
      await peer.close();
    }),

  recentDenials: () =>
    withHub({ limits: { recentDenials: 2 } }, async (h) => {
      const store = h.composed.data.store;
      const admin = await store.addClient({ name: `admin-${++clientCounter}`, isAdmin: true });
      const adminToken = await store.issueToken(admin.record.id);
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      for (let i = 1; i <= 3; i++) peer.send(bus(`test.denied.${i}`));
      await peer.waitFor(
        (m) =>
          m.msg_type === 'bus' &&
          (m.payload as { data?: { denied_type?: string } }).data?.denied_type === 'test.denied.3',
      );
      const res = await fetch(`${h.base}/v1/admin/denials`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      const body = (await res.json()) as {
        total: number;
        capacity: number;
        denials: { deniedType: string }[];
      };
      // The ring keeps the last two, newest first; the first is forgotten.
      assert.equal(body.capacity, 2);
      assert.equal(body.total, 3);
      assert.deepEqual(
        body.denials.map((d) => d.deniedType),
        ['test.denied.3', 'test.denied.2'],
      );
      await peer.close();
    }),

  maxQueryReturnPaths: () =>
    withOvosBus(({ url, skills }) =>
      withOvosHub(url, { limits: { maxQueryReturnPaths: 1 } }, async (h) => {
        const asked: MessageData[] = [];
        const bothAsked = new Promise<void>((resolve) => {
          skills.on('recognizer_loop:utterance', (m) => {
            if (asked.push(m) === 2) resolve();
          });
        });
        const peer = await FakePeer.open(h.url, (await h.addClient(QUERIES)).peer);
        peer.send(query('q1', 'first'));
        peer.send(query('q2', 'second'));
        await bothAsked;
        for (const m of asked) {
          skills.emit(reply(m, 'speak', { utterance: `answer to ${(m.data.utterances as string[])[0]}` }));
          skills.emit(reply(m, 'ovos.utterance.handled', {}));
        }
        await peer.waitFor((m) => isQueryAnswer(m, 'q2'));
        // q1's answer came first on the bus; its return path was the oldest and is gone.
        assert.equal(peer.received.filter((m) => isQueryAnswer(m, 'q1')).length, 0);
        await peer.close();
      }),
    ),

  queryReturnTtlMs: () =>
    withOvosBus(({ url }) =>
      withOvosHub(url, { limits: { queryReturnTtlMs: 1000 } }, async (h) => {
        const peer = await FakePeer.open(h.url, (await h.addClient(QUERIES)).peer);
        peer.send(query('q1', 'anyone there'));
        const ended = await within(5000, 'the expired query', peer.waitForBus('hive.query.timeout'));
        assert.deepEqual(ended.data, { query_id: 'q1', error: 'no_answer' });
        await peer.close();
      }),
    ),

  queryTimeoutMs: () =>
    withOvosBus(({ url }) =>
      withOvosHub(url, { limits: { queryTimeoutMs: 100 } }, async (h) => {
        const peer = await FakePeer.open(h.url, (await h.addClient(QUERIES)).peer);
        peer.send(query('q1', 'anyone there'));
        const ended = await within(5000, 'the query timeout', peer.waitForBus('hive.query.timeout'));
        assert.deepEqual(ended.data, { query_id: 'q1', error: 'no_answer' });
        await peer.close();
      }),
    ),

  shutdownGraceMs: async () => {
    const h = await startComposed({ limits: { shutdownGraceMs: 0 } });
    let peer: FakePeer | null = null;
    try {
      peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      peer.ws.pause(); // it will not answer the close
      const started = performance.now();
      await h.composed.stop();
      const took = performance.now() - started;
      assert.ok(took < 1000, `stop took ${Math.round(took)} ms; the default grace is 2000 ms`);
    } finally {
      peer?.ws.resume();
      await h.close();
    }
  },

  maxUtteranceChars: () =>
    withHub({ limits: { maxUtteranceChars: 64 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      peer.send(utterance('x'.repeat(100)));
      assert.equal((await peer.waitForBus('hive.policy.denied')).data.code, 'too_large');
      await peer.close();
    }),

  eventLoopStallMs: () =>
    withHub({ limits: { eventLoopStallMs: 50 } }, async (h) => {
      const stalls = async () => {
        const text = await (await fetch(`${h.base}/metrics`)).text();
        return Number(/^hivelink_event_loop_stalls_total (\d+)$/m.exec(text)?.[1]);
      };
      const before = await stalls(); // a busy machine may have stalled the loop already
      const end = performance.now() + 300;
      while (performance.now() < end); // the hub runs in this thread: stall it for 300 ms
      await within(
        5000,
        'the stall counted',
        until(async () => (await stalls()) > before),
      );
    }),

  minPasswordBits: () =>
    withHub({ limits: { minPasswordBits: 400 } }, async (h) => {
      const peer = new FakePeer(h.url, (await h.addClient()).peer); // a random 144-bit password
      peer.established().catch(() => undefined);
      assert.deepEqual(await peer.closed, { code: 1008, reason: 'password below strength policy' });
    }),

  authFailuresPerIp: () =>
    withHub({ limits: { authFailuresPerIp: 1 } }, async (h) => {
      assert.deepEqual(await unknownKey(h), { code: 1008, reason: 'invalid authorization' });
      const next = await unknownKey(h);
      assert.equal(next.code, 1013);
      assert.match(next.reason, /^authentication throttled/);
    }),

  authFailuresPerKey: () =>
    withHub({ limits: { authFailuresPerKey: 1 } }, async (h) => {
      const c = await h.addClient();
      const wrong = new FakePeer(h.url, { ...c.peer, password: 'not the password' });
      wrong.established().catch(() => undefined);
      assert.equal((await wrong.closed).code, 1008);
      // The key's budget is spent (this address never authenticated with it): even the right password waits.
      const right = new FakePeer(h.url, c.peer);
      right.established().catch(() => undefined);
      const closed = await right.closed;
      assert.equal(closed.code, 1013);
      assert.match(closed.reason, /^authentication throttled/);
    }),

  authThrottleBaseDelayMs: () =>
    withHub({ limits: { authFailuresPerIp: 1, authThrottleBaseDelayMs: 5000 } }, async (h) => {
      await unknownKey(h);
      assert.deepEqual(await unknownKey(h), { code: 1013, reason: 'authentication throttled: retry in 5 s' });
    }),

  authThrottleMaxDelayMs: () => {
    const clock = new FakeTimers();
    return withHub(
      { limits: { authFailuresPerIp: 1, authThrottleBaseDelayMs: 1000, authThrottleMaxDelayMs: 2000 } },
      async (h) => {
        await unknownKey(h); // failure 1 at 0 s: wait 1 s
        clock.advance(1000);
        await unknownKey(h); // failure 2 at 1 s: wait 2 s
        clock.advance(2000);
        await unknownKey(h); // failure 3 at 3 s: 4 s, capped at 2 s
        assert.deepEqual(await unknownKey(h), {
          code: 1013,
          reason: 'authentication throttled: retry in 2 s',
        });
      },
      { now: clock.clock },
    );
  },

  authFailureForgetMs: () => {
    const clock = new FakeTimers();
    return withHub(
      { limits: { authFailuresPerIp: 1, authThrottleBaseDelayMs: 60_000, authFailureForgetMs: 1000 } },
      async (h) => {
        await unknownKey(h);
        assert.equal((await unknownKey(h)).code, 1013, 'spent: a minute to wait');
        clock.advance(1001);
        assert.deepEqual(await unknownKey(h), { code: 1008, reason: 'invalid authorization' }, 'forgotten');
      },
      { now: clock.clock },
    );
  },

  authTrustedAddressTtlMs: () => {
    const clock = new FakeTimers();
    return withHub(
      { limits: { authFailuresPerKey: 1, authTrustedAddressTtlMs: 0 } },
      async (h) => {
        const c = await h.addClient();
        await (await FakePeer.open(h.url, c.peer)).close(); // this address is trusted for the key, for 0 ms
        clock.advance(1);
        const wrong = new FakePeer(h.url, { ...c.peer, password: 'not the password' });
        wrong.established().catch(() => undefined);
        assert.equal((await wrong.closed).code, 1008);
        // No longer trusted here: the key's spent budget applies to its own client too.
        const right = new FakePeer(h.url, c.peer);
        right.established().catch(() => undefined);
        assert.equal((await right.closed).code, 1013);
      },
      { now: clock.clock },
    );
  },

  authThrottleEntries: () =>
    withHub({ limits: { authFailuresPerIp: 1, authThrottleEntries: 16 } }, async (h) => {
      // Loopback answers on all of 127/8: each source address has its own budget.
      await unknownKey(h, '127.0.0.2');
      assert.equal((await unknownKey(h, '127.0.0.2')).code, 1013, 'spent');
      for (let i = 3; i < 19; i++) await unknownKey(h, `127.0.0.${i}`); // 16 newer addresses
      assert.deepEqual(await unknownKey(h, '127.0.0.2'), { code: 1008, reason: 'invalid authorization' });
    }),

  legacyEnvelopeCacheSize: () =>
    withHub(
      { limits: { legacyEnvelopeCacheSize: 16, authFailuresPerIp: 1000, authFailuresPerKey: 1000 } },
      async (h) => {
        const c = await h.addClient();
        const captured = legacyOffer(c.password);
        assert.equal(await offerOnce(h, c.accessKey, captured), 'answered');
        for (let i = 0; i < 16; i++) {
          assert.equal(await offerOnce(h, c.accessKey, legacyOffer(c.password)), 'answered');
        }
        // 16 newer envelopes pushed it out: the replay is no longer recognised (the default remembers 65536).
        assert.equal(await offerOnce(h, c.accessKey, captured), 'answered');
      },
    ),

  legacyReplayWindow: () =>
    withHub({ limits: { legacyReplayWindow: 16 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient()).peer);
      const [captured] = peer.channel!.seal(utterance('once more'));
      peer.sendFrame(captured!);
      for (let i = 0; i < 40; i++) peer.send(bus('test.filler', { i }));
      // More than twice the window later its nonce is forgotten: the replay is taken (the default closes with 1008).
      peer.sendFrame(captured!);
      peer.send(utterance('done'));
      await peer.waitFor((m) => busType(m) === 'speak' && spoken(peer).includes('done'));
      assert.deepEqual(
        spoken(peer).filter((u) => u === 'once more'),
        ['once more', 'once more'],
      );
      await peer.close();
    }),

  upgradeTimeoutMs: () =>
    withHub({ limits: { upgradeTimeoutMs: 100 } }, async (h) => {
      const { closed } = await idleTcp(h);
      await within(2000, 'the idle connection dropped', closed); // the default waits 5 s
    }),

  maxPendingUpgrades: () =>
    withHub({ limits: { maxPendingUpgrades: 1 } }, async (h) => {
      const first = await idleTcp(h);
      const second = await idleTcp(h);
      await within(2000, 'the second pending connection refused', second.closed);
      first.socket.destroy();
    }),

  maxPendingUpgradesPerIp: () =>
    withHub({ limits: { maxPendingUpgradesPerIp: 1 } }, async (h) => {
      const first = await idleTcp(h);
      const second = await idleTcp(h);
      await within(2000, 'the second pending connection refused', second.closed);
      first.socket.destroy();
    }),

  restMaxBodyBytes: () =>
    withHub({ limits: { restMaxBodyBytes: 1024 } }, async (h) => {
      const c = await h.addClient();
      const bearer = await h.composed.data.store.issueToken(c.id);
      const answer = await postAsk(h.base, bearer, JSON.stringify({ utterance: `hi ${'x'.repeat(2000)}` }));
      assert.deepEqual(answer, { status: 413, code: 'HL_ERR_BODY_TOO_LARGE' });
    }),

  restAskTimeoutMs: () =>
    withOvosBus(({ url }) =>
      withOvosHub(url, { limits: { restAskTimeoutMs: 100 } }, async (h) => {
        const c = await h.addClient();
        const bearer = await h.composed.data.store.issueToken(c.id);
        const answer = await within(
          5000,
          'the 408',
          postAsk(h.base, bearer, '{"utterance": "anyone there?"}'),
        );
        assert.deepEqual(answer, { status: 408, code: 'HL_ERR_ASK_TIMEOUT' });
      }),
    ),

  // -- the house (issue 11): a relayed question to a full-assistant client that never answers, and the admin queue

  relayAskTimeoutMs: () =>
    withHub({ limits: { relayAskTimeoutMs: 200 } }, async (h) => {
      const { asker } = await mutedRoom(h);
      asker.sendBus('hive.house.ask', { room: 'cellar', utterance: 'what time is it' });
      // With the default (5 s) the answer would not come within the deadline.
      const answer = await within(1500, 'the relay timeout', asker.waitForBus('hive.house.ask.response'));
      assert.equal(answer.data.code, 'HL_ERR_RELAY_TIMEOUT');
      await asker.close();
    }),

  maxPendingRelays: () =>
    withHub({ limits: { maxPendingRelays: 1 } }, async (h) => {
      const { asker, mute } = await mutedRoom(h);
      const asked = mute.waitForBus('recognizer_loop:utterance');
      asker.sendBus('hive.house.ask', { room: 'cellar', utterance: 'first' });
      await asked;
      asker.sendBus('hive.house.ask', { room: 'cellar', utterance: 'second' });
      const refused = await within(1500, 'the refusal', asker.waitForBus('hive.house.ask.response'));
      assert.equal(refused.data.code, 'HL_ERR_RELAY_BUSY');
      await asker.close();
    }),

  adminCommandTtlMs: () =>
    withHub({ limits: { adminCommandTtlMs: 1000 } }, async (h) => {
      // The admin CLI, another process, queues a command the hub reads only after it is older than the limit.
      const admin = openSqliteStore(dataDirPaths(h.dataDir).database, {
        secrets: loadOrCreateSecretsKey(h.dataDir).key,
      });
      try {
        const queued = await admin.house.enqueueAdminCommand(
          'announce',
          { text: 'late', all: true },
          { maxPending: 8, now: Date.now() - 1500 },
        );
        await within(
          2000,
          'the expiry',
          until(async () => (await admin.house.getAdminCommand(queued.id))?.state !== 'pending'),
        );
        const finished = await admin.house.getAdminCommand(queued.id);
        assert.deepEqual(
          [finished?.state, finished?.result?.code],
          ['expired', 'HL_ERR_ADMIN_COMMAND_EXPIRED'],
        );
      } finally {
        await admin.close();
      }
    }),

  maxTimersPerClient: () =>
    withHub({ limits: { maxTimersPerClient: 1 } }, async (h) => {
      const peer = await timerClient(h);
      assert.equal((await setTimer(peer, 'first', 60_000)).ok, true);
      // With the default (50) a second timer would be stored.
      const refused = await setTimer(peer, 'second', 60_000);
      assert.deepEqual([refused.code, refused.max], ['HL_ERR_TIMER_LIMIT', 1]);
      await peer.close();
    }),

  maxTimerDurationMs: () =>
    withHub({ limits: { maxTimerDurationMs: 60_000 } }, async (h) => {
      const peer = await timerClient(h);
      // With the default (30 days) a two-minute timer would be stored.
      const refused = await setTimer(peer, 'long', 120_000);
      assert.deepEqual([refused.code, refused.max_ms], ['HL_ERR_TIMER_TOO_LONG', 60_000]);
      assert.equal((await setTimer(peer, 'short', 30_000)).ok, true);
      await peer.close();
    }),

  // -- subscriptions (issue 11): the hub's own schedule check and caps, whatever the CLI was allowed to store

  maxSubscriptions: () =>
    withHub({ limits: { maxSubscriptions: 1 } }, async (h) => {
      const subs = h.composed.data.store.subscriptions;
      const first = await subs.add({ name: 'first', everyMs: 3_600_000, text: '1' });
      const second = await subs.add({ name: 'second', everyMs: 3_600_000, text: '2' });
      await h.composed.subscriptions.reload();
      // With the default (256) both would be scheduled.
      assert.notEqual(h.composed.subscriptions.nextTickAt(first.id), null);
      assert.equal(h.composed.subscriptions.nextTickAt(second.id), null, 'only the oldest one');
    }),

  maxSubscribersPerSubscription: () =>
    withHub({ limits: { maxSubscribersPerSubscription: 1 } }, async (h) => {
      await h.composed.data.store.subscriptions.add({ name: 'news', everyMs: 3_600_000, text: 'n' });
      const allowed = { allowedTypes: ['recognizer_loop:utterance', 'hive.subscriptions.subscribe'] };
      const a = await FakePeer.open(h.url, (await h.addClient(allowed)).peer);
      const b = await FakePeer.open(h.url, (await h.addClient(allowed)).peer);
      assert.equal((await subscribeAs(a, 'news', 'a')).ok, true);
      // With the default (1024) the second client would be subscribed.
      assert.equal((await subscribeAs(b, 'news', 'b')).code, 'HL_ERR_TOO_MANY_SUBSCRIBERS');
      await a.close();
      await b.close();
    }),

  minSubscriptionIntervalMs: () =>
    withHub({ limits: { minSubscriptionIntervalMs: 1000 } }, async (h) => {
      const c = await h.addClient();
      const peer = await FakePeer.open(h.url, c.peer);
      const subs = h.composed.data.store.subscriptions;
      await subs.add({ name: 'pulse', everyMs: 1500, text: 'tick' });
      await subs.subscribe('pulse', c.id);
      await h.composed.subscriptions.reload();
      // With the default (60 s) a 1.5 s subscription is not scheduled, and nothing would be said.
      const said = await within(4000, 'the first tick', peer.waitForBus('speak'));
      assert.deepEqual([said.data.utterance, said.data.subscription], ['tick', 'pulse']);
      await peer.close();
    }),

  // -- consent and intercom lines (issue 11): a tell to a room whose client must consent is held; lines between rooms

  consentTimeoutMs: () =>
    withHub({ limits: { consentTimeoutMs: 200 } }, async (h) => {
      await roomPeer(h, 'cellar');
      const hall = await roomPeer(h, 'hall');
      const held = await houseAs(hall, 'hive.house.tell', { room: 'cellar', text: 'hi' }, 't-1');
      assert.equal(held.code, 'HL_ERR_CONSENT_PENDING');
      // With the default (60 s) the held message would still wait.
      const dropped = await within(1500, 'the drop', hall.waitForBus('hive.house.consent.refused'));
      assert.equal(dropped.data.code, 'HL_ERR_CONSENT_TIMEOUT');
    }),

  // With the default (256) the second recipient's message would be held too.
  maxHeldMessages: () => secondNotHeld({ maxHeldMessages: 1 }, 'attic'),

  // With the default (16) the second message for the cellar would be held too.
  maxHeldMessagesPerClient: () => secondNotHeld({ maxHeldMessagesPerClient: 1 }, 'cellar'),

  maxIntercomLines: () =>
    withHub({ limits: { maxIntercomLines: 1 } }, async (h) => {
      const open = { consent: 'allow' as const };
      await roomPeer(h, 'cellar', open);
      await roomPeer(h, 'attic', open);
      const hall = await roomPeer(h, 'hall');
      const porch = await roomPeer(h, 'porch');
      assert.equal((await houseAs(hall, 'hive.house.intercom', { target: 'cellar' }, 'i-1')).state, 'open');
      // With the default (64) the porch would open a second line.
      const refused = await houseAs(porch, 'hive.house.intercom', { target: 'attic' }, 'i-2');
      assert.equal(refused.code, 'HL_ERR_INTERCOM_LIMIT');
    }),

  intercomIdleMs: () =>
    withHub({ limits: { intercomIdleMs: 200 } }, async (h) => {
      await roomPeer(h, 'cellar', { consent: 'allow' });
      const hall = await roomPeer(h, 'hall');
      assert.equal((await houseAs(hall, 'hive.house.intercom', { target: 'cellar' }, 'i-1')).state, 'open');
      // With the default (5 min) the silent line would stay open.
      const closed = await within(1500, 'the idle close', hall.waitForBus('hive.house.intercom.closed'));
      assert.equal(closed.data.reason, 'idle');
    }),

  // -- sealed messages (relay mode, issue 12): SDK clients publish their keys and write to each other

  maxSealedBytes: () =>
    withHub({ limits: { maxSealedBytes: 256 } }, async (h) => {
      const [a, b] = await sealedPair(h);
      // With the default (64 KiB) a 1000-byte message would be relayed.
      await assert.rejects(a.sendPrivate(b.id, new Uint8Array(1000)), { code: 'HL_ERR_SEALED_TOO_LARGE' });
      assert.equal((await a.sendPrivate(b.id, 'short')).delivered, true);
    }),

  sealedMaxSkewMs: () =>
    withHub({ limits: { sealedMaxSkewMs: 1000 } }, async (h) => {
      const [a, b] = await sealedPair(h);
      // With the default (5 min) an envelope sealed 10 s ago would be relayed.
      const old = await sealedTo(a, b, Date.now() - 10_000);
      await assert.rejects(sendSealed(a, b, old), { code: 'HL_ERR_SEALED_STALE' });
    }),

  sealedReplayCacheSize: () =>
    withHub({ limits: { sealedReplayCacheSize: 1 } }, async (h) => {
      const [a, b] = await sealedPair(h);
      const first = await sealedTo(a, b);
      await sendSealed(a, b, first);
      await sendSealed(a, b, await sealedTo(a, b));
      // With the default (4096 ids) the hub would still know the first id and refuse it as a replay.
      assert.equal((await sendSealed(a, b, first)).delivered, true);
    }),

  maxReplyHandles: () =>
    withHub({ limits: { maxReplyHandles: 1 } }, async (h) => {
      const [a, b] = await sealedPair(h);
      const got: PrivateMessage[] = [];
      const both = new Promise<void>((resolve) =>
        b.client.onPrivate((m) => {
          if (got.push(m) === 2) resolve();
        }),
      );
      await a.sendPrivate(b.id, 'one', { anonymous: true });
      await a.sendPrivate(b.id, 'two', { anonymous: true });
      await within(5000, 'both messages', both);
      // With the default (4096) the first handle would still be kept.
      await assert.rejects(b.client.replyPrivate(got[0]!, 'to one'), { code: 'HL_ERR_SEALED_REPLY_HANDLE' });
      assert.equal((await b.client.replyPrivate(got[1]!, 'to two')).delivered, true);
    }),

  replyHandleTtlMs: () => {
    let offset = 0;
    return withHub(
      { limits: { replyHandleTtlMs: 1000 } },
      async (h) => {
        const [a, b] = await sealedPair(h);
        const got = new Promise<PrivateMessage>((resolve) => b.client.onPrivate(resolve));
        await a.sendPrivate(b.id, 'psst', { anonymous: true });
        const m = await got;
        offset = 2000; // the hub's clock moves on; with the default (a day) the handle would still work
        await assert.rejects(b.client.replyPrivate(m, 'late'), { code: 'HL_ERR_SEALED_REPLY_HANDLE' });
      },
      { now: () => Date.now() + offset },
    );
  },

  maxRelayAuditRows: () =>
    withHub({ limits: { maxRelayAuditRows: 2 } }, async (h) => {
      const [a, b] = await sealedPair(h);
      for (const text of ['1', '2', '3']) await a.sendPrivate(b.id, text);
      // With the default (100 000) all three rows would be kept.
      assert.equal((await h.composed.data.store.relay.listAudit()).length, 2);
    }),

  // -- relay hops (issue 12): a fake child hub of the hub (hive.relay.hop.hello) that answers as told

  relayHopTimeoutMs: () =>
    withHub({ limits: { relayHopTimeoutMs: 200 } }, async (h) => {
      const [a] = await sealedPair(h);
      await fakeChildHub(h.url, await h.addClient()); // greeted, then silent
      // With the default (3 s) the directory would still wait for the silent child.
      assert.deepEqual(
        await within(1500, 'the directory', a.client.directory({ client: 'nobody@elsewhere' })),
        [],
      );
    }),

  maxRelayRoutes: () =>
    withHub({ limits: { maxRelayRoutes: 1 } }, async (h) => {
      const [a] = await sealedPair(h);
      const ids = { one: e2eIdentity(), two: e2eIdentity() };
      await fakeChildHub(h.url, await h.addClient(), {
        entries: (name) =>
          name === 'one' || name === 'two' ? [fakeEntry(name, ids[name], `r-${name}`)] : [],
      });
      const [one] = await a.client.directory({ client: 'one@fake-hub' });
      await a.client.directory({ client: 'two@fake-hub' });
      // With the default (4096) the route to one would still be kept and the fake child would take the message.
      await assert.rejects(
        a.client.sealed.sendEnvelope('hive.relay.send', {
          to: one!.address,
          route: one!.route,
          envelope: await sealedFor(ids.one.x25519.publicKey),
        }),
        { code: 'HL_ERR_RELAY_ROUTE' },
      );
    }),

  // -- the mailbox (RENDEZVOUS, issue 12): a raw HiveMind-shaped client deposits for an offline one

  mailboxMaxMessages: () =>
    withHub({ limits: { mailboxMaxMessages: 1 } }, async (h) => {
      const [sender, recipient] = [await h.addClient(), await h.addClient()];
      const peer = await FakePeer.open(h.url, sender.peer);
      assert.equal((await deposit(peer, recipient.accessKey)).status, 'ok');
      // With the default (256) a second message would wait too.
      assert.deepEqual(pick(await deposit(peer, recipient.accessKey)), {
        status: 'error',
        reason: 'mailbox_full',
      });
      await peer.close();
    }),

  mailboxMaxBytes: () =>
    withHub({ limits: { mailboxMaxBytes: 64 * 1024 } }, async (h) => {
      const [sender, recipient] = [await h.addClient(), await h.addClient()];
      const peer = await FakePeer.open(h.url, sender.peer);
      assert.equal((await deposit(peer, recipient.accessKey, 30_000)).status, 'ok');
      // With the default (16 MiB) a second 30 kB message would fit.
      assert.deepEqual(pick(await deposit(peer, recipient.accessKey, 30_000)), {
        status: 'error',
        reason: 'mailbox_full',
      });
      await peer.close();
    }),

  mailboxExpiryMs: () => {
    const clock = new FakeTimers();
    return withHub(
      { limits: { mailboxExpiryMs: 1000 } },
      async (h) => {
        const [sender, recipient] = [await h.addClient(), await h.addClient()];
        const peer = await FakePeer.open(h.url, sender.peer);
        assert.equal((await deposit(peer, recipient.accessKey)).status, 'ok');
        clock.advance(1000);
        // With the default (7 days) the message would still be handed out.
        const reader = await FakePeer.open(h.url, recipient.peer);
        assert.deepEqual((await rendezvous(reader, { cmd: 'collect' })).messages, []);
        await Promise.all([peer.close(), reader.close()]);
      },
      { now: clock.clock },
    );
  },

  cascadeWindowMs: async () => {
    const node = await MeshNode.create('cascade');
    try {
      await node.start({ agent: 'echo', limits: { cascadeWindowMs: 100 } });
      const sat = await node.satellite({ canPropagate: true });
      const ended = new Promise<MessageData>((resolve) => sat.onBus('hive.query.complete', resolve));
      sat.emit(
        createHiveMessage(
          HiveMessageType.CASCADE,
          createHiveMessage(HiveMessageType.BUS, {
            type: 'recognizer_loop:utterance',
            data: { utterances: ['anyone there'] },
            context: {},
          }),
          { metadata: { query_id: 'window-1' } },
        ),
      );
      // The gathered answer is picked after 100 ms; the default (3 s) would not end it within the deadline.
      const end = await within(1500, 'the end of the gathering', ended);
      assert.equal(end.data.gathered, 1);
      sat.close();
    } finally {
      await node.remove();
    }
  },

  meshMapWindowMs: async () => {
    const node = await MeshNode.create('map');
    try {
      await node.start({ limits: { meshMapWindowMs: 100 } });
      // The map is drawn after 100 ms; with the default (2 s) it would not be within the deadline.
      const map = await within(1000, 'the map', node.hub.mesh.map());
      assert.equal(map.window_ms, 100);
      assert.equal(map.nodes.length, 1);
    } finally {
      await node.remove();
    }
  },

  skillBundleMaxBytes: () =>
    withSkillHub({ skillBundleMaxBytes: 2048 }, async ({ install }) => {
      // A 3 KiB module: with the default (4 MiB) it installs.
      const padded = { ...LIMIT_SKILL, prelude: `const padding = ${JSON.stringify('x'.repeat(3000))};` };
      assert.equal(await codeOfPromise(install(padded)), 'HL_ERR_SKILL_BUNDLE_INVALID');
    }),

  skillSandboxTimeoutMs: () =>
    withSkillHub({ skillSandboxTimeoutMs: 100 }, async ({ install, say }) => {
      // Busy for 1.5 s: with the default (2 s) the worker would finish and speak.
      await install({
        ...LIMIT_SKILL,
        handler: "const end = Date.now() + 1500; while (Date.now() < end) {} ctx.speak('finished');",
      });
      const turn = await say(LIMIT_SKILL.utterance);
      assert.ok(
        turn.some(
          (m) =>
            m.type === 'mycroft.skill.handler.error' &&
            /did not answer for 100 ms/.test(String(m.data.exception)),
        ),
      );
      assert.ok(!turn.some((m) => m.type === 'speak' && m.data.utterance === 'finished'));
    }),

  skillSandboxMaxHeapBytes: () =>
    withSkillHub({ skillSandboxMaxHeapBytes: 8 * 1024 * 1024 }, async ({ install, say }) => {
      // 400,000 small objects (some 30 MB): within the default (64 MiB) heap.
      await install({
        ...LIMIT_SKILL,
        handler:
          "const kept = []; for (let i = 0; i < 400000; i++) kept.push({ i, s: 'n' + i }); ctx.speak('kept ' + kept.length);",
      });
      const turn = await say(LIMIT_SKILL.utterance);
      assert.ok(
        turn.some(
          (m) => m.type === 'mycroft.skill.handler.error' && /memory limit/.test(String(m.data.exception)),
        ),
      );
    }),

  // -- files (issue 15): each refusal from the hub's own checks, through the SDK's transfer

  maxFileBytes: () =>
    withHub({ limits: { maxFileBytes: 2048 } }, async (h) => {
      const client = await fileClient(h);
      // With the default (1 GiB) a 4 KiB file would be stored.
      assert.equal(
        await codeOfPromise(client.sendFile(new Uint8Array(4096), { name: 'big.bin' })),
        'HL_ERR_FILE_TOO_LARGE',
      );
      assert.equal((await client.sendFile(new Uint8Array(2048), { name: 'fits.bin' })).size, 2048);
      client.close();
    }),

  fileQuotaBytes: () =>
    withHub({ limits: { fileQuotaBytes: 4096 } }, async (h) => {
      const client = await fileClient(h);
      await client.sendFile(new Uint8Array(3000), { name: 'first.bin' });
      // With the default (2 GiB) a second 3000 bytes would be stored.
      assert.equal(
        await codeOfPromise(client.sendFile(new Uint8Array(3000), { name: 'second.bin' })),
        'HL_ERR_FILE_QUOTA',
      );
      client.close();
    }),

  maxParallelTransfers: () =>
    withHub({ limits: { maxParallelTransfers: 1 } }, async (h) => {
      const client = await fileClient(h);
      const offer = (name: string) =>
        client.request('hive.file.offer', { name, size: 10, sha256: '0'.repeat(64) });
      await offer('one.bin'); // left open: no chunk sent
      // With the default (4) a second transfer would be offered.
      assert.equal(await codeOfPromise(offer('two.bin')), 'HL_ERR_FILE_TOO_MANY_TRANSFERS');
      client.close();
    }),

  fileExpiryMs: () => {
    const clock = new FakeTimers();
    return withHub(
      { limits: { fileExpiryMs: 1000 } },
      async (h) => {
        const client = await fileClient(h);
        await client.sendFile(new Uint8Array(100), { name: 'soon-gone.bin' });
        clock.advance(1001);
        // With the default (7 days) the file would stay.
        assert.equal(await h.composed.files.purge(), 1);
        assert.deepEqual(await client.files.list(), []);
        client.close();
      },
      { now: clock.clock },
    );
  },

  // -- jobs (issue 15): the scheduler's bounds and a worker's limits, with the test kinds of test/fixtures/jobs

  // With the default (2 of a kind) the second would run beside the first.
  jobConcurrency: () => secondWaits({ jobConcurrency: 1, jobConcurrencyPerClient: 4 }, ['slow', 'slow']),

  // With the default (2 per client) the second kind would run beside the first.
  jobConcurrencyPerClient: () => secondWaits({ jobConcurrencyPerClient: 1 }, ['slow', 'slow-fail']),

  maxQueuedJobsPerClient: () =>
    withHub(
      { limits: { maxQueuedJobsPerClient: 1 } },
      async (h) => {
        const client = await fileClient(h);
        const first = await client.submitJob('slow', { steps: 1000, stepMs: 20 });
        // With the default (16) a second job would be queued.
        assert.equal(
          await codeOfPromise(client.submitJob('slow', { steps: 1, stepMs: 0 })),
          'HL_ERR_JOB_QUEUE_FULL',
        );
        await first.cancel();
        client.close();
      },
      JOB_KINDS,
    ),

  jobTimeoutMs: () =>
    withHub(
      { limits: { jobTimeoutMs: 300 } },
      async (h) => {
        const client = await fileClient(h);
        // Two seconds of steps: with the default (10 min) it would be done.
        const job = await client.submitJob('slow', { steps: 100, stepMs: 20 });
        assert.equal(await codeOfPromise(job.result()), 'HL_ERR_JOB_TIMEOUT');
        client.close();
      },
      JOB_KINDS,
    ),

  jobMaxMemoryBytes: () =>
    withHub(
      { limits: { jobMaxMemoryBytes: 16 * 1024 * 1024 } },
      async (h) => {
        const client = await fileClient(h);
        // 96 MiB of arrays: within the default (512 MiB) heap.
        const job = await client.submitJob('hog', { mib: 96 });
        assert.equal(await codeOfPromise(job.result()), 'HL_ERR_JOB_MEMORY');
        // The hub carries on: the next job runs.
        assert.deepEqual((await (await client.submitJob('hog', { mib: 1 })).result()).result, {
          held_mib: 1,
        });
        client.close();
      },
      JOB_KINDS,
    ),

  // -- pairing (issue 17): the handshakes one code answers, and how long it lives
  pairingMaxAttempts: () =>
    withHub({ limits: { pairingMaxAttempts: 1 } }, async (h) => {
      const code = await pendingPairing(h);
      const wrong = { ...code, secret: code.secret.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
      assert.equal(await joinCode(h, wrong), 'HL_ERR_PAIRING_WRONG_CODE');
      // One wrong try: within the default (3), the right code would still pair.
      assert.equal(await joinCode(h, code), 'HL_ERR_PAIRING_ATTEMPTS');
    }),

  pairingLifetimeMs: () =>
    withHub({ limits: { pairingLifetimeMs: 10_000 } }, async (h) => {
      // Made 20 s ago to last an hour: within the default (10 minutes).
      const code = await pendingPairing(h, 20_000);
      assert.equal(await joinCode(h, code), 'HL_ERR_PAIRING_EXPIRED');
    }),

  // -- the voice path (issue 14): the real engines behind a hub with --stt/--tts
  voiceMaxUtteranceMs: () =>
    withHub({ voice: voiceOn, limits: { voiceMaxUtteranceMs: 500 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient({ allowedTypes: VOICE_TYPES })).peer);
      // One second of audio: within the default (15 s).
      peer.send(sttAudio(BinaryType.STT_AUDIO_TRANSCRIBE, 1000));
      const denied = await peer.waitForBus('hive.policy.denied');
      assert.equal(denied.data.code, 'too_large');
      assert.match(String(denied.data.reason), /^HL_ERR_AUDIO_TOO_LONG/);
      await peer.close();
    }),

  voiceEngineTimeoutMs: () =>
    withHub({ voice: voiceOn, limits: { voiceEngineTimeoutMs: 100 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient({ allowedTypes: VOICE_TYPES })).peer);
      // Ten seconds of tone: pocketsphinx needs well over 100 ms (and far less than the default 20 s).
      peer.send(sttAudio(BinaryType.STT_AUDIO_TRANSCRIBE, 10_000));
      assert.equal((await peer.waitForBus('hive.voice.error')).data.code, 'HL_ERR_VOICE_ENGINE_TIMEOUT');
      await peer.close();
    }),

  voiceMaxJobs: () =>
    withHub({ voice: voiceOn, limits: { voiceMaxJobs: 1 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient({ allowedTypes: VOICE_TYPES })).peer);
      // Two at once: the default (16) takes both.
      peer.send(sttAudio(BinaryType.STT_AUDIO_TRANSCRIBE, 2000));
      peer.send(sttAudio(BinaryType.STT_AUDIO_TRANSCRIBE, 2000));
      assert.equal((await peer.waitForBus('hive.voice.error')).data.code, 'HL_ERR_VOICE_BUSY');
      await peer.waitForBus('recognizer_loop:transcribe.response');
      await peer.close();
    }),

  voiceMaxSynthBytes: () =>
    withHub({ voice: voiceOn, limits: { voiceMaxSynthBytes: 4096 } }, async (h) => {
      const peer = await FakePeer.open(h.url, (await h.addClient({ allowedTypes: VOICE_TYPES })).peer);
      // About 60 KB of WAV: within the default (4 MiB).
      peer.sendBus('speak:synth', { utterance: 'hello there', lang: 'en-US' });
      assert.equal((await peer.waitForBus('hive.voice.error')).data.code, 'HL_ERR_VOICE_OUTPUT_TOO_LARGE');
      await peer.close();
    }),
};

/** The skill the skill-limit cases install. */
const LIMIT_SKILL: TestSkill = {
  id: 'limits.test',
  version: '1.0.0',
  utterance: 'trip the skill limit',
  answer: 'ok',
};

/** The test job kinds (test/fixtures/jobs) the job-limit cases use. */
const JOB_KINDS = {
  jobKinds: ['slow.ts', 'slow-fail.ts', 'hog.ts'].map(
    (f) => new URL(`../fixtures/jobs/${f}`, import.meta.url),
  ),
};

/** Resolves once `job` reports progress while running. */
function running(job: JobHandle): Promise<void> {
  return new Promise((resolve) => {
    if (job.job.state === 'running' && job.job.progress > 0) resolve();
    job.on('progress', (j) => {
      if (j.state === 'running' && j.progress > 0) resolve();
    });
  });
}

/**
 * With `limits`, two long jobs of `kinds` from one client: the second waits queued while the first runs, and runs once
 * the first is cancelled.
 */
function secondWaits(limits: HubConfigInput['limits'], kinds: readonly [string, string]): Promise<void> {
  return withHub(
    { limits },
    async (h) => {
      const client = await fileClient(h);
      const first = await client.submitJob(kinds[0], { steps: 1000, stepMs: 20 });
      const second = await client.submitJob(kinds[1], { steps: 1000, stepMs: 20 });
      await running(first);
      assert.equal((await client.jobs.attach(second.id)).job.state, 'queued');
      await first.cancel();
      await running(second);
      await second.cancel();
      client.close();
    },
    JOB_KINDS,
  );
}

/** An SDK client of a new client of `h`, connected (files and jobs). */
async function fileClient(h: Running): Promise<HiveClient> {
  const c = await h.addClient();
  const client = createHiveClient({
    url: h.url,
    accessKey: c.accessKey,
    password: c.password,
    identityStore: new MemoryIdentityStore(),
    reconnect: { enabled: false },
  });
  await client.connect();
  return client;
}

async function codeOfPromise(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? 'no code';
  }
  return 'no error';
}

/** A hub with the embedded assistant and `limits`; `install` signs and installs a skill live, `say` runs a turn. */
function withSkillHub(
  limits: HubConfigInput['limits'],
  body: (s: {
    install: (skill: TestSkill) => Promise<unknown>;
    say: (utterance: string) => Promise<MessageData[]>;
  }) => Promise<void>,
): Promise<void> {
  return withHub({ agent: 'embedded', ...(limits === undefined ? {} : { limits }) }, async (h) => {
    const skills = h.composed.skills!;
    const key = publisherKey();
    skills.trust.add(key.publicKey);
    const bus = h.composed.bus;
    const inSession = (m: MessageData) =>
      (m.context?.session as { session_id?: string } | undefined)?.session_id === 'limits';
    await body({
      install: (skill) => skills.install(bundleOf(skill, key.secret), { source: 'cli' }),
      say: (utterance) =>
        new Promise((resolve) => {
          const turn: MessageData[] = [];
          const off = bus.on('*', (m) => {
            if (!inSession(m)) return;
            turn.push(m);
            if (m.type === 'ovos.utterance.handled') {
              off();
              resolve(turn);
            }
          });
          bus.emit(
            createMessage(
              'recognizer_loop:utterance',
              { utterances: [utterance], lang: 'en-US' },
              { source: 'limits', destination: ['skills'], session: { session_id: 'limits' } },
            ),
          );
        }),
    });
  });
}

/** `status` and `reason` of a RENDEZVOUS answer. */
function pick(answer: JsonObject): JsonObject {
  return { status: answer.status ?? null, reason: answer.reason ?? null };
}

/** Two SDK clients of `h`, connected, their end-to-end keys published; closed with the hub's data dir. */
type SealedPeer = { id: number; client: HiveClient; sendPrivate: HiveClient['sendPrivate'] };

async function sealedPair(h: Running): Promise<[SealedPeer, SealedPeer]> {
  const out: SealedPeer[] = [];
  for (let i = 0; i < 2; i++) {
    const c = await h.addClient({ consent: 'allow' });
    const client = createHiveClient({
      url: h.url,
      accessKey: c.accessKey,
      password: c.password,
      identityStore: new MemoryIdentityStore(),
      reconnect: { enabled: false },
    });
    await client.connect();
    await client.sealed.publish();
    out.push({ id: c.id, client, sendPrivate: client.sendPrivate.bind(client) });
  }
  return [out[0]!, out[1]!];
}

/** An envelope from `a` to `b` (text), sealed at `timestamp`. */
async function sealedTo(
  a: { client: HiveClient },
  b: { id: number },
  timestamp = Date.now(),
): Promise<Uint8Array> {
  const [entry] = await a.client.directory({ client: b.id });
  const sealed = await sealEnvelope({
    recipientKey: Buffer.from(entry!.x25519, 'base64'),
    content: SealedContent.TEXT,
    payload: new TextEncoder().encode('hello'),
    sender: { signedBy: await a.client.sealed.identity() },
    timestamp,
  });
  return sealed.envelope;
}

function sendSealed(a: { client: HiveClient }, b: { id: number }, envelope: Uint8Array) {
  return a.client.sealed.sendEnvelope('hive.relay.send', {
    to: b.id,
    envelope: Buffer.from(envelope).toString('base64'),
  });
}

/** A pending pairing of `h` to last an hour, made `madeAgoMs` ago (by another connection, as hivelink pair does). */
async function pendingPairing(h: Running, madeAgoMs = 0): Promise<PairingCode> {
  const admin = openSqliteStore(dataDirPaths(h.dataDir).database, {
    secrets: loadOrCreateSecretsKey(h.dataDir).key,
    now: () => Date.now() - madeAgoMs,
  });
  try {
    const code = newPairingCode();
    await admin.pairings.create(
      { ...code, name: `paired-${code.id}`, siteId: null, expiresAt: Date.now() + 3_600_000 },
      LIMIT_DEFS.maxPendingPairings.default,
    );
    return code;
  } finally {
    await admin.close();
  }
}

/** Joins `h` with `code`: 'paired', or the error code it failed with. */
function joinCode(h: Running, code: PairingCode): Promise<string> {
  return joinAt(h.url, code);
}

describe('every hub limit is wired (a hub from compose.ts, each limit set low and tripped)', () => {
  it('has a case, or an allow-list entry with a reason, for every hub limit of the registry', () => {
    const hubLimits = limitsOfScope('hub');
    assert.ok(hubLimits.length > 30, 'the registry has hub limits');
    const cases = CASES as Partial<Record<LimitName, Trip>>;
    const allowed = NOT_TRIPPED as Partial<Record<LimitName, string>>;
    const missing = hubLimits.filter((name) => cases[name] === undefined && allowed[name] === undefined);
    assert.deepEqual(
      missing,
      [],
      'each hub limit needs a case in CASES (test/integration/limits-wired.test.ts) that sets it low and trips it',
    );
    for (const name of hubLimits) {
      assert.ok(
        cases[name] === undefined || allowed[name] === undefined,
        `${name}: a case and an allow-list entry`,
      );
      assert.ok(
        allowed[name] === undefined || allowed[name].length > 20,
        `${name}: say why it is not tripped`,
      );
    }
    for (const name of [...Object.keys(CASES), ...Object.keys(NOT_TRIPPED)]) {
      assert.equal(LIMIT_DEFS[name as LimitName]?.scope, 'hub', `${name} is not a hub limit of the registry`);
    }
    assert.ok(Object.keys(NOT_TRIPPED).length <= 2, 'the allow-list stays tiny');
  });

  for (const [name, trip] of Object.entries(CASES) as [HubLimitName, Trip][]) {
    it(`${name}: ${LIMIT_DEFS[name].summary}`, { timeout: 30_000 }, trip);
  }
});
