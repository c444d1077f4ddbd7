/**
 * What `hivelink ask`, `chat` and `satellite` share: the credential and connection flags, and building a
 * {@link HiveClient} from them with the saved identity (Noise key and hub pins in `<config dir>/identity.json`, so
 * the hub recognises this machine on every run).
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import {
  createHiveClient,
  type HiveClient,
  pinnedTrust,
  type ReconnectOptions,
  type TlsTrust,
} from '../client/index.js';
import { LEGACY_CIPHERS, type LegacyCipherName } from '../crypto/legacy-cipher.js';
import { HiveLinkError } from '../errors.js';
import { ENCODING_NAMES, type EncodingName } from '../protocol/encodings.js';
import type { ProtocolChoice } from '../session/client-handshake.js';
import { DEFAULT_LEGACY_ENCODINGS } from '../session/client-handshake.js';
import type { FailureContext } from './client-errors.js';
import {
  type CredentialFlags,
  DEFAULT_HUB_URL,
  type Env,
  IdentityFile,
  type ResolvedCredentials,
  readHiveMindIdentity,
  resolveCredentials,
} from './identity-file.js';
import { type LineWriter, promptPassword, readPasswordFile, warnSecretFlag } from './password-input.js';

/** The flags every terminal client has. */
export interface ClientCommandOptions extends CredentialFlags {
  /** @default 'auto' */
  protocol?: ProtocolChoice;
  /** Let `--protocol auto` use the legacy handshake with a hub whose Noise key is pinned. @default false */
  allowLegacyFallback?: boolean;
  lang?: string;
  /** Read the password from this file (its first line) instead of `--password`. */
  passwordFile?: string;
  /** Ask for the password on the terminal (not echoed). @default false */
  passwordPrompt?: boolean;
  /** The client is a full assistant: its HELLO says so and the hub relays its room's questions to it. @default false */
  assistant?: boolean;
  /** A PEM file of CA certificates (or the hub's own self-signed certificate) to trust for `wss://`. */
  ca?: string;
  /** The SHA-256 fingerprint of the hub's TLS certificate, as `hivelink hub` prints it: trust that certificate. */
  fingerprint?: string;
  /** Legacy encodings to offer, in preference order. @default every encoding */
  encoding?: EncodingName[];
  /** Legacy ciphers to offer, in preference order. @default both */
  cipher?: LegacyCipherName[];
  /** Ask for bitstring (binary) framing on a legacy session. @default false */
  binarize?: boolean;
}

/** A comma-separated list of names out of `names` (a usage error names the bad one and the choices). */
function nameList<T extends string>(names: readonly T[]): (value: string) => T[] {
  return (value) => {
    const list = value.split(',').map((v) => v.trim().toUpperCase());
    const bad = list.find((v) => !names.includes(v as T));
    if (bad !== undefined || list.length === 0) {
      throw new InvalidArgumentError(`${JSON.stringify(bad ?? value)} is not one of ${names.join(', ')}.`);
    }
    return list as T[];
  };
}

/** A client ready to connect, with what error messages need. */
export interface OpenedClient {
  client: HiveClient;
  creds: ResolvedCredentials;
  identity: IdentityFile;
  failure: FailureContext;
}

/** Parses `--protocol 1|2|3|auto` (1 and 2 are the legacy handshake, 3 is Noise). */
export function parseProtocol(value: string): ProtocolChoice {
  if (value === '1' || value === '2' || value === 'legacy') return 'legacy';
  if (value === '3' || value === 'v3') return 'v3';
  if (value === 'auto') return 'auto';
  throw new InvalidArgumentError('expected 1, 2, 3 or auto.');
}

/** Parses a language tag such as `en-US`. */
export function parseLang(value: string): string {
  if (!/^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$/.test(value)) {
    throw new InvalidArgumentError('expected a language tag such as en-US.');
  }
  return value;
}

/** Parses a positive number of seconds into milliseconds. */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > 86_400) {
    throw new InvalidArgumentError('expected a positive number of seconds.');
  }
  return Math.round(n * 1000);
}

/** Adds the credential and connection flags. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', `hub URL (else $HIVELINK_URL, the saved identity, or ${DEFAULT_HUB_URL})`)
    .option('--key <key>', 'access key (else $HIVELINK_KEY or the saved identity)')
    .option(
      '--password <password>',
      'password (visible to other users in the process list: prefer --password-file, --password-prompt, $HIVELINK_PASSWORD or the saved identity)',
    )
    .option('--password-file <file>', "read the password from the file's first line")
    .option('--password-prompt', 'ask for the password on the terminal (not echoed)')
    .option(
      '--psk <hex>',
      'a provisioned v3 PSK (64 hex characters) instead of the password (visible in the process list too)',
    )
    .option('--site <site>', 'site id sent to the hub (else the saved one)')
    .option('--protocol <version>', '1 or 2: legacy handshake, 3: Noise, auto (default)', parseProtocol)
    .option(
      '--allow-legacy-fallback',
      'with --protocol auto, accept the legacy handshake from a hub that spoke Noise before (refused by default: it looks like a downgrade)',
    )
    .option('--lang <tag>', 'language of the utterances (default en-US)', parseLang)
    .option(
      '--ca <file>',
      "for wss://: trust the certificates in this PEM file (a self-signed hub's hivelink.crt)",
    )
    .option(
      '--fingerprint <sha256>',
      "for wss://: trust the hub's certificate with this SHA-256 fingerprint (hivelink hub prints it at start)",
    )
    .option(
      '--encoding <list>',
      `legacy handshake: encodings to offer, in order (default all: ${DEFAULT_LEGACY_ENCODINGS.join(',')})`,
      nameList(ENCODING_NAMES),
    )
    .option(
      '--cipher <list>',
      `legacy handshake: ciphers to offer, in order (default ${LEGACY_CIPHERS.join(',')})`,
      nameList(LEGACY_CIPHERS),
    )
    .option('--binarize', 'legacy handshake: ask for bitstring (binary) framing');
}

/**
 * What the websocket trusts for `url`, from `--ca` and `--fingerprint` (a pin is checked against the hub first).
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` (both flags, a plain ws:// URL, an unreadable file),
 *   `HL_ERR_TLS_FINGERPRINT_MISMATCH`, `HL_ERR_CONNECT_FAILED` (no TLS server answers for the pin check)
 */
export async function tlsTrust(url: string, opts: ClientCommandOptions): Promise<TlsTrust | undefined> {
  if (opts.ca === undefined && opts.fingerprint === undefined) return undefined;
  if (opts.ca !== undefined && opts.fingerprint !== undefined) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'give --ca or --fingerprint, not both');
  }
  if (!url.startsWith('wss://')) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `--ca and --fingerprint are for wss:// URLs, not ${url}`,
    );
  }
  if (opts.fingerprint !== undefined) return pinnedTrust(url, opts.fingerprint);
  try {
    return { ca: readFileSync(opts.ca!, 'utf8') };
  } catch (err) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `cannot read --ca ${opts.ca}: ${(err as Error).message}`,
    );
  }
}

/**
 * The secret flags with `--password-file` read and `--password-prompt` asked; warns (once, on `err`) when
 * `--password` or `--psk` put a secret in the process list.
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for more than one way of giving the password, an unreadable or
 *   empty file, or a prompt without a terminal
 */
export async function secretFlags(
  opts: ClientCommandOptions,
  err: LineWriter,
): Promise<ClientCommandOptions> {
  const ways = [opts.password !== undefined, opts.passwordFile !== undefined, opts.passwordPrompt === true];
  if (ways.filter(Boolean).length > 1) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      'give only one of --password, --password-file and --password-prompt',
    );
  }
  if (opts.password !== undefined) warnSecretFlag('--password', err);
  if (opts.psk !== undefined) warnSecretFlag('--psk', err);
  if (opts.passwordFile !== undefined) return { ...opts, password: readPasswordFile(opts.passwordFile) };
  if (opts.passwordPrompt === true) return { ...opts, password: await promptPassword('Password: ') };
  return opts;
}

/**
 * Resolves the credentials and builds the client (not connected yet).
 * @param err - where the `--password` warning goes. @default process stderr
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for missing credentials or a bad URL; `HL_ERR_KEY_FILE` when the
 *   identity file cannot be read
 */
export async function openClient(
  opts: ClientCommandOptions,
  reconnect: ReconnectOptions,
  env: Env = process.env,
  err: LineWriter = process.stderr,
): Promise<OpenedClient> {
  const identity = IdentityFile.fromEnv(env);
  const saved = await identity.readCredentials();
  // A machine set up for HiveMind (hivemind-client set-identity) and not for hivelink uses that identity.
  const creds = resolveCredentials(
    await secretFlags(opts, err),
    saved.accessKey === undefined ? { ...readHiveMindIdentity(env), ...saved } : saved,
    env,
  );
  const tls = await tlsTrust(creds.url, opts);
  const client = createHiveClient({
    ...(tls === undefined ? {} : { tls }),
    url: creds.url,
    accessKey: creds.accessKey,
    ...(creds.password === undefined ? {} : { password: creds.password }),
    ...(creds.psk === undefined ? {} : { psk: creds.psk }),
    ...(creds.siteId === undefined ? {} : { siteId: creds.siteId }),
    ...(opts.lang === undefined ? {} : { lang: opts.lang }),
    protocol: opts.protocol ?? 'auto',
    ...(opts.allowLegacyFallback === true ? { allowLegacyFallback: true } : {}),
    ...(opts.assistant === true ? { assistant: true } : {}),
    ...(opts.encoding === undefined ? {} : { encodings: opts.encoding }),
    ...(opts.cipher === undefined ? {} : { ciphers: opts.cipher }),
    ...(opts.binarize === true ? { binarize: true } : {}),
    identityStore: identity.store,
    pinStore: identity.store,
    // The PSK is kept beside the password only when the password itself is saved there (never for a prompted one).
    ...(creds.sources.secret === 'file' && creds.password !== undefined ? { pskCache: identity.store } : {}),
    reconnect,
  });
  return {
    client,
    creds,
    identity,
    failure: {
      url: creds.url,
      hostPort: client.hostPort,
      usedPsk: creds.password === undefined,
      accessKey: creds.accessKey,
    },
  };
}
