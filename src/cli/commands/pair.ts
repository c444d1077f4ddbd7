/**
 * Pairing without typing secrets (issue 17; docs/PROTOCOL.md §17):
 *
 * ```
 * hivelink pair [--name N] [--room R] [--expires MIN] [--url U] [--json]   (on the hub's machine: --data-dir)
 * hivelink pair list [--json] | hivelink pair cancel ID
 * hivelink join CODE [--url U] [--ca FILE | --fingerprint SHA256] [--json]   (on the satellite)
 * ```
 * `pair` prints a one-time code (and its QR code, a `hivelink://join?code=…&url=…` link); `join` pairs over an
 * XXpsk2 handshake keyed by the code and saves the new client's credentials, with the hub's Noise key pinned, in the
 * config dir (`$HIVELINK_CONFIG_DIR`), so `hivelink ask "…"` works with no flags.
 *
 * @module
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import QRCode from 'qrcode';
import { WebSocket } from 'ws';
import { trustingWebSocket } from '../../client/index.js';
import { joinWithCode } from '../../client/pairing.js';
import type { WebSocketConstructor } from '../../client/types.js';
import { nodeBackend } from '../../crypto/backend.node.js';
import { HiveLinkError } from '../../errors.js';
import { LIMIT_DEFS } from '../../limits.js';
import {
  formatPairingCode,
  newPairingCode,
  type PairingCode,
  pairingLink,
  parsePairingCode,
  readPairingLink,
} from '../../session/pairing-code.js';
import type { PairingRecord } from '../../store/pairings.js';
import {
  type AdminContext,
  type CliWriter,
  formatTime,
  registerAdminGroup,
  STDOUT,
  writeJson,
  writeListing,
} from '../admin.js';
import { type ClientCommandOptions, tlsTrust } from '../client-options.js';
import { checkHubUrl, DEFAULT_HUB_URL, type Env, IdentityFile } from '../identity-file.js';
import { runningHubUrl } from './clients.js';

/** Options of `hivelink pair`. */
export interface PairOptions {
  name?: string;
  room?: string;
  /** Minutes the code lives. @default pairingLifetimeMs */
  expires?: number;
  /** The hub URL the QR code carries. @default the running hub's (`hub.url`), else none */
  url?: string;
  json?: boolean;
}

/** What `pair --json` prints. */
export interface PairOutput {
  code: string;
  id: string;
  name: string;
  site_id: string | null;
  /** ISO 8601. */
  expires_at: string;
  url: string | null;
  link: string;
}

function parseMinutes(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > 1440) {
    throw new InvalidArgumentError('expected minutes, more than 0 and at most 1440.');
  }
  return n;
}

/** The QR code of `text` for a terminal (two rows per character). */
export function terminalQr(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
}

/** `hivelink pair`: makes a pending pairing and prints its code, QR code and the join command. */
export async function pairNew({ store, out, dataDir }: AdminContext, opts: PairOptions): Promise<PairOutput> {
  const code: PairingCode = newPairingCode();
  const lifetime = LIMIT_DEFS.pairingLifetimeMs.default;
  const ms = opts.expires === undefined ? lifetime : Math.round(opts.expires * 60_000);
  const url = opts.url === undefined ? await runningHubUrl(store, dataDir) : checkHubUrl(opts.url);
  const record = await store.pairings.create(
    {
      id: code.id,
      secret: code.secret,
      name: opts.name ?? `satellite-${code.id.toLowerCase()}`,
      siteId: opts.room ?? null,
      expiresAt: Date.now() + ms,
    },
    LIMIT_DEFS.maxPendingPairings.default,
  );
  const result: PairOutput = {
    code: formatPairingCode(code),
    id: record.id,
    name: record.name,
    site_id: record.siteId,
    expires_at: new Date(record.expiresAt).toISOString(),
    url,
    link: pairingLink(code, url),
  };
  if (opts.json === true) {
    writeJson(out, result);
    return result;
  }
  const minutes = Math.round(ms / 60_000);
  out.write(
    `Pairing code for "${record.name}"${record.siteId === null ? '' : ` in ${record.siteId}`}:\n\n` +
      `    ${result.code}\n\n` +
      `${await terminalQr(result.link)}\n` +
      `On the satellite run:\n  hivelink join ${result.code}${url === null ? ' --url ws://<this-hub>:5678' : ` --url ${url}`}\n` +
      `The code works once and expires in ${minutes} minute${minutes === 1 ? '' : 's'} (${formatTime(record.expiresAt)})` +
      (ms > lifetime
        ? `, if the hub's pairingLifetimeMs allows it (${lifetime / 60_000} minutes unless set).\n`
        : '.\n'),
  );
  return result;
}

function stateOf(p: PairingRecord, now: number): string {
  if (p.state !== 'pending') return p.state;
  return now >= p.expiresAt ? 'expired' : 'pending';
}

/** `hivelink pair list`: the pairings kept (a day past their expiry). */
export async function pairList({ store, out }: AdminContext, opts: { json?: boolean }): Promise<void> {
  const now = Date.now();
  const items = await store.pairings.list();
  writeListing(out, opts, items, {
    empty: 'No pairing codes. Make one with: hivelink pair --name NAME\n',
    header: ['ID', 'NAME', 'ROOM', 'STATE', 'ATTEMPTS', 'EXPIRES', 'CLIENT'],
    row: (p) => [
      p.id,
      p.name,
      p.siteId ?? '-',
      stateOf(p, now),
      String(p.attempts),
      formatTime(p.expiresAt),
      p.clientId === null ? '-' : String(p.clientId),
    ],
  });
}

/** `hivelink pair cancel ID` (the id is the code's first four characters). */
export async function pairCancel({ store, out }: AdminContext, id: string): Promise<void> {
  const key = id.toUpperCase().split('-')[0]!;
  if (!(await store.pairings.cancel(key))) throw new HiveLinkError('HL_ERR_NOT_FOUND', `no pairing ${key}`);
  out.write(`Cancelled pairing ${key}: its code no longer works.\n`);
}

/** Options of `hivelink join`. */
export interface JoinOptions extends Pick<ClientCommandOptions, 'ca' | 'fingerprint'> {
  url?: string;
  json?: boolean;
}

/**
 * `hivelink join CODE`: pairs with the hub and saves the identity (replacing a saved one).
 * @throws HiveLinkError `HL_ERR_PAIRING_*`, connection and handshake errors
 */
export async function join(
  codeOrLink: string,
  opts: JoinOptions,
  io: { out: CliWriter; env?: Env } = { out: STDOUT },
): Promise<void> {
  const env = io.env ?? process.env;
  const link = readPairingLink(codeOrLink.trim());
  const code = parsePairingCode(link?.code ?? codeOrLink);
  const identity = IdentityFile.fromEnv(env);
  const saved = await identity.readCredentials();
  const url = checkHubUrl(opts.url ?? link?.url ?? env.HIVELINK_URL ?? saved.url ?? DEFAULT_HUB_URL);
  const tls = await tlsTrust(url, opts);
  const stored = await identity.store.getNoisePrivateKey();
  const keyPair = stored === null ? nodeBackend.x25519KeyPair() : nodeBackend.x25519KeyPair(stored);
  if (stored === null) await identity.store.setNoisePrivateKey(keyPair.privateKey);
  const joined = await joinWithCode({
    url,
    code,
    WebSocket: tls === undefined ? (WebSocket as unknown as WebSocketConstructor) : trustingWebSocket(tls),
    backend: nodeBackend,
    staticKeyPair: keyPair,
  });
  await identity.saveCredentials({
    url,
    accessKey: joined.accessKey,
    password: joined.password,
    ...(joined.siteId === null ? {} : { siteId: joined.siteId }),
  });
  await identity.store.set(joined.hostPort, joined.hubNoiseKey);
  if (opts.json === true) {
    writeJson(io.out, {
      client_id: joined.clientId,
      name: joined.name,
      site_id: joined.siteId,
      url,
      access_key: joined.accessKey,
      identity_file: identity.path,
    });
    return;
  }
  io.out.write(
    `Joined ${url} as "${joined.name}" (client ${joined.clientId}${joined.siteId === null ? '' : `, room ${joined.siteId}`}).\n` +
      `Saved the identity to ${identity.path}${saved.accessKey === undefined ? '' : ` (replacing access key ${saved.accessKey})`}.\n` +
      'Try: hivelink ask "what time is it"\n',
  );
}

/** Registers `hivelink pair` (new, list, cancel). */
export function registerPairCommands(program: Command, out: CliWriter = STDOUT): void {
  registerAdminGroup(program, out, {
    name: 'pair',
    description: 'pair a satellite without typing secrets: a one-time code and QR code for hivelink join',
    commands: [
      {
        name: 'new',
        isDefault: true,
        description: 'make a one-time pairing code (the default: hivelink pair --name kitchen)',
        configure: (cmd) =>
          cmd
            .option('--name <name>', "the new client's name (default satellite-<id>)")
            .option('--room <room>', 'its room (site id), e.g. kitchen')
            .option(
              '--expires <minutes>',
              `minutes the code lives (default ${LIMIT_DEFS.pairingLifetimeMs.default / 60_000})`,
              parseMinutes,
            )
            .option('--url <url>', "the hub URL the QR code carries (default the running hub's)"),
        json: true,
        run: async (ctx, opts: PairOptions) => {
          await pairNew(ctx, opts);
        },
      },
      {
        name: 'list',
        description: 'list the pairing codes (pending, expired, used, burnt)',
        json: true,
        run: (ctx, opts: { json?: boolean }) => pairList(ctx, opts),
      },
      {
        name: 'cancel',
        description: 'cancel a pairing code (by its id, the first four characters)',
        args: ['<id>'],
        run: (ctx, id: string) => pairCancel(ctx, id),
      },
    ],
  });
}

/** Registers `hivelink join`. */
export function registerJoinCommand(program: Command, out: CliWriter = STDOUT): void {
  program
    .command('join')
    .description(
      'join a hub with the code hivelink pair printed; saves the new identity for ask/chat/satellite',
    )
    .argument('<code>', 'the pairing code (ABCD-EFGH-JKMN) or its hivelink://join link')
    .option('--url <url>', `hub URL (else the link's, $HIVELINK_URL, the saved one, or ${DEFAULT_HUB_URL})`)
    .option(
      '--ca <file>',
      "for wss://: trust the certificates in this PEM file (a self-signed hub's hivelink.crt)",
    )
    .option('--fingerprint <sha256>', "for wss://: trust the hub's certificate with this SHA-256 fingerprint")
    .option('--json', 'print JSON')
    .action((code: string, opts: JoinOptions) => join(code, opts, { out }));
}
