/**
 * Chromium for the browser tests: Debian's (`$CHROMIUM`, else `/usr/bin/chromium`), driven by playwright-core, never
 * a downloaded browser. Without it a test fails in CI (`CI` set) and is skipped with a loud message elsewhere.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True (and the test skipped, or failed in CI) when there is no Chromium; `what` names the tests. */
export function chromiumMissing(t: TestContext, what: string): boolean {
  if (existsSync(CHROMIUM)) return false;
  const message = `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM`;
  if (process.env.CI !== undefined && process.env.CI !== '') throw new Error(message);
  console.error(`\n!!! SKIPPING ${what}: ${message} !!!\n`);
  t.skip(message);
  return true;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Page errors, console errors and CSP violations. */
  problems: string[];
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile and one page; `tls` accepts the hub's self-signed certificate. */
export async function openChromium(
  options: { tls?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'hivelink-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.tls === true ? ['--ignore-certificate-errors'] : [])],
    viewport: options.viewport ?? { width: 900, height: 640 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) problems.push(msg.text());
  });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
