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

/** What differs between the bearer-authenticated JSON `POST` routes of `/v1`. */
interface BearerJsonPost {
  readonly operationId: string;
  readonly summary: string;
  /** Component schema names of the request and the 200 answer. */
  readonly request: string;
  readonly response: string;
  /** The 200 description. */
  readonly ok: string;
  /** The route's own error responses (403, 404, …), beside the 400/401/413/415/500 every such route shares. */
  readonly responses: { readonly [status: string]: Json };
}

/**
 * A bearer-authenticated JSON `POST` operation: the body, token and size errors that fastify and the auth hook give
 * every such route, plus the route's own. Status keys are integer-like, so they serialise in numeric order.
 */
function bearerJsonPost(limits: Limits, op: BearerJsonPost): Json {
  return {
    post: {
      operationId: op.operationId,
      summary: op.summary,
      security: [{ bearerAuth: [] }],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.request}` } } },
      },
      responses: {
        '200': {
          description: op.ok,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.response}` } } },
        },
        '400': errorResponse(`The body is not valid JSON or not an ${op.request}.`, [
          'HL_ERR_BAD_REQUEST',
          'HL_ERR_INVALID_ARGUMENT',
        ]),
        '401': errorResponse(
          'No bearer token, or the token is unknown or revoked.',
          ['HL_ERR_TOKEN_INVALID', 'HL_ERR_CLIENT_REVOKED'],
          { 'WWW-Authenticate': { schema: { type: 'string' } } },
        ),
        '413': errorResponse(`The body is larger than ${limits.restMaxBodyBytes} bytes.`, [
          'HL_ERR_BODY_TOO_LARGE',
        ]),
        '415': errorResponse('The body is not application/json.', ['HL_ERR_BAD_REQUEST']),
        '500': errorResponse('An unexpected failure in the hub.', ['HL_ERR_INTERNAL']),
        ...op.responses,
      },
    },
  };
}

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
