import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fastify from 'fastify';
import { HIVELINK_VERSION, registerHealthRoute } from '../../../src/http/health.js';

describe('GET /healthz', () => {
  it('reports status, version, connection and peer counts, uptime, the process memory in bytes and its CPU time', async () => {
    const app = fastify();
    registerHealthRoute(app, { connectionCount: 3, peerCount: 2, uptimeSeconds: 7 });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    await app.close();
    assert.equal(res.statusCode, 200);
    const body = res.json() as Record<string, unknown> & { memory: Record<string, unknown> };
    assert.equal(body.status, 'ok');
    assert.equal(body.version, HIVELINK_VERSION);
    assert.equal(body.connections, 3);
    assert.equal(body.peers, 2);
    assert.equal(body.uptime_s, 7);
    assert.deepEqual(Object.keys(body.memory).sort(), [
      'array_buffers',
      'external',
      'heap_total',
      'heap_used',
      'rss',
    ]);
    for (const value of Object.values(body.memory))
      assert.ok(Number.isInteger(value) && (value as number) > 0);
    assert.ok((body.memory.rss as number) > (body.memory.heap_used as number));
    const cpu = body.cpu as Record<string, unknown>;
    assert.deepEqual(Object.keys(cpu).sort(), ['system_us', 'user_us']);
    assert.ok((cpu.user_us as number) > 0 && Number.isInteger(cpu.system_us));
  });
});
