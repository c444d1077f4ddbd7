#!/usr/bin/env node
// Builds the hub's browser pages: the chat page into dist/chat/ (src/http/chat/app.ts bundled with the browser build
// of the client SDK, beside index.html, style.css and icon.svg) and the admin page into dist/admin/
// (src/http/admin/app.ts, index.html, style.css), with esbuild; both get src/http/base.css, their shared styles. Run by `npm run build`; the hub serves the files
// from dist/ at run time and never needs esbuild. Files are replaced atomically (write, then rename), so a hub
// serving them never reads half a file. Prints each bundle's size; fails when one is over its budget.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Budget for the chat page's app.js, gzipped: the SDK (Noise, legacy ciphers, argon2id in wasm, zlib, since relay
 * mode the sealed messages' HPKE and Ed25519, about 6 KiB, HiveMind INTERCOM with mailbox delivery, under 1 KiB, and
 * resumable file transfers, about 4 KiB) and the page. A few KiB of headroom over what it is.
 */
export const CHAT_BUNDLE_BUDGET_GZIP_BYTES = 118 * 1024;

/** Budget for the admin page's app.js, gzipped: DOM code and fetch calls only, no SDK (about 3 KiB). */
export const ADMIN_BUNDLE_BUDGET_GZIP_BYTES = 8 * 1024;

const root = new URL('..', import.meta.url).pathname;

function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** Bundles `src/http/<page>/app.ts` into `dist/<page>/app.js`, copies `files` beside it, checks the budget. */
async function buildPage(page, files, budget) {
  const source = join(root, 'src/http', page);
  const out = join(root, 'dist', page);
  const result = await build({
    entryPoints: [join(source, 'app.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['es2022'],
    conditions: ['browser'],
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].contents;
  const text = Buffer.from(code).toString('utf8');
  if (/from\s*["']node:|require\(["']node:/.test(text)) {
    console.error(`build-chat: the ${page} bundle imports a Node built-in`);
    process.exit(1);
  }
  const gzip = gzipSync(code, { level: 9 }).length;
  mkdirSync(out, { recursive: true });
  writeAtomically(join(out, 'app.js'), code);
  for (const name of files) writeAtomically(join(out, name), readFileSync(join(source, name)));
  // The pages' shared stylesheet, beside each page's own (each page is served from its folder only).
  writeAtomically(join(out, 'base.css'), readFileSync(join(root, 'src/http/base.css')));
  console.log(
    `${page} page: dist/${page}/app.js ${kib(code.length)} (${kib(gzip)} gzipped; budget ${kib(budget)})`,
  );
  if (gzip > budget) {
    console.error(`build-chat: ${page}/app.js is ${kib(gzip)} gzipped, over its budget of ${kib(budget)}`);
    process.exit(1);
  }
}

await buildPage('chat', ['index.html', 'style.css', 'icon.svg'], CHAT_BUNDLE_BUDGET_GZIP_BYTES);
await buildPage('admin', ['index.html', 'style.css'], ADMIN_BUNDLE_BUDGET_GZIP_BYTES);
