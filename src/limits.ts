/**
 * Every limit hivelink enforces, with its safe default, listed in `docs/LIMITS.md` (a unit test keeps the two in
 * step). A `hub` limit is set under `limits` in the hub config (`hivelink.json`) and reaches its consumer through
 * the composition root (`src/hub/compose.ts`); `test/integration/limits-wired.test.ts` trips every one of them
 * through a real hub, and fails for a `hub` limit it has no case for. A `client` limit is an option of the client
 * side (SDK, CLI); the hub config refuses it.
 *
 * @module
 */
import { HiveLinkError } from './errors.js';

/** Where a limit is set and enforced (see {@link LimitDef.scope}). */
export type LimitScope = 'hub' | 'client';

export interface LimitDef {
  /** The default value, in `unit`. */
  readonly default: number;
  readonly unit: 'bytes' | 'ms' | 'count' | 'messages' | 'messages/s' | 'bits';
  /**
   * Who applies it: `hub` — the hub config, enforced by `hivelink hub`; `client` — an option of the client side
   * (the SDK, the PSK derivation, the admin CLI), which the hub config refuses.
   */
  readonly scope: LimitScope;
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
    scope: 'hub',
    min: 1024,
    summary: 'Largest websocket frame accepted or decoded (text or binary, before decryption).',
  },
  maxDecompressedBytes: {
    default: 16 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 1024,
    summary:
      'Largest size a zlib-compressed bitstring field may inflate to (zip-bomb guard); more closes the connection with 1009.',
  },
  maxJsonDepth: {
    default: 128,
    unit: 'count',
    scope: 'hub',
    min: 16,
    summary:
      'Deepest nesting of JSON objects and arrays in a HiveMessage, counting the envelope as 1; a deeper message is answered hive.policy.denied (malformed_message).',
  },
  maxWrapperDepth: {
    default: 8,
    unit: 'count',
    scope: 'hub',
    min: 2,
    summary:
      'Deepest nesting of wrapper messages (broadcast, propagate, escalate, query, cascade) in one another; deeper is answered hive.policy.denied (malformed_message).',
  },
  noiseChunkBytes: {
    default: 65000,
    unit: 'bytes',
    scope: 'hub',
    min: 64,
    summary: 'Largest body of one v3 transport frame; longer messages are sent as chunks.',
  },
  maxReassemblyBytes: {
    default: 32 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 65000,
    summary:
      'Largest v3 message that may be reassembled from chunks; a bigger one closes the connection with 1009.',
  },
  legacyReplayWindow: {
    default: 4096,
    unit: 'count',
    scope: 'hub',
    min: 16,
    summary:
      'Legacy frames per session whose nonces are remembered to refuse replays (at least this many, at most twice).',
  },
  maxNoiseNonce: {
    default: Number.MAX_SAFE_INTEGER,
    unit: 'count',
    scope: 'hub',
    min: 16,
    summary:
      'Transport messages one Noise cipher state may protect; the next one closes the connection with 1008 (HL_ERR_NONCE_EXHAUSTED); a new connection has fresh keys.',
  },
  maxPbkdf2Iterations: {
    default: 1_000_000,
    unit: 'count',
    scope: 'client',
    min: 100_000,
    summary: 'Most PBKDF2 iterations a client accepts from a hub offer when deriving the v3 PSK.',
  },

  // -- store
  maxHistoryPerClient: {
    default: 1000,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Connection-history rows kept per client; older rows are pruned when a new connection is recorded.',
  },
  storePoolSize: {
    default: 10,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Connections the hub keeps open to a PostgreSQL store (--store postgres://…), besides the one that listens for changes; queries beyond them wait for a free one.',
  },

  // -- bus (OVOS messagebus)
  busMaxMessageBytes: {
    default: 10 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 1024,
    summary: 'Largest bus message (one websocket frame); a bigger frame closes the connection with 1009.',
  },
  busMaxBufferedBytes: {
    default: 16 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 1024,
    summary: 'Bytes a bus connection may have waiting to be sent; a slower receiver is closed with 1013.',
  },
  busMaxPendingMessages: {
    default: 10000,
    unit: 'messages',
    scope: 'hub',
    min: 1,
    summary:
      'Messages a bus holds before delivering or sending them (in-process queue, client offline queue, bus server local view); one more is refused with HL_ERR_BUS_QUEUE_FULL (the bus server logs and drops it).',
  },
  busMaxKnownSessions: {
    default: 1024,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      "Non-default sessions a bus client (the hub's OVOS agent) remembers; the least recently seen is forgotten first.",
  },
  // -- assistant (embedded OVOS-compatible core)
  assistantResponseTimeoutMs: {
    default: 20_000,
    unit: 'ms',
    scope: 'hub',
    min: 0,
    summary: "How long a skill's question (get_response) waits for the next utterance of the same session.",
  },
  assistantMaxSessions: {
    default: 10_000,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Sessions whose dialogue state (active skills, skill storage) the assistant keeps; least recently used goes first.',
  },
  assistantMaxUtteranceWords: {
    default: 50,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary: 'Longest utterance, in words, the intent engine tries to match; a longer one matches nothing.',
  },
  // -- hub: connections, keepalive, policy, routing
  maxUtteranceChars: {
    default: 4096,
    unit: 'count',
    scope: 'hub',
    min: 64,
    summary:
      'Longest utterance (characters, all alternatives together) a client may send; a longer one is answered hive.policy.denied (too_large).',
  },
  handshakeTimeoutMs: {
    default: 10_000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary: 'Time a new connection has to complete its handshake; then it is closed with 1008.',
  },
  maxHandshakeFrameBytes: {
    default: 65536,
    unit: 'bytes',
    scope: 'hub',
    min: 4096,
    summary:
      'Largest cleartext frame read before the secure channel exists (HELLO, HANDSHAKE); a bigger one closes with 1009.',
  },
  legacyKdfConcurrency: {
    default: 0,
    unit: 'count',
    scope: 'hub',
    min: 0,
    summary:
      'Legacy session-key derivations (PBKDF2, 100 000 rounds) the hub runs at once; 0 = one less than the CPU cores, at least 1, so the event loop keeps a core. More wait, and are refused with 1013 when they could not finish within half the handshake timeout.',
  },
  pingIntervalMs: {
    default: 30_000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary: 'Interval between websocket pings the hub sends to each connection.',
  },
  pingTimeoutMs: {
    default: 20_000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary: 'Time a connection has to answer a ping with a pong before the hub drops it.',
  },
  maxConnections: {
    default: 10_000,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary: 'Open websocket connections the hub accepts; more are closed with 1013.',
  },
  maxConnectionsPerIp: {
    default: 64,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary: 'Open connections from one IP address; more are closed with 1013.',
  },
  upgradeTimeoutMs: {
    default: 5000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary:
      'Time a new TCP connection has to finish its TLS handshake and send a complete HTTP request or websocket upgrade; then it is closed without an answer (counted as a pre-upgrade timeout).',
  },
  maxPendingUpgrades: {
    default: 1024,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'TCP connections the hub holds at once that have not yet sent a complete HTTP request or upgrade; one more is closed at once (counted as refused).',
  },
  maxPendingUpgradesPerIp: {
    default: 64,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Such connections from one IP address (as many as it may hold open, maxConnectionsPerIp); one more from that address is closed at once (counted as refused).',
  },
  inboundQueueMessages: {
    default: 64,
    unit: 'messages',
    scope: 'hub',
    min: 1,
    summary:
      'Frames of one connection waiting to be processed; overflow closes it with 1013 "message queue full".',
  },
  maxBufferedBytes: {
    default: 4 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 1024,
    summary:
      'Bytes waiting to be sent to one hub connection; a client that cannot keep up is closed with 1013.',
  },
  defaultRateLimitPerSecond: {
    default: 50,
    unit: 'messages/s',
    scope: 'hub',
    min: 1,
    summary:
      'Messages per second a client may send (token bucket, burst 2x) unless its record says otherwise; excess gets a policy error, a sustained flood closes with 1008.',
  },
  lastSeenFlushMs: {
    default: 10_000,
    unit: 'ms',
    scope: 'hub',
    min: 1,
    summary: "Longest delay before a client's last-seen time is written (one batched write per interval).",
  },
  connectionLogFlushMs: {
    default: 1_000,
    unit: 'ms',
    scope: 'hub',
    min: 1,
    summary:
      'Longest delay before connection starts and ends are written to the history (one transaction per interval for all of them).',
  },
  connectionLogMaxPending: {
    default: 10_000,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Connection starts and ends held before a history write is forced; while the database fails, the oldest beyond this are dropped.',
  },
  policyRefreshMs: {
    default: 250,
    unit: 'ms',
    scope: 'hub',
    min: 10,
    summary: 'How often the hub checks the client database for admin changes to apply to live connections.',
  },
  pingFloodIntervalMs: {
    default: 30_000,
    unit: 'ms',
    scope: 'hub',
    min: 0,
    summary: 'Shortest time between two answers to PING floods from the same originating peer.',
  },
  floodCacheSize: {
    default: 4096,
    unit: 'count',
    scope: 'hub',
    min: 16,
    summary:
      'Flood ids (PROPAGATE, CASCADE, PING) remembered for de-duplication; the oldest is forgotten first.',
  },
  maxQueryReturnPaths: {
    default: 256,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary: 'Open QUERY/CASCADE return paths the hub remembers; the oldest is dropped first.',
  },
  recentDenials: {
    default: 100,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Policy denials (hive.policy.denied answers) the hub keeps in memory for the admin page and GET /v1/admin/denials; the oldest is forgotten first.',
  },
  queryReturnTtlMs: {
    default: 300_000,
    unit: 'ms',
    scope: 'hub',
    min: 1000,
    summary: 'How long a QUERY/CASCADE return path stays valid.',
  },
  queryTimeoutMs: {
    default: 10_000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary: 'Time the agent has to answer a QUERY before the hub replies hive.query.timeout.',
  },
  shutdownGraceMs: {
    default: 2000,
    unit: 'ms',
    scope: 'hub',
    min: 0,
    summary: 'Time connections get to finish the close handshake when the hub stops, before they are cut.',
  },
  eventLoopStallMs: {
    default: 1000,
    unit: 'ms',
    scope: 'hub',
    min: 50,
    summary:
      'Event-loop lateness above which the hub logs a warning (with the stall in ms) and counts a stall in /metrics (hivelink_event_loop_stalls_total).',
  },
  // -- hub: authentication (passwords, throttling, replays)
  minPasswordBits: {
    default: 40,
    unit: 'bits',
    scope: 'hub',
    min: 0,
    summary:
      'Least estimated entropy of a client password: `clients add` refuses a weaker one without --allow-weak-password, and the hub closes a client whose stored password is weaker with 1008 (HL_ERR_PASSWORD_WEAK) unless its record allows it; 0 turns the connect-time check off.',
  },
  authFailuresPerIp: {
    default: 10,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Failed authentications (unknown keys, wrong passwords, handshakes given up before the key was proven) one address may make before each further attempt waits; then 1013 HL_ERR_AUTH_THROTTLED.',
  },
  authFailuresPerKey: {
    default: 5,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Failed authentications with one access key, from addresses it has not authenticated from lately, before each further attempt from such an address waits.',
  },
  authThrottleBaseDelayMs: {
    default: 1000,
    unit: 'ms',
    scope: 'hub',
    min: 1,
    summary: 'The wait after the last failure once a budget is spent; it doubles with every further failure.',
  },
  authThrottleMaxDelayMs: {
    default: 60_000,
    unit: 'ms',
    scope: 'hub',
    min: 1,
    summary:
      'Longest wait a spent failure budget imposes (also the longest a client at a new address waits while its key is attacked from elsewhere).',
  },
  authFailureForgetMs: {
    default: 15 * 60 * 1000,
    unit: 'ms',
    scope: 'hub',
    min: 1000,
    summary: 'A failure budget (address or key) is forgotten this long after its last failure.',
  },
  authTrustedAddressTtlMs: {
    default: 7 * 24 * 60 * 60 * 1000,
    unit: 'ms',
    scope: 'hub',
    min: 0,
    summary:
      "How long an address a key authenticated from stays exempt from that key's failure budget (failures from elsewhere never delay it).",
  },
  authThrottleEntries: {
    default: 65536,
    unit: 'count',
    scope: 'hub',
    min: 16,
    summary:
      'Addresses, access keys and trusted (key, address) pairs the failure budgets remember, each; the least recently used is forgotten first.',
  },
  legacyEnvelopeCacheSize: {
    default: 65536,
    unit: 'count',
    scope: 'hub',
    min: 16,
    summary:
      'Legacy client envelopes (client and IV) the hub remembers, to refuse one replayed on another connection with 1008 HL_ERR_HANDSHAKE_REPLAYED; the oldest is forgotten first.',
  },
  legacyKdfPerIp: {
    default: 8,
    unit: 'count',
    scope: 'hub',
    min: 0,
    summary:
      'Legacy key derivations one address may have running or waiting at once; more are refused with 1013 HL_ERR_HUB_BUSY. 0: no cap.',
  },
  legacyKdfPerKey: {
    default: 4,
    unit: 'count',
    scope: 'hub',
    min: 0,
    summary:
      'Legacy key derivations one access key may have running or waiting at once; more are refused with 1013 HL_ERR_HUB_BUSY. 0: no cap.',
  },
  // -- hub: subscriptions ("newsletters", issue 11)
  maxSubscriptions: {
    default: 256,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Subscriptions the hub keeps; adding one more is refused with HL_ERR_TOO_MANY_SUBSCRIPTIONS, and a hub configured lower schedules only the oldest this many.',
  },
  maxSubscribersPerSubscription: {
    default: 1024,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Clients one subscription delivers to; one more subscribing (by voice, SDK or CLI) is refused with HL_ERR_TOO_MANY_SUBSCRIBERS.',
  },
  minSubscriptionIntervalMs: {
    default: 60_000,
    unit: 'ms',
    scope: 'hub',
    min: 1000,
    summary:
      'Shortest time between two ticks of a subscription (--every, or the closest runs of --cron); a shorter schedule is refused with HL_ERR_BAD_SCHEDULE, and the hub does not schedule one added under a lower setting.',
  },
  // -- client SDK
  clientHandshakeTimeoutMs: {
    default: 30_000,
    unit: 'ms',
    scope: 'client',
    min: 100,
    summary:
      'Time a client connection has to open the socket and finish the handshake before it is abandoned.',
  },
  clientMaxBufferedBytes: {
    default: 1 * MiB,
    unit: 'bytes',
    scope: 'client',
    min: 1024,
    summary:
      "Bytes the client's socket may hold unsent before further messages wait in the client send queue.",
  },
  clientSendQueueMessages: {
    default: 1024,
    unit: 'messages',
    scope: 'client',
    min: 1,
    summary: 'Messages waiting in the client send queue; a send beyond it fails with HL_ERR_SEND_QUEUE_FULL.',
  },
  // -- http: REST API
  restMaxBodyBytes: {
    default: 64 * 1024,
    unit: 'bytes',
    scope: 'hub',
    min: 1024,
    summary: 'Largest REST request body; a bigger one is refused with 413 HL_ERR_BODY_TOO_LARGE.',
  },
  restAskTimeoutMs: {
    default: 10_000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary:
      'Longest a REST ask waits for the agent (also its default; a request may ask for less); no answer by then is 408.',
  },
  // -- hub: the house (rooms, relayed orders, announcements, the admin command queue)
  relayAskTimeoutMs: {
    default: 5_000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary:
      'How long a relayed question ("ask the kitchen …") waits for the room\'s answer; then the asker hears that the room did not answer (HL_ERR_RELAY_TIMEOUT).',
  },
  maxPendingRelays: {
    default: 256,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Relayed questions waiting for their rooms at once, hub-wide; one more is refused with HL_ERR_RELAY_BUSY.',
  },
  adminCommandTtlMs: {
    default: 60_000,
    unit: 'ms',
    scope: 'hub',
    min: 1000,
    summary:
      'A queued admin command (announce, …) older than this when the hub reads it is dropped, not run late (HL_ERR_ADMIN_COMMAND_EXPIRED); finished commands are deleted this long after they finished.',
  },
  adminQueueMaxPending: {
    default: 64,
    unit: 'count',
    scope: 'client',
    min: 1,
    summary:
      'Admin commands the admin CLI lets wait in the store for the hub (each at most 64 KiB of JSON); one more is refused with HL_ERR_ADMIN_QUEUE_FULL.',
  },
  adminCommandWaitMs: {
    default: 5_000,
    unit: 'ms',
    scope: 'client',
    min: 100,
    summary:
      'How long the admin CLI waits for the running hub to carry out a queued command (--wait); then the command is withdrawn (HL_ERR_ADMIN_COMMAND_TIMEOUT).',
  },
  // -- hub: timers, alarms and reminders (issue 11)
  maxTimersPerClient: {
    default: 50,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Timers, alarms and reminders one client may have waiting at once (stored, so they survive a restart); one more is refused with HL_ERR_TIMER_LIMIT.',
  },
  maxTimerDurationMs: {
    default: 30 * 24 * 3600 * 1000,
    unit: 'ms',
    scope: 'hub',
    min: 1000,
    summary:
      'Furthest ahead a timer, alarm or reminder may be due; further is refused with HL_ERR_TIMER_TOO_LONG.',
  },
  // -- hub: consent and intercom lines (issue 11)
  consentTimeoutMs: {
    default: 60_000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary:
      'How long a message waits for its recipient\'s consent (the recipient was asked "office wants to talk to you. Allow?"); then it is dropped and the sender hears so (HL_ERR_CONSENT_TIMEOUT).',
  },
  maxHeldMessages: {
    default: 256,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Messages waiting for consent at once, hub-wide; one more is refused with HL_ERR_CONSENT_HELD_FULL.',
  },
  maxHeldMessagesPerClient: {
    default: 16,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      "Messages waiting for one recipient's consent at once; one more is refused with HL_ERR_CONSENT_HELD_FULL.",
  },
  maxIntercomLines: {
    default: 64,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary: 'Intercom lines open at once, hub-wide; one more is refused with HL_ERR_INTERCOM_LIMIT.',
  },
  intercomIdleMs: {
    default: 300_000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary: 'An intercom line nobody has spoken on for this long is closed (both ends hear it).',
  },
  // -- sealed messages (relay mode, issue 12; docs/PROTOCOL.md §13)
  maxSealedBytes: {
    default: 65_536,
    unit: 'bytes',
    scope: 'hub',
    min: 256,
    summary:
      'Largest sealed envelope the hub relays (decoded bytes); a bigger one is refused with HL_ERR_SEALED_TOO_LARGE.',
  },
  sealedMaxSkewMs: {
    default: 300_000,
    unit: 'ms',
    scope: 'hub',
    min: 1000,
    summary:
      "How far a sealed envelope's timestamp may be from the hub's clock, either way; further is refused with HL_ERR_SEALED_STALE (message ids are remembered this long).",
  },
  sealedReplayCacheSize: {
    default: 4096,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Sealed message ids remembered per recipient to refuse a replay (HL_ERR_SEALED_REPLAY); the oldest is forgotten first.',
  },
  maxReplyHandles: {
    default: 4096,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'One-time reply handles of anonymous sealed messages kept at once, hub-wide; the oldest is forgotten first (its reply then fails with HL_ERR_SEALED_REPLY_HANDLE).',
  },
  replyHandleTtlMs: {
    default: 86_400_000,
    unit: 'ms',
    scope: 'hub',
    min: 1000,
    summary:
      'How long a reply handle of an anonymous sealed message can be used; later its reply fails with HL_ERR_SEALED_REPLY_HANDLE.',
  },
  maxRelayAuditRows: {
    default: 100_000,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Rows of the relay audit log (who sent a sealed message to whom, never what) kept; the oldest are deleted first.',
  },
  relayHopTimeoutMs: {
    default: 3000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary:
      'How long a hub waits for the next hub of the mesh to answer a relayed sealed message (else HL_ERR_RELAY_HOP_TIMEOUT), and the first hub for the mesh to answer a directory question (each further hub waits less).',
  },
  maxRelayRoutes: {
    default: 4096,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Routes across the mesh (the tokens of remote directory entries) a hub keeps, each for replyHandleTtlMs; the oldest is forgotten first (a send on it fails with HL_ERR_RELAY_ROUTE: look the recipient up again).',
  },
  // -- hub: the mailbox (RENDEZVOUS, issue 12)
  mailboxMaxMessages: {
    default: 256,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      "Messages waiting in one recipient's mailbox; one more deposit is refused (RENDEZVOUS reason mailbox_full, HL_ERR_MAILBOX_FULL).",
  },
  mailboxMaxBytes: {
    default: 16 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 64 * 1024,
    summary:
      "Bytes of mail (the stored INTERCOM or sealed message) waiting in one recipient's mailbox; a deposit that would pass it is refused (mailbox_full).",
  },
  mailboxExpiryMs: {
    default: 7 * 24 * 3_600_000,
    unit: 'ms',
    scope: 'hub',
    min: 1000,
    summary:
      'How long deposited mail waits for its recipient to collect and acknowledge it; then it is never handed out and is purged.',
  },

  // -- hub: the mesh (nested hubs, issue 13; docs/PROTOCOL.md §14)
  maxMeshHops: {
    default: 16,
    unit: 'count',
    scope: 'hub',
    min: 2,
    summary:
      'Hops a relayed message (a flood, a QUERY, a climbing utterance) may already carry; one that has this many is dropped, and nothing is climbed past it.',
  },
  maxMeshTurns: {
    default: 256,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      "Satellites' utterances the hub follows at once for climbing to its parent (waiting for the local verdict or the parent's answer); the oldest is answered locally beyond.",
  },
  meshClimbTimeoutMs: {
    default: 8000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary:
      'Time the parent has to finish a climbed utterance; then the satellite gets the local answer (not understood), or the end of what the parent said (a climbed QUERY ends by queryTimeoutMs).',
  },
  parentReconnectDelayMs: {
    default: 1000,
    unit: 'ms',
    scope: 'hub',
    min: 10,
    summary:
      'First delay before a lost parent link reconnects; it doubles (with jitter) after every failed attempt, up to 60 s, and starts over once the link is open.',
  },
  cascadeWindowMs: {
    default: 3000,
    unit: 'ms',
    scope: 'hub',
    min: 50,
    summary:
      'How long the hub a CASCADE was asked of gathers the answers of the mesh before its selector picks what the asker gets (the first selector ends it sooner); keep it below queryTimeoutMs.',
  },
  meshMapWindowMs: {
    default: 2000,
    unit: 'ms',
    scope: 'hub',
    min: 50,
    summary: 'How long hivelink mesh map gathers the answers to its PING flood before it draws the tree.',
  },
  // -- hub: skills that flow down (signed bundles, the sandbox; issue 13, docs/PROTOCOL.md §15)
  skillBundleMaxBytes: {
    default: 4 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 1024,
    summary:
      'Largest skill bundle (.hlskill) the hub installs or takes from a parent; a larger one is refused with HL_ERR_SKILL_BUNDLE_INVALID.',
  },
  skillSandboxTimeoutMs: {
    default: 2000,
    unit: 'ms',
    scope: 'hub',
    min: 50,
    summary:
      "Longest an installed skill's worker may leave the hub's calls unanswered with its event loop blocked (a loop, a long computation); then it is stopped, the call fails with HL_ERR_SKILL_TIMEOUT and the next call starts a fresh worker.",
  },
  skillSandboxMaxHeapBytes: {
    default: 64 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 8 * MiB,
    summary:
      "Heap (old generation) of an installed skill's worker (resourceLimits); a skill that needs more is stopped with HL_ERR_SKILL_TIMEOUT and the hub carries on.",
  },
  // -- hub: files and jobs (issue 15, docs/PROTOCOL.md "Files and jobs")
  maxFileBytes: {
    default: 1024 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 1024,
    summary:
      'Largest file a client may send to the hub (hive.file.offer, or a HiveMind BINARY FILE); a larger one is refused with HL_ERR_FILE_TOO_LARGE before a byte is stored.',
  },
  fileQuotaBytes: {
    default: 2048 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 1024,
    summary:
      "Bytes of files one client may keep on the hub (stored, arriving, and its jobs' outputs); a file that would pass it is refused with HL_ERR_FILE_QUOTA.",
  },
  maxParallelTransfers: {
    default: 4,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Files one client may be sending to the hub at once (offered, not yet whole); one more is refused with HL_ERR_FILE_TOO_MANY_TRANSFERS.',
  },
  fileExpiryMs: {
    default: 7 * 24 * 3600 * 1000,
    unit: 'ms',
    scope: 'hub',
    min: 1000,
    summary:
      'How long a file stays on the hub after it arrived (or a partial one after its last chunk), and a finished job record after it ended; then it is removed (checked hourly and at start).',
  },
  jobConcurrency: {
    default: 2,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary: 'Jobs of one kind running at once, hub-wide (each in its own worker thread); more wait queued.',
  },
  jobConcurrencyPerClient: {
    default: 2,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary: "Jobs of one client running at once, whatever their kind; the client's others wait queued.",
  },
  maxQueuedJobsPerClient: {
    default: 16,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary: 'Jobs one client may have queued or running; one more is refused with HL_ERR_JOB_QUEUE_FULL.',
  },
  jobTimeoutMs: {
    default: 600_000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary:
      'Longest a job may run; then its worker and child processes are stopped and the job fails with HL_ERR_JOB_TIMEOUT.',
  },
  jobMaxMemoryBytes: {
    default: 512 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 16 * MiB,
    summary:
      "Memory of one job: its worker thread's heap (resourceLimits) and each child process's address space (ulimit -v); a job that needs more fails with HL_ERR_JOB_MEMORY.",
  },
  // -- hub: pairing without typing secrets (issue 17, docs/PROTOCOL.md §17)
  pairingLifetimeMs: {
    default: 600_000,
    unit: 'ms',
    scope: 'hub',
    min: 10_000,
    summary:
      'Longest a pairing code lives: hivelink pair makes codes for this long unless --expires says less, and the hub refuses a code older than this (HL_ERR_PAIRING_EXPIRED) whatever it was made for.',
  },
  pairingMaxAttempts: {
    default: 3,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Pairing handshakes one code answers; once it answered this many without pairing it is burnt (HL_ERR_PAIRING_ATTEMPTS): an active attacker gets this many guesses.',
  },
  maxPendingPairings: {
    default: 16,
    unit: 'count',
    scope: 'client',
    min: 1,
    summary:
      'Pairing codes waiting (unused, unexpired) at once; hivelink pair refuses another with HL_ERR_PAIRING_LIMIT.',
  },

  // -- hub: the voice path (speech in and out, issue 14; docs/PROTOCOL.md §5.6)
  voiceMaxUtteranceMs: {
    default: 15_000,
    unit: 'ms',
    scope: 'hub',
    min: 500,
    summary:
      'Longest utterance of audio: one STT message or bus form longer is refused (HL_ERR_AUDIO_TOO_LONG), a RAW_AUDIO stream that reaches it without an end of speech is refused and dropped (HL_ERR_AUDIO_NO_END); bounds each stream buffer.',
  },
  voiceEngineTimeoutMs: {
    default: 20_000,
    unit: 'ms',
    scope: 'hub',
    min: 100,
    summary:
      'Time one speech job (a pocketsphinx or espeak-ng process, a Wyoming exchange) may take; then it is killed and the job fails with HL_ERR_VOICE_ENGINE_TIMEOUT.',
  },
  voiceMaxJobs: {
    default: 16,
    unit: 'count',
    scope: 'hub',
    min: 1,
    summary:
      'Speech jobs (transcriptions and syntheses) waiting or running at once, hub-wide (at most two run at a time per core); one more is refused with HL_ERR_VOICE_BUSY.',
  },
  voiceMaxSynthBytes: {
    default: 4 * MiB,
    unit: 'bytes',
    scope: 'hub',
    min: 4096,
    summary:
      'Most audio one synthesis may produce (WAV bytes from espeak-ng or a Wyoming server); more is dropped and the answer goes out as text only (HL_ERR_VOICE_OUTPUT_TOO_LARGE).',
  },
} as const satisfies Record<string, LimitDef>;

export type LimitName = keyof typeof LIMIT_DEFS;
/** The limits the hub config sets and the hub enforces (`scope: 'hub'`). */
export type HubLimitName = {
  [K in LimitName]: (typeof LIMIT_DEFS)[K]['scope'] extends 'hub' ? K : never;
}[LimitName];
export type Limits = { readonly [K in LimitName]: number };

/** The names of the limits of `scope`, in registry order. */
export function limitsOfScope(scope: LimitScope): LimitName[] {
  return (Object.keys(LIMIT_DEFS) as LimitName[]).filter((name) => LIMIT_DEFS[name].scope === scope);
}

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
