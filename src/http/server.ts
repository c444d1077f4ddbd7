/**
 * The hub's one port: HTTP routes (fastify) and the HiveMind websocket at `/` on the same server, over TLS when
 * configured.
 *
 * @example
 * ```ts
 * const app = await createHubServer({ hub, config, logger });
 * await app.listen({ host: config.host, port: config.port });
 * ```
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { generate } from 'selfsigned';
import { HiveLinkError } from '../errors.js';
import type { HubConfig } from '../hub/config.js';
import type { Hub } from '../hub/hub.js';
import { ensureDataDir } from '../store/data-dir.js';
import { createFileOnce } from '../store/files.js';
import { registerAdminPage } from './admin-page.js';
import { registerChatPage } from './chat-page.js';
import { registerHealthRoute } from './health.js';
import { authMetrics, readMetricsToken, registerMetrics } from './metrics.js';
import { type RestHouse, type RestSubscriptions, registerRestRoutes } from './rest.js';
import type { RestAdminServices } from './rest-admin.js';
import type { RestJobs } from './rest-jobs.js';
import { UpgradeGuard, type UpgradeGuardStats, upgradeGuardMetrics } from './upgrade-guard.js';

/** Certificate and private key, PEM. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

/** File names of the self-signed pair, in `<dataDir>/tls/`. */
export const SELF_SIGNED_CERT_FILE = 'hivelink.crt';
export const SELF_SIGNED_KEY_FILE = 'hivelink.key';

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `cannot read the TLS ${what} ${file}: ${(err as Error).message}`,
    );
  }
}

/** The content of one file of the self-signed pair, or null when it does not exist (ENOENT and nothing else). */
function readSelfSignedFile(file: string, what: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Unreadable is not missing: regenerating would replace a pair clients may have pinned.
    throw new HiveLinkError(
      'HL_ERR_STORE_UNAVAILABLE',
      `cannot read the self-signed TLS ${what} ${file}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/**
 * A self-signed RSA-2048 certificate for this host (SHA-256, 10 years), generated on first use and kept in
 * `<dataDir>/tls/` (key mode 0600). Only a missing pair is generated.
 *
 * @throws HiveLinkError `HL_ERR_STORE_UNAVAILABLE` when a file of the pair exists but cannot be read (permissions,
 *   a directory in its place…), or only one of the two exists.
 */
export async function loadOrCreateSelfSigned(dataDir: string): Promise<TlsMaterial> {
  const dir = ensureDataDir(join(dataDir, 'tls'));
  const certFile = join(dir, SELF_SIGNED_CERT_FILE);
  const keyFile = join(dir, SELF_SIGNED_KEY_FILE);
  const cert = readSelfSignedFile(certFile, 'certificate');
  const key = readSelfSignedFile(keyFile, 'key');
  if (cert !== null && key !== null) return { cert, key };
  if (cert !== null || key !== null) {
    // A new half would not match the old one; which to keep is the operator's call.
    const [present, missing] = cert !== null ? [certFile, keyFile] : [keyFile, certFile];
    throw new HiveLinkError(
      'HL_ERR_STORE_UNAVAILABLE',
      `the self-signed TLS pair is incomplete: ${present} exists but ${missing} does not; remove ${present} to generate a new pair`,
    );
  }
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 10);
  const pems = await generate([{ name: 'commonName', value: hostname() }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: hostname() },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  // The key first: a reader that sees the certificate always finds its key.
  createFileOnce(keyFile, () => pems.private);
  createFileOnce(certFile, () => pems.cert);
  return { cert: readPem(certFile, 'certificate'), key: readPem(keyFile, 'key') };
}

/** The TLS material the config asks for, or null for plain HTTP. */
export async function loadTlsMaterial(config: HubConfig, dataDir: string): Promise<TlsMaterial | null> {
  const tls = config.tls;
  if (tls === null) return null;
  if (tls.mode === 'files') return { cert: readPem(tls.cert, 'certificate'), key: readPem(tls.key, 'key') };
  return loadOrCreateSelfSigned(dataDir);
}

/** The file of the certificate the hub serves (a self-signed one in `<dataDir>/tls/`), or null for plain HTTP. */
export function tlsCertificateFile(config: HubConfig, dataDir: string): string | null {
  if (config.tls === null) return null;
  return config.tls.mode === 'files' ? config.tls.cert : join(dataDir, 'tls', SELF_SIGNED_CERT_FILE);
}

export interface HubServerInit {
  hub: Hub;
  config: HubConfig;
  logger?: Logger;
  /** TLS certificate and key; null or absent for plain HTTP (see {@link loadTlsMaterial}). @default null */
  tls?: TlsMaterial | null;
  /** The hub's house, for `POST /v1/announce`. @default none (the route answers 503) */
  house?: RestHouse;
  /** The hub's subscriptions, for `/v1/subscriptions`. @default none (those routes answer 503) */
  subscriptions?: RestSubscriptions;
  /** The hub's jobs, for `/v1/jobs`. @default none (those routes answer 503) */
  jobs?: RestJobs;
  /** The client store and skills of the admin API (`/v1/clients`, `/v1/admin/skills`). @default none (503) */
  admin?: RestAdminServices;
}

const guards = new WeakMap<FastifyInstance, UpgradeGuard>();

/**
 * What the pre-upgrade guard of a server from {@link createHubServer} did: connections closed because they sent no
 * complete request within `upgradeTimeoutMs`, and those refused at once by `maxPendingUpgrades(PerIp)`. Null for
 * another server.
 */
export function preUpgradeStats(app: FastifyInstance): UpgradeGuardStats | null {
  return guards.get(app)?.stats ?? null;
}

/**
 * A fastify instance serving `GET /healthz`, `GET /metrics` (`metrics.ts`; the event-loop watchdog runs while it
 * listens), the REST API under `/v1` (`rest.ts`), the browser chat page at `/chat` (`chat-page.ts`) and handing
 * websocket upgrades at `/` to the hub. Other paths refuse
 * the upgrade with 404. Call `listen()` on it; `close()` stops the HTTP side (stop the hub separately).
 *
 * Every TCP connection first goes through the pre-upgrade guard (`upgrade-guard.ts`): it has `upgradeTimeoutMs` to
 * send a complete request or upgrade, and `maxPendingUpgrades(PerIp)` bound how many may be waiting to.
 */
export async function createHubServer(init: HubServerInit): Promise<FastifyInstance> {
  const tls = init.tls ?? null;
  const guard = new UpgradeGuard(init.config.limits);
  const app = fastify({
    logger: false,
    serverFactory: (handler) => {
      // A complete request ends the socket's pending time; from then on Node's and fastify's timeouts apply.
      const onRequest: typeof handler = (req, res) => {
        guard.settled(req.socket as Socket);
        handler(req, res);
      };
      const server = (
        tls === null
          ? createHttpServer(onRequest)
          : createHttpsServer({ cert: tls.cert, key: tls.key }, onRequest)
      ) as Server;
      // `connection` is the TCP socket, before any TLS handshake: the TLS handshake counts against the same time.
      server.on('connection', (socket: Socket) => guard.connection(socket));
      server.on('close', () => guard.close());
      return server;
    },
  });
  guards.set(app, guard);
  registerHealthRoute(app, init.hub);
  registerMetrics(app, {
    hub: init.hub.metrics,
    token: init.config.metricsTokenFile === null ? null : readMetricsToken(init.config.metricsTokenFile),
    eventLoopStallMs: init.config.limits.eventLoopStallMs,
    logger: init.logger ?? init.hub.logger,
    metrics: [...upgradeGuardMetrics(guard), ...authMetrics(init.hub.policy)],
  });
  registerRestRoutes(app, {
    hub: init.hub,
    ...(init.house === undefined ? {} : { house: init.house }),
    ...(init.subscriptions === undefined ? {} : { subscriptions: init.subscriptions }),
    ...(init.jobs === undefined ? {} : { jobs: init.jobs }),
    admin: { ...init.admin, hub: init.hub },
    limits: init.config.limits,
    ...(init.logger === undefined ? {} : { logger: init.logger }),
  });
  registerChatPage(app);
  registerAdminPage(app);
  app.server.on('upgrade', (req, socket, head: Buffer) => {
    guard.settled(socket as Socket);
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/' && path !== '') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    init.hub.handleUpgrade(req, socket, head);
  });
  await app.ready();
  return app;
}
