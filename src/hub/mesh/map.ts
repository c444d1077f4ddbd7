/**
 * The mesh map (docs/PROTOCOL.md §14.6): `hivelink mesh map` floods a PING and builds the tree from the answers.
 *
 * The hub sends `PROPAGATE(PING {flood_id, peer: <name>, site_id, timestamp})` with its hop to every connection (but
 * old clients that read only bare PINGs) and up every open parent link. Every hub it reaches floods it on (§14.3) and
 * answers once (§5.4), as a PROPAGATE(PING) with the same `flood_id` that adds `hivelink_mesh {node, parents,
 * connections}`: its node fingerprint, its open parent links (`{node, url, protocol, rtt_ms}`, `node` being the
 * parent's fingerprint from its HELLO) and its connection count. Answers are floods too, so each reaches the asking
 * hub, which gathers them for `meshMapWindowMs`, timing each (`rtt_ms`: from the PING to that node's answer).
 * A node that answers without `hivelink_mesh` (a HiveMind hub) is listed by its route's first hop, without parents.
 *
 * Hubs answer one PING flood per origin per `pingFloodIntervalMs`, so a map asked again sooner is the last one
 * (`cached: true`).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Limits } from '../../limits.js';
import type { JsonObject } from '../../protocol/json.js';
import { createHiveMessage, type HiveMessage } from '../../protocol/message.js';
import { HiveMessageType } from '../../protocol/message-types.js';
import { unrefTimers } from '../../timers.js';
import { readsBarePingOnly } from '../handlers/ping.js';
import { withHop } from '../handlers/routing.js';
import type { HubContext, HubPeer } from '../types.js';
import { isObject, nodeFingerprint } from './node.js';
import type { ParentLink } from './parent-link.js';

/** The admin command kind `hivelink mesh map` submits. */
export const MESH_MAP_KIND = 'mesh.map';

/** The key of the mesh's fields in a PING answer. */
export const MAP_PING_KEY = 'hivelink_mesh';

/** One parent link of a node, as the map shows it. */
export interface MeshMapLink {
  /** The parent's node fingerprint, or null when its HELLO named none. */
  readonly node: string | null;
  readonly url: string;
  /** 2 (legacy) or 3 (Noise). */
  readonly protocol: number | null;
  /** The link's own PING round trip, in ms, or null. */
  readonly rtt_ms: number | null;
}

/** One hub of the map. */
export interface MeshMapNode {
  /** Its node fingerprint (16 hex). */
  readonly node: string;
  readonly name: string;
  readonly site_id: string | null;
  /** Its open parent links; [] for a top hub (or a node that does not say). */
  readonly parents: readonly MeshMapLink[];
  /** Its open connections (satellites and child hubs), or null when it does not say. */
  readonly connections: number | null;
  /** From this hub's PING to the node's answer, in ms (0 for this hub). */
  readonly rtt_ms: number;
  /** True for the hub that drew the map. */
  readonly self: boolean;
}

/** What `hivelink mesh map --json` prints. */
export interface MeshMap {
  /** The fingerprint of the hub that drew it. */
  readonly root: string;
  readonly flood_id: string;
  readonly taken_at: string;
  readonly window_ms: number;
  /** True when this is the last map again (asked within `pingFloodIntervalMs`). */
  readonly cached: boolean;
  /** This hub first, then the others in the order they answered. */
  readonly nodes: readonly MeshMapNode[];
}

export interface MeshMapperHost {
  readonly ctx: HubContext;
  readonly limits: Limits;
  readonly logger: Logger;
  readonly links: readonly ParentLink[];
}

function linkOf(value: unknown): MeshMapLink | null {
  if (!isObject(value) || typeof value.url !== 'string') return null;
  return {
    node: typeof value.node === 'string' ? value.node : null,
    url: value.url,
    protocol: typeof value.protocol === 'number' ? value.protocol : null,
    rtt_ms: typeof value.rtt_ms === 'number' ? value.rtt_ms : null,
  };
}

interface Pending {
  readonly floodId: string;
  readonly sentAt: number;
  readonly nodes: Map<string, MeshMapNode>;
}

/** Draws the mesh map and adds this hub's fields to PING answers; see the module documentation. */
export class MeshMapper {
  readonly #host: MeshMapperHost;
  readonly #self: string;
  readonly #pending = new Map<string, Pending>();
  #last: { map: MeshMap; at: number } | null = null;
  #drawing: Promise<MeshMap> | null = null;

  constructor(host: MeshMapperHost) {
    this.#host = host;
    this.#self = nodeFingerprint(host.ctx.nodeId);
  }

  /** This hub's open parent links. */
  links(): MeshMapLink[] {
    const out: MeshMapLink[] = [];
    for (const link of this.#host.links) {
      const state = link.client.state;
      if (state.type !== 'open') continue;
      out.push({
        node: state.nodeId === '' ? null : nodeFingerprint(state.nodeId),
        url: link.url,
        protocol: state.protocolVersion,
        rtt_ms: link.status().rtt_ms,
      });
    }
    return out;
  }

  /** The fields this hub adds to its PROPAGATE(PING) answers (the flood hook). */
  readonly fields = (): JsonObject => ({
    [MAP_PING_KEY]: {
      node: this.#self,
      parents: this.links() as unknown as JsonObject[],
      connections: this.#host.ctx.peers.size,
    },
  });

  /** An answer to a PING flood (the flood hook): kept when it answers a map being drawn. */
  readonly answer = (_conn: HubPeer, outer: HiveMessage): void => {
    const inner = outer.payload as HiveMessage;
    const payload = inner.payload as JsonObject;
    const pending = typeof payload.flood_id === 'string' ? this.#pending.get(payload.flood_id) : undefined;
    if (pending === undefined) return;
    const mesh = isObject(payload[MAP_PING_KEY]) ? payload[MAP_PING_KEY] : {};
    const first = outer.route[0]?.source;
    const node =
      typeof mesh.node === 'string' ? mesh.node : first === undefined ? null : nodeFingerprint(first);
    if (node === null || node === this.#self || pending.nodes.has(node)) return;
    const parents = Array.isArray(mesh.parents)
      ? mesh.parents.map(linkOf).filter((l): l is MeshMapLink => l !== null)
      : [];
    pending.nodes.set(node, {
      node,
      name: typeof payload.peer === 'string' ? payload.peer : node,
      site_id: typeof payload.site_id === 'string' ? payload.site_id : null,
      parents,
      connections: typeof mesh.connections === 'number' ? mesh.connections : null,
      rtt_ms: Math.max(0, Math.round(this.#host.ctx.now() - pending.sentAt)),
      self: false,
    });
  };

  /** Draws the map (or hands out the last one, within `pingFloodIntervalMs`). */
  map(): Promise<MeshMap> {
    const { ctx, limits } = this.#host;
    const last = this.#last;
    if (last !== null && ctx.now() - last.at < limits.pingFloodIntervalMs) {
      return Promise.resolve({ ...last.map, cached: true });
    }
    this.#drawing ??= this.#draw().finally(() => {
      this.#drawing = null;
    });
    return this.#drawing;
  }

  stop(): void {
    this.#pending.clear();
  }

  #draw(): Promise<MeshMap> {
    const { ctx, limits, logger } = this.#host;
    const floodId = randomUUID();
    ctx.pings.seen(floodId); // this hub does not answer its own PING
    const pending: Pending = { floodId, sentAt: ctx.now(), nodes: new Map() };
    this.#pending.set(floodId, pending);
    const ping = createHiveMessage(
      HiveMessageType.PROPAGATE,
      createHiveMessage(HiveMessageType.PING, {
        flood_id: floodId,
        peer: ctx.config.name,
        site_id: ctx.config.siteId,
        timestamp: ctx.now() / 1000,
      }),
      { route: withHop(ctx, []) },
    );
    for (const conn of ctx.peers.values()) if (!readsBarePingOnly(conn)) conn.send(ping);
    for (const link of this.#host.links) link.send(ping);
    logger.debug({ floodId }, 'mesh: map ping sent');
    const window = limits.meshMapWindowMs;
    return new Promise((resolve) => {
      unrefTimers.setTimeout(() => {
        this.#pending.delete(floodId);
        const self: MeshMapNode = {
          node: this.#self,
          name: ctx.config.name,
          site_id: ctx.config.siteId,
          parents: this.links(),
          connections: ctx.peers.size,
          rtt_ms: 0,
          self: true,
        };
        const map: MeshMap = {
          root: this.#self,
          flood_id: floodId,
          taken_at: new Date(pending.sentAt).toISOString(),
          window_ms: window,
          cached: false,
          nodes: [self, ...pending.nodes.values()],
        };
        this.#last = { map, at: pending.sentAt };
        resolve(map);
      }, window);
    });
  }
}
