/**
 * `hivelink hub`: runs a hub until SIGINT/SIGTERM (then closes every connection with 1001, writes pending last-seen
 * times and exits 0).
 *
 * ```
 * hivelink hub [--host 0.0.0.0] [--port 5678] [--data-dir D] [--agent embedded|ovos|echo] [--ovos-url URL]
 *              [--tls-cert F --tls-key F | --tls-self-signed] [--min-protocol 1|2|3] [--bus-port N]
 *              [--parent ws://URL --parent-key K (--parent-password P | --parent-password-file F)]…
 *              [--escalate never|on-failure|always] [--accept-skills-from parent|trusted|none]
 *              [--config FILE] [--log-level LEVEL]
 * ```
 * A parent's password may also come from `$HIVELINK_PARENT_PASSWORD` (a file or the environment keep it out of the
 * process list); the i-th `--parent-key` and password go with the i-th `--parent`.
 * Settings come from the defaults, then the JSON config file (`--config`, else `hivelink.json` in the config dir
 * when it exists; its keys are those of `HubConfigInput`), then the flags; the result is validated once.
 * The first line on stdout is `hivelink hub listening on ws://HOST:PORT` (the real port with `--port 0`).
 *
 * @module
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Logger } from 'pino';
import { certificateFingerprint } from '../../client/tls.node.js';
import { HiveLinkError } from '../../errors.js';
import { tlsCertificateFile } from '../../http/server.js';
import { DEFAULT_CLUSTER_PREFIX, DEFAULT_CLUSTER_TTL_MS } from '../../hub/cluster/names.js';
import { type ComposedHub, composeHub, type StartedHub } from '../../hub/compose.js';
import {
  type EscalateMode,
  type HubConfig,
  type HubConfigInput,
  type ParentConfig,
  resolveHubConfig,
} from '../../hub/config.js';
import { type Announcement, announceHub } from '../../hub/discovery.js';
import { PARENT_PASSWORD_ENV } from '../../hub/mesh/mesh-service.js';
import { resolveDataDir, resolveSecretsKeyFile, resolveStore } from '../../store/data-dir.js';
import { redactUrl } from '../../store/postgres.js';
import { parseTtsRate, voiceFromFlags } from '../../voice/config.js';
import { parsePositiveInt } from '../admin.js';
import { HUB_URL_FILE } from '../admin-queue.js';
import { processLogger } from '../log.js';
import { PROCESS_IO, parsePort, type ServeIo, serveUntilSignal } from './serve.js';

/** The flags of `hivelink hub`, as commander parses them. */
export interface HubCommandOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  secretsKeyFile?: string;
  store?: string;
  /** `--cluster nats://…` (`$HIVELINK_CLUSTER`, `cluster.url` in the config file), `--node-id`, … */
  cluster?: string;
  nodeId?: string;
  clusterPrefix?: string;
  clusterTtlMs?: number;
  agent?: 'embedded' | 'ovos' | 'echo';
  ovosUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsSelfSigned?: boolean;
  minProtocol?: 1 | 2 | 3;
  busPort?: number;
  skillsDir?: string;
  metricsTokenFile?: string;
  logFile?: string;
  /** False with `--no-mdns`. */
  mdns?: boolean;
  parent?: string[];
  parentKey?: string[];
  parentPassword?: string[];
  parentPasswordFile?: string[];
  escalate?: EscalateMode;
  cascadeSelector?: string;
  acceptSkillsFrom?: HubConfig['acceptSkillsFrom'];
  config?: string;
  logLevel?: HubConfig['logLevel'];
  /** Speech engines (`voice` in the config file): `--stt pocketsphinx|wyoming://H:P`, `--tts espeak-ng|wyoming://H:P`. */
  stt?: string;
  tts?: string;
  ttsVoice?: string;
  ttsRate?: number;
}

function parseMinProtocol(value: string): 1 | 2 | 3 {
  if (value !== '1' && value !== '2' && value !== '3') throw new InvalidArgumentError('must be 1, 2 or 3.');
  return Number(value) as 1 | 2 | 3;
}

/** `$XDG_CONFIG_HOME/hivelink/hivelink.json`, else `~/.config/hivelink/hivelink.json`. */
export function defaultConfigFile(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base =
    xdg !== undefined && xdg.length > 0 && isAbsolute(xdg) ? xdg : join(env.HOME ?? homedir(), '.config');
  return join(base, 'hivelink', 'hivelink.json');
}

function readConfigFile(file: string): HubConfigInput {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `cannot read the config file ${file}: ${(err as Error).message}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `the config file ${file} must hold a JSON object`);
  }
  return value as HubConfigInput;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * The parents of the flags (null without `--parent`): the i-th key and password (or password file) go with the i-th
 * URL; without either password flag, `$HIVELINK_PARENT_PASSWORD`.
 */
export function parentsFromOptions(
  opts: HubCommandOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ParentConfig[] | null {
  const urls = opts.parent ?? [];
  const bad = (message: string) => new HiveLinkError('HL_ERR_INVALID_ARGUMENT', message);
  if (urls.length === 0) {
    if (
      opts.parentKey !== undefined ||
      opts.parentPassword !== undefined ||
      opts.parentPasswordFile !== undefined
    ) {
      throw bad('--parent-key and --parent-password(-file) go with --parent');
    }
    return null;
  }
  const keys = opts.parentKey ?? [];
  const passwords = opts.parentPassword ?? [];
  const files = opts.parentPasswordFile ?? [];
  if (keys.length !== urls.length) throw bad('give one --parent-key for each --parent, in the same order');
  if (passwords.length > 0 && files.length > 0) {
    throw bad('give either --parent-password or --parent-password-file, not both');
  }
  const given = passwords.length > 0 ? passwords : files;
  if (given.length > 0 && given.length !== urls.length) {
    throw bad('give one parent password (or password file) for each --parent, in the same order');
  }
  const fromEnv = env[PARENT_PASSWORD_ENV];
  return urls.map((url, i) => {
    const key = keys[i]!;
    if (passwords.length > 0) return { url, key, password: passwords[i]! };
    if (files.length > 0) return { url, key, passwordFile: files[i]! };
    if (fromEnv === undefined || fromEnv === '') {
      throw bad(`no password for the parent ${url}: --parent-password-file F, or $${PARENT_PASSWORD_ENV}`);
    }
    return { url, key, password: fromEnv };
  });
}

/** The config file's parents, each without a password of its own given `$HIVELINK_PARENT_PASSWORD`. */
function fileParents(
  parents: readonly ParentConfig[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ParentConfig[] | undefined {
  const fromEnv = env[PARENT_PASSWORD_ENV];
  if (parents === undefined || !Array.isArray(parents) || fromEnv === undefined || fromEnv === '') {
    return parents === undefined ? undefined : [...parents];
  }
  return parents.map((p) =>
    p.password === undefined && p.passwordFile === undefined ? { ...p, password: fromEnv } : p,
  );
}

/** Merges defaults, the config file and the flags into one validated config (the data dir resolved). */
export function hubConfigFromOptions(opts: HubCommandOptions): HubConfig {
  const configFile = opts.config ?? defaultConfigFile();
  const fromFile = opts.config !== undefined || existsSync(configFile) ? readConfigFile(configFile) : {};
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', '--tls-cert and --tls-key go together');
  }
  if (opts.tlsCert !== undefined && opts.tlsSelfSigned === true) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      '--tls-cert/--tls-key and --tls-self-signed are mutually exclusive',
    );
  }
  const flags: HubConfigInput = {
    host: opts.host,
    port: opts.port,
    agent: opts.agent,
    ovosUrl: opts.ovosUrl,
    minProtocol: opts.minProtocol,
    busPort: opts.busPort,
    metricsTokenFile: opts.metricsTokenFile,
    logFile: opts.logFile,
    // commander's default for --no-mdns is true; only the flag itself may override the config file.
    mdns: opts.mdns === false ? false : undefined,
    escalate: opts.escalate,
    cascadeSelector: opts.cascadeSelector,
    acceptSkillsFrom: opts.acceptSkillsFrom,
    parents: parentsFromOptions(opts) ?? fileParents(fromFile.parents, process.env),
    logLevel: opts.logLevel,
  };
  if (opts.tlsCert !== undefined && opts.tlsKey !== undefined) {
    flags.tls = { mode: 'files', cert: opts.tlsCert, key: opts.tlsKey };
  } else if (opts.tlsSelfSigned === true) {
    flags.tls = { mode: 'self-signed' };
  }
  const merged: HubConfigInput = { ...fromFile };
  for (const [key, value] of Object.entries(flags)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  const voice = voiceFromFlags(opts, fromFile.voice);
  if (voice !== undefined) merged.voice = voice;
  merged.dataDir = resolveDataDir({ flag: opts.dataDir ?? fromFile.dataDir ?? undefined });
  merged.secretsKeyFile = resolveSecretsKeyFile({
    flag: opts.secretsKeyFile,
    config: fromFile.secretsKeyFile,
  });
  merged.store = resolveStore({ flag: opts.store, config: fromFile.store });
  merged.cluster = clusterFromOptions(opts, fromFile.cluster);
  const config = resolveHubConfig(merged);
  if (config.agent === 'ovos' && config.busPort !== null) {
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      '--bus-port serves the in-process agent bus; it cannot be used with --agent ovos',
    );
  }
  return config;
}

/** The cluster of the flags over `$HIVELINK_CLUSTER` over the config file's `cluster`, its other keys defaulted. */
function clusterFromOptions(opts: HubCommandOptions, file: unknown): HubConfig['cluster'] {
  const f = (typeof file === 'object' && file !== null ? file : {}) as Partial<
    NonNullable<HubConfig['cluster']>
  >;
  const url = opts.cluster ?? process.env.HIVELINK_CLUSTER ?? f.url;
  if (url === undefined || url === '') return null;
  return {
    url,
    nodeId: opts.nodeId ?? f.nodeId ?? null,
    prefix: opts.clusterPrefix ?? f.prefix ?? DEFAULT_CLUSTER_PREFIX,
    ttlMs: opts.clusterTtlMs ?? f.ttlMs ?? DEFAULT_CLUSTER_TTL_MS,
  };
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The lines `hivelink hub` prints once it listens (the first one is the one scripts wait for). */
function startedLines(composed: ComposedHub, started: StartedHub): string[] {
  const { config } = composed;
  const host = displayHost(config.host);
  const http = started.scheme === 'wss' ? 'https' : 'http';
  const lines = [
    `hivelink hub listening on ${started.scheme}://${host}:${started.port}`,
    `health: ${http}://${host}:${started.port}/healthz`,
    `chat page: ${http}://${host}:${started.port}/chat`,
    `data dir: ${config.dataDir}`,
    ...(config.store === null ? [] : [`store: ${redactUrl(config.store)}`]),
    ...(composed.cluster === null
      ? []
      : [`cluster: ${config.cluster?.url} as node ${composed.cluster.nodeId}`]),
    `agent: ${config.agent === 'ovos' ? `OVOS messagebus ${config.ovosUrl}` : config.agent === 'echo' ? 'echo (repeats every utterance)' : 'embedded assistant'}`,
  ];
  const certFile = config.dataDir === null ? null : tlsCertificateFile(config, config.dataDir);
  if (certFile !== null) {
    const fingerprint = certificateFingerprint(readFileSync(certFile, 'utf8'));
    lines.push(
      `tls certificate: ${certFile}${config.tls?.mode === 'self-signed' ? ' (self-signed)' : ''}`,
      `tls fingerprint: ${fingerprint}`,
      `  clients that do not trust it: --fingerprint ${fingerprint}  or  --ca ${certFile}`,
    );
  }
  if (started.busPort !== null) lines.push(`agent bus served on ws://127.0.0.1:${started.busPort}/core`);
  if (config.parents.length > 0) {
    lines.push(`parents: ${config.parents.map((p) => p.url).join(', ')} (escalate ${config.escalate})`);
  }
  if (composed.assistant !== null) {
    lines.push(
      `skills: ${composed.assistant.skills().length} loaded (drop .mjs skills in ${composed.skillsDir})`,
    );
  }
  return lines;
}

/**
 * Runs a hub with `config` until `until` resolves, then stops it gracefully. Resolves when everything is closed.
 * The hub itself is built by {@link composeHub}; this adds what the operator is told.
 */
export async function runHub(
  config: HubConfig,
  io: ServeIo,
  until: Promise<unknown>,
  logger?: Logger,
  extras: { skillsDir?: string } = {},
): Promise<void> {
  const composed = await composeHub(config, {
    logger:
      logger ?? processLogger(config.logLevel, { file: config.logFile, tty: process.stderr.isTTY === true }),
    ...(extras.skillsDir === undefined ? {} : { skillsDir: extras.skillsDir }),
  });
  let announcement: Announcement | null = null;
  let urlFile: string | null = null;
  try {
    const started = await composed.start();
    for (const error of composed.assistant?.loadErrors ?? []) {
      io.err.write(`hivelink: skipped a skill: ${error.message}\n`);
    }
    // Where `hivelink clients add --save-identity` finds this hub's real address (a --port other than 5678);
    // written before the banner, so whoever reads "listening" finds it.
    urlFile = join(composed.data.paths.dir, HUB_URL_FILE);
    writeFileSync(urlFile, `${started.scheme}://${displayHost(config.host)}:${started.port}\n`, {
      mode: 0o600,
    });
    for (const line of startedLines(composed, started)) io.out.write(`${line}\n`);
    if (config.mdns) {
      announcement = announceHub({
        name: config.name,
        listenHost: config.host,
        port: started.port,
        tls: started.scheme === 'wss',
        siteId: config.siteId,
        logger: composed.hub.logger,
      });
    }
    if ((await composed.data.store.listClients()).length === 0) {
      io.out.write(
        `no clients yet: add one with  hivelink clients add --name kitchen --data-dir ${config.dataDir}\n`,
      );
    }
    await until;
  } finally {
    await announcement?.stop();
    if (urlFile !== null) rmSync(urlFile, { force: true });
    await composed.stop();
  }
}

/** Adds `hivelink hub` to `program`. */
export function registerHubCommand(program: Command): void {
  program
    .command('hub')
    .description('run a hub: websocket at / and HTTP on one port, until SIGINT/SIGTERM')
    .option('--host <host>', 'address to listen on (default 0.0.0.0)')
    .option('--port <port>', 'port to listen on, 0 picks a free one (default 5678)', parsePort)
    .option('--data-dir <dir>', 'data dir (database, identity, secrets; default $HIVELINK_HOME)')
    .option(
      '--secrets-key-file <file>',
      'the secrets key, kept apart from the database (default <data dir>/secrets.key; $HIVELINK_SECRETS_KEY_FILE)',
    )
    .option(
      '--store <url>',
      "the client store on PostgreSQL, postgres://… (default the data dir's SQLite file; $HIVELINK_STORE)",
    )
    .option(
      '--cluster <url>',
      'join a cluster: nats://host:4222 (NATS with JetStream; every node on one --store postgres://…; $HIVELINK_CLUSTER)',
    )
    .option('--node-id <id>', 'this node in the cluster (default <host name>-<pid>)')
    .option('--cluster-prefix <prefix>', 'prefix of the cluster buckets and subjects (default hivelink)')
    .option(
      '--cluster-ttl-ms <ms>',
      'a node and its peers outlive its last heartbeat this long (default 15000)',
      parsePositiveInt,
    )
    .addOption(
      new Option(
        '--agent <agent>',
        'the brain behind the hub (default embedded); echo repeats every utterance (for benchmarks)',
      ).choices(['embedded', 'ovos', 'echo']),
    )
    .option('--ovos-url <url>', 'OVOS messagebus for --agent ovos (default ws://127.0.0.1:8181/core)')
    .option('--tls-cert <file>', 'TLS certificate (PEM), with --tls-key')
    .option('--tls-key <file>', 'TLS private key (PEM), with --tls-cert')
    .option('--tls-self-signed', 'serve TLS with a self-signed certificate kept in the data dir')
    .option(
      '--min-protocol <n>',
      'lowest protocol accepted: 2 allows legacy clients, 3 is Noise only (default 2)',
      parseMinProtocol,
    )
    .option(
      '--bus-port <port>',
      'also serve the in-process agent bus as an OVOS messagebus on 127.0.0.1:PORT',
      parsePort,
    )
    .option('--skills-dir <dir>', 'extra skills for the embedded assistant (default <data dir>/skills)')
    .option('--metrics-token-file <file>', 'GET /metrics requires the bearer token this file holds')
    .option('--no-mdns', 'do not announce this hub on the LAN (mDNS, as HiveMind presence does)')
    .option('--parent <url>', 'a parent hub to connect to as a client (repeatable; the mesh)', collect)
    .option('--parent-key <key>', 'the access key the parent gave this hub (one per --parent)', collect)
    .option(
      '--parent-password <password>',
      `its password (one per --parent; prefer --parent-password-file or $${PARENT_PASSWORD_ENV})`,
      collect,
    )
    .option('--parent-password-file <file>', 'a file holding its password (one per --parent)', collect)
    .addOption(
      new Option(
        '--escalate <mode>',
        "when a satellite's utterance climbs to the parent (default on-failure: when this hub does not understand it)",
      ).choices(['never', 'on-failure', 'always']),
    )
    .option(
      '--cascade-selector <name>',
      'what the asker of a CASCADE gets from the answers of the mesh: first, all (default) or highest (confidence)',
    )
    .addOption(
      new Option(
        '--accept-skills-from <who>',
        "install signed skills a parent offers: parent (signed, the parent's word for the publisher), trusted (this hub's trusted keys, hivelink skills trust), none (default)",
      ).choices(['parent', 'trusted', 'none']),
    )
    .option('--stt <engine>', 'speech to text for audio from satellites: pocketsphinx or wyoming://HOST:PORT')
    .option('--tts <engine>', 'spoken answers to voice satellites: espeak-ng or wyoming://HOST:PORT')
    .option(
      '--tts-voice <voice>',
      'the TTS voice (espeak-ng: en-us, en-gb, en-us+f3; Wyoming: its voice name)',
    )
    .option('--tts-rate <wpm>', 'espeak-ng words per minute (80-450, default 160)', parseTtsRate)
    .option('--config <file>', 'JSON config file (default hivelink.json in the config dir, if present)')
    .option('--log-file <file>', 'append the log (JSON lines) to this file instead of stderr')
    .addOption(
      new Option('--log-level <level>', 'log level on stderr (default info)').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .action(async (opts: HubCommandOptions) => {
      const config = hubConfigFromOptions(opts);
      await serveUntilSignal((until) =>
        runHub(config, PROCESS_IO, until, undefined, {
          ...(opts.skillsDir === undefined ? {} : { skillsDir: opts.skillsDir }),
        }),
      );
    });
}
