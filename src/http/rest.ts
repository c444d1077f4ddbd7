/**
 * The REST API on the hub's port (under `/v1`):
 *
 * - `POST /v1/ask` with `Authorization: Bearer <token>` and `{"utterance", "lang"?, "session_id"?, "timeout_ms"?}`
 *   answers `{"answers": [...], "session_id", "handled", "expect_response"}`. The token belongs to a client
 *   (`hivelink clients token ID`); the ask runs as that client through {@link Hub.askAsClient}, so its permissions
 *   apply exactly as on its websocket, and its turn ends by the SDK's rule (src/session/turn.ts).
 * - `POST /v1/announce` with the bearer token of an **admin** client and `{"text", "room"?, "all"?}` speaks the
 *   text on every online client of the room (or, with `all: true` or no room, of the hub) and answers
 *   `{"room", "delivered", "clients"}` (`src/hub/house/`, docs/PROTOCOL.md §12.4). A token of another client is 403
 *   `HL_ERR_ADMIN_REQUIRED`; an unknown, empty or offline room 404 / 409 with its code.
 * - `POST /v1/rooms/{room}` with the bearer token of an **admin** client and `{"conference": "on" | "only" | "off"}`
 *   sets the room's conference mode (§12.10) and answers `{"room", "conference", "was", "online"}`; an unknown room
 *   is 404 `HL_ERR_ROOM_UNKNOWN`.
 * - `GET /v1/rooms` (any client's token) answers the rooms of the house as `hive.house.rooms` does; an admin's token
 *   gets all of the snapshot (client ids, connection counts, where each client's room comes from; §12.1).
 * - `/v1/subscriptions` (an admin's token): `GET` lists, `POST` adds, `DELETE /{name}` removes, `POST
 *   /{name}/subscribers {client}` and `DELETE /{name}/subscribers/{client}` subscribe and unsubscribe a client, with
 *   the checks of `hivelink subscriptions` (`SubscriptionAdmin`); the hub's scheduler has the change when the answer
 *   comes (§12.7).
 * - `/v1/consent` (an admin's token): `GET` lists the answers and the clients that allow or deny everyone, `PUT
 *   /{sender}/{recipient} {allow}` records an answer as the recipient's, `DELETE /{sender}/{recipient}` forgets it
 *   (clients by id or access key), with the checks of `hivelink consent` (`ConsentAdmin`); what the pair holds is
 *   delivered or dropped before the answer comes (§12.8).
 * - `GET /v1/openapi.json` serves the OpenAPI 3.1 description (`openapi.ts`).
 *
 * Every error is `{"error": {"code": "HL_ERR_…", "message": "…"}}` with the status of {@link REST_ERROR_STATUS}.
 *
 * @example
 * ```sh
 * curl -s -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
 *   -d '{"utterance":"tell me a joke","lang":"en-us"}' http://127.0.0.1:5678/v1/ask
 * ```
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { type ErrorCode, HiveLinkError, isHiveLinkError } from '../errors.js';
import type { ClientAskOptions, ClientAskRequest, ClientAskResult } from '../hub/client-ask.js';
import { roomJson } from '../hub/house/bus-api.js';
import type { ConsentAdmin } from '../hub/house/consent-admin.js';
import type { RoomsSnapshot } from '../hub/house/rooms.js';
import {
  type MembershipChange,
  type SubscriptionAdmin,
  type SubscriptionJson,
  subscriptionJson,
} from '../hub/house/subscription-admin.js';
import type { Limits } from '../limits.js';
import { CONFERENCE_MODES, type ConferenceMode, MAX_ROOM_NAME_CHARS } from '../store/house.js';
import type { ClientRecord } from '../store/types.js';
import { openApiDocument } from './openapi.js';
import { type RestAdminHub, type RestAdminServices, registerAdminRoutes } from './rest-admin.js';
import { type RestJobs, registerJobRoutes } from './rest-jobs.js';

/** What the REST routes use of the hub. */
export interface RestHub {
  clientForToken(token: string): Promise<ClientRecord | null>;
  askAsClient(
    client: ClientRecord,
    request: ClientAskRequest,
    options?: ClientAskOptions,
  ): Promise<ClientAskResult>;
  /** The IP rules and revocation a token's client is admitted by (`Policy.admit`). */
  readonly policy: { admit(record: ClientRecord | null, ip: string): HiveLinkError | null };
}

/** What `POST /v1/announce` and `POST /v1/rooms/{room}` use of the hub's house (`House.announceAs`, …). */
export interface RestHouse {
  setConferenceAs(
    client: ClientRecord,
    room: string,
    conference: ConferenceMode,
    ip?: string,
  ): Promise<{
    readonly room: string;
    readonly conference: ConferenceMode;
    readonly was: ConferenceMode;
    readonly online: readonly string[];
  }>;
  announceAs(
    client: ClientRecord,
    target: { readonly room: string } | { readonly all: true },
    text: string,
    ip?: string,
  ): Promise<{
    readonly room: string | null;
    readonly delivered: number;
    readonly clients: readonly string[];
  }>;
  /** `GET /v1/rooms`: every room now (`House.rooms`). */
  rooms(): Promise<RoomsSnapshot>;
  /** `/v1/consent`: the admin's side of consent; a change settles what waits for it before the answer. */
  readonly consentAdmin: Pick<ConsentAdmin, 'list' | 'set' | 'forget'>;
}

/** What `/v1/subscriptions` uses: the admin operations, whose changes reach the hub's scheduler. */
export type RestSubscriptions = Pick<
  SubscriptionAdmin,
  'list' | 'clientNames' | 'add' | 'remove' | 'subscribe' | 'unsubscribe'
>;

export interface RestRoutesInit {
  hub: RestHub;
  /** The house: `POST /v1/announce`; without it the route answers 503. @default none */
  house?: RestHouse;
  /** `/v1/subscriptions`; without it those routes answer 503. @default none */
  subscriptions?: RestSubscriptions;
  /** `/v1/jobs` (`rest-jobs.ts`); without it those routes answer 503. @default none */
  jobs?: RestJobs;
  /** `/v1/admin/…` and `/v1/clients` (`rest-admin.ts`, the admin page's); without it they are not served. @default none */
  admin?: RestAdminServices & { readonly hub: RestAdminHub };
  /** The hub's limits: `restMaxBodyBytes`, `restAskTimeoutMs`. */
  limits: Limits;
  /** Where unexpected failures are logged. @default a silent logger */
  logger?: Logger;
}

/** The JSON body of every error answer. */
export interface RestErrorBody {
  error: { code: ErrorCode; message: string };
}

/** The 200 body of `POST /v1/ask`. */
export interface AskResponseBody {
  answers: string[];
  session_id: string;
  handled: boolean;
  /** A skill asked a question: send the reply as the next ask with the same `session_id`. */
  expect_response: boolean;
}

/** The 200 body of `POST /v1/announce`. */
export interface AnnounceResponseBody {
  /** The room, or null when announced everywhere. */
  room: string | null;
  /** Connections it was spoken on. */
  delivered: number;
  /** Their client names. */
  clients: string[];
}

/** A subscription as `/v1/subscriptions` answers it: as `hivelink subscriptions list --json` prints it. */
export type SubscriptionBody = SubscriptionJson;

/** The 200 body of subscribing or unsubscribing a client. */
export interface MembershipBody {
  name: string;
  client: { id: number; name: string };
  /** subscribe: it was subscribed already; unsubscribe: it was not subscribed. */
  unchanged: boolean;
}

/** The HTTP status each error code is answered with; any other code is a 500 `HL_ERR_INTERNAL`. */
export const REST_ERROR_STATUS: Readonly<Partial<Record<ErrorCode, number>>> = Object.freeze({
  HL_ERR_BAD_REQUEST: 400,
  HL_ERR_INVALID_ARGUMENT: 400,
  HL_ERR_TOKEN_INVALID: 401,
  HL_ERR_CLIENT_REVOKED: 401,
  HL_ERR_POLICY_DENIED: 403,
  HL_ERR_ADMIN_REQUIRED: 403,
  HL_ERR_ROOM_UNKNOWN: 404,
  HL_ERR_IP_DENIED: 403,
  HL_ERR_NOT_FOUND: 404,
  HL_ERR_ASK_TIMEOUT: 408,
  HL_ERR_BODY_TOO_LARGE: 413,
  HL_ERR_RATE_LIMITED: 429,
  HL_ERR_HUB_UNAVAILABLE: 503,
  HL_ERR_TOO_MANY_CONNECTIONS: 503,
  HL_ERR_STORE_UNAVAILABLE: 503,
});

/** What only `POST /v1/announce` answers: a room nobody can hear now is a conflict (409), not a missing route. */
const ANNOUNCE_ERROR_STATUS: Readonly<Partial<Record<ErrorCode, number>>> = Object.freeze({
  HL_ERR_ROOM_EMPTY: 409,
  HL_ERR_ROOM_OFFLINE: 409,
});

/** A route's own statuses beside {@link REST_ERROR_STATUS}, as its `config.errorStatus`. */
type RouteErrorStatus = Readonly<Partial<Record<ErrorCode, number>>>;

/** What only `/v1/subscriptions` answers: the refusals of `hivelink subscriptions`. */
export const SUBSCRIPTION_ERROR_STATUS: RouteErrorStatus = Object.freeze({
  HL_ERR_BAD_SCHEDULE: 400,
  HL_ERR_NO_SUBSCRIPTION: 404,
  HL_ERR_ALREADY_EXISTS: 409,
  HL_ERR_TOO_MANY_SUBSCRIPTIONS: 409,
  HL_ERR_TOO_MANY_SUBSCRIBERS: 409,
});

/** Seconds a rate-limited caller is told to wait: every client may send at least one message per second. */
export const RETRY_AFTER_SECONDS = 1;

/** The longest bearer token looked up (issued tokens are 47 characters). */
const MAX_TOKEN_CHARS = 512;

/** A BCP 47-ish language tag, as OVOS uses them (`en-us`, `pt-BR`, `de`). */
const LANG = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$/;

function askBodySchema(limits: Limits) {
  return z.object({
    utterance: z
      .string({ error: 'utterance must be a string' })
      .refine((u) => u.trim().length > 0, 'utterance must not be empty'),
    lang: z.string().max(35).regex(LANG, 'lang must be a language tag such as en-us').optional(),
    session_id: z.string().min(1).max(256).optional(),
    timeout_ms: z.number().int().min(1).max(limits.restAskTimeoutMs).optional(),
  });
}

function announceBodySchema(limits: Limits) {
  return z
    .object({
      text: z
        .string({ error: 'text must be a string' })
        .max(limits.maxUtteranceChars)
        .refine((t) => t.trim().length > 0, 'text must not be empty'),
      room: z.string().min(1).max(64).optional(),
      all: z.boolean().optional(),
    })
    .refine((b) => !(b.all === true && b.room !== undefined), 'give a room or all, not both');
}

/** The shape of a new subscription; what it means (one schedule, one message, the limits) is `SubscriptionAdmin`'s. */
const subscriptionBodySchema = z.object({
  name: z.string({ error: 'name must be a string' }).min(1).max(256),
  every: z.string().min(1).max(64).optional(),
  cron: z.string().min(1).max(256).optional(),
  text: z.string().min(1).max(8192).optional(),
  utterance: z.string().min(1).max(8192).optional(),
  lang: z.string().max(35).regex(LANG, 'lang must be a language tag such as en-us').optional(),
});

const subscriberBodySchema = z.object({
  client: z.union([z.string().min(1).max(512), z.number().int().positive()], {
    error: 'client must be a client id or access key',
  }),
});

function membershipBody(change: MembershipChange): MembershipBody {
  const { id, name } = change.client;
  return { name: change.name, client: { id, name }, unchanged: change.unchanged };
}

/** `GET /v1/rooms`: the rooms as `hive.house.rooms` answers them; an admin gets the whole snapshot. */
function roomsBody(snapshot: RoomsSnapshot, admin: boolean): unknown {
  if (admin) return snapshot;
  return {
    rooms: snapshot.rooms.map(roomJson),
    unassigned: snapshot.unassigned.map((c) => ({ name: c.name, online: c.online })),
  };
}

/** A service of the hub's, or `HL_ERR_HUB_UNAVAILABLE` when this hub has none. */
function service<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new HiveLinkError('HL_ERR_HUB_UNAVAILABLE', `this hub has no ${what}`);
  return value;
}

const consentBodySchema = z.object({ allow: z.boolean({ error: 'allow must be true or false' }) });

const party = (c: ClientRecord) => ({ id: c.id, name: c.name });

const roomBodySchema = z.object({
  conference: z.enum(CONFERENCE_MODES as [ConferenceMode, ...ConferenceMode[]], {
    error: `conference must be one of ${CONFERENCE_MODES.join(', ')}`,
  }),
});

/** The `onRequest` check of the admin routes: the token must be an admin client's, to `do` what it asks. */
function requireAdmin(doing: string): (client: ClientRecord) => void {
  return (client) => {
    if (!client.isAdmin) {
      throw new HiveLinkError(
        'HL_ERR_ADMIN_REQUIRED',
        `${doing} needs the token of an admin client (hivelink clients set ID --admin true)`,
      );
    }
  };
}

/** The house, or `HL_ERR_HUB_UNAVAILABLE` when this hub has none. */
function houseOf(init: RestRoutesInit): RestHouse {
  if (init.house === undefined) {
    throw new HiveLinkError('HL_ERR_HUB_UNAVAILABLE', 'this hub has no house service');
  }
  return init.house;
}

function errorBody(code: ErrorCode, message: string): RestErrorBody {
  return { error: { code, message } };
}

/** Sends `error` as JSON with its status (500 `HL_ERR_INTERNAL` for codes the API does not answer with). */
function sendError(reply: FastifyReply, error: HiveLinkError, status?: number): FastifyReply {
  const mapped = status ?? routeStatus(reply.request, error.code);
  if (mapped === undefined) {
    return reply.code(500).send(errorBody('HL_ERR_INTERNAL', 'internal error'));
  }
  if (mapped === 401) {
    reply.header(
      'www-authenticate',
      error.message.startsWith('missing') ? 'Bearer realm="hivelink"' : 'Bearer error="invalid_token"',
    );
  }
  if (mapped === 429) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply.code(mapped).send(errorBody(error.code, error.message));
}

/** The status of `code` on `request`'s route: the route's own (`config.errorStatus`), else {@link REST_ERROR_STATUS}. */
function routeStatus(request: FastifyRequest, code: ErrorCode): number | undefined {
  const own = (request.routeOptions.config as { errorStatus?: RouteErrorStatus }).errorStatus;
  return own?.[code] ?? REST_ERROR_STATUS[code];
}

/** The bearer token of `Authorization: Bearer <token>`. */
function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || header.length === 0) {
    throw new HiveLinkError('HL_ERR_TOKEN_INVALID', 'missing bearer token (Authorization: Bearer <token>)');
  }
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (m === null || m[1]!.length > MAX_TOKEN_CHARS) {
    throw new HiveLinkError(
      'HL_ERR_TOKEN_INVALID',
      'malformed Authorization header: expected Bearer <token>',
    );
  }
  return m[1]!;
}

/** The caller's address as the IP rules see it (no IPv4-mapped prefix). */
function clientIp(request: FastifyRequest): string {
  const ip = request.socket.remoteAddress ?? request.ip;
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** Validates a JSON body with `schema`; the first issue becomes an `HL_ERR_BAD_REQUEST` naming where it is. */
function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.join('.');
    throw new HiveLinkError('HL_ERR_BAD_REQUEST', `${where}: ${issue?.message ?? 'expected a JSON object'}`);
  }
  return parsed.data;
}

/** Maps what fastify itself throws (body parsing, limits) to the API's errors. */
function fromFastifyError(error: FastifyError): { error: HiveLinkError; status: number } {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
    return { error: new HiveLinkError('HL_ERR_BODY_TOO_LARGE', 'request body too large'), status: 413 };
  }
  if (error.statusCode === 415) {
    return {
      error: new HiveLinkError('HL_ERR_BAD_REQUEST', 'unsupported content type: send application/json'),
      status: 415,
    };
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { error: new HiveLinkError('HL_ERR_BAD_REQUEST', error.message), status: 400 };
  }
  return { error: new HiveLinkError('HL_ERR_INTERNAL', 'internal error'), status: 500 };
}

/**
 * Registers the `/v1` routes on `app` (call before `app.ready()`).
 */
export function registerRestRoutes(app: FastifyInstance, init: RestRoutesInit): void {
  const { hub, limits } = init;
  const logger = init.logger ?? pino({ level: 'silent' });
  const bodySchema = askBodySchema(limits);
  const announceSchema = announceBodySchema(limits);
  const clients = new WeakMap<FastifyRequest, ClientRecord>();
  const openapi = JSON.stringify(openApiDocument(limits));

  /**
   * The `onRequest` hook of an authenticated route: resolves the bearer token to its client before the body is
   * read (an unknown caller never costs a body parse), lets `check` refuse that client, and keeps it for the handler.
   */
  const authenticate =
    (check?: (client: ClientRecord) => void) =>
    async (request: FastifyRequest): Promise<void> => {
      const client = await hub.clientForToken(bearerToken(request));
      if (client === null) {
        throw new HiveLinkError('HL_ERR_TOKEN_INVALID', 'unknown or revoked token');
      }
      check?.(client);
      clients.set(request, client);
    };
  /** The client {@link authenticate} kept for `request`. */
  const authenticated = (request: FastifyRequest): ClientRecord => {
    const client = clients.get(request);
    if (client === undefined) throw new HiveLinkError('HL_ERR_INTERNAL', 'unauthenticated request');
    return client;
  };
  /** The options of a JSON route for admin clients only, refused before the body is read. */
  const adminJsonRoute = (doing: string) => ({
    bodyLimit: limits.restMaxBodyBytes,
    onRequest: authenticate(requireAdmin(doing)),
  });
  /** The client {@link authenticate} kept, once its IP rules and revocation admit it from where it calls. */
  const admitted = (request: FastifyRequest): ClientRecord => {
    const client = authenticated(request);
    const refusal = hub.policy.admit(client, clientIp(request));
    if (refusal !== null) throw refusal;
    return client;
  };

  void app.register(
    async (v1) => {
      v1.setErrorHandler((error: FastifyError | HiveLinkError, request, reply) => {
        if (isHiveLinkError(error)) {
          if (routeStatus(request, error.code) === undefined) {
            logger.error({ err: error, url: request.url }, 'REST request failed');
          }
          return sendError(reply, error);
        }
        const mapped = fromFastifyError(error);
        if (mapped.status === 500) logger.error({ err: error, url: request.url }, 'REST request failed');
        return sendError(reply, mapped.error, mapped.status);
      });
      v1.setNotFoundHandler((request, reply) =>
        sendError(
          reply,
          new HiveLinkError('HL_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?', 1)[0]}`),
        ),
      );

      v1.get('/openapi.json', async (_request, reply) =>
        reply.header('content-type', 'application/json; charset=utf-8').send(openapi),
      );

      v1.post('/announce', adminJsonRoute('announcing'), async (request, reply) => {
        const client = authenticated(request);
        const body = parseBody(announceSchema, request.body);
        const house = houseOf(init);
        const target = body.room === undefined ? { all: true as const } : { room: body.room };
        let result: Awaited<ReturnType<RestHouse['announceAs']>>;
        try {
          result = await house.announceAs(client, target, body.text, clientIp(request));
        } catch (err) {
          const status = isHiveLinkError(err) ? ANNOUNCE_ERROR_STATUS[err.code] : undefined;
          if (status === undefined) throw err;
          return sendError(reply, err as HiveLinkError, status);
        }
        const answer: AnnounceResponseBody = {
          room: result.room,
          delivered: result.delivered,
          clients: [...result.clients],
        };
        return reply.code(200).send(answer);
      });

      v1.post<{ Params: { room: string } }>(
        '/rooms/:room',
        adminJsonRoute("changing a room's conference"),
        async (request, reply) => {
          const client = authenticated(request);
          const body = parseBody(roomBodySchema, request.body);
          const room = request.params.room;
          if (room.length > MAX_ROOM_NAME_CHARS) {
            throw new HiveLinkError(
              'HL_ERR_BAD_REQUEST',
              `room: longer than ${MAX_ROOM_NAME_CHARS} characters`,
            );
          }
          const house = houseOf(init);
          const result = await house.setConferenceAs(client, room, body.conference, clientIp(request));
          return reply.code(200).send({ ...result, online: [...result.online] });
        },
      );

      const consentRoute = {
        bodyLimit: limits.restMaxBodyBytes,
        onRequest: authenticate(requireAdmin('managing consent')),
      };
      const consent = () => service(init.house, 'house service').consentAdmin;
      v1.get('/consent', consentRoute, async (request) => {
        admitted(request);
        return consent().list();
      });

      v1.put<{ Params: { sender: string; recipient: string } }>(
        '/consent/:sender/:recipient',
        consentRoute,
        async (request) => {
          admitted(request);
          const { allow } = parseBody(consentBodySchema, request.body);
          const { sender, recipient, decision } = await consent().set(
            request.params.sender,
            request.params.recipient,
            allow,
          );
          return { sender: party(sender), recipient: party(recipient), allow, decidedAt: decision.decidedAt };
        },
      );

      v1.delete<{ Params: { sender: string; recipient: string } }>(
        '/consent/:sender/:recipient',
        consentRoute,
        async (request) => {
          admitted(request);
          const { sender, recipient, forgotten } = await consent().forget(
            request.params.sender,
            request.params.recipient,
          );
          return { sender: party(sender), recipient: party(recipient), forgotten };
        },
      );

      v1.get('/rooms', { onRequest: authenticate() }, async (request) => {
        const client = admitted(request);
        return roomsBody(await service(init.house, 'house service').rooms(), client.isAdmin);
      });

      const subscriptions = () => service(init.subscriptions, 'subscription service');
      const subscriptionRoute = {
        bodyLimit: limits.restMaxBodyBytes,
        onRequest: authenticate(requireAdmin('managing subscriptions')),
        config: { errorStatus: SUBSCRIPTION_ERROR_STATUS },
      };
      v1.get('/subscriptions', subscriptionRoute, async (request) => {
        admitted(request);
        const admin = subscriptions();
        const [list, names] = await Promise.all([admin.list(), admin.clientNames()]);
        return { subscriptions: list.map((r) => subscriptionJson(r, Date.now(), names)) };
      });

      v1.post('/subscriptions', subscriptionRoute, async (request, reply) => {
        admitted(request);
        const body = parseBody(subscriptionBodySchema, request.body);
        const record = await subscriptions().add(body);
        return reply.code(201).send(subscriptionJson(record, Date.now()));
      });

      v1.delete<{ Params: { name: string } }>('/subscriptions/:name', subscriptionRoute, async (request) => {
        admitted(request);
        const record = await subscriptions().remove(request.params.name);
        return { name: record.name, subscribers: record.subscribers.length };
      });

      v1.post<{ Params: { name: string } }>(
        '/subscriptions/:name/subscribers',
        subscriptionRoute,
        async (request) => {
          admitted(request);
          const { client } = parseBody(subscriberBodySchema, request.body);
          return membershipBody(await subscriptions().subscribe(request.params.name, String(client)));
        },
      );

      v1.delete<{ Params: { name: string; client: string } }>(
        '/subscriptions/:name/subscribers/:client',
        subscriptionRoute,
        async (request) => {
          admitted(request);
          const { name, client } = request.params;
          return membershipBody(await subscriptions().unsubscribe(name, client));
        },
      );

      if (init.admin !== undefined) {
        registerAdminRoutes(v1, {
          ...init.admin,
          authenticate: authenticate(requireAdmin('the admin API')),
          admitted,
          limits,
          parseBody,
        });
      }

      registerJobRoutes(v1, {
        jobs: () => service(init.jobs, 'job service'),
        bodyLimit: limits.restMaxBodyBytes,
        authenticate: authenticate(),
        admitted,
        parseBody,
      });

      v1.post(
        '/ask',
        {
          bodyLimit: limits.restMaxBodyBytes,
          // Authenticate before the body is read: an unknown caller never costs a body parse.
          onRequest: authenticate(),
        },
        async (request, reply) => {
          const client = authenticated(request);
          const body = parseBody(bodySchema, request.body);
          const result = await hub.askAsClient(
            client,
            {
              utterance: body.utterance,
              lang: body.lang ?? 'en-us',
              sessionId: body.session_id ?? randomUUID(),
            },
            { timeoutMs: body.timeout_ms ?? limits.restAskTimeoutMs, ip: clientIp(request) },
          );
          const answer: AskResponseBody = {
            answers: result.answers,
            session_id: result.sessionId,
            handled: result.handled,
            expect_response: result.expectsResponse,
          };
          return reply.code(200).send(answer);
        },
      );
    },
    { prefix: '/v1' },
  );
}
