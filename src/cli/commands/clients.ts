/**
 * `hivelink clients …`: add, list, show, remove, rename, history, allow-msg/deny-msg, block-skill/allow-skill,
 * block-intent/allow-intent, set, revoke, token, reset-noise-pin, reset-intercom-pin, reset-relay-keys. A client is
 * named by its id or access key.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { estimatePasswordBits } from '../../crypto/password-strength.js';
import { e2eFingerprint } from '../../crypto/sealed.js';
import { HiveLinkError } from '../../errors.js';
import { intercomKeyFingerprint } from '../../hub/policy/intercom.js';
import { LIMIT_DEFS } from '../../limits.js';
import { ALWAYS_ALLOWED_TYPE } from '../../store/client-fields.js';
import type { ConsentMode } from '../../store/consent.js';
import { resolveDataDir } from '../../store/data-dir.js';
import type { ClientPatch, ClientRecord, ClientStore } from '../../store/types.js';
import {
  type AdminContext,
  type AdminSubcommand,
  type CliWriter,
  type DataDirOptions,
  formatTime,
  NONE,
  parseBool,
  parseMinProtocol,
  parsePositiveInt,
  parseRate,
  registerAdminGroup,
  requireClient,
  STDOUT,
  writeJson,
  writeListing,
} from '../admin.js';
import { HUB_URL_FILE, runningHub } from '../admin-queue.js';
import { importHiveMindClients, readHiveMindClients } from '../hivemind-import.js';
import { checkHubUrl, DEFAULT_HUB_URL, IdentityFile } from '../identity-file.js';
import { resolveIntentName, resolveSkillId, skillCatalog } from '../skills-catalog.js';
import { parseConsentMode } from './consent.js';

/** Options of `clients add`. */
export interface AddClientOptions {
  name: string;
  key?: string;
  password?: string;
  /**
   * Accept a `password` below the strength floor (`minPasswordBits`), and let the hub accept it at connect.
   * @default false
   */
  allowWeakPassword?: boolean;
  /** @default false */
  admin?: boolean;
  /** Its room (site id): the house's rooms (docs/PROTOCOL.md §12.1). @default none (its HELLO's) */
  site?: string;
  /** @default false */
  json?: boolean;
  /** Also save the credentials as this machine's identity for `hivelink ask/chat/satellite`. @default false */
  saveIdentity?: boolean;
  /** The hub URL saved with `saveIdentity`. @default 'ws://127.0.0.1:5678' */
  url?: string;
}

/** `--json` of the read commands. */
export interface JsonOption {
  json?: boolean;
}

/** Options of `clients set`; each one given changes that field. */
export interface SetClientOptions {
  admin?: boolean;
  canBroadcast?: boolean;
  canEscalate?: boolean;
  canPropagate?: boolean;
  /** `none` = the hub default. */
  minProtocol?: number | typeof NONE;
  /** `none` = the hub default. */
  rateLimit?: number | typeof NONE;
  site?: string;
  description?: string;
  /** Let the client connect with a password below the strength floor. */
  allowWeakPassword?: boolean;
  /** Who may message it directly (docs/PROTOCOL.md §12.8). */
  consent?: ConsentMode;
  /** Whether anonymous sealed messages reach it (docs/PROTOCOL.md §13); `store.relay`, not the client row. */
  acceptAnonymous?: boolean;
}

/** The list fields `allow-msg`, `block-skill` etc. edit. */
export type ClientListField = 'allowedTypes' | 'blockedSkills' | 'blockedIntents';

const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const listText = (l: readonly string[]) => (l.length === 0 ? '(none)' : l.join(', '));

/**
 * Refuses a chosen password below the strength floor, as HiveMind does (it is all that protects a captured
 * handshake from offline guessing); generated passwords are 128 random bits.
 * @throws HiveLinkError `HL_ERR_PASSWORD_WEAK`
 */
export function checkPasswordStrength(password: string, minBits = LIMIT_DEFS.minPasswordBits.default): void {
  const bits = estimatePasswordBits(password);
  if (bits >= minBits) return;
  throw new HiveLinkError(
    'HL_ERR_PASSWORD_WEAK',
    `password too weak: about ${Math.floor(bits)} bits of estimated entropy, at least ${minBits} needed; ` +
      'leave out --password for a generated one, or pass --allow-weak-password to keep it ' +
      '(the hub then accepts it for this client only)',
  );
}

/**
 * The URL of the hub running on this data dir, as it wrote it when it started (`hub.url`), or null when no hub runs
 * there (a file left by a hub that died is ignored).
 */
export async function runningHubUrl(store: ClientStore, dataDir: string | undefined): Promise<string | null> {
  if (dataDir === undefined || (await runningHub(store)) === null) return null;
  try {
    const url = readFileSync(join(dataDir, HUB_URL_FILE), 'utf8').trim();
    return url === '' ? null : url;
  } catch {
    return null;
  }
}

/** Options of `clients import`. */
interface ImportOptions {
  from: string;
  dryRun?: boolean;
  json?: boolean;
}

/** `clients import --from hivemind-core PATH [--dry-run]`: see {@link importHiveMindClients}. */
async function clientsImport({ store, out }: AdminContext, path: string, opts: ImportOptions): Promise<void> {
  if (opts.from !== 'hivemind-core') {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `--from ${opts.from}: only hivemind-core can be imported`,
    );
  }
  const report = await importHiveMindClients(store, readHiveMindClients(path), opts.dryRun === true);
  if (opts.json === true) {
    writeJson(out, report);
    return;
  }
  const verb = opts.dryRun === true ? 'Would import' : 'Imported';
  out.write(
    `${verb} ${report.imported.length} client${report.imported.length === 1 ? '' : 's'} from ${path}.\n`,
  );
  for (const c of report.imported) {
    out.write(`  HiveMind ${c.hivemindId} → ${opts.dryRun === true ? '' : `client ${c.id} `}"${c.name}"\n`);
  }
  for (const s of report.skipped) out.write(`  skipped HiveMind ${s.hivemindId}: ${s.reason}\n`);
  if (report.imported.length > 0 && opts.dryRun !== true) {
    out.write('Their satellites connect with the same access key and password (point them at this hub).\n');
  }
}

/** `clients add`: creates a client and prints its access key and password once. */
export async function clientsAdd(
  { store, out, dataDir }: AdminContext,
  opts: AddClientOptions,
): Promise<void> {
  const identityUrl =
    opts.saveIdentity === true
      ? checkHubUrl(opts.url ?? (await runningHubUrl(store, dataDir)) ?? DEFAULT_HUB_URL)
      : null;
  const allowWeak = opts.allowWeakPassword === true;
  if (opts.password !== undefined && !allowWeak) checkPasswordStrength(opts.password);
  const { record, password } = await store.addClient({
    name: opts.name,
    ...(opts.key === undefined ? {} : { accessKey: opts.key }),
    ...(opts.password === undefined ? {} : { password: opts.password }),
    isAdmin: opts.admin === true,
    ...(opts.site === undefined ? {} : { siteId: opts.site }),
    ...(allowWeak ? { allowWeakPassword: true } : {}),
  });
  let saved = '';
  if (identityUrl !== null) {
    const file = IdentityFile.fromEnv();
    await file.saveCredentials({ url: identityUrl, accessKey: record.accessKey, password });
    saved = `Saved for ${identityUrl} as this machine's identity (${file.path}): hivelink ask "what time is it"\n`;
  }
  if (opts.json === true) {
    writeJson(out, { ...record, password });
    return;
  }
  out.write(
    `Added client ${record.id} "${record.name}"${record.isAdmin ? ' (admin)' : ''}.\n` +
      `  access key  ${record.accessKey}\n` +
      `  password    ${password}\n` +
      'Write the password down now: it is not shown again (the hub keeps it encrypted).\n' +
      'Connect with:\n' +
      `  hivelink ask --url ws://<hub-host>:5678 --key ${record.accessKey} --password-prompt "what time is it"\n` +
      saved,
  );
}

/** `clients list`: every client, revoked ones included. */
export async function clientsList({ store, out }: AdminContext, opts: JsonOption): Promise<void> {
  writeListing(out, opts, await store.listClients(), {
    empty: 'No clients. Add one with: hivelink clients add --name NAME\n',
    header: ['ID', 'NAME', 'ACCESS KEY', 'ADMIN', 'STATUS', 'LAST SEEN'],
    row: (c) => [
      String(c.id),
      c.name,
      c.accessKey,
      yesNo(c.isAdmin),
      c.revoked ? 'revoked' : 'active',
      formatTime(c.lastSeen),
    ],
  });
}

/** What `clients show` adds to the record: its relay-mode state (docs/PROTOCOL.md §13), from `store.relay`. */
export interface ClientRelayInfo {
  /** The end-to-end keys it published (pinned), or null. */
  readonly e2eKeys: {
    /** `sha256:` + 16 hex digits, as the SDK's directory names them. */
    readonly fingerprint: string;
    /** All 64 hex digits. */
    readonly fingerprintFull: string;
    /** Base64 of the 32-byte public keys. */
    readonly x25519: string;
    readonly ed25519: string;
    readonly publishedAt: number;
  } | null;
  /** False: anonymous sealed messages to it are refused (`clients set ID --accept-anonymous no`). */
  readonly acceptAnonymous: boolean;
}

/** A client record as `clients show` and `clients set` print it: the record and its relay-mode state. */
export type ShownClient = ClientRecord & { readonly relay: ClientRelayInfo };

async function withRelay(store: ClientStore, c: ClientRecord): Promise<ShownClient> {
  const keys = await store.relay.keys(c.id);
  let e2eKeys: ClientRelayInfo['e2eKeys'] = null;
  if (keys !== null) {
    const [x, e] = [Buffer.from(keys.x25519, 'base64'), Buffer.from(keys.ed25519, 'base64')];
    e2eKeys = {
      fingerprint: e2eFingerprint(x, e),
      fingerprintFull: e2eFingerprint(x, e, true),
      x25519: keys.x25519,
      ed25519: keys.ed25519,
      publishedAt: keys.publishedAt,
    };
  }
  return { ...c, relay: { e2eKeys, acceptAnonymous: await store.relay.acceptsAnonymous(c.id) } };
}

function describe(c: ShownClient): string {
  const e2e = c.relay.e2eKeys;
  const rows: [string, string][] = [
    ['id', String(c.id)],
    ['name', c.name],
    ['access key', c.accessKey],
    ['status', c.revoked ? 'revoked' : 'active'],
    ['site', c.siteId ?? '(none)'],
    ['description', c.description === '' ? '(none)' : c.description],
    ['admin', yesNo(c.isAdmin)],
    ['can broadcast', yesNo(c.canBroadcast)],
    ['can escalate', yesNo(c.canEscalate)],
    ['can propagate', yesNo(c.canPropagate)],
    ['allowed types', listText(c.allowedTypes)],
    ['blocked skills', listText(c.blockedSkills)],
    ['blocked intents', listText(c.blockedIntents)],
    ['min protocol', c.minProtocol === null ? 'hub default' : String(c.minProtocol)],
    [
      'rate limit',
      c.rateLimitPerSecond === null
        ? 'hub default'
        : c.rateLimitPerSecond === 0
          ? 'unlimited'
          : `${c.rateLimitPerSecond}/s`,
    ],
    ['noise pin', c.noisePubkey ?? '(none)'],
    ['intercom pin', c.intercomPubkey === null ? '(none)' : intercomKeyFingerprint(c.intercomPubkey, true)],
    ['e2e keys', e2e === null ? '(none)' : `${e2e.fingerprint} (${e2e.fingerprintFull})`],
    ['accept anonymous', yesNo(c.relay.acceptAnonymous)],
    ['weak password', c.allowWeakPassword ? 'allowed' : 'refused'],
    ['consent', c.consent],
    ['created', formatTime(c.createdAt)],
    ['last seen', formatTime(c.lastSeen)],
  ];
  return rows.map(([k, v]) => `${k.padEnd(17)}${v}\n`).join('');
}

/** `clients show ID`. */
export async function clientsShow(
  { store, out }: AdminContext,
  idOrKey: string,
  opts: JsonOption,
): Promise<void> {
  const client = await withRelay(store, await requireClient(store, idOrKey));
  if (opts.json === true) writeJson(out, client);
  else out.write(describe(client));
}

/** `clients remove ID`: deletes the client and its history; its id is never reused. */
export async function clientsRemove({ store, out }: AdminContext, idOrKey: string): Promise<void> {
  const client = await requireClient(store, idOrKey);
  await store.removeClient(client.id);
  out.write(`Removed client ${client.id} "${client.name}".\n`);
}

/** `clients rename ID NAME`. */
export async function clientsRename(
  { store, out }: AdminContext,
  idOrKey: string,
  name: string,
): Promise<void> {
  const client = await requireClient(store, idOrKey);
  const renamed = await store.renameClient(client.id, name);
  out.write(`Renamed client ${renamed.id} "${client.name}" to "${renamed.name}".\n`);
}

/** `clients history ID`: the client's latest connections, newest first. */
export async function clientsHistory(
  { store, out }: AdminContext,
  idOrKey: string,
  opts: JsonOption & { limit?: number },
): Promise<void> {
  const client = await requireClient(store, idOrKey);
  writeListing(out, opts, await store.history(client.id, opts.limit), {
    empty: `Client ${client.id} has no recorded connections.\n`,
    header: ['STARTED', 'ENDED', 'IP', 'PROTOCOL', 'CIPHER', 'CLOSE'],
    row: (r) => [
      formatTime(r.startedAt),
      r.endedAt === null ? '-' : formatTime(r.endedAt),
      r.ip,
      r.protocol === null ? '-' : `v${r.protocol}`,
      r.cipher ?? '-',
      r.closeCode === null ? '-' : `${r.closeCode}${r.closeReason ? ` ${r.closeReason}` : ''}`,
    ],
  });
}

const LIST_WORDS: Record<ClientListField, { add: string; remove: string; noun: string }> = {
  allowedTypes: { add: 'may now send', remove: 'may no longer send', noun: 'message type' },
  blockedSkills: { add: 'is now blocked from skill', remove: 'may now use skill', noun: 'skill' },
  blockedIntents: { add: 'is now blocked from intent', remove: 'may now use intent', noun: 'intent' },
};

/**
 * The skill id or full intent name `name` stands for, among the skills of the data dir (the running hub's, else
 * what it would load).
 * @throws HiveLinkError HL_ERR_UNKNOWN_SKILL, HL_ERR_UNKNOWN_INTENT
 */
async function knownSkillName(
  store: ClientStore,
  opts: DataDirOptions,
  field: 'blockedSkills' | 'blockedIntents',
  name: string,
): Promise<string> {
  const skills = await skillCatalog(store, resolveDataDir({ flag: opts.dataDir }));
  return field === 'blockedSkills' ? resolveSkillId(skills, name) : resolveIntentName(skills, name);
}

/** `allow-msg`, `deny-msg`, `block-skill`, `allow-skill`, `block-intent`, `allow-intent`: edits one list. */
export async function clientsEditList(
  { store, out }: AdminContext,
  idOrKey: string,
  field: ClientListField,
  op: 'add' | 'remove',
  given: string,
  opts: DataDirOptions = {},
): Promise<void> {
  const client = await requireClient(store, idOrKey);
  // A block takes what `hivelink skills list` shows (a short name too) and refuses what no skill has; an unblock
  // takes any entry, so a stale one can still be removed.
  const value =
    op === 'add' && field !== 'allowedTypes' ? await knownSkillName(store, opts, field, given) : given;
  if (field === 'allowedTypes' && op === 'remove' && value === ALWAYS_ALLOWED_TYPE) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${ALWAYS_ALLOWED_TYPE} is always allowed`);
  }
  const list = client[field];
  const has = list.includes(value);
  const words = LIST_WORDS[field];
  if (has === (op === 'add')) {
    out.write(
      `Client ${client.id} already ${op === 'add' ? 'has' : 'does not have'} ${words.noun} ${value}.\n`,
    );
    return;
  }
  const next = op === 'add' ? [...list, value] : list.filter((v) => v !== value);
  await store.updateClient(client.id, { [field]: next });
  out.write(`Client ${client.id} ${words[op]} ${value}.\n`);
}

/** True when `opts` changes at least one field. */
export function setOptionsGiven(opts: SetClientOptions): boolean {
  return Object.values(opts).some((v) => v !== undefined);
}

/** `clients set ID --admin B …`: changes the given fields and prints the result. */
export async function clientsSet(
  { store, out }: AdminContext,
  idOrKey: string,
  opts: SetClientOptions & JsonOption,
): Promise<void> {
  const client = await requireClient(store, idOrKey);
  const patch: ClientPatch = {};
  if (opts.admin !== undefined) patch.isAdmin = opts.admin;
  if (opts.canBroadcast !== undefined) patch.canBroadcast = opts.canBroadcast;
  if (opts.canEscalate !== undefined) patch.canEscalate = opts.canEscalate;
  if (opts.canPropagate !== undefined) patch.canPropagate = opts.canPropagate;
  if (opts.minProtocol !== undefined) patch.minProtocol = opts.minProtocol === NONE ? null : opts.minProtocol;
  if (opts.rateLimit !== undefined)
    patch.rateLimitPerSecond = opts.rateLimit === NONE ? null : opts.rateLimit;
  if (opts.site !== undefined) patch.siteId = opts.site;
  if (opts.description !== undefined) patch.description = opts.description;
  if (opts.allowWeakPassword !== undefined) patch.allowWeakPassword = opts.allowWeakPassword;
  if (opts.consent !== undefined) patch.consent = opts.consent;
  if (opts.acceptAnonymous !== undefined)
    await store.relay.setAcceptAnonymous(client.id, opts.acceptAnonymous);
  const updated = await withRelay(store, await store.updateClient(client.id, patch));
  if (opts.json === true) writeJson(out, updated);
  else out.write(`Updated client ${updated.id}.\n${describe(updated)}`);
}

/** `clients revoke ID`: the access key stops working; the row and id stay. */
export async function clientsRevoke({ store, out }: AdminContext, idOrKey: string): Promise<void> {
  const client = await requireClient(store, idOrKey);
  await store.revokeClient(client.id);
  out.write(`Revoked client ${client.id} "${client.name}": its access key no longer works.\n`);
}

/** `clients reset-noise-pin ID`: the next v3 handshake pins the client's key again. */
export async function clientsResetNoisePin({ store, out }: AdminContext, idOrKey: string): Promise<void> {
  const client = await requireClient(store, idOrKey);
  await store.clearNoisePin(client.id);
  out.write(`Cleared the Noise pin of client ${client.id}; its next v3 handshake pins a key again.\n`);
}

/** `clients reset-intercom-pin ID`: the client's next HELLO pins the RSA key it announces (INTERCOM) again. */
export async function clientsResetIntercomPin({ store, out }: AdminContext, idOrKey: string): Promise<void> {
  const client = await requireClient(store, idOrKey);
  await store.clearIntercomPin(client.id);
  out.write(
    `Cleared the INTERCOM key pin of client ${client.id}; the next key its HELLO announces is pinned.\n`,
  );
}

/** `clients reset-relay-keys ID`: the next end-to-end keys the client publishes are pinned (docs/PROTOCOL.md §13). */
export async function clientsResetRelayKeys({ store, out }: AdminContext, idOrKey: string): Promise<void> {
  const client = await requireClient(store, idOrKey);
  await store.relay.clearKeys(client.id);
  out.write(
    `Cleared the end-to-end keys pinned to client ${client.id}; the next keys it publishes are pinned.\n`,
  );
}

/** Options of `clients token`. */
export interface TokenOptions extends JsonOption {
  /** Revoke this token instead of issuing one. */
  revoke?: string;
}

/**
 * `clients token ID`: issues a REST API bearer token for the client and prints it once (only its SHA-256 is
 * stored); `--revoke TOKEN` forgets one of the client's tokens.
 */
export async function clientsToken(
  { store, out }: AdminContext,
  idOrKey: string,
  opts: TokenOptions,
): Promise<void> {
  const client = await requireClient(store, idOrKey);
  if (opts.revoke !== undefined) {
    const owner = await store.clientForToken(opts.revoke);
    if (owner === null || owner.id !== client.id || !(await store.revokeToken(opts.revoke))) {
      throw new HiveLinkError('HL_ERR_NOT_FOUND', `client ${client.id} has no such token`);
    }
    if (opts.json === true) writeJson(out, { client_id: client.id, revoked: true });
    else out.write(`Revoked the token of client ${client.id} "${client.name}".\n`);
    return;
  }
  if (client.revoked) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `client ${client.id} is revoked: it cannot get a token`,
    );
  }
  const token = await store.issueToken(client.id);
  if (opts.json === true) {
    writeJson(out, { client_id: client.id, token });
    return;
  }
  out.write(
    `REST API token for client ${client.id} "${client.name}" (shown once; only its hash is stored):\n` +
      `${token}\n` +
      `Use it as: Authorization: Bearer <token>   (POST /v1/ask)\n`,
  );
}

type Opts = DataDirOptions & JsonOption;

/** The subcommands that add a value to or remove it from one of a client's lists. */
const LIST_COMMANDS: [string, string, ClientListField, 'add' | 'remove', string][] = [
  ['allow-msg', 'type', 'allowedTypes', 'add', 'let a client send a message type'],
  ['deny-msg', 'type', 'allowedTypes', 'remove', 'stop a client sending a message type'],
  ['block-skill', 'skill', 'blockedSkills', 'add', 'block a skill for a client'],
  ['allow-skill', 'skill', 'blockedSkills', 'remove', 'unblock a skill for a client'],
  ['block-intent', 'intent', 'blockedIntents', 'add', 'block an intent for a client'],
  ['allow-intent', 'intent', 'blockedIntents', 'remove', 'unblock an intent for a client'],
];

/** A subcommand of one client, named by its id or access key, that takes nothing else. */
const oneClient = (
  name: string,
  description: string,
  run: (ctx: AdminContext, idOrKey: string) => Promise<void>,
): AdminSubcommand => ({ name, description, args: ['<id>'], run });

/** The subcommands of `hivelink clients`, in the order its help lists them. */
const CLIENTS_COMMANDS: readonly AdminSubcommand[] = [
  {
    name: 'add',
    description: 'add a client; prints its access key and password once',
    configure: (cmd) =>
      cmd
        .requiredOption('--name <name>', 'a name for the client')
        .option('--key <key>', 'access key (default: 32 random hex characters)')
        .option('--password <password>', 'password (default: 32 random hex characters)')
        .option(
          '--allow-weak-password',
          `keep a --password below ${LIMIT_DEFS.minPasswordBits.default} bits of estimated entropy (the hub accepts it for this client)`,
        )
        .option('--admin', 'make the client an admin', false)
        .option('--site <site>', 'its room (site id), e.g. kitchen: hivelink rooms')
        .option('--json', 'print JSON')
        .option(
          '--save-identity',
          'also save the credentials for hivelink ask/chat/satellite on this machine',
        )
        .option('--url <url>', 'the hub URL saved with --save-identity (default ws://127.0.0.1:5678)'),
    run: (ctx, opts: AddClientOptions & DataDirOptions) => clientsAdd(ctx, opts),
  },
  {
    name: 'list',
    description: 'list every client',
    json: true,
    run: (ctx, opts: Opts) => clientsList(ctx, opts),
  },
  {
    name: 'import',
    description: "add a HiveMind hub's clients with their access keys, passwords and permissions",
    args: [['<path>', 'its database: ~/.local/share/hivemind-core/clients.json or clients.db']],
    configure: (cmd) =>
      cmd
        .requiredOption('--from <kind>', 'what the database is: hivemind-core')
        .option('--dry-run', 'only say what would be imported'),
    json: true,
    run: (ctx, path: string, opts: ImportOptions) => clientsImport(ctx, path, opts),
  },
  {
    name: 'show',
    description: 'show one client',
    args: ['<id>'],
    json: true,
    run: (ctx, id: string, opts: Opts) => clientsShow(ctx, id, opts),
  },
  oneClient('remove', 'delete a client and its history', clientsRemove),
  {
    name: 'rename',
    description: 'rename a client',
    args: ['<id>', '<name>'],
    run: (ctx, id: string, name: string) => clientsRename(ctx, id, name),
  },
  {
    name: 'history',
    description: "show a client's latest connections",
    args: ['<id>'],
    configure: (cmd) => cmd.option('--limit <n>', 'how many (default 50)', parsePositiveInt),
    json: true,
    run: (ctx, id: string, opts: Opts & { limit?: number }) => clientsHistory(ctx, id, opts),
  },
  ...LIST_COMMANDS.map(
    ([name, arg, field, op, description]): AdminSubcommand => ({
      name,
      description,
      args: [`<${arg}>`, '<id>'],
      run: (ctx, value: string, id: string, opts: DataDirOptions) =>
        clientsEditList(ctx, id, field, op, value, opts),
    }),
  ),
  {
    name: 'set',
    description: "change a client's permissions and limits",
    args: ['<id>'],
    configure: (cmd) =>
      cmd
        .option('--admin <bool>', 'admin (true/false)', parseBool)
        .option('--can-broadcast <bool>', 'may send BROADCAST', parseBool)
        .option('--can-escalate <bool>', 'may send ESCALATE', parseBool)
        .option('--can-propagate <bool>', 'may send PROPAGATE', parseBool)
        .option('--min-protocol <n>', 'lowest protocol version: 1, 2, 3 or none', parseMinProtocol)
        .option(
          '--rate-limit <n>',
          'messages per second, none (the hub default) or unlimited (a trusted bridge)',
          parseRate,
        )
        .option('--site <site>', 'site id ("" clears it)')
        .option('--description <text>', 'free text')
        .option(
          '--allow-weak-password <bool>',
          'let the client connect with a password below the strength floor',
          parseBool,
        )
        .option(
          '--consent <mode>',
          'direct messages from other rooms: ask (the first time), allow (all) or deny (all)',
          parseConsentMode,
        )
        .option('--accept-anonymous <bool>', 'let anonymous sealed messages reach it (yes/no)', parseBool)
        .option('--json', 'print JSON')
        // A usage error before the store is opened.
        .hook('preAction', (set) => {
          const {
            dataDir: _d,
            secretsKeyFile: _k,
            json: _j,
            ...changes
          } = set.opts<Opts & SetClientOptions>();
          if (!setOptionsGiven(changes))
            set.error('error: clients set needs at least one option to change', {
              exitCode: 2,
              code: 'hivelink.usage',
            });
        }),
    run: (ctx, id: string, opts: Opts & SetClientOptions) => clientsSet(ctx, id, opts),
  },
  oneClient('revoke', 'revoke a client: its access key stops working', clientsRevoke),
  {
    name: 'token',
    description: 'issue a REST API bearer token for a client (printed once), or --revoke one',
    args: ['<id>'],
    configure: (cmd) => cmd.option('--revoke <token>', 'revoke this token of the client instead'),
    json: true,
    run: (ctx, id: string, opts: Opts & TokenOptions) => clientsToken(ctx, id, opts),
  },
  oneClient(
    'reset-noise-pin',
    "forget a client's pinned Noise key (after it was reinstalled)",
    clientsResetNoisePin,
  ),
  oneClient(
    'reset-intercom-pin',
    "forget the RSA key pinned to a client's INTERCOM address (after it changed its key)",
    clientsResetIntercomPin,
  ),
  oneClient(
    'reset-relay-keys',
    'forget the end-to-end keys pinned to a client (after it lost or changed them)',
    clientsResetRelayKeys,
  ),
];

/**
 * Registers `hivelink clients …` on `program`.
 *
 * @param out - where command output goes. @default process stdout
 */
export function registerClientsCommands(program: Command, out: CliWriter = STDOUT): Command {
  return registerAdminGroup(program, out, {
    name: 'clients',
    description: 'manage the clients (satellites) allowed to connect: ID is a client id or access key',
    commands: CLIENTS_COMMANDS,
  });
}
