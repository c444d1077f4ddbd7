/**
 * The admin routes over real HTTP (issue 17, `src/http/rest-admin.ts`): a hub built by compose.ts with SDK clients
 * connected over v3. Every route refuses a non-admin token with 403 `HL_ERR_ADMIN_REQUIRED` and no token with 401;
 * with an admin's token the summary, the live connections, the denial a client caused, the clients (no secrets),
 * blocking and unblocking a skill, and revoking a client (its connection closed at once) work as the admin page uses
 * them; every route is in the OpenAPI document.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { joinWithCode } from '../../src/client/pairing.js';
import type { WebSocketConstructor } from '../../src/client/types.js';
import { nodeBackend } from '../../src/crypto/backend.node.js';
import { parsePairingCode } from '../../src/session/pairing-code.js';
import { AdminHub, codeOf, FORBIDDEN_TYPE, type Satellite } from './admin-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

const JOKE = 'hivelink-joke.hivelink';

const READS = [
  '/v1/admin/summary',
  '/v1/admin/connections',
  '/v1/admin/denials',
  '/v1/admin/skills',
  '/v1/admin/pairings',
  '/v1/clients',
];

describe('REST admin routes (/v1/admin/…, /v1/clients)', () => {
  let h: AdminHub;
  let kitchen: Satellite;
  let den: Satellite;

  before(async () => {
    h = await AdminHub.start();
    kitchen = await h.satellite('kitchen', { siteId: 'kitchen' });
    den = await h.satellite('den');
    await kitchen.causeDenial();
  });
  after(() => h.close());

  it('refuses a non-admin token (403 HL_ERR_ADMIN_REQUIRED) and no token (401) on every route', async () => {
    const writes: [string, string][] = [
      ['POST', `/v1/clients/${kitchen.device.id}/revoke`],
      ['PUT', `/v1/clients/${kitchen.device.id}/blocked-skills/${JOKE}`],
      ['DELETE', `/v1/clients/${kitchen.device.id}/blocked-skills/${JOKE}`],
      ['POST', '/v1/admin/pairings'],
      ['DELETE', '/v1/admin/pairings/ABCD'],
    ];
    for (const [method, path] of [...READS.map((p) => ['GET', p] as [string, string]), ...writes]) {
      const plain = await h.rest(method, path, h.plainToken);
      assert.equal(plain.status, 403, `${method} ${path}`);
      assert.equal(codeOf(plain), 'HL_ERR_ADMIN_REQUIRED', `${method} ${path}`);
      const none = await h.rest(method, path, null);
      assert.equal(none.status, 401, `${method} ${path}`);
      assert.equal(codeOf(none), 'HL_ERR_TOKEN_INVALID');
    }
    const live = await h.rest('GET', '/v1/admin/connections', h.adminToken);
    assert.equal((live.body.connections as unknown[]).length, 2, 'the refused revoke changed nothing');
  });

  it('summarises connections by protocol, messages, denials and turn latency', async () => {
    const r = await h.rest('GET', '/v1/admin/summary', h.adminToken);
    assert.equal(r.status, 200);
    const metrics = r.body.metrics as {
      connections: Record<string, number>;
      messages: { in: number; out: number };
      denials: { total: number; byCode: Record<string, number> };
      turn: { count: number; p50Ms: number | null };
    };
    assert.deepEqual(r.body.caller, { id: h.adminId, name: 'console' });
    assert.equal(r.body.sessions, 2);
    assert.equal(r.body.denials_kept, 100);
    assert.deepEqual(metrics.connections, { '3': 2 });
    assert.ok(metrics.messages.in > 0 && metrics.messages.out > 0, JSON.stringify(metrics.messages));
    assert.ok(metrics.denials.total >= 1);
    assert.equal(metrics.turn.count, 0);
    assert.equal(metrics.turn.p50Ms, null);
  });

  it('lists the live connections with peer, protocol, site, since and address', async () => {
    const r = await h.rest('GET', '/v1/admin/connections', h.adminToken);
    assert.equal(r.status, 200);
    const list = r.body.connections as Record<string, unknown>[];
    const k = list.find((c) => c.clientId === kitchen.device.id);
    assert.ok(k !== undefined, JSON.stringify(list));
    assert.equal(k.clientName, 'kitchen');
    assert.equal(k.protocol, 3);
    assert.equal(k.site, 'kitchen');
    assert.equal(k.ip, '127.0.0.1');
    assert.match(String(k.peer), /::kitchen::/);
    assert.ok(typeof k.since === 'number' && k.since <= Date.now());
  });

  it('keeps the denial a client caused', async () => {
    const r = await h.rest('GET', '/v1/admin/denials', h.adminToken);
    assert.equal(r.status, 200);
    const denials = r.body.denials as Record<string, unknown>[];
    const d = denials.find((x) => x.deniedType === FORBIDDEN_TYPE);
    assert.ok(d !== undefined, JSON.stringify(denials));
    assert.equal(d.clientId, kitchen.device.id);
    assert.equal(d.clientName, 'kitchen');
    assert.equal(d.ip, '127.0.0.1');
    assert.equal(typeof d.code, 'string');
    assert.equal(r.body.capacity, 100);
  });

  it('lists the clients without secrets, with their open connections', async () => {
    const r = await h.rest('GET', '/v1/clients', h.adminToken);
    assert.equal(r.status, 200);
    const clients = r.body.clients as Record<string, unknown>[];
    assert.deepEqual(
      clients.map((c) => [c.name, c.connections]),
      [
        ['console', 0],
        ['plain', 0],
        ['kitchen', 1],
        ['den', 1],
      ],
    );
    const text = JSON.stringify(r.body);
    assert.ok(!text.includes(kitchen.device.accessKey), 'no access key');
    assert.ok(!text.includes(kitchen.device.password), 'no password');
    assert.ok(!text.includes(h.adminToken), 'no token');
  });

  it('blocks a skill the hub runs, refuses an unknown one, and unblocks it', async () => {
    const skills = await h.rest('GET', '/v1/admin/skills', h.adminToken);
    assert.ok((skills.body.skills as { id: string }[]).some((s) => s.id === JOKE));
    const path = `/v1/clients/${den.device.id}/blocked-skills/${JOKE}`;
    const blocked = await h.rest('PUT', path, h.adminToken);
    assert.equal(blocked.status, 200);
    assert.deepEqual((blocked.body.client as { blockedSkills: string[] }).blockedSkills, [JOKE]);
    assert.equal(blocked.body.unchanged, false);
    assert.equal((await h.rest('PUT', path, h.adminToken)).body.unchanged, true);
    assert.deepEqual(
      (await h.composed.data.store.getClient(den.device.id))?.blockedSkills,
      [JOKE],
      'in the store',
    );

    const unknown = await h.rest('PUT', `/v1/clients/${den.device.id}/blocked-skills/joke2`, h.adminToken);
    assert.equal(unknown.status, 400);
    assert.equal(codeOf(unknown), 'HL_ERR_UNKNOWN_SKILL');

    const allowed = await h.rest('DELETE', path, h.adminToken);
    assert.equal(allowed.status, 200);
    assert.deepEqual((allowed.body.client as { blockedSkills: string[] }).blockedSkills, []);
    assert.equal((await h.rest('DELETE', path, h.adminToken)).body.unchanged, true);
  });

  it('answers 400 for a malformed id and 404 for an unknown client', async () => {
    const bad = await h.rest('POST', '/v1/clients/abc/revoke', h.adminToken);
    assert.equal(bad.status, 400);
    assert.equal(codeOf(bad), 'HL_ERR_BAD_REQUEST');
    const missing = await h.rest('POST', '/v1/clients/9999/revoke', h.adminToken);
    assert.equal(missing.status, 404);
    assert.equal(codeOf(missing), 'HL_ERR_NOT_FOUND');
  });

  it("revokes a client and closes its connection at once; refuses the caller's own client", async () => {
    const self = await h.rest('POST', `/v1/clients/${h.adminId}/revoke`, h.adminToken);
    assert.equal(self.status, 400);
    assert.equal(codeOf(self), 'HL_ERR_INVALID_ARGUMENT');

    const r = await h.rest('POST', `/v1/clients/${kitchen.device.id}/revoke`, h.adminToken);
    assert.equal(r.status, 200);
    assert.equal(r.body.dropped, 1);
    assert.equal((r.body.client as { revoked: boolean }).revoked, true);
    const closed = await kitchen.closed;
    assert.equal(closed.code, 1008, JSON.stringify(closed));
    assert.equal(closed.reason, 'revoked by an admin');
    const live = await h.rest('GET', '/v1/admin/connections', h.adminToken);
    assert.deepEqual(
      (live.body.connections as { clientName: string }[]).map((c) => c.clientName),
      ['den'],
    );
    assert.equal(
      (await h.rest('POST', `/v1/clients/${kitchen.device.id}/revoke`, h.adminToken)).body.unchanged,
      true,
    );
  });

  it('makes a pairing code a satellite joins with, lists it without its secret, and cancels another', async () => {
    const made = await h.rest('POST', '/v1/admin/pairings', h.adminToken, { name: 'porch', room: 'garden' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.name, 'porch');
    assert.equal(made.body.site, 'garden');
    assert.equal(made.body.state, 'pending');
    assert.equal(made.body.url, h.url);
    const code = parsePairingCode(String(made.body.code));
    assert.match(String(made.body.link), /^hivelink:\/\/join\?code=/);
    const qr = made.body.qr as { size: number; modules: string };
    assert.equal(qr.modules.length, qr.size * qr.size);

    const list = await h.rest('GET', '/v1/admin/pairings', h.adminToken);
    const listed = (list.body.pairings as { id: string; state: string }[]).find((p) => p.id === code.id);
    assert.equal(listed?.state, 'pending');
    assert.ok(!JSON.stringify(list.body).includes(code.secret), 'no secret in the list');

    const joined = await joinWithCode({
      url: h.url,
      code,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backend: nodeBackend,
      staticKeyPair: nodeBackend.x25519KeyPair(),
    });
    assert.ok(joined.accessKey.length > 0);
    const after = await h.rest('GET', '/v1/admin/pairings', h.adminToken);
    assert.equal(
      (after.body.pairings as { id: string; state: string }[]).find((p) => p.id === code.id)?.state,
      'used',
    );
    const clients = (await h.rest('GET', '/v1/clients', h.adminToken)).body.clients as {
      name: string;
      site: string;
    }[];
    assert.equal(clients.find((c) => c.name === 'porch')?.site, 'garden', 'the paired client has its room');

    const taken = await h.rest('POST', '/v1/admin/pairings', h.adminToken, { name: 'porch' });
    assert.equal(taken.status, 409);
    assert.equal(codeOf(taken), 'HL_ERR_ALREADY_EXISTS');

    const other = await h.rest('POST', '/v1/admin/pairings', h.adminToken);
    assert.equal(other.status, 201);
    const id = String(other.body.id);
    const cancelled = await h.rest('DELETE', `/v1/admin/pairings/${id}`, h.adminToken);
    assert.deepEqual(cancelled.body, { id, cancelled: true });
    assert.equal((await h.rest('DELETE', `/v1/admin/pairings/${id}`, h.adminToken)).status, 404);
  });

  it('are all in the OpenAPI document', async () => {
    const doc = (await h.rest('GET', '/v1/openapi.json', null)).body as { paths: Record<string, object> };
    for (const path of [
      ...READS,
      '/v1/clients/{id}/revoke',
      '/v1/clients/{id}/blocked-skills/{skill}',
      '/v1/admin/pairings/{id}',
    ]) {
      assert.ok(doc.paths[path] !== undefined, path);
    }
  });
});
