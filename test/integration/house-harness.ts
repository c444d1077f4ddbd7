/**
 * A house for the integration tests: a hub built by `composeHub` (what `hivelink hub` runs: the embedded assistant
 * with its house skill, the house service, REST) on 127.0.0.1 port 0 with a temp data dir, and FakePeer satellites
 * placed in rooms — by their record's site (the admin's) or by the site their HELLO announces.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { MessageData } from '../../src/bus/types.js';
import { type ComposedHub, composeHub } from '../../src/hub/compose.js';
import { type HubConfigInput, resolveHubConfig } from '../../src/hub/config.js';
import type { LimitName } from '../../src/limits.js';
import { createHiveMessage, type HiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { type HubIdentity, loadOrCreateHubIdentity } from '../../src/store/identity.js';
import type { NewClient } from '../../src/store/types.js';
import { FakePeer } from './hub-harness.js';

let sharedIdentity: HubIdentity | null = null;
let counter = 0;

/** One satellite of the house. */
export interface Satellite {
  readonly id: number;
  readonly name: string;
  readonly accessKey: string;
  readonly password: string;
  readonly peer: FakePeer;
}

export interface SatelliteOptions extends Partial<Omit<NewClient, 'name'>> {
  /** The site its HELLO announces. @default none */
  helloSite?: string;
  /** Its HELLO says it is a full assistant (`hivelink_assistant: true`). @default false */
  assistant?: boolean;
  /** More of its HELLO session (location, time format, …). */
  session?: Record<string, unknown>;
}

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
  sharedIdentity ??= loadOrCreateHubIdentity(dataDir);
  const skillsDir = mkdtempSync(join(tmpdir(), 'hivelink-house-skills-'));
  const limits: Partial<Record<LimitName, number>> = {
    authFailuresPerIp: 100_000,
    authFailuresPerKey: 100_000,
    ...input.limits,
  };
  const config = resolveHubConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    agent: 'embedded',
    logLevel: 'silent',
    ...input,
    limits,
  });
  const composed = await composeHub(config, {
    identity: sharedIdentity,
    logger: pino({ level: 'silent' }),
    skillsDir,
  });
  const { port } = await composed.start();
  const url = `ws://127.0.0.1:${port}`;
  const store = composed.data.store;
  const client = async (name: string, options: Partial<Omit<NewClient, 'name'>> = {}) => {
    counter += 1;
    const { record } = await store.addClient({ name, password: `hl-house-${counter}-Zq9vLw3k`, ...options });
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
      const peer = await FakePeer.open(url, {
        accessKey: c.accessKey,
        password: c.password,
        protocol: 'legacy',
        hello: false,
      });
      peer.send(
        createHiveMessage(HiveMessageType.HELLO, {
          pubkey: '',
          session: { session_id: `${name}-session`, lang: 'en-US', ...session },
          ...(helloSite === undefined ? {} : { site_id: helloSite }),
          ...(assistant === true ? { hivelink_assistant: true } : {}),
        } as never),
      );
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
