/**
 * The mesh (docs/PROTOCOL.md §14): this hub as a node of a tree of hubs. It starts and stops with the hub
 * (`hub.use`), holds one {@link ParentLink} per configured parent, and:
 *
 * - **climbs** satellites' utterances the local agent cannot handle ({@link Climber}) and QUERYs nobody here answers
 *   ({@link QueryClimber}), per `escalate` (`never`, `on-failure`, `always`);
 * - sends **up** what the flood handlers hand it (`hive.send.upstream`: ESCALATE, PROPAGATE) on every open link (a
 *   PROPAGATE that came down from one parent goes up to the others only). Each parent's policy applies there: the
 *   link is an ordinary client of it (`can_escalate`, `can_propagate`);
 * - passes **down** what a parent floods (PROPAGATE, BROADCAST — wrapped, or unwrapped as a hivelink parent relays it)
 *   to this hub's connections through the same handlers, loops, repeats and long routes dropped as for any flood;
 * - gathers CASCADE answers from the whole tree for the hub a client asked, and passes them back from the others
 *   ({@link CascadeGatherer}, §14.5); answers PING floods with its mesh fields and draws the map ({@link MeshMapper},
 *   `hivelink mesh map`, §14.6);
 * - reports each link (`status()`: `/healthz`, `hivelink mesh status` through the admin command queue).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { toMessage } from '../../bus/message.js';
import type { MessageData } from '../../bus/types.js';
import { HiveLinkError, isHiveLinkError } from '../../errors.js';
import type { JsonObject } from '../../protocol/json.js';
import { createHiveMessage, type HiveMessage, parseHiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import type { EscalateMode, HubConfig, ParentConfig } from '../config.js';
import { handleBroadcast } from '../handlers/broadcast.js';
import { injectBus } from '../handlers/bus.js';
import { handleWrappedPing } from '../handlers/ping.js';
import { floodDropped, floodOthers } from '../handlers/routing.js';
import type { FloodHook, HubContext } from '../types.js';
import { CascadeGatherer, cascadeSelector, cascadeSelectorNames } from './cascade.js';
import { Climber, type ClimberHost } from './climb.js';
import { type MeshMap, MeshMapper } from './map.js';
import { linkKeys, ParentLink, type ParentLinkStatus } from './parent-link.js';
import { QueryClimber } from './query-climb.js';

/** The only bus type a parent's CASCADE may ask this hub's agent. */
const CASCADE_QUESTION_TYPE = 'recognizer_loop:utterance';

/** The admin command kind `hivelink mesh status` submits. */
export const MESH_STATUS_KIND = 'mesh.status';

/** The environment variable a parent's password may come from (when neither the config nor a file gives one). */
export const PARENT_PASSWORD_ENV = 'HIVELINK_PARENT_PASSWORD';

/** What `hivelink mesh status --json` prints (and the admin command answers). */
export interface MeshStatus {
  readonly escalate: EscalateMode;
  readonly parents: readonly ParentLinkStatus[];
}

export interface MeshServiceInit {
  readonly ctx: HubContext;
  readonly config: HubConfig;
  readonly logger: Logger;
  /** The file of the links' Noise key and the parents' pinned keys (`<data dir>/mesh-keys.json`). */
  readonly keysFile: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The password of `parent`: its own, else its file's (first line), else `$HIVELINK_PARENT_PASSWORD`. */
export function parentPassword(
  parent: ParentConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (parent.password !== undefined) return parent.password;
  if (parent.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(parent.passwordFile, 'utf8');
    } catch (err) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        `cannot read the parent password file ${parent.passwordFile}: ${(err as Error).message}`,
      );
    }
    const line = text.split(/\r?\n/)[0] ?? '';
    if (line === '') {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        `the parent password file ${parent.passwordFile} is empty`,
      );
    }
    return line;
  }
  const fromEnv = env[PARENT_PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  throw new HiveLinkError(
    'HL_ERR_INVALID_ARGUMENT',
    `no password for the parent ${parent.url}: give --parent-password-file or $${PARENT_PASSWORD_ENV}`,
  );
}

export class MeshService {
  readonly #init: MeshServiceInit;
  readonly #ctx: HubContext;
  readonly #links: ParentLink[];
  readonly #climber: Climber;
  readonly #queries: QueryClimber;
  readonly #cascades: CascadeGatherer;
  readonly #mapper: MeshMapper;
  readonly #hook: FloodHook;
  #offs: (() => void)[] = [];
  readonly #changeListeners = new Set<(status: MeshStatus) => void>();
  readonly #wasOpen = new Set<ParentLink>();

  /** @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` when a parent's password cannot be had */
  constructor(init: MeshServiceInit) {
    this.#init = init;
    this.#ctx = init.ctx;
    const { config } = init;
    const now = init.now ?? Date.now;
    const keys = linkKeys(init.keysFile);
    this.#links = config.parents.map(
      (parent, i) =>
        new ParentLink({
          parent,
          password: parentPassword(parent),
          name: config.name,
          siteId: config.siteId,
          keys,
          reconnectDelayMs: config.limits.parentReconnectDelayMs,
          serial: i + 1,
          logger: init.logger,
          now,
        }),
    );
    const host: ClimberHost = {
      ctx: init.ctx,
      limits: config.limits,
      logger: init.logger,
      mode: config.escalate,
      link: () => this.#links.find((l) => l.open) ?? null,
    };
    this.#climber = new Climber(host);
    this.#queries = new QueryClimber(host);
    const selector = cascadeSelector(config.cascadeSelector);
    if (selector === undefined) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        `cascadeSelector "${config.cascadeSelector}" is not one of: ${cascadeSelectorNames().join(', ')}`,
      );
    }
    this.#cascades = new CascadeGatherer({
      ctx: init.ctx,
      limits: config.limits,
      logger: init.logger,
      selector,
    });
    this.#mapper = new MeshMapper({
      ctx: init.ctx,
      limits: config.limits,
      logger: init.logger,
      links: this.#links,
    });
    this.#hook = {
      cascade: (conn, message) => this.#cascades.fromConnection(conn, message),
      cascadeAnswer: (conn, message) => this.#cascades.answerFromConnection(conn, message),
      pingAnswer: this.#mapper.answer,
      pingFields: this.#mapper.fields,
    };
  }

  /** Floods a PING and draws the mesh map from the answers (`hivelink mesh map`). */
  map(): Promise<MeshMap> {
    return this.#mapper.map();
  }

  /** The parent links (the order of the config), for services that talk to the parents (skills flowing down). */
  get links(): readonly ParentLink[] {
    return this.#links;
  }

  /** The links' state (the order of the config). */
  status(): MeshStatus {
    return { escalate: this.#init.config.escalate, parents: this.#links.map((l) => l.status()) };
  }

  /** Calls `listener` with the status whenever a link changes state; returns the unsubscribe. */
  onLinkChange(listener: (status: MeshStatus) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  async start(): Promise<void> {
    const ctx = this.#ctx;
    ctx.busTaps?.push(this.#climber.tap);
    ctx.routeTaps?.push(this.#cascades.routeTap, this.#climber.routeTap, this.#queries.routeTap);
    ctx.floodHooks?.push(this.#hook);
    this.#offs.push(
      () => remove(ctx.busTaps, this.#climber.tap),
      () => remove(ctx.routeTaps, this.#cascades.routeTap),
      () => remove(ctx.routeTaps, this.#climber.routeTap),
      () => remove(ctx.routeTaps, this.#queries.routeTap),
      () => remove(ctx.floodHooks, this.#hook),
    );
    if (this.#links.length === 0) return;
    this.#offs.push(ctx.bus.on('*', (message) => this.#agentMessage(message), { shared: true }));
    for (const link of this.#links) {
      this.#offs.push(link.onMessage((message) => this.#fromParent(link, message)));
      this.#offs.push(
        link.onOpenChange((open) => {
          if (!open && this.#wasOpen.delete(link)) {
            this.#climber.linkDown(link);
            this.#queries.linkDown(link);
            this.#cascades.linkDown(link);
          }
          if (open) this.#wasOpen.add(link);
          const status = this.status();
          for (const listener of this.#changeListeners) listener(status);
        }),
      );
      link.start();
    }
  }

  async stop(): Promise<void> {
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#climber.stop();
    this.#queries.stop();
    this.#cascades.stop();
    this.#mapper.stop();
    for (const link of this.#links) link.stop();
  }

  #agentMessage(message: MessageData): void {
    if (message.type === 'hive.send.upstream') this.#upstream(message);
    else {
      this.#queries.agentMessage(message);
      this.#cascades.agentMessage(message);
    }
  }

  /** `hive.send.upstream {msg_type, payload, metadata, route, peer}`: up every open link but the one it came down. */
  #upstream(message: MessageData): void {
    const data = message.data ?? {};
    let out: HiveMessage;
    try {
      out = parseHiveMessage({
        msg_type: data.msg_type,
        payload: data.payload,
        metadata: data.metadata ?? {},
        route: data.route ?? [],
        node: null,
        target_site_id: null,
        target_pubkey: null,
        source_peer: null,
      });
    } catch (err) {
      this.#init.logger.debug({ err }, 'mesh: an upstream message is not a HiveMessage; dropped');
      return;
    }
    for (const link of this.#links) if (link.peer.peer !== data.peer) link.send(out);
  }

  /** What a parent sends: answers of climbs, and floods for this hub's connections. */
  #fromParent(link: ParentLink, message: HiveMessage): void {
    const ctx = this.#ctx;
    if (this.#queries.fromParent(link, message)) return;
    switch (message.msg_type) {
      case HiveMessageType.BUS: {
        if (message.route.length > 0) {
          // A hivelink parent relays a BROADCAST unwrapped, its route kept: pass it on as one.
          const { route, ...inner } = message;
          this.#broadcast(
            link,
            createHiveMessage(HiveMessageType.BROADCAST, { ...inner, route: [] }, { route }),
          );
          return;
        }
        let bus: MessageData;
        try {
          bus = toMessage(message.payload);
        } catch (err) {
          if (!isHiveLinkError(err)) throw err;
          return; // not an OVOS message: nothing of a climb
        }
        this.#climber.fromParent(link, bus);
        return;
      }
      case HiveMessageType.BROADCAST:
        this.#broadcast(link, message);
        return;
      case HiveMessageType.PROPAGATE: {
        if (floodDropped(ctx, link.peer, message, 'propagate from the parent')) return;
        const out = floodOthers(ctx, link.peer, message);
        for (const other of this.#links) if (other !== link) other.send(out);
        if ((message.payload as HiveMessage).msg_type === HiveMessageType.PING) {
          handleWrappedPing(ctx, link.peer, message);
        }
        return;
      }
      case HiveMessageType.CASCADE:
        this.#cascade(link, message);
        return;
      default:
        this.#init.logger.debug({ url: link.url, type: message.msg_type }, 'mesh: a parent message ignored');
    }
  }

  /**
   * A CASCADE from a parent: an answer goes on towards its asker; a question is flooded down and up the other links,
   * and asked here (an utterance only: a parent does not put other bus messages on this hub's agent bus), its
   * answers going back up the link.
   */
  #cascade(link: ParentLink, message: HiveMessage): void {
    const ctx = this.#ctx;
    const queryId = message.metadata.query_id;
    const inner = message.payload as HiveMessage;
    if (typeof queryId !== 'string' || queryId === '' || inner?.msg_type !== HiveMessageType.BUS) return;
    if (message.metadata.is_response === true) {
      this.#cascades.answerFromParent(link, message);
      return;
    }
    if (floodDropped(ctx, link.peer, message, 'cascade from the parent', { queryId })) return;
    this.#cascades.fromParent(link, message);
    const out = floodOthers(ctx, link.peer, message);
    for (const other of this.#links) if (other !== link) other.send(out);
    const payload = inner.payload as JsonObject;
    if (payload.type === CASCADE_QUESTION_TYPE) injectBus(ctx, link.peer, payload, { query_id: queryId });
  }

  #broadcast(link: ParentLink, message: HiveMessage): void {
    if (floodDropped(this.#ctx, link.peer, message, 'broadcast from the parent')) return;
    handleBroadcast(this.#ctx, link.peer, message);
  }
}

function remove<T>(list: T[] | undefined, item: T): void {
  const i = list?.indexOf(item) ?? -1;
  if (i >= 0) list?.splice(i, 1);
}
