/**
 * Relay mode in a real browser (issue 12): Debian's Chromium driven by playwright-core runs the browser build of the
 * SDK (test/fixtures/browser-sealed.ts, bundled here by esbuild for the browser) against a hub composed in this
 * process on 127.0.0.1 port 0. The page creates its end-to-end keys and keeps them in `localStorage`; after a reload
 * it publishes the same keys again (`same`, not a key mismatch) and the hub's directory and `store.relay` name the same
 * fingerprint; a Node SDK client's signed and anonymous sealed messages reach it and are opened there. The page and
 * its script come from a small HTTP server of the test on 127.0.0.1 port 0 (a page playwright answers itself counts as
 * a public origin, and Chromium's local-network checks then block its websocket to 127.0.0.1).
 *
 * Chromium: `$CHROMIUM`, else `/usr/bin/chromium`. Without it the test fails in CI (`CI` set) and is skipped with a
 * loud message elsewhere.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import type { HiveClient } from '../../src/client/index.js';
import { e2eFingerprint } from '../../src/crypto/sealed.js';
import type { BrowserSealed, ReceivedPrivate } from '../fixtures/browser-sealed.js';
import { REPO_ROOT } from '../helpers/vectors.js';
import { CHROMIUM, chromiumMissing } from './chromium.js';
import { type ComposedTestHub, composeTestHub, SdkDevice } from './house-harness.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

/** Longest wait for the page (its v3 handshake derives argon2id in wasm). */
const PAGE_TIMEOUT_MS = 30_000;

/** The page's script: the browser build of the SDK and the fixture, no Node built-in in it. */
async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, 'test/fixtures/browser-sealed.ts')],
    ...{ bundle: true, platform: 'browser', format: 'esm', conditions: ['browser'] },
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  assert.doesNotMatch(code, /from\s*["']node:|require\(["']node:/, 'no Node built-in in the page script');
  return code;
}

type PageGlobal = typeof globalThis & { hivelinkSealed: BrowserSealed };

/** Serves the test page at `/` and its script at `/sealed-test.js` on 127.0.0.1 port 0. */
async function servePage(script: string): Promise<{ server: Server; origin: string }> {
  const page = '<!doctype html><title>sealed</title><script type="module" src="/sealed-test.js"></script>';
  const server = createServer((req, res) => {
    const js = req.url === '/sealed-test.js';
    res.writeHead(js || req.url === '/' ? 200 : 404, {
      'content-type': js ? 'text/javascript' : 'text/html',
    });
    res.end(js ? script : page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('sealed messages in the browser (Chromium)', () => {
  let dir: string;
  let hub: ComposedTestHub;
  let browserDevice: SdkDevice;
  let sender: HiveClient;
  let site: { server: Server; origin: string };
  let chromium: Browser | null = null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hivelink-browser-sealed-'));
    site = await servePage(await bundle());
    hub = await composeTestHub(dir);
    browserDevice = await SdkDevice.add(hub.composed, 'browser-tab', { consent: 'allow' });
    sender = (await SdkDevice.add(hub.composed, 'node-sender', { consent: 'allow' })).client(hub.url);
    await sender.connect();
    await sender.sealed.publish();
  });
  after(async () => {
    await chromium?.close();
    sender?.close();
    await hub?.composed.stop();
    await new Promise((resolve) => site?.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the page and starts the SDK in it. */
  async function startPage(page: Page, reload: boolean): Promise<{ status: string; fingerprint: string }> {
    if (reload) await page.reload();
    else await page.goto(`${site.origin}/`);
    await page.waitForFunction(() => 'hivelinkSealed' in globalThis, null, { timeout: PAGE_TIMEOUT_MS });
    return page.evaluate(
      ([url, key, password]) => (globalThis as PageGlobal).hivelinkSealed.start(url!, key!, password!),
      [`${hub.url}/`, browserDevice.accessKey, browserDevice.password],
    );
  }

  /** The sealed messages the page has received, once there are `n`. */
  async function receivedBy(page: Page, n: number): Promise<ReceivedPrivate[]> {
    await page.waitForFunction(
      (count) => (globalThis as PageGlobal).hivelinkSealed.received.length >= count,
      n,
      {
        timeout: PAGE_TIMEOUT_MS,
      },
    );
    return page.evaluate(() => (globalThis as PageGlobal).hivelinkSealed.received);
  }

  it('keeps its e2e keys in localStorage across a reload and opens sealed messages from a Node client', async (t) => {
    if (chromiumMissing(t, 'the browser sealed-message test')) return;
    const { chromium: launcher } = await import('playwright-core');
    chromium = await launcher.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
    });
    const context = await chromium.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));

    assert.equal(await hub.composed.data.store.relay.keys(browserDevice.id), null, 'no keys before the page');
    const first = await startPage(page, false);
    // The client publishes on open too, so the explicit publish may find its keys pinned already.
    assert.ok(['pinned', 'same'].includes(first.status), first.status);
    const stored = await page.evaluate(() => Object.keys(localStorage).sort());
    assert.ok(
      stored.includes('hivelink:e2e_x25519_key') && stored.includes('hivelink:e2e_ed25519_key'),
      stored.join(),
    );
    const pinned = await hub.composed.data.store.relay.keys(browserDevice.id);
    assert.ok(pinned !== null);
    assert.equal(
      e2eFingerprint(Buffer.from(pinned.x25519, 'base64'), Buffer.from(pinned.ed25519, 'base64')),
      first.fingerprint,
    );

    const again = await startPage(page, true);
    assert.deepEqual(
      again,
      { status: 'same', fingerprint: first.fingerprint },
      'the same keys after a reload',
    );
    const [entry] = await sender.directory({ client: 'browser-tab' });
    assert.deepEqual([entry?.fingerprint, entry?.online], [first.fingerprint, true]);

    const marker = `to the browser ${randomBytes(6).toString('hex')}`;
    await sender.sendPrivate(entry!, marker);
    await sender.sendPrivate(entry!, `${marker} (anonymous)`, { anonymous: true });
    const got = await receivedBy(page, 2);
    assert.deepEqual(
      got.map((m) => [m.text, m.anonymous, m.sender, m.replyable]),
      [
        [marker, false, 'node-sender', false],
        [`${marker} (anonymous)`, true, null, true],
      ],
    );
    assert.deepEqual(await page.evaluate(() => (globalThis as PageGlobal).hivelinkSealed.refused), []);
    assert.deepEqual(problems, []);
  });
});
