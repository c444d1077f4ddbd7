/**
 * Installed skills on a running hub (docs/PROTOCOL.md §15): loads the installed bundles at start, each in its
 * {@link SkillSandbox}, installs new ones live (`hivelink skills install`, `publish`, a parent's offer) with a
 * rollback when the new version fails, lists what the assistant runs (`hivelink skills list`), and passes skills
 * down the mesh:
 *
 * - **up** (a child): while `acceptSkillsFrom` is not `none`, every time a parent link opens the hub sends it
 *   `hivelink.skills.subscribe`; a parent's `hivelink.skills.offer` is verified (signature, hashes, version; the
 *   publisher against this hub's trusted keys with `trusted`, the parent's word with `parent`), installed, loaded
 *   and offered on to this hub's own subscribers;
 * - **down** (a parent): a connection's `hivelink.skills.subscribe` (accepted from mesh links whatever their allowed
 *   types) makes it a subscriber; it is offered every skill this hub published or took from its parent, now and as
 *   they change.
 *
 * Every refusal is logged (`skills: refused a bundle`, with its code) and leaves the installed skills as they were.
 *
 * @module
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Assistant } from '../assistant/assistant.js';
import type { SkillDefinition } from '../assistant/skill.js';
import type { LoadedSkill } from '../assistant/skill-registry.js';
import { HiveLinkError } from '../errors.js';
import type { Hub } from '../hub/hub.js';
import { ACCEPT } from '../hub/policy/rules.js';
import type { HubPeer } from '../hub/types.js';
import type { Limits } from '../limits.js';
import type { JsonObject } from '../protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../protocol/message.js';
import { HiveMessageType } from '../protocol/message-types.js';
import { compareVersions, type ParsedBundle, type SkillManifest, verifyBundle } from './bundle.js';
import { type InstalledEntry, InstalledSkills, type InstallSource } from './installed.js';
import { TrustStore } from './keys.js';
import { SkillSandbox } from './sandbox.js';

/** Admin command kinds (`hivelink skills install|publish|list` through the admin queue). */
export const SKILLS_INSTALL_KIND = 'skills.install';
export const SKILLS_PUBLISH_KIND = 'skills.publish';
export const SKILLS_LIST_KIND = 'skills.list';
/** What a child sends its parent to be offered skills. */
export const SKILLS_SUBSCRIBE_TYPE = 'hivelink.skills.subscribe';
/** What a parent sends a subscribed child: `{name, version, publisher, bundle: base64}`. */
export const SKILLS_OFFER_TYPE = 'hivelink.skills.offer';
/** The useragent of a mesh link (a child hub), whose subscription needs no allowed type. */
const MESH_USERAGENT = 'hivelink-mesh';

/** Whose skills a hub takes from its parents (`hivelink hub --accept-skills-from`). */
export type AcceptSkillsFrom = 'parent' | 'trusted' | 'none';
export const ACCEPT_SKILLS_FROM: readonly AcceptSkillsFrom[] = ['parent', 'trusted', 'none'];

/** One skill as `hivelink skills list` shows it. */
export interface SkillInfo {
  readonly id: string;
  readonly version: string | null;
  readonly publisher: string | null;
  /** Full intent names (`skill_id:intent`): what `clients block-intent` takes. */
  readonly intents: readonly string[];
  /** `built-in`, `file` (a module of the skills dir), or an installed bundle's source (`cli`, `published`, `parent`). */
  readonly source: string;
  /** `built-in`, the module's path, or the installed version's directory. */
  readonly origin: string;
}

/** What an install did. */
export interface InstallResult {
  readonly name: string;
  readonly version: string;
  readonly previous: string | null;
  /** `installed`, or `unchanged` when that version was installed already. */
  readonly status: 'installed' | 'unchanged';
}

export interface InstallOptions {
  readonly source: InstallSource;
  /** Install an older version. @default false */
  readonly allowDowngrade?: boolean;
}

/** A parent link as this service uses it (`MeshService.links`). */
export interface SkillLink {
  readonly url: string;
  readonly open: boolean;
  send(message: HiveMessage): boolean;
  onMessage(listener: (message: HiveMessage) => void): () => void;
  onOpenChange(listener: (open: boolean) => void): () => void;
}

export interface SkillServiceInit {
  /** The hub whose connections subscribe. @default none: an offline install (the CLI without a running hub) */
  readonly hub?: Pick<Hub, 'ctx' | 'policy'>;
  readonly assistant: Assistant;
  readonly skillsDir: string;
  readonly dataDir: string;
  readonly limits: Pick<Limits, 'skillBundleMaxBytes' | 'skillSandboxTimeoutMs' | 'skillSandboxMaxHeapBytes'>;
  readonly logger: Logger;
  readonly acceptFrom: AcceptSkillsFrom;
  /** The parent links. @default none */
  readonly links?: () => readonly SkillLink[];
}

interface Running {
  readonly manifest: SkillManifest;
  readonly sandbox: SkillSandbox;
  readonly definition: SkillDefinition;
  readonly origin: string;
  readonly bytes: Uint8Array;
}

/** Turns any failure into a HiveLinkError. */
function asError(
  err: unknown,
  code: 'HL_ERR_SKILL_LOAD' | 'HL_ERR_INTERNAL' = 'HL_ERR_SKILL_LOAD',
): HiveLinkError {
  if (err instanceof HiveLinkError) return err;
  return new HiveLinkError(code, err instanceof Error ? err.message : String(err), { cause: err });
}

export class SkillService {
  readonly #init: SkillServiceInit;
  readonly installed: InstalledSkills;
  readonly trust: TrustStore;
  readonly #running = new Map<string, Running>();
  readonly #subscribers = new Set<HubPeer>();
  #chain: Promise<unknown> = Promise.resolve();
  #offs: (() => void)[] = [];

  constructor(init: SkillServiceInit) {
    this.#init = init;
    this.installed = new InstalledSkills(init.skillsDir);
    this.trust = new TrustStore(init.dataDir);
    // A child hub's subscription passes whatever allowed types its record has: it asks for signed skills, nothing
    // more. Anyone else's needs the type allowed (hivelink clients allow-msg hivelink.skills.subscribe ID).
    init.hub?.policy.wrapAuthorizer(HiveMessageType.BUS, (inner) => (peer, message) => {
      const payload = message.payload as JsonObject;
      if (payload.type === SKILLS_SUBSCRIBE_TYPE && peer.useragent === MESH_USERAGENT) return ACCEPT;
      return inner(peer, message);
    });
  }

  /** Loads the installed skills (a broken one is logged and skipped) and joins the mesh. */
  async start(): Promise<void> {
    const ctx = this.#init.hub?.ctx;
    const tap = (conn: HubPeer, payload: JsonObject): boolean => {
      if (payload.type !== SKILLS_SUBSCRIBE_TYPE) return false;
      this.#subscribe(conn);
      return true;
    };
    ctx?.busTaps?.push(tap);
    this.#offs.push(() => {
      const i = ctx?.busTaps?.indexOf(tap) ?? -1;
      if (i >= 0) ctx?.busTaps?.splice(i, 1);
    });
    for (const link of this.#init.links?.() ?? []) this.#watchLink(link);
    this.installed.clean();
    for (const [name, entry] of Object.entries(this.installed.index())) {
      try {
        await this.#loadInstalled(name, entry);
      } catch (err) {
        this.#init.logger.error(
          { code: asError(err).code, name, version: entry.version, err },
          `skills: installed skill ${name} ${entry.version} failed to load: ${asError(err).message}`,
        );
      }
    }
  }

  async stop(): Promise<void> {
    for (const off of this.#offs) off();
    this.#offs = [];
    await this.#chain.catch(() => undefined);
    for (const [id, running] of this.#running) {
      this.#init.assistant.removeSkill(id);
      await running.sandbox.close();
    }
    this.#running.clear();
    this.#subscribers.clear();
  }

  /** The admin commands this service answers, for the hub's admin queue. */
  adminCommands(): [string, (args: Readonly<Record<string, unknown>>) => Promise<Record<string, unknown>>][] {
    const bytesOf = (args: Readonly<Record<string, unknown>>): Uint8Array => {
      if (typeof args.bundle !== 'string')
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'no bundle given');
      return new Uint8Array(Buffer.from(args.bundle, 'base64'));
    };
    return [
      [
        SKILLS_INSTALL_KIND,
        async (args) => ({
          ...(await this.install(bytesOf(args), {
            source: 'cli',
            allowDowngrade: args.allow_downgrade === true,
          })),
        }),
      ],
      [
        SKILLS_PUBLISH_KIND,
        async (args) => {
          const result = await this.install(bytesOf(args), {
            source: 'published',
            allowDowngrade: args.allow_downgrade === true,
          });
          return { ...result, offered_to: this.#offerAll(result.name) };
        },
      ],
      [SKILLS_LIST_KIND, async () => ({ skills: this.list() })],
    ];
  }

  /** Every skill the assistant runs. */
  list(): SkillInfo[] {
    return this.#init.assistant.skills().map((skill) => this.#info(skill));
  }

  #info(skill: LoadedSkill): SkillInfo {
    const running = this.#running.get(skill.id);
    const intents = (skill.definition.intents ?? []).map((i) => `${skill.id}:${i.name}`);
    if (running !== undefined && running.origin === skill.origin) {
      const entry = this.installed.get(skill.id);
      return {
        id: skill.id,
        version: running.manifest.version,
        publisher: running.manifest.publisher,
        intents,
        source: entry?.source ?? 'cli',
        origin: skill.origin,
      };
    }
    return {
      id: skill.id,
      version: null,
      publisher: null,
      intents,
      source: skill.origin === 'built-in' ? 'built-in' : 'file',
      origin: skill.origin,
    };
  }

  /**
   * Verifies, installs and loads a bundle live (one install at a time). The previous version keeps answering until
   * the new one loaded; when the new one fails, it is removed and the previous one (or none) stays.
   *
   * @throws HiveLinkError HL_ERR_SKILL_BUNDLE_INVALID, HL_ERR_SKILL_UNSIGNED, HL_ERR_SKILL_TAMPERED,
   *   HL_ERR_SKILL_UNTRUSTED, HL_ERR_SKILL_DOWNGRADE, HL_ERR_SKILL_ROLLED_BACK (each also logged)
   */
  install(bytes: Uint8Array, options: InstallOptions): Promise<InstallResult> {
    const run = this.#chain.then(() => this.#install(bytes, options));
    this.#chain = run.catch(() => undefined);
    return run.catch((err: unknown) => {
      const error = asError(err);
      this.#init.logger.warn(
        { code: error.code, source: options.source },
        `skills: refused a bundle (${error.code}): ${error.message}`,
      );
      throw error;
    });
  }

  async #install(bytes: Uint8Array, options: InstallOptions): Promise<InstallResult> {
    const { limits, acceptFrom } = this.#init;
    if (options.source === 'parent' && acceptFrom === 'none') {
      throw new HiveLinkError(
        'HL_ERR_SKILL_UNTRUSTED',
        'this hub accepts no skills from its parent (--accept-skills-from none)',
      );
    }
    const localTrust = options.source !== 'parent' || acceptFrom === 'trusted';
    const bundle = verifyBundle(bytes, {
      maxBytes: limits.skillBundleMaxBytes,
      ...(localTrust ? { trusted: (key: string) => this.trust.has(key) } : {}),
    });
    const { manifest } = bundle;
    const current = this.installed.get(manifest.name);
    if (current !== undefined && this.#running.has(manifest.name)) {
      const cmp = compareVersions(manifest.version, current.version);
      if (cmp === 0) {
        return {
          name: manifest.name,
          version: manifest.version,
          previous: current.version,
          status: 'unchanged',
        };
      }
      if (cmp < 0 && options.allowDowngrade !== true) {
        throw new HiveLinkError(
          'HL_ERR_SKILL_DOWNGRADE',
          `skill ${manifest.name} ${manifest.version} is older than the installed ${current.version} (--allow-downgrade installs it)`,
        );
      }
    }
    const taken = this.#init.assistant.skills().find((s) => s.id === manifest.name);
    if (taken !== undefined && !this.#running.has(manifest.name)) {
      throw new HiveLinkError('HL_ERR_SKILL_LOAD', `skill id ${manifest.name} is taken by ${taken.origin}`);
    }
    const dir = this.installed.stage(bundle, bytes);
    let running: Running;
    try {
      running = await this.#activate(bundle, bytes, dir);
    } catch (err) {
      this.installed.discard(manifest.name, manifest.version);
      const cause = asError(err);
      const kept = this.#running.get(manifest.name)?.manifest.version ?? null;
      throw new HiveLinkError(
        'HL_ERR_SKILL_ROLLED_BACK',
        `skill ${manifest.name} ${manifest.version} failed to load (${cause.code}: ${cause.message}); ${kept === null ? 'nothing was installed' : `${kept} stays`}`,
        { cause },
      );
    }
    const old = this.#running.get(manifest.name);
    this.#running.set(manifest.name, running);
    this.installed.commit(manifest, options.source);
    await old?.sandbox.close();
    this.#init.logger.info(
      {
        name: manifest.name,
        version: manifest.version,
        previous: old?.manifest.version ?? null,
        source: options.source,
      },
      `skills: installed ${manifest.name} ${manifest.version}`,
    );
    // What the parent offered goes on down; a publish is offered (and counted) by its admin command.
    if (options.source === 'parent') this.#offerAll(manifest.name);
    return {
      name: manifest.name,
      version: manifest.version,
      previous: old?.manifest.version ?? null,
      status: 'installed',
    };
  }

  /** Starts the sandbox of `bundle` (in `dir`) and swaps it into the assistant; the old one stays on a failure. */
  async #activate(bundle: ParsedBundle, bytes: Uint8Array, dir: string): Promise<Running> {
    const { manifest } = bundle;
    const { limits, assistant } = this.#init;
    const sandbox = new SkillSandbox({
      dir,
      entry: join(dir, manifest.entry),
      permissions: manifest.permissions,
      timeoutMs: limits.skillSandboxTimeoutMs,
      maxHeapBytes: limits.skillSandboxMaxHeapBytes,
      onWorkerLost: (error) =>
        this.#init.logger.warn(
          { code: error.code, name: manifest.name, version: manifest.version },
          `skills: ${manifest.name}: ${error.message}`,
        ),
    });
    try {
      const definition = await sandbox.load();
      if (definition.id !== manifest.name) {
        throw new HiveLinkError(
          'HL_ERR_SKILL_LOAD',
          `the module's skill id is ${JSON.stringify(definition.id)}, the manifest names ${manifest.name}`,
        );
      }
      const origin = dir;
      const old = this.#running.get(manifest.name);
      if (old !== undefined) assistant.removeSkill(manifest.name);
      try {
        assistant.addSkill(definition, origin);
      } catch (err) {
        if (old !== undefined) assistant.addSkill(old.definition, old.origin);
        throw err;
      }
      return { manifest, sandbox, definition, origin, bytes };
    } catch (err) {
      await sandbox.close();
      throw err;
    }
  }

  /** Loads an installed version at start; the signature and hashes are checked again (the disk may have changed). */
  async #loadInstalled(name: string, entry: InstalledEntry): Promise<void> {
    const { bytes } = this.installed.read(name, entry.version, this.#init.limits.skillBundleMaxBytes);
    const bundle = verifyBundle(bytes, { maxBytes: this.#init.limits.skillBundleMaxBytes });
    const running = await this.#activate(bundle, bytes, this.installed.dir(name, entry.version));
    this.#running.set(name, running);
    this.#init.logger.info(
      { name, version: entry.version, source: entry.source },
      `skills: loaded ${name} ${entry.version}`,
    );
  }

  // -- the mesh

  #watchLink(link: SkillLink): void {
    if (this.#init.acceptFrom === 'none') return;
    const subscribe = () => {
      const sent = link.send(
        createHiveMessage(HiveMessageType.BUS, { type: SKILLS_SUBSCRIBE_TYPE, data: {}, context: {} }),
      );
      if (sent) this.#init.logger.info({ url: link.url }, 'skills: subscribed to the parent');
    };
    this.#offs.push(link.onOpenChange((open) => open && subscribe()));
    this.#offs.push(
      link.onMessage((message) => {
        if (message.msg_type !== HiveMessageType.BUS) return;
        const payload = message.payload as JsonObject;
        if (payload.type !== SKILLS_OFFER_TYPE) return;
        const data = (payload.data ?? {}) as JsonObject;
        if (typeof data.bundle !== 'string') return;
        this.#init.logger.info(
          { url: link.url, name: data.name, version: data.version },
          `skills: the parent offers ${String(data.name)} ${String(data.version)}`,
        );
        void this.install(new Uint8Array(Buffer.from(data.bundle, 'base64')), { source: 'parent' }).catch(
          () => undefined, // logged by install
        );
      }),
    );
    if (link.open) subscribe();
  }

  #subscribe(conn: HubPeer): void {
    this.#subscribers.add(conn);
    this.#init.logger.info({ peer: conn.peer }, 'skills: a child subscribed');
    for (const [name, running] of this.#running) {
      if (this.#offered(name)) this.#offer(conn, running);
    }
  }

  /** True when `name` is passed down: published here or taken from a parent. */
  #offered(name: string): boolean {
    const source = this.installed.get(name)?.source;
    return source === 'published' || source === 'parent';
  }

  /** Offers `name` to every live subscriber; returns how many. */
  #offerAll(name: string): number {
    const running = this.#running.get(name);
    if (running === undefined || !this.#offered(name)) return 0;
    let sent = 0;
    for (const conn of [...this.#subscribers]) if (this.#offer(conn, running)) sent += 1;
    return sent;
  }

  #offer(conn: HubPeer, running: Running): boolean {
    if (this.#init.hub?.ctx.peers.get(conn.peer) !== conn) {
      this.#subscribers.delete(conn);
      return false;
    }
    const { manifest } = running;
    const sent = conn.send(
      createHiveMessage(HiveMessageType.BUS, {
        type: SKILLS_OFFER_TYPE,
        data: {
          name: manifest.name,
          version: manifest.version,
          publisher: manifest.publisher,
          bundle: Buffer.from(running.bytes).toString('base64'),
        },
        context: { source: 'hivelink', destination: conn.peer },
      }),
    );
    if (sent)
      this.#init.logger.info(
        { peer: conn.peer, name: manifest.name, version: manifest.version },
        'skills: offered a skill',
      );
    return sent;
  }
}
