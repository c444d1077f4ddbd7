/**
 * `hivelink identity set|show|forget-hub`: the saved identity of the terminal clients (`<config dir>/identity.json`,
 * mode 0600), so a person types the hub URL, access key and password once.
 *
 * ```
 * hivelink identity set [--url U] --key K (--password P | --psk HEX) [--site S]
 * hivelink identity show [--json]          (never prints the password or PSK)
 * hivelink identity forget-hub HOST:PORT   (drop the pinned Noise key of a reinstalled hub)
 * ```
 *
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { nodeBackend } from '../../crypto/backend.node.js';
import { parseProvisionedPsk } from '../../crypto/psk.js';
import { HiveLinkError } from '../../errors.js';
import { type CliWriter, STDOUT, table, writeJson } from '../admin.js';
import {
  checkHubUrl,
  DEFAULT_HUB_URL,
  type Env,
  IdentityFile,
  type SavedCredentials,
} from '../identity-file.js';

/** Options of `identity set`. */
export interface IdentitySetOptions {
  url?: string;
  key: string;
  password?: string;
  psk?: string;
  site?: string;
}

/** Where the identity commands write, and the environment naming the config dir. */
export interface IdentityIo {
  out: CliWriter;
  env?: Env;
}

/** What `identity show --json` prints. */
export interface IdentitySummary {
  path: string;
  exists: boolean;
  url: string | null;
  accessKey: string | null;
  secret: 'password' | 'psk' | null;
  siteId: string | null;
  noisePublicKey: string | null;
  pinnedHubs: Record<string, string>;
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/**
 * `identity set`: saves the credentials (keeping the Noise key and pins).
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for a bad URL or PSK, or neither/both of password and PSK
 */
export async function identitySet(opts: IdentitySetOptions, io: IdentityIo): Promise<void> {
  if ((opts.password === undefined) === (opts.psk === undefined)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'give exactly one of --password and --psk');
  }
  if (opts.psk !== undefined) {
    try {
      parseProvisionedPsk(opts.psk);
    } catch (err) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `--psk: ${(err as Error).message}`);
    }
  }
  const file = IdentityFile.fromEnv(io.env);
  const previous = await file.readCredentials();
  const url = checkHubUrl(opts.url ?? previous.url ?? DEFAULT_HUB_URL);
  const creds: SavedCredentials = {
    url,
    accessKey: opts.key,
    ...(opts.password === undefined ? {} : { password: opts.password }),
    ...(opts.psk === undefined ? {} : { psk: opts.psk }),
    ...(opts.site === undefined ? {} : { siteId: opts.site }),
  };
  await file.saveCredentials(creds);
  io.out.write(`Saved the identity for ${url} (access key ${opts.key}) to ${file.path}\n`);
}

/** The saved identity without secrets. @throws HiveLinkError `HL_ERR_KEY_FILE` for an unreadable file */
export async function identitySummary(env?: Env): Promise<IdentitySummary> {
  const file = IdentityFile.fromEnv(env);
  const creds = await file.readCredentials();
  const privateKey = await file.store.getNoisePrivateKey();
  const pins = await file.pins();
  const exists = privateKey !== null || Object.keys(creds).length > 0 || Object.keys(pins).length > 0;
  return {
    path: file.path,
    exists,
    url: creds.url ?? null,
    accessKey: creds.accessKey ?? null,
    secret: creds.password !== undefined ? 'password' : creds.psk !== undefined ? 'psk' : null,
    siteId: creds.siteId ?? null,
    noisePublicKey: privateKey === null ? null : toHex(nodeBackend.x25519KeyPair(privateKey).publicKey),
    pinnedHubs: pins,
  };
}

/** `identity show`: the file's path, URL, key, site, Noise public key and pinned hubs; never the secret. */
export async function identityShow(opts: { json?: boolean }, io: IdentityIo): Promise<void> {
  const s = await identitySummary(io.env);
  if (opts.json === true) {
    writeJson(io.out, s);
    return;
  }
  const none = '(none)';
  const rows: [string, string][] = [
    ['identity file', s.exists ? s.path : `${s.path} (not created yet)`],
    ['hub URL', s.url ?? none],
    ['access key', s.accessKey ?? none],
    ['secret', s.secret === null ? none : `${s.secret} saved (not shown)`],
    ['site', s.siteId ?? none],
    ['noise key', s.noisePublicKey ?? '(none yet: made on the first connection)'],
  ];
  io.out.write(rows.map(([k, v]) => `${k.padEnd(15)}${v}\n`).join(''));
  const pins = Object.entries(s.pinnedHubs);
  if (pins.length === 0) io.out.write(`${'pinned hubs'.padEnd(15)}${none}\n`);
  else io.out.write(`pinned hubs:\n${table(['HUB', 'NOISE KEY'], pins)}`);
}

/** Parses `HOST:PORT` (IPv6 in brackets). */
export function parseHostPort(value: string): string {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(value);
  if (m === null || Number(m[2]) > 65535) throw new InvalidArgumentError('expected HOST:PORT.');
  return value;
}

/**
 * `identity forget-hub HOST:PORT`: forgets the pinned Noise key of a hub, so the next connection pins its new key.
 * @throws HiveLinkError `HL_ERR_NOT_FOUND` when no key is pinned for it
 */
export async function identityForgetHub(hostPort: string, io: IdentityIo): Promise<void> {
  const file = IdentityFile.fromEnv(io.env);
  const pins = await file.pins();
  if (!(hostPort in pins)) {
    const known = Object.keys(pins);
    throw new HiveLinkError(
      'HL_ERR_NOT_FOUND',
      `no hub key is pinned for ${hostPort}${known.length === 0 ? '' : ` (pinned: ${known.join(', ')})`}`,
    );
  }
  await file.store.delete(hostPort);
  io.out.write(
    `Forgot the Noise key pinned for ${hostPort}; the next connection pins the hub's current key.\n`,
  );
}

/** Adds `hivelink identity …` to `program`. */
export function registerIdentityCommands(program: Command, out: CliWriter = STDOUT): Command {
  const io: IdentityIo = { out };
  const identity = program
    .command('identity')
    .description('the saved hub URL, access key and password of ask, chat and satellite')
    .addHelpText(
      'after',
      '\nThe file is <config dir>/identity.json (mode 0600); the config dir is $HIVELINK_CONFIG_DIR, else\n' +
        "$XDG_CONFIG_HOME/hivelink, else ~/.config/hivelink. It also keeps this machine's Noise key (the hub\n" +
        'recognises the client by it) and the Noise keys of the hubs it has met, per HOST:PORT.',
    );
  identity
    .command('set')
    .description('save the hub URL, access key and password (or PSK), so ask/chat/satellite need no flags')
    .option('--url <url>', `hub URL (default: the saved one, else ${DEFAULT_HUB_URL})`)
    .requiredOption('--key <key>', 'access key')
    .option('--password <password>', 'password')
    .option('--psk <hex>', 'a provisioned v3 PSK (64 hex characters), instead of the password')
    .option('--site <site>', 'site id sent to the hub')
    .action((opts: IdentitySetOptions) => identitySet(opts, io));
  identity
    .command('show')
    .description('show the saved identity (never the password)')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => identityShow(opts, io));
  identity
    .command('forget-hub')
    .description("forget a hub's pinned Noise key (after the hub was reinstalled)")
    .argument('<host:port>', 'the hub, e.g. 127.0.0.1:5678', parseHostPort)
    .action((hostPort: string) => identityForgetHub(hostPort, io));
  return identity;
}
