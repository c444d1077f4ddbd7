/**
 * The saved identity of the terminal clients (`hivelink ask`, `chat`, `satellite`): one JSON file,
 * `<config dir>/identity.json` (mode 0600), holding the hub URL, access key, password (or v3 PSK) and site, beside
 * the client's Noise static key (`noise_key`) and the hub keys it pinned (`pinned_noise_keys`), which the SDK's
 * {@link FileIdentityStore} reads and writes in the same file.
 *
 * Credentials resolve field by field: flag, else environment (`HIVELINK_URL`, `HIVELINK_KEY`, `HIVELINK_PASSWORD`,
 * `HIVELINK_PSK`), else the file. A saved password or PSK is only used with the saved access key.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { FileIdentityStore } from '../client/identity-store.node.js';
import { KeyFile, type KeyFileData } from '../client/key-file.node.js';
import { hubEndpoint } from '../client/url.js';
import { HiveLinkError } from '../errors.js';

/** The hub URL used when neither a flag, the environment nor the identity file names one. */
export const DEFAULT_HUB_URL = 'ws://127.0.0.1:5678';

/** The name of the identity file in the config dir. */
export const IDENTITY_FILE_NAME = 'identity.json';

/** The environment the credentials may come from (the process environment by default). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Credentials as given on the command line. */
export interface CredentialFlags {
  url?: string;
  key?: string;
  password?: string;
  psk?: string;
  site?: string;
}

/** What the identity file holds besides the keys the SDK manages. */
export interface SavedCredentials {
  url?: string;
  accessKey?: string;
  password?: string;
  psk?: string;
  siteId?: string;
}

/** Where one credential came from. */
export type CredentialSource = 'flag' | 'env' | 'file' | 'default';

/** Credentials ready for `createHiveClient`. */
export interface ResolvedCredentials {
  url: string;
  accessKey: string;
  password?: string;
  psk?: string;
  siteId?: string;
  sources: { url: CredentialSource; accessKey: CredentialSource; secret: CredentialSource };
}

const FIELDS = {
  url: 'url',
  accessKey: 'access_key',
  password: 'password',
  psk: 'psk',
  siteId: 'site_id',
} as const satisfies Record<keyof SavedCredentials, string>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}

/**
 * The config dir: `$HIVELINK_CONFIG_DIR`, else `$XDG_CONFIG_HOME/hivelink`, else `~/.config/hivelink`
 * (relative values are ignored, as the XDG spec asks).
 */
export function resolveConfigDir(env: Env = process.env): string {
  const own = nonEmpty(env.HIVELINK_CONFIG_DIR);
  if (own !== undefined) return own;
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(nonEmpty(env.HOME) ?? homedir(), '.config');
  return join(base, 'hivelink');
}

/** `<config dir>/identity.json`. */
export function identityFilePath(env: Env = process.env): string {
  return join(resolveConfigDir(env), IDENTITY_FILE_NAME);
}

/** Where a HiveMind satellite keeps its identity: `$XDG_CONFIG_HOME/hivemind/_identity.json` (else `~/.config`). */
export function hivemindIdentityPath(env: Env = process.env): string {
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(nonEmpty(env.HOME) ?? homedir(), '.config');
  return join(base, 'hivemind', '_identity.json');
}

/**
 * The credentials in a HiveMind satellite's identity file (`hivemind-client set-identity` writes it: `access_key`,
 * `password`, `default_master`, `default_port`, `site_id`), so a machine set up for HiveMind needs no flags; `{}` when
 * there is none or it cannot be read (it is HiveMind's file: never an error of ours).
 */
export function readHiveMindIdentity(env: Env = process.env): SavedCredentials {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(readFileSync(hivemindIdentityPath(env), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
  if (data === null || typeof data !== 'object') return {};
  const text = (key: string) => (typeof data[key] === 'string' && data[key] !== '' ? data[key] : undefined);
  const out: SavedCredentials = {};
  const accessKey = text('access_key');
  const password = text('password');
  const siteId = text('site_id');
  if (accessKey !== undefined) out.accessKey = accessKey;
  if (password !== undefined) out.password = password;
  if (siteId !== undefined) out.siteId = siteId;
  const master = text('default_master');
  if (master !== undefined) {
    const withScheme = /^wss?:\/\//.test(master) ? master : `ws://${master}`;
    const port = data.default_port;
    const hasPort = /^wss?:\/\/(\[[^\]]+\]|[^/:]+):\d+/.test(withScheme);
    out.url = hasPort || typeof port !== 'number' ? withScheme : `${withScheme.replace(/\/+$/, '')}:${port}`;
  }
  return out;
}

/** Checks a hub URL the way the client will use it, so a bad one fails before anything is saved. */
export function checkHubUrl(url: string): string {
  hubEndpoint(url, 'hivelink', 'check', 'raw');
  return url;
}

/** The identity file: saved credentials plus the SDK's Noise key and pins (see the module documentation). */
export class IdentityFile {
  readonly path: string;
  /** The SDK store for the client's Noise key and the pinned hub keys, backed by this same file. */
  readonly store: FileIdentityStore;
  readonly #file: KeyFile;

  constructor(path: string) {
    this.path = path;
    this.#file = new KeyFile(path);
    this.store = new FileIdentityStore(path);
  }

  /** The file in the config dir named by `env`. */
  static fromEnv(env: Env = process.env): IdentityFile {
    return new IdentityFile(identityFilePath(env));
  }

  /** The saved credentials (`{}` when the file does not exist). @throws HiveLinkError `HL_ERR_KEY_FILE` */
  async readCredentials(): Promise<SavedCredentials> {
    const data = await this.#file.read();
    const out: SavedCredentials = {};
    for (const [field, key] of Object.entries(FIELDS) as [keyof SavedCredentials, string][]) {
      const value = data[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') {
        throw new HiveLinkError('HL_ERR_KEY_FILE', `${this.path}: ${key} must be a string`);
      }
      out[field] = value;
    }
    return out;
  }

  /**
   * Replaces the saved credentials (the Noise key and pins are kept). A new password drops a saved PSK and the
   * other way round; `siteId` undefined removes the saved site.
   * @throws HiveLinkError `HL_ERR_KEY_FILE`
   */
  async saveCredentials(creds: SavedCredentials): Promise<void> {
    await this.#file.update((data: KeyFileData) => {
      for (const [field, key] of Object.entries(FIELDS) as [keyof SavedCredentials, string][]) {
        const value = creds[field];
        if (value === undefined) delete data[key];
        else data[key] = value;
      }
      // PSKs derived from the old password would no longer match.
      delete data.psk_cache;
    });
  }

  /** The hub keys pinned so far, `"host:port"` → hex. @throws HiveLinkError `HL_ERR_KEY_FILE` */
  async pins(): Promise<Record<string, string>> {
    const pins = (await this.#file.read()).pinned_noise_keys;
    const out: Record<string, string> = {};
    if (typeof pins !== 'object' || pins === null || Array.isArray(pins)) return out;
    for (const [hostPort, value] of Object.entries(pins))
      if (typeof value === 'string') out[hostPort] = value;
    return out;
  }

  /** True when the file holds a Noise key. */
  async hasNoiseKey(): Promise<boolean> {
    return (await this.store.getNoisePrivateKey()) !== null;
  }
}

function pick(flag: string | undefined, envValue: string | undefined, saved: string | undefined) {
  const f = nonEmpty(flag);
  if (f !== undefined) return { value: f, source: 'flag' as const };
  const e = nonEmpty(envValue);
  if (e !== undefined) return { value: e, source: 'env' as const };
  const s = nonEmpty(saved);
  if (s !== undefined) return { value: s, source: 'file' as const };
  return null;
}

/**
 * Combines flags, environment and the saved identity (see the module documentation).
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` naming what is missing, and how to give it
 */
export function resolveCredentials(
  flags: CredentialFlags,
  saved: SavedCredentials,
  env: Env = process.env,
): ResolvedCredentials {
  const url = pick(flags.url, env.HIVELINK_URL, saved.url) ?? { value: DEFAULT_HUB_URL, source: 'default' };
  const key = pick(flags.key, env.HIVELINK_KEY, saved.accessKey);
  if (key === null) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      'no access key: pass --key, set HIVELINK_KEY, or save one with hivelink identity set',
    );
  }
  const savedMatches = saved.accessKey !== undefined && saved.accessKey === key.value;
  const password = pick(flags.password, env.HIVELINK_PASSWORD, savedMatches ? saved.password : undefined);
  const psk = pick(flags.psk, env.HIVELINK_PSK, savedMatches ? saved.psk : undefined);
  // A secret given explicitly wins over a saved one of the other kind.
  const secret =
    password !== null && (psk === null || rank(password.source) <= rank(psk.source)) ? password : null;
  const chosenPsk = secret === null ? psk : psk !== null && psk.source === secret.source ? psk : null;
  if (secret === null && chosenPsk === null) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      'no password: pass --password, set HIVELINK_PASSWORD, or save one with hivelink identity set',
    );
  }
  const site = nonEmpty(flags.site) ?? (savedMatches ? nonEmpty(saved.siteId) : undefined);
  return {
    url: url.value,
    accessKey: key.value,
    ...(secret === null ? {} : { password: secret.value }),
    ...(chosenPsk === null ? {} : { psk: chosenPsk.value }),
    ...(site === undefined ? {} : { siteId: site }),
    sources: { url: url.source, accessKey: key.source, secret: (secret ?? chosenPsk)!.source },
  };
}

function rank(source: CredentialSource): number {
  return source === 'flag' ? 0 : source === 'env' ? 1 : 2;
}
