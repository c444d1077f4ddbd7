/**
 * The job routes of the REST API (issue 15, docs/PROTOCOL.md "Files and jobs"), with a client's bearer token:
 * `POST /v1/jobs {kind, params?, files?}` → 201 `{job}`; `GET /v1/jobs/{id}` → `{job}`; `GET /v1/jobs/{id}/events`
 * → server-sent events (`progress`, then `done`; the current state first; closed after `done`). The job's owner is
 * the token's client, with the same checks as over the websocket (`JobService`).
 *
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ErrorCode } from '../errors.js';
import type { JobEvent, JobJson, JobService } from '../hub/jobs/service.js';
import { FINAL_JOB_STATES, type JobState } from '../store/jobs.js';
import type { ClientRecord } from '../store/types.js';

/** What the routes use of the hub's job service. */
export type RestJobs = Pick<JobService, 'submit' | 'get' | 'json' | 'onEvent'>;

/** The statuses only the job routes answer. */
export const JOB_ERROR_STATUS: Readonly<Partial<Record<ErrorCode, number>>> = Object.freeze({
  HL_ERR_JOB_UNKNOWN_KIND: 400,
  HL_ERR_JOB_BAD_PARAMS: 400,
  HL_ERR_FILE_UNKNOWN: 400,
  HL_ERR_JOB_NOT_FOUND: 404,
  HL_ERR_JOB_QUEUE_FULL: 409,
});

const submitSchema = z.object({
  kind: z.string({ error: 'kind must be a string' }).min(1).max(64),
  params: z.record(z.string(), z.unknown()).optional(),
  files: z.array(z.string().min(1).max(64)).max(256).optional(),
});

export interface JobRoutesInit {
  jobs: () => RestJobs;
  bodyLimit: number;
  /** The `onRequest` hook that resolves the bearer token. */
  authenticate: (request: FastifyRequest) => Promise<void>;
  /** The token's client, admitted by the IP rules. */
  admitted: (request: FastifyRequest) => ClientRecord;
  parseBody: <T>(schema: z.ZodType<T>, body: unknown) => T;
}

function sse(reply: FastifyReply, event: string, job: JobJson): void {
  reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(job)}\n\n`);
}

/** Registers the job routes on the `/v1` scope. */
export function registerJobRoutes(v1: FastifyInstance, init: JobRoutesInit): void {
  const route = {
    bodyLimit: init.bodyLimit,
    onRequest: init.authenticate,
    config: { errorStatus: JOB_ERROR_STATUS },
  };
  v1.post('/jobs', route, async (request, reply) => {
    const client = init.admitted(request);
    const body = init.parseBody(submitSchema, request.body);
    const job = await init.jobs().submit(client, body.kind, body.params ?? {}, body.files ?? []);
    return reply.code(201).send({ job });
  });

  v1.get<{ Params: { id: string } }>('/jobs/:id', route, async (request) => {
    const client = init.admitted(request);
    const jobs = init.jobs();
    return { job: await jobs.json(await jobs.get(client, request.params.id)) };
  });

  v1.get<{ Params: { id: string } }>('/jobs/:id/events', route, async (request, reply) => {
    const client = init.admitted(request);
    const jobs = init.jobs();
    const id = request.params.id;
    const current = await jobs.get(client, id);
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    let closed = false;
    const off = jobs.onEvent((event: JobEvent) => {
      if (closed || event.job.id !== id) return;
      sse(reply, event.type, event.job);
      if (event.type === 'done') finish();
    });
    const finish = () => {
      if (closed) return;
      closed = true;
      off();
      reply.raw.end();
    };
    request.raw.on('close', finish);
    const json = await jobs.json(current);
    if (FINAL_JOB_STATES.has(current.state as JobState)) {
      sse(reply, 'done', json);
      finish();
    } else sse(reply, 'progress', json);
  });
}
