/**
 * Meshes of real `hivelink hub` child processes for the process tests of issue 13 (docs/PROTOCOL.md §14): each hub
 * has its own data dir (so its own identity), a port chosen before it starts (so a child can name its parent, and a
 * killed hub comes back on the same address), a config file with its name, site, agent, parents and limits, and
 * optionally a skill dropped in its skills dir. Records (the links' and the satellites') are written to the stores
 * before the hubs start. Waits are on the hubs' output (their JSON log on stderr) and on answers, never sleeps.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import type { ParentConfig } from '../../src/hub/config.js';
import type { MeshMap } from '../../src/hub/mesh/map.js';
import { nodeFingerprint } from '../../src/hub/mesh/node.js';
import type { JsonObject } from '../../src/protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../../src/protocol/message.js';
import { HiveMessageType } from '../../src/protocol/message-types.js';
import { DEFAULT_ALLOWED_TYPES } from '../../src/store/client-fields.js';
import { openDataDir } from '../../src/store/data-dir.js';
import { loadOrCreateHubIdentity } from '../../src/store/identity.js';
import type { NewClient } from '../../src/store/types.js';
import { childEnv, freePort, type HubProcess, run, secretFile, startHub } from './cli-process.js';

/** Bus types the tests flood: a link's record lets them through (a link is no admin of its parent). */
export const FLOOD_TYPES = ['mesh.test.hello', 'mesh.test.news', 'mesh.test.marker'] as const;

/** The limits every test hub runs with: quick reconnects and maps, PINGs answered every time. */
const TEST_LIMITS = {
  parentReconnectDelayMs: 100,
  pingFloodIntervalMs: 0,
  meshMapWindowMs: 1000,
  cascadeWindowMs: 1500,
  authFailuresPerIp: 100_000,
  authFailuresPerKey: 100_000,
  // Several hubs start at once on a busy machine: their links' first v3 handshakes (argon2id) may take a while.
  handshakeTimeoutMs: 60_000,
} as const;

/**
 * A skill for the embedded assistant: "mesh roll call now" matched by keywords (`rollCall` of them: the more of the
 * four words, the higher the confidence) answered with `<name> here`, and, when `secret`, "what is the <name>
 * secret for X" answered with `<name> secret for X`.
 */
export function meshSkill(name: string, rollCall: readonly string[], secret = true): string {
  const vocab = Object.fromEntries(rollCall.map((w) => [`Rc${w}`, [w]]));
  return `export default {
  id: 'mesh-${name}.test',
  locale: {
    en: {
      vocab: ${JSON.stringify(vocab)},
      intents: ${JSON.stringify(secret ? { 'secret.intent': [`what is the ${name} secret for {thing}`] } : {})},
    },
  },
  intents: [
    { name: 'RollCall', keywords: { requires: ${JSON.stringify(Object.keys(vocab))} }, handler: (ctx) => ctx.speak(${JSON.stringify(`${name} here`)}) },
    ${secret ? `{ name: 'secret.intent', handler: (ctx) => ctx.speak(${JSON.stringify(`${name} secret for `)} + ctx.entities.thing) },` : ''}
  ],
};
`;
}

export interface MeshHubSpec {
  readonly name: string;
  readonly site?: string;
  readonly agent?: 'embedded' | 'echo';
  /** The source of a skill file for its skills dir. */
  readonly skill?: string;
  /** `--bus-port 0`: the test may watch its agent bus. */
  readonly busPort?: boolean;
  readonly logLevel?: 'info' | 'debug';
  readonly limits?: Readonly<Record<string, number>>;
  /** More keys of its config file (`acceptSkillsFrom`, `escalate`, …). */
  readonly config?: Readonly<Record<string, unknown>>;
}

let serial = 0;

/** One `hivelink hub` process of a test mesh (not running until {@link MeshHub.start}). */
export class MeshHub {
  readonly spec: MeshHubSpec;
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly port: number;
  /** Its node fingerprint, as `mesh map` names it. */
  readonly node: string;
  readonly parents: ParentConfig[] = [];
  running: HubProcess | null = null;

  private constructor(root: string, spec: MeshHubSpec, port: number) {
    this.spec = spec;
    this.dataDir = join(root, spec.name);
    this.env = childEnv({ HIVELINK_CONFIG_DIR: join(root, `config-${spec.name}`) });
    this.port = port;
    mkdirSync(join(this.dataDir, 'skills'), { recursive: true });
    if (spec.skill !== undefined) writeFileSync(join(this.dataDir, 'skills', 'mesh.mjs'), spec.skill);
    this.node = nodeFingerprint(loadOrCreateHubIdentity(this.dataDir).rsaPublicPem);
  }

  static async create(root: string, spec: MeshHubSpec): Promise<MeshHub> {
    return new MeshHub(root, spec, await freePort());
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get proc(): HubProcess['proc'] {
    if (this.running === null) throw new Error(`${this.spec.name} is not running`);
    return this.running.proc;
  }

  /** Adds a client record to its store (the hub may be running: the CLI does the same). */
  async addRecord(record: NewClient): Promise<{ accessKey: string; id: number }> {
    const data = openDataDir(this.dataDir);
    try {
      const { record: added } = await data.store.addClient(record);
      return { accessKey: added.accessKey, id: added.id };
    } finally {
      await data.close();
    }
  }

  /** Makes this hub a child of `parent`: a record there (may escalate and propagate, not an admin), a parent here. */
  async linkTo(parent: MeshHub): Promise<void> {
    serial += 1;
    const password = `mesh-proc-link-${serial}-Zq9vLw3k`;
    const { accessKey } = await parent.addRecord({
      name: `hub-${this.spec.name}`,
      password,
      canEscalate: true,
      canPropagate: true,
      allowedTypes: [...DEFAULT_ALLOWED_TYPES, ...FLOOD_TYPES],
    });
    this.parents.push({ url: parent.url, key: accessKey, passwordFile: secretFile(password) });
  }

  /** Starts the hub on its port (again after {@link stop}) and resolves once it listens. */
  async start(): Promise<void> {
    const spec = this.spec;
    const config = join(this.dataDir, 'hivelink.test.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: spec.name,
        siteId: spec.site ?? null,
        agent: spec.agent ?? 'embedded',
        parents: this.parents,
        limits: { ...TEST_LIMITS, ...spec.limits },
        ...spec.config,
      }),
    );
    const extra = ['--config', config, '--log-level', spec.logLevel ?? 'info'];
    if (spec.busPort === true) extra.push('--bus-port', '0');
    this.running = await startHub(this.dataDir, this.env, extra, this.port);
  }

  /** Stops it (SIGTERM, or `signal`) and resolves when it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.running?.proc.stop(signal);
    this.running = null;
  }

  /** How much it has written on stderr so far (a mark for {@link waitLog}). */
  mark(): number {
    return this.proc.stderr().length;
  }

  /** Resolves once its log (stderr) has `pattern` after `from`. */
  waitLog(pattern: RegExp, from = 0): Promise<RegExpMatchArray> {
    return this.proc.wait(pattern, 'stderr', from);
  }

  /** Resolves once its log has had `count` lines matching `pattern` (from `from`). */
  async waitLogCount(pattern: RegExp, count: number, from = 0): Promise<void> {
    await this.proc.wait(new RegExp(`(?:[\\s\\S]*?${pattern.source}){${count}}`), 'stderr', from);
  }

  /** Lines of its log matching `pattern`. */
  countLog(pattern: RegExp): number {
    return (this.proc.stderr().match(new RegExp(pattern.source, 'g')) ?? []).length;
  }

  /** A satellite of this hub (the legacy handshake: no argon2id), connected. */
  async satellite(extra: Partial<NewClient> = {}): Promise<HiveClient> {
    serial += 1;
    const password = `mesh-proc-sat-${serial}-Zq9vLw3k`;
    const { accessKey } = await this.addRecord({ name: `sat${serial}`, password, ...extra });
    const client = createHiveClient({
      url: this.url,
      accessKey,
      password,
      protocol: 'legacy',
      reconnect: { enabled: false },
    });
    await client.connect();
    return client;
  }

  /** `hivelink mesh map --json` on its data dir (the real CLI, through the running hub's admin queue). */
  async map(): Promise<MeshMap> {
    const r = await run(['mesh', 'map', '--json', '--data-dir', this.dataDir], this.env);
    if (r.code !== 0) throw new Error(`mesh map failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as MeshMap;
  }
}

/** The log line of a parent link that opened. */
export const LINK_OPEN = /"msg":"parent link open"/;

/** A temp root for one test file's hubs, and its removal. */
export function meshRoot(): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'hl-mesh-proc-'));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Starts `hubs` together and resolves once each has `links` parent links open (its parents' count by default). */
export async function startAll(hubs: readonly MeshHub[]): Promise<void> {
  await Promise.all(hubs.map((h) => h.start()));
  await Promise.all(
    hubs.map((h) => (h.parents.length === 0 ? null : h.waitLogCount(LINK_OPEN, h.parents.length))),
  );
}

/** Lines matching `pattern` in the logs of `hubs` together. */
export function totalLog(hubs: readonly MeshHub[], pattern: RegExp): number {
  return hubs.reduce((sum, h) => sum + h.countLog(pattern), 0);
}

/** Resolves once the logs of `hubs` together have `count` lines matching `pattern` (checked on every write). */
export function untilTotal(hubs: readonly MeshHub[], pattern: RegExp, count: number): Promise<void> {
  return new Promise((resolve) => {
    const streams = hubs.map((h) => h.proc.child.stderr!);
    const check = () => {
      if (totalLog(hubs, pattern) < count) return;
      for (const stream of streams) stream.off('data', check);
      resolve();
    };
    for (const stream of streams) stream.on('data', check);
    check();
  });
}

/**
 * One listening satellite on each of `hubs` (made once: a record costs a password hash), counting the BUS messages
 * of each type it hears.
 */
export class Listeners {
  readonly hubs: readonly MeshHub[];
  readonly #clients: HiveClient[];

  private constructor(hubs: readonly MeshHub[], clients: HiveClient[]) {
    this.hubs = hubs;
    this.#clients = clients;
  }

  static async on(hubs: readonly MeshHub[]): Promise<Listeners> {
    return new Listeners(hubs, await Promise.all(hubs.map((h) => h.satellite())));
  }

  /** A new listener on `hub` (after it restarted). */
  async replace(hub: MeshHub): Promise<void> {
    const i = this.hubs.indexOf(hub);
    this.#clients[i]?.close();
    this.#clients[i] = await hub.satellite();
  }

  /** From now on, counts `type` at each hub; `all` resolves once every hub has heard it. */
  heard(type: string): { counts: number[]; all: Promise<void> } {
    const counts = this.hubs.map(() => 0);
    const all = new Promise<void>((resolve) => {
      this.#clients.forEach((c, i) => {
        c.onBus(type, () => {
          counts[i] = (counts[i] ?? 0) + 1;
          if (counts.every((n) => n > 0)) resolve();
        });
      });
    });
    return { counts, all };
  }

  close(): void {
    for (const c of this.#clients) c.close();
  }
}

/** A flood of BUS `type` in `wrapper` (PROPAGATE, BROADCAST or ESCALATE). */
export function flood(
  wrapper: 'propagate' | 'broadcast' | 'escalate',
  type: string,
  data: JsonObject = {},
): HiveMessage {
  const msgType = {
    propagate: HiveMessageType.PROPAGATE,
    broadcast: HiveMessageType.BROADCAST,
    escalate: HiveMessageType.ESCALATE,
  }[wrapper];
  return createHiveMessage(msgType, createHiveMessage(HiveMessageType.BUS, { type, data, context: {} }));
}

/**
 * `sender` floods `type` (in `wrapper`), then a marker along the same links (any copy of the flood would come before
 * it); resolves with what each hub heard of the flood.
 */
export async function floodAll(
  listeners: Listeners,
  sender: HiveClient,
  wrapper: 'propagate' | 'broadcast',
  type: string,
): Promise<number[]> {
  const heard = listeners.heard(type);
  sender.emit(flood(wrapper, type));
  await heard.all;
  const marker = listeners.heard('mesh.test.marker');
  sender.emit(flood(wrapper, 'mesh.test.marker'));
  await marker.all;
  return heard.counts;
}

/** The parent fingerprints of each node of `map`, by name: the tree as a test compares it. */
export function treeOf(map: MeshMap): Record<string, string[]> {
  const names = new Map(map.nodes.map((n) => [n.node, n.name]));
  return Object.fromEntries(
    map.nodes.map((n) => [n.name, n.parents.map((p) => names.get(p.node ?? '') ?? `?${p.url}`).sort()]),
  );
}
