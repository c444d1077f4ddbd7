/**
 * Harness of the admin API and page tests: a hub built by compose.ts (the embedded assistant, 127.0.0.1 port 0, a
 * temp data and skills dir) with an admin client and a plain one, each with a REST bearer token, and SDK clients
 * connected over real sockets (v3) that can make the hub deny something.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageData } from '../../src/bus/types.js';
import type { ClientState, HiveClient } from '../../src/client/index.js';
import type { ComposedHub } from '../../src/hub/compose.js';
import { composeTestHub, registered, SdkDevice } from './house-harness.js';
import { type JsonAnswer, restJson } from './rest-harness.js';

/** A message type no client may send by default: the hub answers it with `hive.policy.denied`. */
export const FORBIDDEN_TYPE = 'hivelink.test.forbidden';

export interface Satellite {
  readonly device: SdkDevice;
  readonly client: HiveClient;
  /** Resolves with the client's `closed` state. */
  readonly closed: Promise<Extract<ClientState, { type: 'closed' }>>;
  /** Sends {@link FORBIDDEN_TYPE} and resolves with the hub's `hive.policy.denied`. */
  causeDenial(): Promise<MessageData>;
}

export type RestAnswer = JsonAnswer;

export class AdminHub {
  readonly #clients: HiveClient[] = [];

  private constructor(
    readonly composed: ComposedHub,
    readonly url: string,
    readonly base: string,
    readonly adminToken: string,
    readonly adminId: number,
    readonly plainToken: string,
    readonly dirs: string[],
  ) {}

  static async start(): Promise<AdminHub> {
    const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-admin-'));
    const skillsDir = mkdtempSync(join(tmpdir(), 'hivelink-admin-skills-'));
    const { composed, url, port } = await composeTestHub(dataDir, { agent: 'embedded' }, { skillsDir });
    const store = composed.data.store;
    const admin = await store.addClient({ name: 'console', isAdmin: true });
    const plain = await store.addClient({ name: 'plain' });
    return new AdminHub(
      composed,
      url,
      `http://127.0.0.1:${port}`,
      await store.issueToken(admin.record.id),
      admin.record.id,
      await store.issueToken(plain.record.id),
      [dataDir, skillsDir],
    );
  }

  /** Adds client `name` and connects it over the SDK; resolves once the hub counts its connection open. */
  async satellite(name: string, extra: Parameters<typeof SdkDevice.add>[2] = {}): Promise<Satellite> {
    const device = await SdkDevice.add(this.composed, name, extra);
    const client = device.client(this.url);
    this.#clients.push(client);
    const closed = new Promise<Extract<ClientState, { type: 'closed' }>>((resolve) => {
      client.onState((state) => {
        if (state.type === 'closed') resolve(state);
      });
    });
    const open = registered(this.composed, device.id);
    await client.connect();
    await open;
    return {
      device,
      client,
      closed,
      causeDenial: () =>
        new Promise<MessageData>((resolve) => {
          const off = client.onBus('hive.policy.denied', (m) => {
            if (m.data.denied_type !== FORBIDDEN_TYPE) return;
            off();
            resolve(m);
          });
          client.emitBus(FORBIDDEN_TYPE, { what: 'not allowed' });
        }),
    };
  }

  /** A REST call with a bearer token (or none) and a JSON body (or none). */
  rest(method: string, path: string, token: string | null, body?: unknown): Promise<RestAnswer> {
    return restJson(this.base, method, path, token, body);
  }

  async close(): Promise<void> {
    for (const c of this.#clients) c.close();
    await this.composed.stop();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** The `error.code` of an error answer. */
export const codeOf = (r: RestAnswer): string | undefined =>
  (r.body.error as { code?: string } | undefined)?.code;
