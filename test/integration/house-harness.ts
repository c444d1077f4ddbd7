/**
 * A house for the integration tests: a hub built by `composeHub` (what `hivelink hub` runs: the embedded assistant
 * with its house skill, the house service, REST) on 127.0.0.1 port 0 with a temp data dir, and FakePeer satellites
 * placed in rooms — by their record's site (the admin's) or by the site their HELLO announces. Also the parts for
 * tests that compose a hub of their own ({@link composeTestHub}) with SDK clients ({@link SdkDevice}).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { MessageData } from '../../src/bus/types.js';
import {
  createHiveClient,
  type HiveClient,
  MemoryIdentityStore,
  MemoryPinStore,
} from '../../src/client/index.js';
import { type ComposedHub, type ComposeOptions, composeHub } from '../../src/hub/compose.js';
import { type HubConfigInput, resolveHubConfig } from '../../src/hub/config.js';
import { createHiveMessage, type HiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { type HubIdentity, loadOrCreateHubIdentity } from '../../src/store/identity.js';
import type { NewClient } from '../../src/store/types.js';
import { FakePeer } from './hub-harness.js';

let sharedIdentity: HubIdentity | null = null;
let counter = 0;

/** A hub built by `composeHub`, started on 127.0.0.1 port 0. */
export interface ComposedTestHub {
  readonly composed: ComposedHub;
  readonly port: number;
  /** The agent bus's own port (`busPort`), or null. */
  readonly busPort: number | null;
  /** `ws://127.0.0.1:PORT` */
  readonly url: string;
}

export interface ComposeTestHubOptions extends Omit<ComposeOptions, 'identity' | 'logger'> {
  /**
   * Keep the default auth failure budgets (for tests of those limits). @default false: test clients all connect
   * from 127.0.0.1 and some fail on purpose, so the budgets are out of reach unless the config sets them
   */
  keepAuthBudgets?: boolean;
}

/**
 * Composes and starts a hub on `dataDir` (left in place: the caller removes it). Every hub of a test process has the
 * same identity (RSA generation is slow; a hub started again on a data dir keeps its key).
 */
export async function composeTestHub(
  dataDir: string,
  input: HubConfigInput = {},
  options: ComposeTestHubOptions = {},
): Promise<ComposedTestHub> {
  const { keepAuthBudgets = false, ...compose } = options;
  sharedIdentity ??= loadOrCreateHubIdentity(dataDir);
  const config = resolveHubConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    logLevel: 'silent',
    ...input,
    ...(keepAuthBudgets
      ? {}
      : { limits: { authFailuresPerIp: 100_000, authFailuresPerKey: 100_000, ...input.limits } }),
  });
  const composed = await composeHub(config, {
    identity: sharedIdentity,
    logger: pino({ level: 'silent' }),
    ...compose,
  });
  const { port, busPort } = await composed.start();
  return { composed, port, busPort, url: `ws://127.0.0.1:${port}` };
}

/**
 * A client record of a composed hub and the keys its SDK client keeps (its Noise key, the hub key it pinned): every
 * {@link client} is the same device coming back, as a real satellite would, and the hub knows it by them.
 */
export class SdkDevice {
  readonly identityStore = new MemoryIdentityStore();
  readonly pinStore = new MemoryPinStore();

  private constructor(
    readonly id: number,
    readonly name: string,
    readonly accessKey: string,
    readonly password: string,
  ) {}

  /** Adds a client named `name` (a random strong password) to `composed`'s store. */
  static async add(
    composed: ComposedHub,
    name: string,
    extra: Partial<Omit<NewClient, 'name' | 'password'>> = {},
  ): Promise<SdkDevice> {
    const password = randomBytes(18).toString('base64url');
    const { record } = await composed.data.store.addClient({ name, password, ...extra });
    return new SdkDevice(record.id, name, record.accessKey, password);
  }

  /** A new SDK client of this device for `url`, not connected yet, that does not reconnect by itself. */
  client(url: string): HiveClient {
    return createHiveClient({
      url,
      accessKey: this.accessKey,
      password: this.password,
      identityStore: this.identityStore,
      pinStore: this.pinStore,
      reconnect: { enabled: false },
    });
  }
}

/**
 * Resolves once the hub counts a connection of client `clientId` open (registered under its peer id, which it does
 * once the client's first frame proves its key). Call it before connecting.
 */
export function registered(composed: ComposedHub, clientId: number): Promise<void> {
  const { hub } = composed;
  return new Promise<void>((resolve) => {
    const off = hub.onPeersChanged((conn) => {
      if (conn.record.id === clientId && hub.ctx.peers.get(conn.peer) === conn) {
        off();
        resolve();
      }
    });
  });
}

/** What a satellite's HELLO says besides its session id. */
export interface HelloOptions {
  /** The site its HELLO announces. @default none */
  helloSite?: string;
  /** Its HELLO says it is a full assistant (`hivelink_assistant: true`). @default false */
  assistant?: boolean;
  /** More of its HELLO session (location, time format, …). */
  session?: Record<string, unknown>;
}

/**
 * Opens a legacy FakePeer for a client and sends its HELLO (session `sessionId`, and what `hello` adds) itself: the
 * HELLO is where a satellite announces its site and what it is.
 */
export async function openHelloPeer(
  url: string,
  client: { accessKey: string; password: string },
  sessionId: string,
  hello: HelloOptions = {},
): Promise<FakePeer> {
  const peer = await FakePeer.open(url, {
    accessKey: client.accessKey,
    password: client.password,
    protocol: 'legacy',
    hello: false,
  });
  peer.send(
    createHiveMessage(HiveMessageType.HELLO, {
      pubkey: '',
      session: { session_id: sessionId, ...hello.session },
      ...(hello.helloSite === undefined ? {} : { site_id: hello.helloSite }),
      ...(hello.assistant === true ? { hivelink_assistant: true } : {}),
    } as never),
  );
  return peer;
}

/** One satellite of the house. */
export interface Satellite {
  readonly id: number;
  readonly name: string;
  readonly accessKey: string;
  readonly password: string;
  readonly peer: FakePeer;
}

export interface SatelliteOptions extends Partial<Omit<NewClient, 'name'>>, HelloOptions {}

export interface House {
  readonly composed: ComposedHub;
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  readonly dataDir: string;
  /** Adds a client named `name` and connects it as a satellite. */
  satellite(name: string, options?: SatelliteOptions): Promise<Satellite>;
  /** Adds a client without connecting it. */
  client(
    name: string,
    options?: Partial<Omit<NewClient, 'name'>>,
  ): Promise<{ id: number; accessKey: string }>;
  close(): Promise<void>;
}

/** Composes and starts a hub with the embedded assistant. */
export async function startHouse(input: HubConfigInput = {}): Promise<House> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-house-'));
  const skillsDir = mkdtempSync(join(tmpdir(), 'hivelink-house-skills-'));
  const { composed, port, url } = await composeTestHub(
    dataDir,
    { agent: 'embedded', ...input },
    { skillsDir },
  );
  const store = composed.data.store;
  const client = async (name: string, options: Partial<Omit<NewClient, 'name'>> = {}) => {
    counter += 1;
    // Consent (§12.8) is not what these houses test: their clients take direct messages from every room unless a
    // test gives one another setting (`consent: 'ask'`, the store's default).
    const { record } = await store.addClient({
      name,
      password: `hl-house-${counter}-Zq9vLw3k`,
      consent: 'allow',
      ...options,
    });
    return { id: record.id, accessKey: record.accessKey, password: `hl-house-${counter}-Zq9vLw3k` };
  };
  return {
    composed,
    url,
    base: `http://127.0.0.1:${port}`,
    dataDir,
    client: async (name, options) => {
      const c = await client(name, options);
      return { id: c.id, accessKey: c.accessKey };
    },
    async satellite(name, options = {}) {
      const { helloSite, assistant, session, ...record } = options;
      const c = await client(name, record);
      const peer = await openHelloPeer(url, c, `${name}-session`, {
        helloSite,
        assistant,
        session: { lang: 'en-US', ...session },
      });
      // The HELLO is applied before the test goes on: the hub knows the satellite's room and flag.
      await until(() =>
        [...composed.hub.ctx.peers.values()].some(
          (p) => p.record.id === c.id && p.peer.endsWith(`${name}-session`),
        ),
      );
      return { id: c.id, name, accessKey: c.accessKey, password: c.password, peer };
    },
    async close() {
      await composed.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(skillsDir, { recursive: true, force: true });
    },
  };
}

/** Resolves when `check` holds (checked after each turn of the event loop that lets I/O run). */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** True for BUS `speak` whose utterance matches. */
function isSpeak(m: HiveMessage, utterance: RegExp | string): boolean {
  if (m.msg_type !== HiveMessageType.BUS) return false;
  const payload = m.payload as unknown as MessageData;
  if (payload.type !== 'speak') return false;
  const text = String(payload.data?.utterance ?? '');
  return typeof utterance === 'string' ? text === utterance : utterance.test(text);
}

/** The next `speak` (already received or future) `peer` gets whose utterance matches. */
export async function heard(peer: FakePeer, utterance: RegExp | string): Promise<MessageData> {
  const m = await peer.waitFor((x) => isSpeak(x, utterance));
  return m.payload as unknown as MessageData;
}

/** Every `speak` utterance `peer` got so far. */
export function speeches(peer: FakePeer): string[] {
  return peer.busOf('speak').map((m) => String(m.data?.utterance ?? ''));
}

/** Says `utterance` from `peer` and resolves with the first thing the hub says back to it after that. */
export async function say(peer: FakePeer, utterance: string): Promise<string> {
  const start = peer.received.length;
  peer.sendBus('recognizer_loop:utterance', { utterances: [utterance], lang: 'en-US' });
  const m = await peer.waitFor((x) => isSpeak(x, /./) && peer.received.indexOf(x) >= start);
  return String((m.payload as unknown as MessageData).data?.utterance ?? '');
}
