/**
 * The admin page in a real browser (issue 17): Debian's Chromium driven by playwright-core against a hub built by
 * compose.ts (`admin-harness.ts`) with three SDK clients connected over v3, one of which asked a question and one
 * sent what the hub denies. A plain client's token is refused on the login form; an admin's token shows the summary,
 * the clients, the live connections, the rooms and the denial; a skill is blocked and a pairing code made (its QR
 * code drawn) from the page; a client revoked
 * from the page loses its connection and leaves the list of live connections. Screenshots at desktop width and at
 * 390 px (where nothing scrolls sideways) go to `test-artifacts/admin.png` and `admin-390.png` (the README's, in
 * `docs/images/`, are copies). No console errors, no CSP violations.
 *
 * Chromium: `$CHROMIUM`, else `/usr/bin/chromium`. Without it the tests fail in CI (`CI` set) and are skipped with
 * a loud message elsewhere.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Dialog } from 'playwright-core';
import { REPO_ROOT } from '../helpers/vectors.js';
import { AdminHub, FORBIDDEN_TYPE, type Satellite } from './admin-harness.js';
import { type Browser, chromiumMissing, openChromium } from './chromium.js';
import { failOnUnhandledRejection } from './hub-harness.js';

failOnUnhandledRejection();

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const UI_TIMEOUT_MS = 20_000;
const JOKE = 'hivelink-joke.hivelink';

describe('admin page (Chromium)', () => {
  let h: AdminHub;
  let kitchen: Satellite;
  let den: Satellite;
  let browser: Browser | null = null;

  before(async () => {
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build-chat.mjs')], {
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, `${built.stdout}${built.stderr}`);
    h = await AdminHub.start();
    kitchen = await h.satellite('kitchen', { siteId: 'kitchen' });
    den = await h.satellite('den', { siteId: 'den' });
    await h.satellite('hallway', { siteId: 'den' });
    await kitchen.client.ask('tell me a joke');
    await kitchen.causeDenial();
  });
  after(async () => {
    await browser?.close();
    await h.close();
  });

  it('logs in with an admin token, shows the hub, blocks a skill, revokes a client (test-artifacts/admin*.png)', async (t) => {
    if (chromiumMissing(t, 'the admin page tests')) return;
    browser = await openChromium({ viewport: { width: 1200, height: 800 } });
    const { page, problems } = browser;
    page.on('dialog', (dialog: Dialog) => void dialog.accept());
    const response = await page.goto(`${h.base}/admin`);
    assert.equal(response?.status(), 200);
    const csp = response!.headers()['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/, 'no eval, no inline script');

    // A plain client's token is refused on the form, and nothing of it is kept.
    await page.getByLabel('Admin token').fill(h.plainToken);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#login-error', { hasText: 'admin client' }).waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('hivelink:admin:token')), null);
    // Chromium logs the refused request itself; that one line is expected, nothing else.
    assert.deepEqual(problems.splice(0), [
      'Failed to load resource: the server responded with a status of 403 (Forbidden)',
    ]);

    await page.getByLabel('Admin token').fill(h.adminToken);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#state[data-state="connected"]').waitFor({ timeout: UI_TIMEOUT_MS });
    const stored = await page.evaluate(() => ({
      tab: sessionStorage.getItem('hivelink:admin:token'),
      local: Object.keys(localStorage),
    }));
    assert.equal(stored.tab, h.adminToken, 'the token is kept in this tab');
    assert.deepEqual(stored.local, [], 'and nowhere else');

    // Clients, live connections, rooms, the denial and the summary.
    const clientRow = (id: number) => page.locator(`#clients tbody tr[data-client="${id}"]`);
    const liveRow = (id: number) => page.locator(`#connections tbody tr[data-client="${id}"]`);
    await clientRow(kitchen.device.id).waitFor({ timeout: UI_TIMEOUT_MS });
    assert.match((await clientRow(kitchen.device.id).textContent()) ?? '', /kitchen.*online \(1\)/);
    assert.equal(await page.locator('#connections tbody tr').count(), 3);
    assert.match((await liveRow(den.device.id).textContent()) ?? '', /den \(\d+\).*v3 .*127\.0\.0\.1/);
    const denial = page.locator('#denials tbody tr', { hasText: FORBIDDEN_TYPE });
    assert.match((await denial.textContent()) ?? '', /kitchen/);
    assert.match((await page.locator('#rooms').textContent()) ?? '', /den.*hallway/);
    const summary = (await page.locator('#summary').textContent()) ?? '';
    assert.match(summary, /Sessions3v3: 3/);
    assert.match(summary, /Denials1/);
    assert.match(summary, /Turn p50 \/ p95[\d.]+ ms \/ [\d.]+ ms1 turns/);
    const own = clientRow(h.adminId);
    assert.match((await own.textContent()) ?? '', /\(you\)/);
    assert.equal(await own.getByRole('button', { name: /^Revoke/ }).count(), 0, 'not its own client');

    // Block a skill for the kitchen from the page.
    const row = clientRow(kitchen.device.id);
    await row.getByLabel('Skill to block for kitchen').selectOption(JOKE);
    await row.getByRole('button', { name: 'Block' }).click();
    await row.locator('.chip', { hasText: JOKE }).waitFor({ timeout: UI_TIMEOUT_MS });
    assert.deepEqual((await h.composed.data.store.getClient(kitchen.device.id))?.blockedSkills, [JOKE]);

    // Make a pairing code: shown once, with its QR code drawn, and listed as pending.
    await page.getByLabel('Name', { exact: true }).fill('porch');
    await page.getByLabel('Room', { exact: true }).fill('garden');
    await page.getByRole('button', { name: 'Make a pairing code' }).click();
    await page.locator('#pair-new').waitFor({ timeout: UI_TIMEOUT_MS });
    const code = (await page.locator('#pair-code').textContent()) ?? '';
    assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
    assert.equal(await page.locator('#pair-join').textContent(), `hivelink join ${code} --url ${h.url}`);
    const dark = await page.evaluate(() => {
      const canvas = document.getElementById('pair-qr') as HTMLCanvasElement;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 128) n += 1;
      return n / (pixels.length / 4);
    });
    assert.ok(dark > 0.2 && dark < 0.7, `a QR code is drawn (${dark} dark)`);
    const pending = page.locator('#pairings tbody tr', { hasText: 'porch' });
    await pending.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.match((await pending.textContent()) ?? '', /garden.*pending/);
    const [pairing] = await h.composed.data.store.pairings.list();
    assert.equal(pairing?.name, 'porch');
    assert.ok(code.startsWith(pairing!.id), 'the code the page shows is the one the hub keeps');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0)); // the sticky bar at the top of the picture
    await page.screenshot({ path: join(ARTIFACTS, 'admin.png'), fullPage: true });

    // Revoke the den from the page: its connection drops, and the page shows it.
    await clientRow(den.device.id).getByRole('button', { name: 'Revoke den' }).click();
    const closed = await den.closed;
    assert.equal(closed.code, 1008);
    await liveRow(den.device.id).waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    await page.locator(`#clients tbody tr.revoked[data-client="${den.device.id}"]`).waitFor({
      timeout: UI_TIMEOUT_MS,
    });
    assert.equal(await page.locator('#connections tbody tr').count(), 2);
    assert.equal((await h.composed.data.store.getClient(den.device.id))?.revoked, true);

    // A phone: nothing scrolls sideways, Log out stays on screen.
    await page.setViewportSize({ width: 390, height: 844 });
    const fit = await page.evaluate(() => {
      const button = document.getElementById('logout')!.getBoundingClientRect();
      return { scrollWidth: document.documentElement.scrollWidth, right: button.right, width: button.width };
    });
    assert.ok(fit.scrollWidth <= 390, `the page scrolls sideways: ${JSON.stringify(fit)}`);
    assert.ok(fit.width > 0 && fit.right <= 390, `Log out is cut: ${JSON.stringify(fit)}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'admin-390.png'), fullPage: true });

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Admin token').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('hivelink:admin:token')), null);
    assert.deepEqual(problems, []);
  });
});
