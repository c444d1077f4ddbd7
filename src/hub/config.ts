/**
 * The hub configuration: defaults → merge → validate once with zod → deep-freeze. Every key can be set in the JSON
 * config file (`hivelink.json`); the common ones are also CLI flags (`hivelink hub --help`). Every hub-scope limit
 * of `src/limits.ts` can be overridden under `limits` (file only); a client-scope limit there is refused, since the
 * hub would never use it. `compose.ts` hands each limit to its consumer.
 *
 * @example
 * ```ts
 * const config = resolveHubConfig({ port: 0, dataDir: '/tmp/hub', limits: { handshakeTimeoutMs: 5000 } });
 * ```
 *
 * @module
 */
import { z } from 'zod';
import { LEGACY_CIPHERS, type LegacyCipherName } from '../crypto/legacy-cipher.js';
import { NOISE_PATTERNS, NOISE_SUITES, type NoisePattern, type NoiseSuite } from '../crypto/noise/index.js';
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS, type LimitName, type Limits, resolveLimits } from '../limits.js';
import { ENCODING_NAMES, type EncodingName } from '../protocol/encodings.js';
import { defaultVoiceConfig, type VoiceConfig, voiceConfigSchema } from '../voice/config.js';

/**
 * Where the agent (the brain behind the hub) lives: the embedded assistant, an external OVOS messagebus, or the echo
 * agent (answers every utterance by repeating it; for measuring the hub itself).
 */
export type AgentKind = 'embedded' | 'ovos' | 'echo';

/** TLS material: certificate and key files, or a self-signed pair generated once in the data dir. */
export type TlsConfig =
  | { readonly mode: 'files'; readonly cert: string; readonly key: string }
  | { readonly mode: 'self-signed' };

/**
 * One parent hub this hub connects to as a client (docs/PROTOCOL.md §14): its websocket URL, the access key the
 * parent gave this hub, and the password, or the file holding it (read when the link starts).
 */
export interface ParentConfig {
  readonly url: string;
  readonly key: string;
  readonly password?: string | undefined;
  readonly passwordFile?: string | undefined;
}

/**
 * When a satellite's utterance climbs to the parent (docs/PROTOCOL.md §14): `never`; `on-failure`, when this hub's own
 * agent reports `complete_intent_failure` for it; `always`, straight to the parent (answered here when no parent
 * link is open or the parent fails).
 */
export type EscalateMode = 'never' | 'on-failure' | 'always';

/** The validated, frozen hub configuration. */
export interface HubConfig {
  /** Interface to listen on. @default '0.0.0.0' */
  readonly host: string;
  /** TCP port; 0 picks a free one. @default 5678 */
  readonly port: number;
  /** The data dir (database, identity, secrets, TLS material); null = resolved by the caller. @default null */
  readonly dataDir: string | null;
  /**
   * The secrets key file, to keep it apart from the database (and its backups); null = `<dataDir>/secrets.key`.
   * `--secrets-key-file` and `$HIVELINK_SECRETS_KEY_FILE` win. @default null
   */
  readonly secretsKeyFile: string | null;
  /**
   * The client store: a `postgres://` URL (several hubs and the CLI on one database), or null for the data dir's
   * SQLite file. `--store` and `$HIVELINK_STORE` win. @default null
   */
  readonly store: string | null;
  /**
   * This hub as a node of a cluster (NATS with JetStream; every node on one `postgres://` store): `--cluster`,
   * `--node-id`, `$HIVELINK_CLUSTER`. @default null (one hub)
   */
  readonly cluster: ClusterConfig | null;
  /** @default 'embedded' */
  readonly agent: AgentKind;
  /** The OVOS messagebus for `agent: 'ovos'`. @default 'ws://127.0.0.1:8181/core' */
  readonly ovosUrl: string;
  /** @default null (plain ws/http) */
  readonly tls: TlsConfig | null;
  /** Lowest protocol generation accepted: 2 allows the legacy password handshake, 3 is Noise only. @default 2 */
  readonly minProtocol: 1 | 2 | 3;
  /**
   * Legacy encodings the hub accepts, in the order it advertises them. Z85P is off by default: the reference
   * decoders cannot read it. @default ['JSON-B64','JSON-URLSAFE-B64','JSON-B91','JSON-Z85B','JSON-B32','JSON-HEX']
   */
  readonly allowedEncodings: readonly EncodingName[];
  /** Legacy ciphers the hub accepts. @default ['CHACHA20-POLY1305','AES-GCM'] */
  readonly allowedCiphers: readonly LegacyCipherName[];
  /** Noise suites offered to v3 clients. @default ['25519_ChaChaPoly_SHA256','25519_AESGCM_SHA256'] */
  readonly noiseSuites: readonly NoiseSuite[];
  /** Noise patterns offered (KKpsk0 only to clients whose key is pinned). @default ['XXpsk2','KKpsk0'] */
  readonly noisePatterns: readonly NoisePattern[];
  /** Advertise bitstring framing to legacy clients. @default false */
  readonly binarize: boolean;
  /** The hub's own site; site-targeted BROADCAST(BUS) for it is also injected locally. @default null */
  readonly siteId: string | null;
  /** The hub's name in PING answers. @default 'hivelink' */
  readonly name: string;
  /** Serve the agent bus as an OVOS-compatible messagebus on this port too (null = off). @default null */
  readonly busPort: number | null;
  /**
   * A file holding the bearer token `GET /metrics` requires (`Authorization: Bearer <token>`); null = the metrics
   * are open to whoever reaches the port. @default null
   */
  readonly metricsTokenFile: string | null;
  /** Append the log (pino JSON lines) to this file instead of writing it to stderr. @default null */
  readonly logFile: string | null;
  /**
   * `hivelink hub` announces itself on mDNS / DNS-SD with the record HiveMind presence uses, so HiveMind tools and
   * `hivelink discover` find it (docs/PROTOCOL.md §16). @default true
   */
  readonly mdns: boolean;
  /** The parent hubs this hub is a client of (the mesh, docs/PROTOCOL.md §14). @default [] */
  readonly parents: readonly ParentConfig[];
  /** When satellites' utterances climb to a parent. @default 'on-failure' */
  readonly escalate: EscalateMode;
  /**
   * What the asker of a CASCADE gets from the answers gathered in `cascadeWindowMs` (docs/PROTOCOL.md §14.5): `first`,
   * `all` or `highest` (confidence), or a selector a program registered; a CASCADE's `metadata.selector` wins.
   * @default 'all'
   */
  readonly cascadeSelector: string;
  /** Whose signed skills this hub installs when a parent offers them (docs/PROTOCOL.md §15). @default 'none' */
  readonly acceptSkillsFrom: 'parent' | 'trusted' | 'none';
  /** Speech in and out (`src/voice/config.ts`): engines, voice, VAD. @default no engines (text only) */
  readonly voice: VoiceConfig;
  /** pino log level. @default 'info' */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Every limit of `LIMIT_DEFS`, with overrides applied. */
  readonly limits: Limits;
}

/** What callers (CLI flags, the JSON config file, tests) may give; everything is optional. */
export type HubConfigInput = Partial<{
  -readonly [K in keyof Omit<HubConfig, 'limits' | 'tls'>]: HubConfig[K];
}> & {
  tls?: TlsConfig | null;
  limits?: Partial<Record<LimitName, number>>;
};

export const DEFAULT_ALLOWED_ENCODINGS: readonly EncodingName[] = Object.freeze([
  'JSON-B64',
  'JSON-URLSAFE-B64',
  'JSON-B91',
  'JSON-Z85B',
  'JSON-B32',
  'JSON-HEX',
]);

export const DEFAULT_ALLOWED_CIPHERS: readonly LegacyCipherName[] = Object.freeze([
  'CHACHA20-POLY1305',
  'AES-GCM',
]);

/** A hub's place in a cluster (`src/hub/cluster/`). */
export interface ClusterConfig {
  /** `nats://host:port`, several separated by commas. */
  readonly url: string;
  /** This node's id (a NATS token); null = `<host name>-<pid>`. @default null */
  readonly nodeId: string | null;
  /** The prefix of the cluster's buckets and subjects (several hives on one NATS). @default 'hivelink' */
  readonly prefix: string;
  /** How long a node and its peers outlive its last heartbeat (sent every ttlMs / 3). @default 15000 */
  readonly ttlMs: number;
}

/** Fresh defaults for every key but `limits` (see `LIMIT_DEFS`). */
export function defaultHubConfig(): Omit<HubConfig, 'limits'> {
  return {
    host: '0.0.0.0',
    port: 5678,
    dataDir: null,
    secretsKeyFile: null,
    store: null,
    cluster: null,
    agent: 'embedded',
    ovosUrl: 'ws://127.0.0.1:8181/core',
    tls: null,
    minProtocol: 2,
    allowedEncodings: [...DEFAULT_ALLOWED_ENCODINGS],
    allowedCiphers: [...DEFAULT_ALLOWED_CIPHERS],
    noiseSuites: [...NOISE_SUITES],
    noisePatterns: [...NOISE_PATTERNS],
    binarize: false,
    siteId: null,
    name: 'hivelink',
    busPort: null,
    metricsTokenFile: null,
    logFile: null,
    mdns: true,
    parents: [],
    escalate: 'on-failure',
    cascadeSelector: 'all',
    acceptSkillsFrom: 'none',
    voice: defaultVoiceConfig(),
    logLevel: 'info',
  };
}

const port = z.number().int().min(0).max(65535);
const nonEmptyList = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .min(1, 'must not be empty')
    .refine((a) => new Set(a).size === a.length, 'must not repeat an entry');

const tlsSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('files'), cert: z.string().min(1), key: z.string().min(1) }).strict(),
  z.object({ mode: z.literal('self-signed') }).strict(),
]);

const parentSchema = z
  .object({
    url: z.string().regex(/^wss?:\/\/\S+$/, 'must be a ws:// or wss:// URL'),
    key: z.string().min(1),
    password: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (p) => (p.password === undefined) !== (p.passwordFile === undefined),
    'give the password or the passwordFile (one of them)',
  );

const limitsSchema = z.record(z.string(), z.number()).superRefine((limits, ctx) => {
  for (const key of Object.keys(limits)) {
    if (!(key in LIMIT_DEFS)) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'unknown limit' });
    } else if (LIMIT_DEFS[key as LimitName].scope !== 'hub') {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: 'a client-side option, not a hub setting: the hub would never use it',
      });
    }
  }
});

/** The config file's schema (docs/CONFIG.md and docs/config.schema.json are made from it). */
export const hubConfigSchema = z
  .object({
    host: z.string().min(1),
    port,
    dataDir: z.string().min(1).nullable(),
    secretsKeyFile: z.string().min(1).nullable(),
    store: z
      .string()
      .regex(/^postgres(?:ql)?:\/\/\S+$/i, 'must be a postgres:// URL')
      .nullable(),
    cluster: z
      .object({
        url: z.string().regex(/^nats:\/\/\S+$/i, 'must be a nats:// URL (several separated by commas)'),
        nodeId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (at most 64)')
          .nullable(),
        prefix: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and - (at most 32)'),
        ttlMs: z.number().int().min(300).max(3_600_000),
      })
      .strict()
      .nullable(),
    agent: z.enum(['embedded', 'ovos', 'echo']),
    ovosUrl: z.string().regex(/^wss?:\/\/\S+$/, 'must be a ws:// or wss:// URL'),
    tls: tlsSchema.nullable(),
    minProtocol: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    allowedEncodings: nonEmptyList(z.enum(ENCODING_NAMES as [EncodingName, ...EncodingName[]])),
    allowedCiphers: nonEmptyList(z.enum(LEGACY_CIPHERS)),
    noiseSuites: nonEmptyList(z.enum(NOISE_SUITES)),
    noisePatterns: nonEmptyList(z.enum(NOISE_PATTERNS)).refine(
      (p) => p.includes('XXpsk2'),
      'must include XXpsk2',
    ),
    binarize: z.boolean(),
    siteId: z.string().min(1).nullable(),
    name: z.string().min(1).max(200),
    busPort: port.nullable(),
    metricsTokenFile: z.string().min(1).nullable(),
    logFile: z.string().min(1).nullable(),
    mdns: z.boolean(),
    parents: z.array(parentSchema).max(16, 'at most 16 parents'),
    escalate: z.enum(['never', 'on-failure', 'always']),
    cascadeSelector: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a selector name: first, all, highest, …'),
    acceptSkillsFrom: z.enum(['parent', 'trusted', 'none']),
    voice: voiceConfigSchema,
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    limits: limitsSchema,
  })
  .strict();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Merges `input` over the defaults, validates the result once and deep-freezes it.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` naming the first bad key, e.g. `hub config "port": …`.
 */
export function resolveHubConfig(input: HubConfigInput = {}): HubConfig {
  const merged: Record<string, unknown> = { ...defaultHubConfig(), limits: {} };
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) merged[key] = value;
  }
  const parsed = hubConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      const [key = ''] = issue.keys;
      const where = issue.path.length === 0 ? '' : ` in "${issue.path.join('.')}"`;
      const hint = key in LIMIT_DEFS ? ` (a limit: put it under "limits")` : '';
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `hub config: unknown key "${key}"${where}${hint}`);
    }
    const path = issue?.path.join('.') ?? '';
    throw new HiveLinkError(
      'HL_ERR_INVALID_ARGUMENT',
      `hub config "${path}": ${issue?.message ?? 'invalid'}`,
    );
  }
  const limits = resolveLimits(parsed.data.limits as Partial<Record<LimitName, number>>);
  const { limits: _ignored, ...rest } = parsed.data;
  return deepFreeze({ ...rest, limits } as HubConfig);
}
