/**
 * The chat page's HTTP side (and the admin page's, from the same kind of folder) over real HTTP on 127.0.0.1 port 0
 * (no browser): each file with its content type, a self-only Content-Security-Policy and the other protective headers on every answer, and a 503 that says what to do
 * when the page was never built.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fastify, { type FastifyInstance } from 'fastify';
import { ADMIN_CSP, registerAdminPage } from '../../src/http/admin-page.js';
import { CHAT_CSP, registerChatPage } from '../../src/http/chat-page.js';

async function serve(assetsDir: string): Promise<{ app: FastifyInstance; base: string }> {
  const app = fastify();
  registerChatPage(app, { assetsDir });
  registerAdminPage(app, { assetsDir });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

describe('chat page over HTTP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hivelink-chat-assets-'));
  let built: { app: FastifyInstance; base: string };
  let missing: { app: FastifyInstance; base: string };

  before(async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'app.js'), 'export {};');
    writeFileSync(join(dir, 'style.css'), 'body{}');
    writeFileSync(join(dir, 'base.css'), ':root{}');
    writeFileSync(join(dir, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    built = await serve(dir);
    missing = await serve(join(dir, 'nothing-here'));
  });
  after(async () => {
    await built.app.close();
    await missing.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves each file with its content type and the protective headers', async () => {
    const expected: [string, RegExp, string][] = [
      ['/chat', /^text\/html; charset=utf-8$/, '<!doctype html><title>t</title>'],
      ['/chat/', /^text\/html; charset=utf-8$/, '<!doctype html><title>t</title>'],
      ['/chat/app.js', /^text\/javascript; charset=utf-8$/, 'export {};'],
      ['/chat/base.css', /^text\/css; charset=utf-8$/, ':root{}'],
      ['/chat/style.css', /^text\/css; charset=utf-8$/, 'body{}'],
      ['/chat/icon.svg', /^image\/svg\+xml$/, '<svg xmlns="http://www.w3.org/2000/svg"/>'],
    ];
    for (const [path, type, body] of expected) {
      const res = await fetch(built.base + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', type, path);
      assert.equal(await res.text(), body, path);
      assert.equal(res.headers.get('content-security-policy'), CHAT_CSP, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
    }
  });

  it('sends a browser that opens the hub itself to the page', async () => {
    const res = await fetch(`${built.base}/`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/chat');
    assert.equal(res.headers.get('content-security-policy'), CHAT_CSP);
  });

  it('allows nothing but this origin (and wasm compilation for argon2id)', () => {
    const directives = new Map(
      CHAT_CSP.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(directives.get('connect-src'), ["'self'"]);
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(directives.get('form-action'), ["'none'"]);
    for (const values of directives.values()) {
      for (const v of values)
        assert.match(v, /^'(self|none|wasm-unsafe-eval)'$/, `no host or scheme source: ${v}`);
    }
  });

  it('serves the admin page from its folder with the same policy, without WebAssembly', async () => {
    for (const path of ['/admin', '/admin/app.js', '/admin/base.css', '/admin/style.css']) {
      const res = await fetch(built.base + path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-security-policy'), ADMIN_CSP, path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
    }
    assert.equal(ADMIN_CSP, CHAT_CSP.replace(" 'wasm-unsafe-eval'", ''));
    const missingPage = await fetch(`${missing.base}/admin`);
    assert.equal(missingPage.status, 503);
    assert.match(await missingPage.text(), /^The admin page is not built: run `npm run build`/);
  });

  it('answers 503 with what to do when the page is not built, and 404 for other files', async () => {
    const res = await fetch(`${missing.base}/chat`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /npm run build/);
    assert.equal((await fetch(`${built.base}/chat/secret.txt`)).status, 404);
    assert.equal((await fetch(`${built.base}/chat/../package.json`)).status, 404);
  });
});
