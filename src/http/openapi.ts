/**
 * The OpenAPI 3.1 description of the REST API, served at `GET /v1/openapi.json`. Written by hand; a test checks
 * that every route and status it names exists, and that every error status the routes can answer is in it.
 *
 * @module
 */
import type { Limits } from '../limits.js';
import { HIVELINK_VERSION } from './health.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function errorResponse(description: string, codes: readonly string[], headers?: Json): Json {
  const out: { [key: string]: Json } = {
    description,
    content: {
      'application/json': {
        schema: {
          allOf: [
            { $ref: '#/components/schemas/Error' },
            {
              type: 'object',
              properties: { error: { type: 'object', properties: { code: { enum: [...codes] } } } },
            },
          ],
        },
      },
    },
  };
  if (headers !== undefined) out.headers = headers;
  return out;
}

/** What differs between the bearer-authenticated operations of `/v1`. */
interface BearerOperation {
  readonly operationId: string;
  readonly summary: string;
  /** Component schema names of the JSON body (none: the operation takes no body) and of the answer. */
  readonly request?: string;
  readonly response: string;
  /** The answer's status. @default '200' */
  readonly status?: '200' | '201';
  /** The answer's description. */
  readonly ok: string;
  /** The route's own error responses (403, 404, …), beside the 400/401/413/415/500 every such route shares. */
  readonly responses: { readonly [status: string]: Json };
  /** Its path parameters, if any. */
  readonly parameters?: Json;
}

/** A JSON answer of component schema `name`. */
function jsonOf(description: string, name: string): Json {
  return {
    description,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
  };
}

/**
 * A bearer-authenticated operation: the token errors the auth hook gives every such route, with a JSON body also the
 * body and size errors fastify gives, plus the route's own. Status keys are integer-like, so they serialise in
 * numeric order.
 */
function bearerOperation(limits: Limits, op: BearerOperation): Json {
  const body: { [key: string]: Json } =
    op.request === undefined
      ? {}
      : {
          '400': errorResponse(`The body is not valid JSON or not an ${op.request}.`, [
            'HL_ERR_BAD_REQUEST',
            'HL_ERR_INVALID_ARGUMENT',
          ]),
          '413': errorResponse(`The body is larger than ${limits.restMaxBodyBytes} bytes.`, [
            'HL_ERR_BODY_TOO_LARGE',
          ]),
          '415': errorResponse('The body is not application/json.', ['HL_ERR_BAD_REQUEST']),
        };
  return {
    operationId: op.operationId,
    summary: op.summary,
    security: [{ bearerAuth: [] }],
    ...(op.parameters === undefined ? {} : { parameters: op.parameters }),
    ...(op.request === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.request}` } } },
          },
        }),
    responses: {
      [op.status ?? '200']: jsonOf(op.ok, op.response),
      ...body,
      '401': errorResponse(
        'No bearer token, or the token is unknown or revoked.',
        ['HL_ERR_TOKEN_INVALID', 'HL_ERR_CLIENT_REVOKED'],
        { 'WWW-Authenticate': { schema: { type: 'string' } } },
      ),
      '500': errorResponse('An unexpected failure in the hub.', ['HL_ERR_INTERNAL']),
      ...op.responses,
    },
  };
}

/** A bearer-authenticated JSON `POST` operation ({@link bearerOperation} with a body). */
function bearerJsonPost(limits: Limits, op: BearerOperation & { readonly request: string }): Json {
  return { post: bearerOperation(limits, op) };
}

/** The 403 of a route for admin clients only. */
const ADMIN_FORBIDDEN = errorResponse(
  "The token is not an admin client's, or the IP rules deny the caller.",
  ['HL_ERR_ADMIN_REQUIRED', 'HL_ERR_IP_DENIED'],
);

/** The 503 of a route of a hub service. */
const SERVICE_UNAVAILABLE = errorResponse(
  'The hub is starting, shutting down, or its database is unavailable.',
  ['HL_ERR_HUB_UNAVAILABLE', 'HL_ERR_STORE_UNAVAILABLE'],
);

/** A path parameter. */
function pathParameter(name: string, description: string, maxLength: number): Json {
  return {
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1, maxLength },
    description,
  };
}

const SUBSCRIPTION_NAME = pathParameter(
  'name',
  'The subscription (case, `-`/`_` and extra spaces do not matter; URL-encode the spaces).',
  64,
);

/** `GET /v1/jobs/{id}/events`: a bearer operation whose 200 is a text/event-stream. */
function eventsOperation(limits: Limits, id: Json, responses: { [status: string]: Json }): Json {
  const op = bearerOperation(limits, {
    operationId: 'jobEvents',
    summary:
      'Server-sent events of a job: `progress` (the state now first), then `done`, each with the job as JSON; closed after `done`.',
    response: 'JobResponse',
    ok: 'A text/event-stream.',
    parameters: [id],
    responses,
  }) as { responses: { [status: string]: Json } };
  op.responses['200'] = {
    description: 'The events, as text/event-stream.',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  };
  return op as unknown as Json;
}

/** The `/v1/jobs` operations (any client: its own jobs; docs/PROTOCOL.md "Files and jobs"). */
function jobPaths(limits: Limits): { [path: string]: Json } {
  const id = pathParameter('id', 'The job id (as `POST /v1/jobs` answered it).', 64);
  const common = {
    '403': errorResponse('The IP rules deny the caller.', ['HL_ERR_IP_DENIED']),
    '503': SERVICE_UNAVAILABLE,
  };
  const notFound = {
    '404': errorResponse('No job with this id belongs to the client.', ['HL_ERR_JOB_NOT_FOUND']),
  };
  return {
    '/v1/jobs': bearerJsonPost(limits, {
      operationId: 'submitJob',
      summary: "Queues a job of the token's client: its kind, parameters and input files (ids of its files).",
      request: 'JobRequest',
      response: 'JobResponse',
      status: '201',
      ok: 'The job, queued.',
      responses: {
        '400': errorResponse(
          "The body is not a job request, its kind is unknown, its parameters do not fit the kind, or an input is not the client's.",
          [
            'HL_ERR_BAD_REQUEST',
            'HL_ERR_INVALID_ARGUMENT',
            'HL_ERR_JOB_UNKNOWN_KIND',
            'HL_ERR_JOB_BAD_PARAMS',
            'HL_ERR_FILE_UNKNOWN',
          ],
        ),
        '409': errorResponse('The client has maxQueuedJobsPerClient jobs queued or running.', [
          'HL_ERR_JOB_QUEUE_FULL',
        ]),
        ...common,
      },
    }),
    '/v1/jobs/{id}': {
      get: bearerOperation(limits, {
        operationId: 'getJob',
        summary: "A job of the token's client: state, progress, result, outputs.",
        response: 'JobResponse',
        ok: 'The job now.',
        parameters: [id],
        responses: { ...notFound, ...common },
      }),
    },
    '/v1/jobs/{id}/events': { get: eventsOperation(limits, id, { ...notFound, ...common }) },
  };
}

/** The `/v1/subscriptions` operations (admin clients only). */
function subscriptionPaths(limits: Limits): { [path: string]: Json } {
  const notFound = (what: string, codes: string[]) => ({ '404': errorResponse(what, codes) });
  const admin = { '403': ADMIN_FORBIDDEN, '503': SERVICE_UNAVAILABLE };
  const badName = {
    '400': errorResponse('The name is not a subscription name.', ['HL_ERR_INVALID_ARGUMENT']),
  };
  return {
    '/v1/subscriptions': {
      get: bearerOperation(limits, {
        operationId: 'listSubscriptions',
        summary: 'List the subscriptions, their schedules and subscribers (admin clients only).',
        response: 'SubscriptionList',
        ok: 'Every subscription, oldest first.',
        responses: admin,
      }),
      post: bearerOperation(limits, {
        operationId: 'addSubscription',
        summary: 'Add a subscription, as `hivelink subscriptions add` does (admin clients only).',
        request: 'SubscriptionRequest',
        response: 'Subscription',
        status: '201',
        ok: 'Added; the hub schedules it before it answers.',
        responses: {
          ...admin,
          '400': errorResponse(
            'The body is not a SubscriptionRequest: not exactly one of every/cron or of text/utterance, an unreadable schedule, one that ticks more often than minSubscriptionIntervalMs, a bad name or language.',
            ['HL_ERR_BAD_REQUEST', 'HL_ERR_INVALID_ARGUMENT', 'HL_ERR_BAD_SCHEDULE'],
          ),
          '409': errorResponse('The name is taken, or the hub has maxSubscriptions already.', [
            'HL_ERR_ALREADY_EXISTS',
            'HL_ERR_TOO_MANY_SUBSCRIPTIONS',
          ]),
        },
      }),
    },
    '/v1/subscriptions/{name}': {
      delete: bearerOperation(limits, {
        operationId: 'removeSubscription',
        summary: 'Remove a subscription and its subscribers (admin clients only).',
        parameters: [SUBSCRIPTION_NAME],
        response: 'RemovedSubscription',
        ok: 'Removed; it does not tick again.',
        responses: { ...admin, ...badName, ...notFound('No such subscription.', ['HL_ERR_NO_SUBSCRIPTION']) },
      }),
    },
    '/v1/subscriptions/{name}/subscribers': {
      post: bearerOperation(limits, {
        operationId: 'subscribeClient',
        summary: 'Subscribe a client: it hears the subscription from its next tick (admin clients only).',
        parameters: [SUBSCRIPTION_NAME],
        request: 'SubscriberRequest',
        response: 'Membership',
        ok: 'Subscribed (`unchanged`: it was already).',
        responses: {
          ...admin,
          ...notFound('No such subscription, or no such client.', [
            'HL_ERR_NO_SUBSCRIPTION',
            'HL_ERR_NOT_FOUND',
          ]),
          '409': errorResponse('The subscription has maxSubscribersPerSubscription subscribers already.', [
            'HL_ERR_TOO_MANY_SUBSCRIBERS',
          ]),
        },
      }),
    },
    '/v1/subscriptions/{name}/subscribers/{client}': {
      delete: bearerOperation(limits, {
        operationId: 'unsubscribeClient',
        summary: 'Unsubscribe a client (admin clients only).',
        parameters: [SUBSCRIPTION_NAME, pathParameter('client', 'The client: its id or access key.', 512)],
        response: 'Membership',
        ok: 'Unsubscribed (`unchanged`: it was not subscribed).',
        responses: {
          ...admin,
          ...badName,
          ...notFound('No such client.', ['HL_ERR_NOT_FOUND']),
        },
      }),
    },
  };
}

/** The `/v1/consent` operations (admin clients only, docs/PROTOCOL.md §12.8). */
function consentPaths(limits: Limits): { [path: string]: Json } {
  const admin = { '403': ADMIN_FORBIDDEN, '503': SERVICE_UNAVAILABLE };
  const pair = [
    pathParameter('sender', 'The sender: its client id or access key.', 512),
    pathParameter('recipient', 'The recipient: its client id or access key.', 512),
  ];
  const noClient = {
    '404': errorResponse('No such client.', ['HL_ERR_NOT_FOUND']),
  };
  return {
    '/v1/consent': {
      get: bearerOperation(limits, {
        operationId: 'listConsent',
        summary:
          'The consent answers clients gave, and the clients that allow or deny everyone (admin clients only).',
        response: 'ConsentList',
        ok: 'Every answer, as `hivelink consent list --json` prints it.',
        responses: admin,
      }),
    },
    '/v1/consent/{sender}/{recipient}': {
      put: bearerOperation(limits, {
        operationId: 'setConsent',
        summary:
          "Record the recipient's answer about the sender, as `hivelink consent allow|deny` does (admin clients only).",
        parameters: pair,
        request: 'ConsentRequest',
        response: 'ConsentDecision',
        ok: 'Recorded; what the pair held waiting for it is delivered (allow) or dropped (deny) before the answer.',
        responses: { ...admin, ...noClient },
      }),
      delete: bearerOperation(limits, {
        operationId: 'forgetConsent',
        summary:
          "Forget the recipient's answer about the sender: it is asked again next time (admin clients only).",
        parameters: pair,
        response: 'ConsentForgotten',
        ok: 'Forgotten (`forgotten: false`: there was no answer).',
        responses: { ...admin, ...noClient },
      }),
    },
  };
}

/** The admin page's operations (`rest-admin.ts`; admin clients only). */
function adminPaths(limits: Limits): { [path: string]: Json } {
  const admin = { '403': ADMIN_FORBIDDEN, '503': SERVICE_UNAVAILABLE };
  const id = pathParameter('id', 'The client id.', 16);
  const skill = pathParameter('skill', 'A skill id, as `GET /v1/admin/skills` lists them.', 256);
  const noClient = {
    '400': errorResponse('The id is not a client id.', ['HL_ERR_BAD_REQUEST', 'HL_ERR_INVALID_ARGUMENT']),
    '404': errorResponse('No such client.', ['HL_ERR_NOT_FOUND']),
  };
  const read = (operationId: string, summary: string, response: string, ok: string) => ({
    get: bearerOperation(limits, { operationId, summary, response, ok, responses: admin }),
  });
  return {
    '/v1/admin/summary': read(
      'adminSummary',
      'Uptime, connection counts and the metrics summary: connections by protocol, messages, denials by code, turn latency p50/p95 (admin clients only).',
      'AdminSummary',
      'The numbers now.',
    ),
    '/v1/admin/connections': read(
      'adminConnections',
      'The open sessions: peer, client, protocol, cipher, site, since, address (admin clients only).',
      'AdminConnections',
      'Every open session, oldest first.',
    ),
    '/v1/admin/denials': read(
      'adminDenials',
      'The last policy denials (hive.policy.denied answers), at most recentDenials, kept in memory (admin clients only).',
      'AdminDenials',
      'Newest first.',
    ),
    '/v1/admin/skills': read(
      'adminSkills',
      'The skills the hub runs, with their intents: what blocking a skill takes (admin clients only).',
      'AdminSkills',
      'Every loaded skill.',
    ),
    '/v1/clients': read(
      'listClients',
      'Every client, revoked ones included, without secrets, with its open connections (admin clients only).',
      'AdminClients',
      'Every client.',
    ),
    '/v1/clients/{id}/revoke': {
      post: bearerOperation(limits, {
        operationId: 'revokeClient',
        summary:
          "Revoke a client as `hivelink clients revoke` does and close its connections at once; the caller's own client is refused (admin clients only).",
        parameters: [id],
        response: 'RevokedClient',
        ok: 'Revoked (`unchanged`: it was already); `dropped` connections were closed.',
        responses: { ...admin, ...noClient },
      }),
    },
    '/v1/admin/pairings': {
      ...read(
        'adminPairings',
        'The pairing codes kept (a day past their expiry), without their secrets (admin clients only).',
        'AdminPairings',
        'Oldest first.',
      ),
      post: bearerOperation(limits, {
        operationId: 'adminNewPairing',
        summary:
          'Make a one-time pairing code, as `hivelink pair` does; the code is in this answer only (admin clients only).',
        request: 'PairingRequest',
        response: 'NewPairing',
        status: '201',
        ok: 'The pairing, its code, the join link and its QR code (modules row by row, `1` dark).',
        responses: {
          ...admin,
          '409': errorResponse('A client or a pending pairing has the name, or too many codes wait.', [
            'HL_ERR_ALREADY_EXISTS',
            'HL_ERR_PAIRING_LIMIT',
          ]),
        },
      }),
    },
    '/v1/admin/pairings/{id}': {
      delete: bearerOperation(limits, {
        operationId: 'adminCancelPairing',
        summary: 'Cancel a pairing: its code no longer works (admin clients only).',
        parameters: [pathParameter('id', "The pairing's id (the code's first group).", 64)],
        response: 'CancelledPairing',
        ok: 'Cancelled.',
        responses: { ...admin, '404': errorResponse('No such pairing.', ['HL_ERR_NOT_FOUND']) },
      }),
    },
    '/v1/clients/{id}/blocked-skills/{skill}': {
      put: bearerOperation(limits, {
        operationId: 'blockSkill',
        summary: 'Block a skill for a client (admin clients only).',
        parameters: [id, skill],
        response: 'BlockedSkill',
        ok: 'Blocked (`unchanged`: it was already).',
        responses: {
          ...admin,
          ...noClient,
          '400': errorResponse('The id is not a client id, or the skill is not a loaded skill.', [
            'HL_ERR_BAD_REQUEST',
            'HL_ERR_INVALID_ARGUMENT',
            'HL_ERR_UNKNOWN_SKILL',
          ]),
        },
      }),
      delete: bearerOperation(limits, {
        operationId: 'allowSkill',
        summary: 'Unblock a skill for a client; any entry of its list, loaded or not (admin clients only).',
        parameters: [id, skill],
        response: 'BlockedSkill',
        ok: 'Unblocked (`unchanged`: it was not blocked).',
        responses: { ...admin, ...noClient },
      }),
    },
  };
}

/** The component schemas of {@link adminPaths}. */
const ADMIN_SCHEMAS: { [name: string]: Json } = {
  AdminSummary: {
    type: 'object',
    properties: {
      version: { type: 'string' },
      caller: {
        type: 'object',
        description: "The token's client.",
        properties: { id: { type: 'integer' }, name: { type: 'string' } },
      },
      uptime_s: { type: 'integer' },
      sockets: { type: 'integer', description: 'Open websockets, authenticated or not.' },
      sessions: { type: 'integer', description: 'Open, authenticated sessions.' },
      denials_kept: { type: 'integer', description: 'recentDenials: how many denials the hub keeps.' },
      metrics: {
        type: 'object',
        properties: {
          connections: { type: 'object', additionalProperties: { type: 'integer' } },
          messages: {
            type: 'object',
            properties: { in: { type: 'integer' }, out: { type: 'integer' } },
          },
          denials: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              byCode: { type: 'object', additionalProperties: { type: 'integer' } },
            },
          },
          turn: {
            type: 'object',
            properties: {
              count: { type: 'integer' },
              p50Ms: { type: ['number', 'null'] },
              p95Ms: { type: ['number', 'null'] },
            },
          },
        },
      },
    },
  },
  AdminConnections: {
    type: 'object',
    properties: {
      connections: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            peer: { type: 'string' },
            clientId: { type: 'integer' },
            clientName: { type: 'string' },
            protocol: { type: 'integer' },
            cipher: { type: ['string', 'null'] },
            encoding: { type: ['string', 'null'] },
            site: { type: ['string', 'null'] },
            since: { type: ['integer', 'null'] },
            ip: { type: 'string' },
          },
        },
      },
    },
  },
  AdminDenials: {
    type: 'object',
    properties: {
      capacity: { type: 'integer' },
      total: { type: 'integer', description: 'Denials since the hub started.' },
      denials: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            at: { type: 'integer' },
            peer: { type: 'string' },
            clientId: { type: ['integer', 'null'] },
            clientName: { type: ['string', 'null'] },
            ip: { type: 'string' },
            deniedType: { type: 'string' },
            code: { type: 'string' },
            reason: { type: 'string' },
          },
        },
      },
    },
  },
  AdminSkills: {
    type: 'object',
    properties: {
      skills: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            intents: { type: 'array', items: { type: 'string' } },
            source: { type: 'string' },
          },
        },
      },
    },
  },
  AdminClient: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      name: { type: 'string' },
      site: { type: ['string', 'null'] },
      description: { type: 'string' },
      admin: { type: 'boolean' },
      revoked: { type: 'boolean' },
      blockedSkills: { type: 'array', items: { type: 'string' } },
      blockedIntents: { type: 'array', items: { type: 'string' } },
      createdAt: { type: 'integer' },
      lastSeen: { type: ['integer', 'null'] },
      connections: { type: 'integer' },
    },
  },
  AdminClients: {
    type: 'object',
    properties: { clients: { type: 'array', items: { $ref: '#/components/schemas/AdminClient' } } },
  },
  RevokedClient: {
    type: 'object',
    properties: {
      client: { $ref: '#/components/schemas/AdminClient' },
      dropped: { type: 'integer' },
      unchanged: { type: 'boolean' },
    },
  },
  AdminPairing: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      site: { type: ['string', 'null'] },
      state: { enum: ['pending', 'expired', 'used', 'burnt'] },
      attempts: { type: 'integer' },
      clientId: { type: ['integer', 'null'] },
      createdAt: { type: 'integer' },
      expiresAt: { type: 'integer' },
    },
  },
  AdminPairings: {
    type: 'object',
    properties: { pairings: { type: 'array', items: { $ref: '#/components/schemas/AdminPairing' } } },
  },
  PairingRequest: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 64 },
      room: { type: 'string', minLength: 1, maxLength: 64 },
    },
  },
  NewPairing: {
    allOf: [
      { $ref: '#/components/schemas/AdminPairing' },
      {
        type: 'object',
        properties: {
          code: { type: 'string', description: 'What `hivelink join CODE` takes.' },
          url: { type: 'string' },
          link: { type: 'string', description: 'hivelink://join?code=…&url=…' },
          qr: {
            type: 'object',
            properties: { size: { type: 'integer' }, modules: { type: 'string' } },
          },
        },
      },
    ],
  },
  CancelledPairing: {
    type: 'object',
    properties: { id: { type: 'string' }, cancelled: { const: true } },
  },
  BlockedSkill: {
    type: 'object',
    properties: {
      client: { $ref: '#/components/schemas/AdminClient' },
      skill: { type: 'string' },
      unchanged: { type: 'boolean' },
    },
  },
};

/** The document, with the limits of this hub filled in. */
export function openApiDocument(limits: Limits): { [key: string]: Json } {
  return {
    openapi: '3.1.0',
    info: {
      title: 'hivelink hub REST API',
      version: HIVELINK_VERSION,
      description:
        "Ask the hub's assistant over HTTP. A bearer token belongs to one client (issue one with `hivelink clients token ID`); that client's permissions apply exactly as on its websocket: allowed message types, blocked skills and intents, IP rules and rate limit.",
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token from `hivelink clients token ID`.',
        },
      },
      schemas: {
        ...ADMIN_SCHEMAS,
        JobRequest: {
          type: 'object',
          required: ['kind'],
          properties: {
            kind: {
              type: 'string',
              description: 'speak, transcribe, image, archive, or a kind a skill registered',
            },
            params: {
              type: 'object',
              description: 'The kind\'s parameters (docs/PROTOCOL.md "Files and jobs")',
            },
            files: {
              type: 'array',
              items: { type: 'string' },
              description: "Ids of the client's files on the hub",
            },
          },
        },
        JobResponse: {
          type: 'object',
          required: ['job'],
          properties: {
            job: {
              type: 'object',
              required: ['id', 'kind', 'state', 'progress'],
              properties: {
                id: { type: 'string' },
                kind: { type: 'string' },
                state: { enum: ['queued', 'running', 'done', 'failed', 'cancelled'] },
                progress: { type: 'integer', minimum: 0, maximum: 100 },
                message: { type: 'string' },
                result: {},
                outputs: { type: 'array', items: { type: 'object' } },
                error: { type: ['object', 'null'] },
              },
            },
          },
        },
        AskRequest: {
          type: 'object',
          required: ['utterance'],
          properties: {
            utterance: { type: 'string', minLength: 1, description: 'What the user said.' },
            lang: { type: 'string', default: 'en-us', examples: ['en-us'] },
            session_id: {
              type: 'string',
              minLength: 1,
              maxLength: 256,
              description: 'Your session id; keep it to continue a conversation. A new one when absent.',
            },
            timeout_ms: {
              type: 'integer',
              minimum: 1,
              maximum: limits.restAskTimeoutMs,
              default: limits.restAskTimeoutMs,
              description: 'How long to wait for the assistant.',
            },
          },
        },
        AskResponse: {
          type: 'object',
          required: ['answers', 'session_id', 'handled', 'expect_response'],
          properties: {
            answers: {
              type: 'array',
              items: { type: 'string' },
              description: 'What the assistant said, in order.',
            },
            session_id: { type: 'string' },
            handled: { type: 'boolean', description: 'False when the assistant did not understand.' },
            expect_response: {
              type: 'boolean',
              description:
                'True when the last answer is a question: send the reply as the next ask with the same session_id.',
            },
          },
        },
        AnnounceRequest: {
          type: 'object',
          required: ['text'],
          properties: {
            text: {
              type: 'string',
              minLength: 1,
              maxLength: limits.maxUtteranceChars,
              description: 'What every online client of the target speaks.',
            },
            room: {
              type: 'string',
              minLength: 1,
              maxLength: 64,
              description:
                'The room (a site id; case, `_`/`-` and a leading "the" do not matter). Every room when absent.',
            },
            all: {
              type: 'boolean',
              description: 'Every online client of the hub (the default without a room).',
            },
          },
        },
        AnnounceResponse: {
          type: 'object',
          required: ['room', 'delivered', 'clients'],
          properties: {
            room: { type: ['string', 'null'], description: 'The room, or null when announced everywhere.' },
            delivered: { type: 'integer', description: 'Connections the text was spoken on.' },
            clients: { type: 'array', items: { type: 'string' }, description: 'Their client names.' },
          },
        },
        RoomRequest: {
          type: 'object',
          required: ['conference'],
          properties: {
            conference: {
              enum: ['off', 'on', 'only'],
              description:
                "The room's conference mode: `on`, members hear each other's utterances and are answered; `only`, they hear each other and are not answered; `off`.",
            },
          },
        },
        RoomResponse: {
          type: 'object',
          required: ['room', 'conference', 'was', 'online'],
          properties: {
            room: { type: 'string', description: 'The room as it is named.' },
            conference: { enum: ['off', 'on', 'only'] },
            was: { enum: ['off', 'on', 'only'], description: 'The mode before.' },
            online: {
              type: 'array',
              items: { type: 'string' },
              description: 'Its online clients: who is in the conference now.',
            },
          },
        },
        RoomsResponse: {
          type: 'object',
          required: ['rooms', 'unassigned'],
          description:
            "As `hive.house.rooms` answers. An admin client's token gets the whole snapshot: each room's `key` and each client's `id`, `connections` and `from` (`admin`: its record's site, `hello`: its HELLO's) too.",
          properties: {
            rooms: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'online', 'conference', 'clients'],
                properties: {
                  name: { type: 'string' },
                  online: { type: 'integer', description: 'How many of its clients are online.' },
                  conference: { enum: ['off', 'on', 'only'] },
                  clients: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['name', 'online', 'assistant'],
                      properties: {
                        name: { type: 'string' },
                        online: { type: 'boolean' },
                        assistant: {
                          type: 'boolean',
                          description: 'A full assistant: it answers relayed questions itself.',
                        },
                      },
                    },
                  },
                },
              },
            },
            unassigned: {
              type: 'array',
              description: 'Clients in no room.',
              items: {
                type: 'object',
                required: ['name', 'online'],
                properties: { name: { type: 'string' }, online: { type: 'boolean' } },
              },
            },
          },
        },
        SubscriptionRequest: {
          type: 'object',
          required: ['name'],
          description: 'Exactly one of `every` and `cron`, and exactly one of `text` and `utterance`.',
          properties: {
            name: {
              type: 'string',
              minLength: 1,
              maxLength: 64,
              description: 'Letters, digits and spaces: what clients say to subscribe.',
            },
            every: { type: 'string', examples: ['15m', '1h30m'], description: 'Tick every DURATION.' },
            cron: {
              type: 'string',
              examples: ['0 7 * * *'],
              description: "Tick at the times of a cron expression, in the hub's time zone.",
            },
            text: { type: 'string', description: 'What each tick says.' },
            utterance: {
              type: 'string',
              description: "What each tick asks the hub's assistant; its answer is said.",
            },
            lang: {
              type: 'string',
              default: 'en-us',
              description: 'The language the utterance is asked in.',
            },
          },
        },
        Subscription: {
          type: 'object',
          required: ['id', 'name', 'schedule', 'subscribers', 'subscriberNames'],
          description: 'As `hivelink subscriptions list --json` prints it. Times are ms since the epoch.',
          properties: {
            id: { type: 'integer' },
            name: { type: 'string' },
            schedule: { type: 'string', examples: ['every 15m', 'cron 0 7 * * *'] },
            everyMs: { type: ['integer', 'null'] },
            cron: { type: ['string', 'null'] },
            text: { type: ['string', 'null'] },
            utterance: { type: ['string', 'null'] },
            lang: { type: 'string' },
            createdAt: { type: 'integer', description: 'The beat of an `every` schedule.' },
            ticks: { type: 'integer' },
            lastTickAt: { type: ['integer', 'null'] },
            lastMessage: { type: ['string', 'null'], description: 'What the last tick said.' },
            nextTickAt: { type: ['integer', 'null'], description: 'Null when it never ticks again.' },
            subscribers: { type: 'array', items: { type: 'integer' }, description: 'Client ids.' },
            subscriberNames: { type: 'array', items: { type: 'string' }, description: 'Their names.' },
          },
        },
        SubscriptionList: {
          type: 'object',
          required: ['subscriptions'],
          properties: {
            subscriptions: { type: 'array', items: { $ref: '#/components/schemas/Subscription' } },
          },
        },
        ConsentParty: {
          type: 'object',
          required: ['id', 'name'],
          properties: { id: { type: 'integer' }, name: { type: 'string' } },
        },
        ConsentList: {
          type: 'object',
          required: ['answers', 'settings'],
          properties: {
            answers: {
              type: 'array',
              items: {
                type: 'object',
                required: ['sender', 'recipient', 'allow', 'decidedAt'],
                properties: {
                  sender: { $ref: '#/components/schemas/ConsentParty' },
                  recipient: { $ref: '#/components/schemas/ConsentParty' },
                  allow: { type: 'boolean' },
                  decidedAt: { type: 'integer', description: 'When it was answered (ms since the epoch).' },
                },
              },
            },
            settings: {
              type: 'array',
              description:
                'The clients whose own setting (`clients set --consent`) is not the default `ask`.',
              items: {
                type: 'object',
                required: ['id', 'name', 'consent'],
                properties: {
                  id: { type: 'integer' },
                  name: { type: 'string' },
                  consent: { enum: ['allow', 'deny'] },
                },
              },
            },
          },
        },
        ConsentRequest: {
          type: 'object',
          required: ['allow'],
          properties: { allow: { type: 'boolean', description: 'true: the recipient accepts the sender.' } },
        },
        ConsentDecision: {
          type: 'object',
          required: ['sender', 'recipient', 'allow', 'decidedAt'],
          properties: {
            sender: { $ref: '#/components/schemas/ConsentParty' },
            recipient: { $ref: '#/components/schemas/ConsentParty' },
            allow: { type: 'boolean' },
            decidedAt: { type: 'integer' },
          },
        },
        ConsentForgotten: {
          type: 'object',
          required: ['sender', 'recipient', 'forgotten'],
          properties: {
            sender: { $ref: '#/components/schemas/ConsentParty' },
            recipient: { $ref: '#/components/schemas/ConsentParty' },
            forgotten: { type: 'boolean' },
          },
        },
        RemovedSubscription: {
          type: 'object',
          required: ['name', 'subscribers'],
          properties: {
            name: { type: 'string' },
            subscribers: { type: 'integer', description: 'How many subscribers it had.' },
          },
        },
        SubscriberRequest: {
          type: 'object',
          required: ['client'],
          properties: {
            client: {
              oneOf: [
                { type: 'integer', minimum: 1 },
                { type: 'string', minLength: 1 },
              ],
              description: 'The client: its id or access key.',
            },
          },
        },
        Membership: {
          type: 'object',
          required: ['name', 'client', 'unchanged'],
          properties: {
            name: { type: 'string', description: "The subscription's stored name." },
            client: {
              type: 'object',
              properties: { id: { type: 'integer' }, name: { type: 'string' } },
            },
            unchanged: {
              type: 'boolean',
              description: 'Subscribing: it was subscribed already. Unsubscribing: it was not subscribed.',
            },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', pattern: '^HL_ERR_[A-Z0-9_]+$' },
                message: { type: 'string' },
              },
            },
          },
        },
      },
    },
    paths: {
      '/v1/ask': bearerJsonPost(limits, {
        operationId: 'ask',
        summary: 'Ask the assistant one utterance and get its spoken answers.',
        request: 'AskRequest',
        response: 'AskResponse',
        ok: 'The turn ended: handled, or not understood (`handled: false`).',
        responses: {
          '403': errorResponse('The client may not send utterances, or the IP rules deny the caller.', [
            'HL_ERR_POLICY_DENIED',
            'HL_ERR_IP_DENIED',
          ]),
          '408': errorResponse('The assistant said nothing within the timeout.', ['HL_ERR_ASK_TIMEOUT']),
          '429': errorResponse("Over the client's message rate limit.", ['HL_ERR_RATE_LIMITED'], {
            'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' },
          }),
          '503': errorResponse('The hub is starting, shutting down, full, or its database is unavailable.', [
            'HL_ERR_HUB_UNAVAILABLE',
            'HL_ERR_TOO_MANY_CONNECTIONS',
            'HL_ERR_STORE_UNAVAILABLE',
          ]),
        },
      }),
      '/v1/announce': bearerJsonPost(limits, {
        operationId: 'announce',
        summary: 'Speak a text on every online client of a room, or of the hub (admin clients only).',
        request: 'AnnounceRequest',
        response: 'AnnounceResponse',
        ok: 'Spoken on every online client of the target.',
        responses: {
          '403': errorResponse("The token is not an admin client's, or the IP rules deny the caller.", [
            'HL_ERR_ADMIN_REQUIRED',
            'HL_ERR_IP_DENIED',
          ]),
          '404': errorResponse('No such room.', ['HL_ERR_ROOM_UNKNOWN']),
          '409': errorResponse('Nobody is in the room, or none of its clients is online.', [
            'HL_ERR_ROOM_EMPTY',
            'HL_ERR_ROOM_OFFLINE',
          ]),
          '503': errorResponse('The hub is starting, shutting down, or its database is unavailable.', [
            'HL_ERR_HUB_UNAVAILABLE',
            'HL_ERR_STORE_UNAVAILABLE',
          ]),
        },
      }),
      '/v1/rooms/{room}': bearerJsonPost(limits, {
        operationId: 'setRoom',
        summary: "Set a room's conference mode (admin clients only).",
        parameters: [
          pathParameter('room', 'The room (a site id; case, `_`/`-` and a leading "the" do not matter).', 64),
        ],
        request: 'RoomRequest',
        response: 'RoomResponse',
        ok: 'Set; it applies to the next utterance.',
        responses: {
          '403': ADMIN_FORBIDDEN,
          '404': errorResponse('No such room.', ['HL_ERR_ROOM_UNKNOWN']),
          '503': SERVICE_UNAVAILABLE,
        },
      }),
      '/v1/rooms': {
        get: bearerOperation(limits, {
          operationId: 'rooms',
          summary: 'The rooms of the house: their clients, who is online, their modes (any client).',
          response: 'RoomsResponse',
          ok: 'Every room now.',
          responses: {
            '403': errorResponse('The IP rules deny the caller.', ['HL_ERR_IP_DENIED']),
            '503': SERVICE_UNAVAILABLE,
          },
        }),
      },
      ...subscriptionPaths(limits),
      ...consentPaths(limits),
      ...jobPaths(limits),
      ...adminPaths(limits),
      '/v1/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document.',
          responses: {
            '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': {} } },
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'Liveness and a little state.',
          responses: {
            '200': {
              description: 'The hub is up.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      status: { const: 'ok' },
                      version: { type: 'string' },
                      connections: { type: 'integer' },
                      uptime_s: { type: 'integer' },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
