/**
 * The browser chat page: `GET /chat` (and `/chat/`) serves the page, `GET /chat/app.js` and `/chat/style.css` its
 * assets, from `dist/chat/` (built by `npm run build` with `scripts/build-chat.mjs`; the hub never bundles at run
 * time). Every answer carries a Content-Security-Policy that allows this origin only (plus WebAssembly compilation,
 * which the argon2id of the v3 handshake needs), no framing, no referrer, and `nosniff`.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The Content-Security-Policy of a page of the hub's: this origin only, nothing inline, no framing; `wasm` adds
 * `'wasm-unsafe-eval'` (WebAssembly compilation, nothing else).
 */
export function pageCsp(options: { wasm: boolean }): string {
  return [
    "default-src 'none'",
    `script-src 'self'${options.wasm ? " 'wasm-unsafe-eval'" : ''}`,
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The page's Content-Security-Policy: this origin only; `'wasm-unsafe-eval'` lets hash-wasm compile argon2id. */
export const CHAT_CSP = pageCsp({ wasm: true });

/** The files of the page, by URL, with their content types. */
export const CHAT_ASSETS: Readonly<Record<string, { file: string; type: string }>> = Object.freeze({
  '/chat': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/chat/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/chat/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/chat/base.css': { file: 'base.css', type: 'text/css; charset=utf-8' },
  '/chat/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/chat/icon.svg': { file: 'icon.svg', type: 'image/svg+xml' },
});

/** `dist/chat/` of this package (the same folder whether this module runs from `src/` or `dist/`). */
export function defaultChatAssetsDir(): string {
  return fileURLToPath(new URL('../../dist/chat/', import.meta.url));
}

export interface ChatPageInit {
  /** Where the built page is. @default {@link defaultChatAssetsDir} */
  assetsDir?: string;
}

/** The security headers of a page of the hub's (the chat page, the admin page), with its CSP. */
function secure(reply: FastifyReply, csp: string = CHAT_CSP): FastifyReply {
  return reply
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cross-origin-resource-policy', 'same-origin')
    .header('cache-control', 'no-cache');
}

/** A built page of the hub's: its files by URL, where they are, its CSP, and what it is called when not built. */
export interface StaticPage {
  readonly assets: Readonly<Record<string, { file: string; type: string }>>;
  readonly dir: string;
  readonly csp: string;
  /** `The chat page`, `The admin page`. */
  readonly name: string;
}

/** Registers the routes of a built page on `app`, with its security headers; files are read once, when first asked. */
export function registerStaticPage(app: FastifyInstance, page: StaticPage): void {
  const cache = new Map<string, Buffer>();
  for (const [url, asset] of Object.entries(page.assets)) {
    app.get(url, async (_request, reply) => {
      let body = cache.get(asset.file);
      if (body === undefined) {
        try {
          body = await readFile(join(page.dir, asset.file));
        } catch {
          return secure(reply, page.csp)
            .code(503)
            .type('text/plain; charset=utf-8')
            .send(`${page.name} is not built: run \`npm run build\` and restart the hub.\n`);
        }
        cache.set(asset.file, body);
      }
      return secure(reply, page.csp).code(200).type(asset.type).send(body);
    });
  }
}

/**
 * Registers the chat page's routes on `app` (call before `app.ready()`), and `GET /` as a redirect to it. Files are
 * read once, when first asked.
 */
export function registerChatPage(app: FastifyInstance, init: ChatPageInit = {}): void {
  registerStaticPage(app, {
    assets: CHAT_ASSETS,
    dir: init.assetsDir ?? defaultChatAssetsDir(),
    csp: CHAT_CSP,
    name: 'The chat page',
  });
  // The hub's root is where a person's browser lands first: send it to the page (websockets upgrade at `/` apart).
  app.get('/', async (_request, reply) => secure(reply).redirect('/chat', 302));
}
