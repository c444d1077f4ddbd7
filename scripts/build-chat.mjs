#!/usr/bin/env node
// Builds the browser chat page into dist/chat/: bundles src/http/chat/app.ts (with the browser build of the client
// SDK) with esbuild and copies index.html, style.css and icon.svg beside it. Run by `npm run build`; the hub serves the files
// from dist/chat/ at run time and never needs esbuild. Files are replaced atomically (write, then rename), so a hub
// serving them never reads half a file. Prints the bundle size; fails when it is over the budget.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Budget for app.js, gzipped: the SDK (Noise, legacy ciphers, argon2id in wasm, zlib, since relay mode the sealed
 * messages' HPKE and Ed25519, about 6 KiB, HiveMind INTERCOM with mailbox delivery, under 1 KiB, and resumable file
 * transfers, about 4 KiB) and the page. A few KiB of headroom over what it is.
 */
export const CHAT_BUNDLE_BUDGET_GZIP_BYTES = 118 * 1024;

const root = new URL('..', import.meta.url).pathname;
const source = join(root, 'src/http/chat');
const out = join(root, 'dist/chat');

function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

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
  console.error('build-chat: the bundle imports a Node built-in');
  process.exit(1);
}
const gzip = gzipSync(code, { level: 9 }).length;
mkdirSync(out, { recursive: true });
writeAtomically(join(out, 'app.js'), code);
for (const name of ['index.html', 'style.css', 'icon.svg'])
  writeAtomically(join(out, name), readFileSync(join(source, name)));
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `chat page: dist/chat/app.js ${kib(code.length)} (${kib(gzip)} gzipped; budget ${kib(CHAT_BUNDLE_BUDGET_GZIP_BYTES)})`,
);
if (gzip > CHAT_BUNDLE_BUDGET_GZIP_BYTES) {
  console.error(
    `build-chat: app.js is ${kib(gzip)} gzipped, over its budget of ${kib(CHAT_BUNDLE_BUDGET_GZIP_BYTES)}`,
  );
  process.exit(1);
}
