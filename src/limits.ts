/**
 * Every limit hivelink enforces, with its safe default. Each one is a setting (hub config, CLI flag or option)
 * and is listed in `docs/LIMITS.md`; a unit test keeps the two in step.
 *
 * @module
 */
import { HiveLinkError } from './errors.js';

export interface LimitDef {
  /** The default value, in `unit`. */
  readonly default: number;
  readonly unit: 'bytes' | 'ms' | 'count' | 'messages' | 'messages/s';
  /** The smallest value that still lets the protocol work. */
  readonly min: number;
  /** One sentence: what it bounds. Mirrored in docs/LIMITS.md. */
  readonly summary: string;
}

const MiB = 1024 * 1024;

/** The registry of limits. Add new limits here and to docs/LIMITS.md. */
export const LIMIT_DEFS = {
  // -- protocol and crypto (issue: wire core)
  maxFrameBytes: {
    default: 8 * MiB,
    unit: 'bytes',
    min: 1024,
    summary: 'Largest websocket frame accepted or decoded (text or binary, before decryption).',
  },
  maxDecompressedBytes: {
    default: 16 * MiB,
    unit: 'bytes',
    min: 1024,
    summary: 'Largest size a zlib-compressed bitstring field may inflate to (zip-bomb guard).',
  },
  maxJsonDepth: {
    default: 128,
    unit: 'count',
    min: 16,
    summary: 'Deepest nesting of JSON objects and arrays in a HiveMessage, counting the envelope as 1.',
  },
  maxWrapperDepth: {
    default: 8,
    unit: 'count',
    min: 2,
    summary:
      'Deepest nesting of wrapper messages (broadcast, propagate, escalate, query, cascade) in one another.',
  },
  noiseChunkBytes: {
    default: 65000,
    unit: 'bytes',
    min: 64,
    summary: 'Largest body of one v3 transport frame; longer messages are sent as chunks.',
  },
  maxReassemblyBytes: {
    default: 32 * MiB,
    unit: 'bytes',
    min: 65000,
    summary: 'Largest v3 message that may be reassembled from chunks.',
  },
  maxNoiseNonce: {
    default: Number.MAX_SAFE_INTEGER,
    unit: 'count',
    min: 16,
    summary:
      'Transport messages one Noise cipher state may protect before the session must be re-established.',
  },
  maxPbkdf2Iterations: {
    default: 1_000_000,
    unit: 'count',
    min: 100_000,
    summary: 'Most PBKDF2 iterations a client accepts from a hub offer when deriving the v3 PSK.',
  },

  // -- store
  maxHistoryPerClient: {
    default: 1000,
    unit: 'count',
    min: 1,
    summary:
      'Connection-history rows kept per client; older rows are pruned when a new connection is recorded.',
  },

  // -- bus (OVOS messagebus)
  busMaxMessageBytes: {
    default: 10 * MiB,
    unit: 'bytes',
    min: 1024,
    summary: 'Largest bus message (one websocket frame); a bigger frame closes the connection with 1009.',
  },
  busMaxBufferedBytes: {
    default: 16 * MiB,
    unit: 'bytes',
    min: 1024,
    summary: 'Bytes a bus connection may have waiting to be sent; a slower receiver is closed with 1013.',
  },
  busMaxPendingMessages: {
    default: 10000,
    unit: 'messages',
    min: 1,
    summary:
      'Messages a bus holds before delivering or sending them (in-process queue, client offline queue).',
  },
  busMaxKnownSessions: {
    default: 1024,
    unit: 'count',
    min: 1,
    summary: 'Non-default sessions a bus client remembers; the least recently seen is forgotten first.',
  },
  // -- assistant (embedded OVOS-compatible core)
  assistantResponseTimeoutMs: {
    default: 20_000,
    unit: 'ms',
    min: 0,
    summary: "How long a skill's question (get_response) waits for the next utterance of the same session.",
  },
  assistantMaxSessions: {
    default: 10_000,
    unit: 'count',
    min: 1,
    summary:
      'Sessions whose dialogue state (active skills, skill storage) the assistant keeps; least recently used goes first.',
  },
  assistantMaxUtteranceWords: {
    default: 50,
    unit: 'count',
    min: 1,
    summary: 'Longest utterance, in words, the intent engine tries to match; a longer one matches nothing.',
  },
  // -- hub: connections, keepalive, policy, routing
  handshakeTimeoutMs: {
    default: 10_000,
    unit: 'ms',
    min: 100,
    summary: 'Time a new connection has to complete its handshake; then it is closed with 1008.',
  },
  maxHandshakeFrameBytes: {
    default: 65536,
    unit: 'bytes',
    min: 4096,
    summary:
      'Largest cleartext frame read before the secure channel exists (HELLO, HANDSHAKE); a bigger one closes with 1009.',
  },
  legacyKdfConcurrency: {
    default: 0,
    unit: 'count',
    min: 0,
    summary:
      'Legacy session-key derivations (PBKDF2, 100 000 rounds) the hub runs at once; 0 = one less than the CPU cores, at least 1, so the event loop keeps a core. More wait, and are refused with 1013 when they could not finish within half the handshake timeout.',
  },
  pingIntervalMs: {
    default: 30_000,
    unit: 'ms',
    min: 100,
    summary: 'Interval between websocket pings the hub sends to each connection.',
  },
  pingTimeoutMs: {
    default: 20_000,
    unit: 'ms',
    min: 100,
    summary: 'Time a connection has to answer a ping with a pong before the hub drops it.',
  },
  maxConnections: {
    default: 10_000,
    unit: 'count',
    min: 1,
    summary: 'Open websocket connections the hub accepts; more are closed with 1013.',
  },
  maxConnectionsPerIp: {
    default: 64,
    unit: 'count',
    min: 1,
    summary: 'Open connections from one IP address; more are closed with 1013.',
  },
  inboundQueueMessages: {
    default: 64,
    unit: 'messages',
    min: 1,
    summary:
      'Frames of one connection waiting to be processed; overflow closes it with 1013 "message queue full".',
  },
  maxBufferedBytes: {
    default: 4 * MiB,
    unit: 'bytes',
    min: 1024,
    summary:
      'Bytes waiting to be sent to one hub connection; a client that cannot keep up is closed with 1013.',
  },
  defaultRateLimitPerSecond: {
    default: 50,
    unit: 'messages/s',
    min: 1,
    summary:
      'Messages per second a client may send (token bucket, burst 2x) unless its record says otherwise; excess gets a policy error, a sustained flood closes with 1008.',
  },
  lastSeenFlushMs: {
    default: 10_000,
    unit: 'ms',
    min: 1,
    summary: "Longest delay before a client's last-seen time is written (one batched write per interval).",
  },
  connectionLogFlushMs: {
    default: 1_000,
    unit: 'ms',
    min: 1,
    summary:
      'Longest delay before connection starts and ends are written to the history (one transaction per interval for all of them).',
  },
  connectionLogMaxPending: {
    default: 10_000,
    unit: 'count',
    min: 1,
    summary:
      'Connection starts and ends held before a history write is forced; while the database fails, the oldest beyond this are dropped.',
  },
  policyRefreshMs: {
    default: 250,
    unit: 'ms',
    min: 10,
    summary: 'How often the hub checks the client database for admin changes to apply to live connections.',
  },
  pingFloodIntervalMs: {
    default: 30_000,
    unit: 'ms',
    min: 0,
    summary: 'Shortest time between two answers to PING floods from the same originating peer.',
  },
  floodCacheSize: {
    default: 4096,
    unit: 'count',
    min: 16,
    summary:
      'Flood ids (PROPAGATE, CASCADE, PING) remembered for de-duplication; the oldest is forgotten first.',
  },
  maxQueryReturnPaths: {
    default: 256,
    unit: 'count',
    min: 1,
    summary: 'Open QUERY/CASCADE return paths the hub remembers; the oldest is dropped first.',
  },
  queryReturnTtlMs: {
    default: 300_000,
    unit: 'ms',
    min: 1000,
    summary: 'How long a QUERY/CASCADE return path stays valid.',
  },
  queryTimeoutMs: {
    default: 10_000,
    unit: 'ms',
    min: 100,
    summary: 'Time the agent has to answer a QUERY before the hub replies hive.query.timeout.',
  },
  shutdownGraceMs: {
    default: 2000,
    unit: 'ms',
    min: 0,
    summary: 'Time connections get to finish the close handshake when the hub stops, before they are cut.',
  },
  // -- client SDK
  clientHandshakeTimeoutMs: {
    default: 30_000,
    unit: 'ms',
    min: 100,
    summary:
      'Time a client connection has to open the socket and finish the handshake before it is abandoned.',
  },
  clientMaxBufferedBytes: {
    default: 1 * MiB,
    unit: 'bytes',
    min: 1024,
    summary:
      "Bytes the client's socket may hold unsent before further messages wait in the client send queue.",
  },
  clientSendQueueMessages: {
    default: 1024,
    unit: 'messages',
    min: 1,
    summary: 'Messages waiting in the client send queue; a send beyond it fails with HL_ERR_SEND_QUEUE_FULL.',
  },
  // -- http: REST API
  restMaxBodyBytes: {
    default: 64 * 1024,
    unit: 'bytes',
    min: 1024,
    summary: 'Largest REST request body; a bigger one is refused with 413 HL_ERR_BODY_TOO_LARGE.',
  },
  restAskTimeoutMs: {
    default: 10_000,
    unit: 'ms',
    min: 100,
    summary:
      'Longest a REST ask waits for the agent (also its default; a request may ask for less); no answer by then is 408.',
  },
} as const satisfies Record<string, LimitDef>;

export type LimitName = keyof typeof LIMIT_DEFS;
export type Limits = { readonly [K in LimitName]: number };

/** A fresh object holding every default. */
export function defaultLimits(): Limits {
  const out = {} as Record<LimitName, number>;
  for (const name of Object.keys(LIMIT_DEFS) as LimitName[]) out[name] = LIMIT_DEFS[name].default;
  return out;
}

/** Defaults merged with `overrides`, validated (whole numbers, at least `min`) and frozen. */
export function resolveLimits(overrides: Partial<Record<LimitName, number>> = {}): Limits {
  const out = defaultLimits() as Record<LimitName, number>;
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(name in LIMIT_DEFS)) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `unknown limit "${name}"`);
    const def: LimitDef = LIMIT_DEFS[name as LimitName];
    if (!Number.isSafeInteger(value) || value < def.min) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        `limit "${name}" must be a whole number of ${def.unit} >= ${def.min}, got ${String(value)}`,
      );
    }
    out[name as LimitName] = value;
  }
  return Object.freeze(out);
}
