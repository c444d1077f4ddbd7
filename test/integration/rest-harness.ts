/**
 * Harness for the REST tests: a real hub (Hub + its HTTP server) on 127.0.0.1 port 0 with a temp data dir, the
 * embedded assistant as its agent (or no agent at all: a bus nobody answers on), and clients with bearer tokens
 * prepared in the database *before* the hub starts (so IP rules are in force from the first request, without waiting
 * for a policy refresh).
 *
 * Glossary: *hub* = the Hub + its HTTP server; *base* = `http://127.0.0.1:PORT`; *token* = a REST bearer token from
 * `store.issueToken()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Assistant } from '../../src/assistant/assistant.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { createHubServer } from '../../src/http/server.js';
import { inProcessAgent } from '../../src/hub/agent.js';
import { type HubConfigInput, resolveHubConfig } from '../../src/hub/config.js';
import { Hub } from '../../src/hub/hub.js';
import { type DataDir, openDataDir } from '../../src/store/data-dir.js';
import type { HubIdentity } from '../../src/store/identity.js';
import type { ClientStore, NewClient } from '../../src/store/types.js';

let sharedIdentity: HubIdentity | null = null;

export interface RestHub {
  readonly hub: Hub;
  readonly app: FastifyInstance;
  readonly base: string;
  readonly bus: MemoryBus;
  readonly data: DataDir;
  close(): Promise<void>;
}

export interface RestHubOptions {
  config?: HubConfigInput;
  /** Run the embedded assistant on the agent bus. @default true */
  assistant?: boolean;
  /** Prepares the database before the hub starts. */
  prepare?: (store: ClientStore) => Promise<void>;
}

export async function startRestHub(options: RestHubOptions = {}): Promise<RestHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-rest-'));
  const data = openDataDir(dataDir);
  sharedIdentity ??= data.loadIdentity();
  await options.prepare?.(data.store);
  const config = resolveHubConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    logLevel: 'silent',
    ...options.config,
  });
  const bus = new MemoryBus();
  const assistant = options.assistant === false ? null : new Assistant({ bus });
  await assistant?.start();
  const hub = new Hub({ config, store: data.store, identity: sharedIdentity, agent: inProcessAgent(bus) });
  await hub.start();
  const app = await createHubServer({ hub, config });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return {
    hub,
    app,
    base: `http://127.0.0.1:${port}`,
    bus,
    data,
    async close() {
      await hub.stop();
      await app.close();
      await assistant?.stop();
      await data.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A client with a fresh token. */
export async function clientWithToken(
  store: ClientStore,
  name: string,
  extra: Omit<NewClient, 'name'> = {},
): Promise<{ id: number; token: string }> {
  const { record } = await store.addClient({ name, ...extra });
  return { id: record.id, token: await store.issueToken(record.id) };
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** `POST /v1/ask` with a JSON body (a string is sent as is) and an optional bearer token. */
export async function postAsk(
  base: string,
  token: string | null,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const res = await fetch(`${base}/v1/ask`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text; // not JSON: the assertion on the body shows it
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** The `error.code` of an error answer. */
export function errorCode(answer: HttpAnswer): unknown {
  const body = answer.body as { error?: { code?: unknown } } | null;
  return body?.error?.code;
}

/** A JSON answer: its status and parsed body. */
export interface JsonAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A REST call to `base` with a bearer token (or none) and a JSON body (or none); the answer parsed as JSON. */
export async function restJson(
  base: string,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<JsonAnswer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
