/**
 * `GET /v1/openapi.json`: an OpenAPI 3.1 document whose every route exists on the hub's server and whose statuses
 * are exactly the ones the routes answer with (for `POST /v1/ask`: 200, every status of REST_ERROR_STATUS but the
 * unknown-route 404, 415 and 500); every `$ref` resolves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { REST_ERROR_STATUS } from '../../src/http/rest.js';
import { type RestHub, startRestHub } from './rest-harness.js';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>;
  components: Record<string, Record<string, unknown>>;
};

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('REST GET /v1/openapi.json', () => {
  let h: RestHub;
  let doc: Doc;

  before(async () => {
    h = await startRestHub({ assistant: false, config: { limits: { restAskTimeoutMs: 2500 } } });
    const res = await fetch(`${h.base}/v1/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    doc = (await res.json()) as Doc;
  });
  after(() => h.close());

  it("is an OpenAPI 3.1 document with this hub's limits", () => {
    assert.match(doc.openapi, /^3\.1\./);
    const ask = doc.components.schemas!.AskRequest as { properties: { timeout_ms: { maximum: number } } };
    assert.equal(ask.properties.timeout_ms.maximum, 2500);
  });

  it('names only routes the server has', () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => [m, path]));
    assert.ok(routes.length >= 3);
    for (const [method, url] of routes) {
      // OpenAPI's path parameter `{room}` is fastify's `:room`.
      const route = url!.replace(/\{(\w+)\}/g, ':$1');
      assert.ok(h.app.hasRoute({ method: method!.toUpperCase() as 'GET', url: route }), `${method} ${url}`);
    }
    assert.ok(!h.app.hasRoute({ method: 'GET', url: '/v1/nothing' }), 'hasRoute can say no');
  });

  it('lists exactly the statuses POST /v1/ask answers with', () => {
    const documented = Object.keys(doc.paths['/v1/ask']!.post!.responses).map(Number).sort();
    const answered = [
      ...new Set([200, 415, 500, ...Object.values(REST_ERROR_STATUS).filter((s) => s !== 404)]),
    ].sort();
    assert.deepEqual(documented, answered);
    for (const [status, response] of Object.entries(doc.paths['/v1/ask']!.post!.responses)) {
      assert.ok((response.description ?? '').length > 0, `${status} has a description`);
    }
  });

  it('resolves every $ref', () => {
    for (const ref of refs(doc)) {
      const m = /^#\/components\/(\w+)\/(\w+)$/.exec(ref);
      assert.ok(m !== null, ref);
      assert.ok(doc.components[m[1]!]?.[m[2]!] !== undefined, `${ref} resolves`);
    }
  });
});
