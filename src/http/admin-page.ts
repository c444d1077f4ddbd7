/**
 * The admin page (issue 17): `GET /admin` (and `/admin/`) serves the page, `/admin/app.js`, `/admin/base.css` (the
 * pages' shared `src/http/base.css`) and `/admin/style.css` its assets, from `dist/admin/` (built by `npm run build` with `scripts/build-chat.mjs`). The page logs in with an
 * admin client's REST token (kept in the tab's sessionStorage only) and reads and acts through the admin routes of
 * `rest-admin.ts`. Its CSP is the chat page's without WebAssembly: this origin only, no inline script or style, no
 * framing.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pageCsp, registerStaticPage } from './chat-page.js';

/** The admin page's Content-Security-Policy: the chat page's without WebAssembly (no eval of any kind). */
export const ADMIN_CSP = pageCsp({ wasm: false });

/** The files of the page, by URL, with their content types (the icon is the chat page's). */
export const ADMIN_ASSETS: Readonly<Record<string, { file: string; type: string }>> = Object.freeze({
  '/admin': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/admin/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/admin/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/admin/base.css': { file: 'base.css', type: 'text/css; charset=utf-8' },
  '/admin/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
});

/** `dist/admin/` of this package (the same folder whether this module runs from `src/` or `dist/`). */
export function defaultAdminAssetsDir(): string {
  return fileURLToPath(new URL('../../dist/admin/', import.meta.url));
}

/** Registers the admin page's routes on `app` (call before `app.ready()`). */
export function registerAdminPage(app: FastifyInstance, init: { assetsDir?: string } = {}): void {
  registerStaticPage(app, {
    assets: ADMIN_ASSETS,
    dir: init.assetsDir ?? defaultAdminAssetsDir(),
    csp: ADMIN_CSP,
    name: 'The admin page',
  });
}
