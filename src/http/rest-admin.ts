/**
 * The admin routes of the REST API (issue 17, what the admin page at `/admin` reads and does), all with the bearer
 * token of an **admin** client (`HL_ERR_ADMIN_REQUIRED` otherwise):
 *
 * - `GET /v1/admin/summary`: the caller's client, uptime, connection counts and the metrics summary (connections by protocol, messages
 *   in and out, denials by code, turn latency p50/p95 from `hivelink_turn_seconds`);
 * - `GET /v1/admin/connections`: the open sessions (peer, client, protocol, cipher, site, since, address);
 * - `GET /v1/admin/denials`: the last `recentDenials` policy denials, newest first (kept in memory only);
 * - `GET /v1/admin/skills`: the skills the embedded assistant runs (ids and intents), what a block takes;
 * - `GET /v1/clients`: every client (no secrets: no access key, password or token), with its open connections;
 * - `POST /v1/clients/{id}/revoke`: revokes the client (as `hivelink clients revoke`) and closes its connections
 *   at once; the caller's own client is refused;
 * - `PUT /v1/clients/{id}/blocked-skills/{skill}` blocks a skill for the client (a skill id of `/v1/admin/skills`,
 *   anything else is `HL_ERR_UNKNOWN_SKILL`); `DELETE` unblocks it (any entry, so a stale one can go);
 * - `GET /v1/admin/pairings` lists the pairing codes kept (never their secrets), `POST /v1/admin/pairings {name?,
 *   room?}` makes one as `hivelink pair` does and answers its code once (with the join link and its QR code's
 *   modules, for the page to draw), `DELETE /v1/admin/pairings/{id}` cancels one (docs/PROTOCOL.md §17).
 *
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { type ErrorCode, HiveLinkError } from '../errors.js';
import type { DenialEntry } from '../hub/denial-log.js';
import type { LiveConnection } from '../hub/hub.js';
import type { MetricsSummary } from '../hub/metrics.js';
import { LIMIT_DEFS, type Limits } from '../limits.js';
import { formatPairingCode, newPairingCode, pairingLink } from '../session/pairing-code.js';
import type { PairingRecord, PairingStore } from '../store/pairings.js';
import type { ClientRecord, ClientStore } from '../store/types.js';
import { HIVELINK_VERSION } from './health.js';

/** What the admin routes read of the hub. */
export interface RestAdminHub {
  liveConnections(): LiveConnection[];
  dropClient(clientId: number, error: HiveLinkError): number;
  readonly metrics: {
    summary(): Promise<MetricsSummary>;
    readonly denials: { readonly capacity: number; readonly total: number; recent(): DenialEntry[] };
  };
  readonly connectionCount: number;
  readonly peerCount: number;
  readonly uptimeSeconds: number;
}

/** A skill as `/v1/admin/skills` lists it. */
export interface AdminSkill {
  readonly id: string;
  readonly intents: readonly string[];
  readonly source: string;
}

/** What the client routes change: the hub's client store. */
export type RestAdminClients = Pick<
  ClientStore,
  'listClients' | 'getClient' | 'revokeClient' | 'updateClient'
>;

/** The services of the admin routes beside the hub; without one its routes answer 503. */
export interface RestAdminServices {
  /** The client store: `/v1/clients`. */
  readonly clients?: RestAdminClients;
  /** The skills the hub runs (the embedded assistant's): `/v1/admin/skills` and blocking a skill. */
  readonly skills?: () => readonly AdminSkill[];
  /** The pending pairing codes: `/v1/admin/pairings`. */
  readonly pairings?: Pick<PairingStore, 'create' | 'list' | 'cancel'>;
}

export interface AdminRoutesInit extends RestAdminServices {
  readonly hub: RestAdminHub;
  /** The `onRequest` hook: the bearer token must be an admin client's. */
  readonly authenticate: (request: FastifyRequest) => Promise<void>;
  /** The token's client, admitted by its IP rules. */
  readonly admitted: (request: FastifyRequest) => ClientRecord;
  /** `restMaxBodyBytes`, `pairingLifetimeMs`. */
  readonly limits: Limits;
  readonly parseBody: <T>(schema: z.ZodType<T>, body: unknown) => T;
}

/** The statuses only the admin routes answer. */
export const ADMIN_ERROR_STATUS: Readonly<Partial<Record<ErrorCode, number>>> = Object.freeze({
  HL_ERR_UNKNOWN_SKILL: 400,
  HL_ERR_ALREADY_EXISTS: 409,
  HL_ERR_PAIRING_LIMIT: 409,
});

/** A new pairing: the name and room the client it makes gets (as `hivelink pair --name --room`). */
const pairingBodySchema = z.object({
  name: z.string().trim().min(1).max(64).optional(),
  room: z.string().trim().min(1).max(64).optional(),
});

/** A pairing as `GET /v1/admin/pairings` lists it: `expired` for a pending one past its expiry. */
function pairingJson(p: PairingRecord, now: number) {
  return {
    id: p.id,
    name: p.name,
    site: p.siteId,
    state: p.state === 'pending' && now >= p.expiresAt ? 'expired' : p.state,
    attempts: p.attempts,
    clientId: p.clientId,
    createdAt: p.createdAt,
    expiresAt: p.expiresAt,
  };
}

/** The dark modules of the QR code of `text`, row by row (`1` dark), for the page to draw on a canvas. */
function qrModules(text: string): { size: number; modules: string } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'L' });
  return { size: modules.size, modules: Array.from(modules.data, (m) => (m ? '1' : '0')).join('') };
}

/** The websocket URL of the hub as the caller reached it (the join link's `url`). */
function hubUrlOf(request: FastifyRequest): string {
  return `${request.protocol === 'https' ? 'wss' : 'ws'}://${request.host}`;
}

/** A client as `GET /v1/clients` answers it. */
export interface AdminClientJson {
  readonly id: number;
  readonly name: string;
  readonly site: string | null;
  readonly description: string;
  readonly admin: boolean;
  readonly revoked: boolean;
  readonly blockedSkills: readonly string[];
  readonly blockedIntents: readonly string[];
  readonly createdAt: number;
  readonly lastSeen: number | null;
  /** Its open connections now. */
  readonly connections: number;
}

function clientJson(record: ClientRecord, connections: number): AdminClientJson {
  return {
    id: record.id,
    name: record.name,
    site: record.siteId,
    description: record.description,
    admin: record.isAdmin,
    revoked: record.revoked,
    blockedSkills: [...record.blockedSkills],
    blockedIntents: [...record.blockedIntents],
    createdAt: record.createdAt,
    lastSeen: record.lastSeen,
    connections,
  };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new HiveLinkError('HL_ERR_HUB_UNAVAILABLE', `this hub has no ${what}`);
  return value;
}

/** The client of path parameter `id` (a client id, digits only). */
async function clientOf(clients: RestAdminClients, id: string): Promise<ClientRecord> {
  if (!/^[1-9]\d{0,15}$/.test(id)) {
    throw new HiveLinkError('HL_ERR_BAD_REQUEST', `id: expected a client id, got "${id.slice(0, 32)}"`);
  }
  const record = await clients.getClient(Number(id));
  if (record === null) throw new HiveLinkError('HL_ERR_NOT_FOUND', `no client ${id}`);
  return record;
}

/** Registers the admin routes on the `/v1` scope. */
export function registerAdminRoutes(v1: FastifyInstance, init: AdminRoutesInit): void {
  const { hub } = init;
  const route = { onRequest: init.authenticate, config: { errorStatus: ADMIN_ERROR_STATUS } };
  const clients = () => required(init.clients, 'client store');
  const skills = () => required(init.skills, 'skill service')();
  const openByClient = () => {
    const counts = new Map<number, number>();
    for (const c of hub.liveConnections()) counts.set(c.clientId, (counts.get(c.clientId) ?? 0) + 1);
    return counts;
  };

  v1.get('/admin/summary', route, async (request) => {
    const caller = init.admitted(request);
    const denials = hub.metrics.denials;
    return {
      version: HIVELINK_VERSION,
      caller: { id: caller.id, name: caller.name },
      uptime_s: hub.uptimeSeconds,
      sockets: hub.connectionCount,
      sessions: hub.peerCount,
      denials_kept: denials.capacity,
      metrics: await hub.metrics.summary(),
    };
  });

  v1.get('/admin/connections', route, async (request) => {
    init.admitted(request);
    return { connections: hub.liveConnections() };
  });

  v1.get('/admin/denials', route, async (request) => {
    init.admitted(request);
    const denials = hub.metrics.denials;
    return { capacity: denials.capacity, total: denials.total, denials: denials.recent() };
  });

  v1.get('/admin/skills', route, async (request) => {
    init.admitted(request);
    return { skills: skills().map(({ id, intents, source }) => ({ id, intents: [...intents], source })) };
  });

  v1.get('/clients', route, async (request) => {
    init.admitted(request);
    const open = openByClient();
    const list = await clients().listClients();
    return { clients: list.map((record) => clientJson(record, open.get(record.id) ?? 0)) };
  });

  v1.post<{ Params: { id: string } }>('/clients/:id/revoke', route, async (request) => {
    const caller = init.admitted(request);
    const store = clients();
    const record = await clientOf(store, request.params.id);
    if (record.id === caller.id) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        `client ${record.id} is the one whose token this is: revoke it with another admin's token or hivelink clients revoke`,
      );
    }
    const revoked = record.revoked ? record : await store.revokeClient(record.id);
    const dropped = hub.dropClient(
      record.id,
      new HiveLinkError('HL_ERR_CLIENT_REVOKED', 'revoked by an admin'),
    );
    return { client: clientJson(revoked, 0), dropped, unchanged: record.revoked };
  });

  /** Blocks (`add`) or unblocks a skill for the client of the route's `id`. */
  const editBlocked = async (params: { id: string; skill: string }, add: boolean) => {
    const store = clients();
    const record = await clientOf(store, params.id);
    const { skill } = params;
    if (add && !skills().some((s) => s.id === skill)) {
      throw new HiveLinkError(
        'HL_ERR_UNKNOWN_SKILL',
        `"${skill.slice(0, 64)}" is not a loaded skill; GET /v1/admin/skills lists the ids`,
      );
    }
    const unchanged = record.blockedSkills.includes(skill) === add;
    const next = add ? [...record.blockedSkills, skill] : record.blockedSkills.filter((s) => s !== skill);
    const updated = unchanged ? record : await store.updateClient(record.id, { blockedSkills: next });
    return { client: clientJson(updated, openByClient().get(record.id) ?? 0), skill, unchanged };
  };

  v1.put<{ Params: { id: string; skill: string } }>(
    '/clients/:id/blocked-skills/:skill',
    route,
    async (request) => {
      init.admitted(request);
      return editBlocked(request.params, true);
    },
  );

  v1.delete<{ Params: { id: string; skill: string } }>(
    '/clients/:id/blocked-skills/:skill',
    route,
    async (request) => {
      init.admitted(request);
      return editBlocked(request.params, false);
    },
  );

  const pairings = () => required(init.pairings, 'pairing store');
  const pairingRoute = { ...route, bodyLimit: init.limits.restMaxBodyBytes };

  v1.get('/admin/pairings', route, async (request) => {
    init.admitted(request);
    const now = Date.now();
    return { pairings: (await pairings().list()).map((p) => pairingJson(p, now)) };
  });

  v1.post('/admin/pairings', pairingRoute, async (request, reply) => {
    init.admitted(request);
    const body = init.parseBody(pairingBodySchema, request.body ?? {});
    const code = newPairingCode();
    const record = await pairings().create(
      {
        id: code.id,
        secret: code.secret,
        name: body.name ?? `satellite-${code.id.toLowerCase()}`,
        siteId: body.room ?? null,
        expiresAt: Date.now() + init.limits.pairingLifetimeMs,
      },
      LIMIT_DEFS.maxPendingPairings.default,
    );
    const url = hubUrlOf(request);
    const link = pairingLink(code, url);
    return reply.code(201).send({
      ...pairingJson(record, Date.now()),
      code: formatPairingCode(code),
      url,
      link,
      qr: qrModules(link),
    });
  });

  v1.delete<{ Params: { id: string } }>('/admin/pairings/:id', route, async (request) => {
    init.admitted(request);
    const id = request.params.id.toUpperCase().split('-')[0]!;
    if (!(await pairings().cancel(id)))
      throw new HiveLinkError('HL_ERR_NOT_FOUND', `no pairing ${id.slice(0, 16)}`);
    return { id, cancelled: true };
  });
}
