/**
 * Hubs of a mesh for the integration tests (issue 13): each built by `composeHub` (what `hivelink hub` runs) on
 * 127.0.0.1 with a data dir, a port and an identity of its own (loop detection goes by node id, so hubs of one mesh
 * must not share the test processes' usual identity), its parents' records made before it starts, and SDK
 * satellites on it. Logs at debug go to {@link MeshNode.logs}, so a test can wait for a flood's drops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import { type ComposedHub, composeHub } from '../../src/hub/compose.js';
import { type HubConfigInput, type ParentConfig, resolveHubConfig } from '../../src/hub/config.js';
import type { MeshStatus } from '../../src/hub/mesh/mesh-service.js';
import { openDataDir } from '../../src/store/data-dir.js';
import { loadOrCreateHubIdentity } from '../../src/store/identity.js';
import type { NewClient } from '../../src/store/types.js';
import { freePort } from './cli-process.js';

/** Debug log lines of one hub, with waiters. */
export class LogLines {
  readonly lines: Record<string, unknown>[] = [];
  readonly #waiters = new Set<() => void>();

  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      for (const waiter of [...this.#waiters]) waiter();
      done();
    },
  });

  /** Lines whose `msg` contains `text`. */
  count(text: string): number {
    return this.lines.filter((l) => typeof l.msg === 'string' && l.msg.includes(text)).length;
  }

  /** Resolves once `predicate()` holds (checked after every line). */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = () => {
        if (!predicate()) return;
        this.#waiters.delete(waiter);
        resolve();
      };
      this.#waiters.add(waiter);
    });
  }
}

/** A record this hub's parent holds for it: the link's credentials. */
export interface LinkCredentials {
  readonly key: string;
  readonly password: string;
}

let serial = 0;

/** Credentials for a link, and the parent record that takes them (admin, may escalate and propagate). */
export function linkCredentials(): LinkCredentials & { record: NewClient } {
  serial += 1;
  const key = `mesh-link-${serial}-${process.pid}`;
  const password = `mesh-link-${serial}-Zq9vLw3k`;
  return {
    key,
    password,
    record: {
      name: `link${serial}`,
      accessKey: key,
      password,
      isAdmin: true,
      canEscalate: true,
      canPropagate: true,
    },
  };
}

/** One hub of a test mesh, not started until {@link MeshNode.start}. */
export class MeshNode {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'hivelink-mesh-'));
  readonly logs = new LogLines();
  composed: ComposedHub | null = null;
  readonly #name: string;
  port = 0;

  private constructor(name: string, port: number) {
    this.#name = name;
    this.port = port;
  }

  /** A node with a free port and its own identity (made now). */
  static async create(name: string): Promise<MeshNode> {
    const node = new MeshNode(name, await freePort());
    loadOrCreateHubIdentity(node.dataDir);
    return node;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get hub(): ComposedHub {
    if (this.composed === null) throw new Error(`${this.#name} is not running`);
    return this.composed;
  }

  /** Adds client records to the store while the hub is not running (a child's link must exist before it connects). */
  async addRecords(records: readonly NewClient[]): Promise<void> {
    const data = openDataDir(this.dataDir);
    try {
      for (const record of records) await data.store.addClient(record);
    } finally {
      await data.close();
    }
  }

  /** A parent entry pointing at this node with `credentials`. */
  parentEntry(credentials: LinkCredentials): ParentConfig {
    return { url: this.url, key: credentials.key, password: credentials.password };
  }

  /** Composes and starts the hub on its port and data dir (again after {@link stop}). */
  async start(input: HubConfigInput = {}): Promise<ComposedHub> {
    const config = resolveHubConfig({
      host: '127.0.0.1',
      port: this.port,
      dataDir: this.dataDir,
      name: this.#name,
      logLevel: 'debug',
      ...input,
      limits: {
        authFailuresPerIp: 100_000,
        authFailuresPerKey: 100_000,
        handshakeTimeoutMs: 60_000,
        parentReconnectDelayMs: 50,
        ...input.limits,
      },
    });
    const composed = await composeHub(config, {
      identity: loadOrCreateHubIdentity(this.dataDir),
      logger: pino({ level: 'debug' }, this.logs.stream),
    });
    await composed.start();
    this.composed = composed;
    return composed;
  }

  async stop(): Promise<void> {
    await this.composed?.stop();
    this.composed = null;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Resolves once the mesh status satisfies `predicate` (checked now and on every link change). */
  linksUntil(predicate: (status: MeshStatus) => boolean): Promise<MeshStatus> {
    const mesh = this.hub.mesh;
    const now = mesh.status();
    if (predicate(now)) return Promise.resolve(now);
    return new Promise((resolve) => {
      const off = mesh.onLinkChange((status) => {
        if (!predicate(status)) return;
        off();
        resolve(status);
      });
    });
  }

  /** Every parent link open. */
  allOpen(): Promise<MeshStatus> {
    return this.linksUntil((s) => s.parents.every((p) => p.state === 'open'));
  }

  /** A satellite of this hub (legacy protocol: no argon2id), connected. */
  async satellite(extra: Partial<NewClient> = {}): Promise<HiveClient> {
    serial += 1;
    const password = `mesh-sat-${serial}-Zq9vLw3k`;
    const { record } = await this.hub.data.store.addClient({ name: `sat${serial}`, password, ...extra });
    const client = createHiveClient({
      url: this.url,
      accessKey: record.accessKey,
      password,
      protocol: 'legacy',
      reconnect: { enabled: false },
    });
    await client.connect();
    return client;
  }
}
