/**
 * The browser chat page in a real browser: Debian's Chromium driven by playwright-core (never a downloaded browser),
 * against a hub started in-process by `runHub` (the factory `hivelink hub` uses) on 127.0.0.1 port 0 with a temp
 * data dir, the embedded assistant and a client made for the test. The page is opened at `/chat`, logs in, asks
 * "tell me a joke", shows the joke, shows a message the hub sends unasked, and a screenshot is saved in
 * `test-artifacts/`. Once over `ws`, once over `wss` with `--tls-self-signed` (Chromium runs with
 * `--ignore-certificate-errors`, standing in for the user accepting the certificate); a wrong password shows
 * the refusal; and the page and a real `hivelink chat` child process in one room in conference mode see each
 * other's lines, each under its speaker's name.
 *
 * Chromium: `$CHROMIUM`, else `/usr/bin/chromium`. Without it the tests fail in CI (`CI` set) and are skipped with
 * a loud message elsewhere.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { Assistant } from '../../src/assistant/assistant.js';
import { en as jokeLocale } from '../../src/assistant/skills/joke/locale/en.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { BusClient } from '../../src/bus/ws-client.js';
import { runHub } from '../../src/cli/commands/hub.js';
import { createHubServer } from '../../src/http/server.js';
import { inProcessAgent } from '../../src/hub/agent.js';
import { resolveHubConfig } from '../../src/hub/config.js';
import { Hub } from '../../src/hub/hub.js';
import { openDataDir } from '../../src/store/data-dir.js';
import type { ClientRecord, ClientStore } from '../../src/store/types.js';
import { REPO_ROOT } from '../helpers/vectors.js';
import { type Browser, chromiumMissing, openChromium } from './chromium.js';
import { buildOnce, childEnv, secretFile, start } from './cli-process.js';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const JOKES: readonly string[] = jokeLocale.dialogs?.joke ?? [];
/** Longest wait for something the page shows (the v3 handshake derives argon2id in wasm). */
const UI_TIMEOUT_MS = 30_000;

interface RunningHub {
  origin: string;
  busUrl: string;
  accessKey: string;
  password: string;
  stop(): Promise<void>;
}

/**
 * `runHub` in this process with a fresh data dir and one client (`setup` may add to the store first); resolves once
 * it prints its URLs.
 */
async function startHub(
  tls: boolean,
  setup?: (store: ClientStore, browser: ClientRecord) => Promise<void>,
): Promise<RunningHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-browser-'));
  const data = openDataDir(dataDir);
  const { record, password } = await data.store.addClient({
    name: 'browser',
    password: 'correct horse battery',
  });
  await setup?.(data.store, record);
  await data.close();
  const config = resolveHubConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    busPort: 0,
    logLevel: 'silent',
    tls: tls ? { mode: 'self-signed' } : null,
  });
  let output = '';
  let ready: (() => void) | null = null;
  const printed = new Promise<void>((resolve) => {
    ready = resolve;
  });
  let release!: () => void;
  const until = new Promise<void>((resolve) => {
    release = resolve;
  });
  const io = {
    out: {
      write(text: string) {
        output += text;
        if (/^agent: /m.test(output)) ready?.();
      },
    },
    err: { write: () => true },
  };
  const running = runHub(config, io, until);
  await Promise.race([printed, running.then(() => assert.fail(`the hub stopped early:\n${output}`))]);
  const url = /listening on (wss?):\/\/127\.0\.0\.1:(\d+)/.exec(output);
  const bus = /agent bus served on (ws:\/\/\S+)/.exec(output);
  assert.ok(url !== null && bus !== null, output);
  return {
    origin: `${url[1] === 'wss' ? 'https' : 'http'}://127.0.0.1:${url[2]}`,
    busUrl: bus[1]!,
    accessKey: record.accessKey,
    password,
    async stop() {
      release();
      await running;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface DirectHub {
  port: number;
  accessKey: string;
  password: string;
  stop(): Promise<void>;
}

/**
 * A hub built from its parts (data dir, embedded assistant, Hub, HTTP server) on `port`, stopped hub first so its
 * websockets close with 1001; started again on the same data dir it has the same identity and clients.
 */
async function startDirectHub(dataDir: string, port: number): Promise<DirectHub> {
  const data = openDataDir(dataDir);
  const clients = await data.store.listClients();
  const added =
    clients.length === 0
      ? await data.store.addClient({ name: 'browser', password: 'correct horse battery' })
      : { record: clients[0]!, password: (await data.store.getPassword(clients[0]!.id)) ?? '' };
  const config = resolveHubConfig({ host: '127.0.0.1', port, dataDir, logLevel: 'silent' });
  const bus = new MemoryBus();
  const assistant = new Assistant({ bus });
  await assistant.start();
  const hub = new Hub({
    config,
    store: data.store,
    identity: data.loadIdentity(),
    agent: inProcessAgent(bus),
  });
  await hub.start();
  const app = await createHubServer({ hub, config });
  await app.listen({ host: '127.0.0.1', port });
  return {
    port: (app.server.address() as AddressInfo).port,
    accessKey: added.record.accessKey,
    password: added.password,
    async stop() {
      await hub.stop();
      await app.close();
      await assistant.stop();
      await data.close();
    },
  };
}

function openBrowser(tls: boolean): Promise<Browser> {
  return openChromium({ tls });
}

/** The text of the first element `selector` matches. */
async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent()) ?? '';
}

async function logIn(page: Page, accessKey: string, password: string): Promise<void> {
  await page.getByLabel('Access key').fill(accessKey);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Connect' }).click();
}

/** Opens /chat, logs in, asks for a joke, receives an unasked message, and saves a screenshot. */
async function chatScenario(tls: boolean, screenshot: string): Promise<void> {
  const hub = await startHub(tls);
  const browser = await openBrowser(tls);
  const bus = new BusClient({
    url: hub.busUrl,
    reconnect: false,
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  try {
    await bus.connect();
    const page = browser.page;
    const response = await page.goto(`${hub.origin}/chat`);
    assert.equal(response?.status(), 200);
    assert.equal(
      new URL(page.url()).protocol,
      tls ? 'https:' : 'http:',
      'the page (and so its websocket) is TLS',
    );
    const headers = response!.headers();
    assert.match(headers['content-type'] ?? '', /^text\/html/);
    assert.match(headers['content-security-policy'] ?? '', /default-src 'none'/);

    await logIn(page, hub.accessKey, hub.password);
    await page.locator('#state[data-state="connected"]').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.match(await text(page, '#state-text'), /^connected \(Noise XXpsk2/, 'v3 (Noise) in the browser');

    const utterance = new Promise<string>((resolve) => {
      const off = bus.on('recognizer_loop:utterance', (m) => {
        if (typeof m.context.source === 'string' && m.context.source.startsWith('hivelink-chat::')) {
          off();
          resolve(m.context.source);
        }
      });
    });
    await page.getByLabel('Message').fill('tell me a joke');
    await page.getByLabel('Message').press('Enter');
    const answer = page.locator('#transcript li.hub .text').first();
    await answer.waitFor({ timeout: UI_TIMEOUT_MS });
    const joke = (await answer.textContent()) ?? '';
    assert.ok(JOKES.includes(joke), `a joke in the transcript: ${joke}`);
    assert.equal(await text(page, '#transcript li.you .text'), 'tell me a joke');

    // Something the hub says unasked (a timer, a notification) shows up as it arrives.
    const peer = await utterance;
    bus.emit({
      type: 'speak',
      data: { utterance: 'Your laundry is done.' },
      context: { destination: [peer] },
    });
    await page.locator('#transcript li.hub .text', { hasText: 'Your laundry is done.' }).waitFor({
      timeout: UI_TIMEOUT_MS,
    });

    // The login stays in the tab; the Noise key (not the password) is kept by the origin.
    const stored = await page.evaluate(() => ({
      tab: sessionStorage.getItem('hivelink:chat:login') ?? '',
      local: Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`),
    }));
    assert.ok(stored.tab.includes(hub.accessKey));
    assert.ok(
      stored.local.some((e) => e.startsWith('hivelink:noise_key=')),
      JSON.stringify(stored.local),
    );
    assert.ok(!stored.local.some((e) => e.includes(hub.password)), 'no password in localStorage');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
    assert.deepEqual(browser.problems, []);
  } finally {
    await bus.close();
    await browser.close();
    await hub.stop();
  }
}

describe('browser chat page (Chromium)', () => {
  before(() => {
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build-chat.mjs')], {
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, `${built.stdout}${built.stderr}`);
  });

  it('logs in over ws, answers "tell me a joke", shows unasked messages (test-artifacts/chat.png)', async (t) => {
    if (chromiumMissing(t, 'the browser chat tests')) return;
    await chatScenario(false, 'chat.png');
  });

  it('does the same over wss with --tls-self-signed (test-artifacts/chat-wss.png)', async (t) => {
    if (chromiumMissing(t, 'the browser chat tests')) return;
    await chatScenario(true, 'chat-wss.png');
  });

  it('shows reconnecting while the hub restarts, then connected again', async (t) => {
    if (chromiumMissing(t, 'the browser chat tests')) return;
    const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-browser-'));
    let hub = await startDirectHub(dataDir, 0);
    const browser = await openBrowser(false);
    try {
      const page = browser.page;
      await page.goto(`http://127.0.0.1:${hub.port}/chat`);
      await logIn(page, hub.accessKey, hub.password);
      await page.locator('#state[data-state="connected"]').waitFor({ timeout: UI_TIMEOUT_MS });
      await hub.stop();
      await page.locator('#state[data-state="reconnecting"]').waitFor({ timeout: UI_TIMEOUT_MS });
      assert.match(await text(page, '#state-text'), /^reconnecting in \d+ s: /);
      assert.equal(await page.locator('#send').isDisabled(), true, 'nothing can be sent meanwhile');
      hub = await startDirectHub(dataDir, hub.port);
      await page.locator('#state[data-state="connected"]').waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByLabel('Message').fill('tell me a joke');
      await page.getByLabel('Message').press('Enter');
      await page.locator('#transcript li.hub .text').first().waitFor({ timeout: UI_TIMEOUT_MS });
      assert.ok(JOKES.includes(await text(page, '#transcript li.hub .text')), 'answered after the restart');
    } finally {
      await browser.close();
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('fits a 390 px phone: nothing overflows and Log out stays on screen (test-artifacts/chat-390.png)', async (t) => {
    if (chromiumMissing(t, 'the browser chat tests')) return;
    const dataDir = mkdtempSync(join(tmpdir(), 'hivelink-browser-'));
    const hub = await startDirectHub(dataDir, 0);
    const browser = await openBrowser(false);
    try {
      const page = browser.page;
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`http://127.0.0.1:${hub.port}/chat`);
      await logIn(page, hub.accessKey, hub.password);
      await page.locator('#state[data-state="connected"]').waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByLabel('Message').fill('tell me a joke');
      await page.getByLabel('Message').press('Enter');
      await page.locator('#transcript li.hub .text').first().waitFor({ timeout: UI_TIMEOUT_MS });
      const fit = await page.evaluate(() => {
        const button = document.getElementById('logout')!.getBoundingClientRect();
        return {
          scrollWidth: document.documentElement.scrollWidth,
          button: { left: button.left, right: button.right, width: button.width },
        };
      });
      assert.ok(fit.scrollWidth <= 390, `the page scrolls sideways: ${JSON.stringify(fit)}`);
      assert.ok(fit.button.width > 0 && fit.button.right <= 390, `Log out is cut: ${JSON.stringify(fit)}`);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'chat-390.png'), fullPage: true });
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByLabel('Access key').waitFor({ timeout: UI_TIMEOUT_MS });
    } finally {
      await browser.close();
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("and a `hivelink chat` child in the same conference see each other's lines (test-artifacts/chat-conference.png)", async (t) => {
    if (chromiumMissing(t, 'the browser chat tests')) return;
    buildOnce();
    let terminal = { accessKey: '', password: 'correct horse battery staple' };
    // Both in the den, whose conference is on.
    const hub = await startHub(false, async (store, browser) => {
      await store.updateClient(browser.id, { siteId: 'den' });
      const added = await store.addClient({ name: 'terminal', password: terminal.password, siteId: 'den' });
      terminal = { ...terminal, accessKey: added.record.accessKey };
      await store.house.setRoom('den', { conference: 'on' });
    });
    const browser = await openBrowser(false);
    const configDir = mkdtempSync(join(tmpdir(), 'hivelink-chat-config-'));
    const chat = start(
      ['chat', '--url', hub.origin.replace(/^http/, 'ws'), '--key', terminal.accessKey].concat([
        '--password-file',
        secretFile(terminal.password),
        '--no-history',
      ]),
      childEnv({ HIVELINK_CONFIG_DIR: configDir }),
      { stdin: 'pipe' },
    );
    try {
      await chat.wait(/\[connected\]/, 'stderr');
      const page = browser.page;
      await page.goto(`${hub.origin}/chat`);
      await logIn(page, hub.accessKey, hub.password);
      await page.locator('#state[data-state="connected"]').waitFor({ timeout: UI_TIMEOUT_MS });

      chat.child.stdin!.write('hello from the terminal\n');
      const line = page.locator('#transcript li.conference', { hasText: 'hello from the terminal' });
      await line.waitFor({ timeout: UI_TIMEOUT_MS });
      assert.equal(await line.locator('.who').textContent(), 'terminal', 'shown under its speaker');
      assert.equal(await line.locator('.text').textContent(), 'hello from the terminal');

      const from = chat.stdout().length;
      await page.getByLabel('Message').fill('hello from the browser');
      await page.getByLabel('Message').press('Enter');
      await chat.wait(/^browser: hello from the browser$/m, 'stdout', from);
      assert.equal(await page.locator('#transcript li.conference').count(), 1, 'not its own line');

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'chat-conference.png'), fullPage: true });
      assert.deepEqual(browser.problems, []);
    } finally {
      chat.child.stdin!.end();
      await chat.stop();
      await browser.close();
      await hub.stop();
      rmSync(configDir, { recursive: true, force: true });
    }
  });

  it('shows the refusal when the password is wrong', async (t) => {
    if (chromiumMissing(t, 'the browser chat tests')) return;
    const hub = await startHub(false);
    const browser = await openBrowser(false);
    try {
      const page = browser.page;
      await page.goto(`${hub.origin}/chat`);
      await logIn(page, hub.accessKey, 'not the password');
      await page.locator('#state[data-state="refused"]').waitFor({ timeout: UI_TIMEOUT_MS });
      assert.equal(await text(page, '#state-text'), 'refused: wrong password');
      assert.match(await text(page, '#login-error'), /refused the connection: wrong password/);
      assert.equal(await page.locator('#login-view').isVisible(), true, 'back to the login form');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('hivelink:chat:login')), null);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'chat-refused.png') });
    } finally {
      await browser.close();
      await hub.stop();
    }
  });
});
