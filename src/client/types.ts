/**
 * The public contract of the client SDK: construction options, connection states, the stores it persists keys in,
 * and the minimal WebSocket shape it needs (satisfied by the browser's global `WebSocket` and by `ws`).
 *
 * @module
 */
import type { CryptoBackend } from '../crypto/backend.js';
import type { LegacyCipherName } from '../crypto/legacy-cipher.js';
import type { NoisePattern, NoiseSuite } from '../crypto/noise/index.js';
import type { HiveLinkError } from '../errors.js';
import type { EncodingName } from '../protocol/encodings.js';
import type { ProtocolChoice } from '../session/client-handshake.js';
import type { ProtocolVersion } from '../session/types.js';
import type { Timers } from '../timers.js';
import type { ClientFileSystem } from './files.js';
import type { IntercomOptions } from './intercom.js';
import type { IntercomRsa } from './intercom-rsa.js';

/** The events of a websocket the client listens to (browser `WebSocket` and `ws` both provide them). */
export interface WebSocketEventMap {
  open: unknown;
  message: { readonly data: unknown };
  close: { readonly code: number; readonly reason: string };
  error: unknown;
}

/** The part of the WHATWG `WebSocket` interface the client uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: (event: WebSocketEventMap[K]) => void,
  ): void;
}

/** A WebSocket constructor: the browser global, `ws`'s `WebSocket`, or a test double. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Opaque handle of a scheduled timer. */
export type TimerHandle = unknown;

/** Timers the client schedules with (injectable so tests control time): the one {@link Timers} type. */
export type ClientTimers = Timers;

/**
 * A place for the v3 PSK a client derived (see {@link HiveClientInit.pskCache}); `FileIdentityStore` is one.
 */
export interface PskCache {
  /** The PSK derived for the hub whose node id is `nodeId`, or null. */
  getPsk(nodeId: string): Promise<Uint8Array | null>;
  setPsk(nodeId: string, psk: Uint8Array): Promise<void>;
}

/**
 * Where a client keeps the hub Noise keys it pinned (trust on first use), one per `"host:port"`. The default
 * keeps them in memory for the client's lifetime; `FilePinStore` (Node) keeps them in a file.
 */
export interface PinStore {
  get(hostPort: string): Promise<Uint8Array | null>;
  set(hostPort: string, publicKey: Uint8Array): Promise<void>;
  delete(hostPort: string): Promise<void>;
}

/**
 * Where the client keeps its own Noise static private key. The hub pins the client's public key on first contact,
 * so a client that wants to reconnect after a restart must keep the same key: use a persistent store.
 */
export interface IdentityStore {
  getNoisePrivateKey(): Promise<Uint8Array | null>;
  setNoisePrivateKey(privateKey: Uint8Array): Promise<void>;
  /**
   * The client's end-to-end private keys (relay mode, docs/PROTOCOL.md §13), or null before they are made. A store
   * without these methods keeps none: the client makes new keys each run, and the hub refuses them once others are
   * pinned (`HL_ERR_RELAY_KEY_MISMATCH`).
   */
  getE2eKeys?(): Promise<E2eKeys | null>;
  setE2eKeys?(keys: E2eKeys): Promise<void>;
  /**
   * The client's HiveMind INTERCOM RSA private key (PKCS#8 `PRIVATE KEY` PEM; docs/PROTOCOL.md §5.4), or null before
   * it is made. A store without these methods keeps none: with the `intercom` option the client makes a new key each
   * run, and the hub refuses it once another is pinned (`key_not_bound`).
   */
  getIntercomKey?(): Promise<string | null>;
  setIntercomKey?(privateKeyPem: string): Promise<void>;
}

/** A client's end-to-end private keys: X25519 (sealed to) and Ed25519 (signs), 32 bytes each. */
export interface E2eKeys {
  readonly x25519PrivateKey: Uint8Array;
  readonly ed25519PrivateKey: Uint8Array;
}

/** Reconnect policy: `delay = min(retry, maxDelayMs) * uniform(0.5, 1.5)`, `retry` doubling from `initialDelayMs`. */
export interface ReconnectOptions {
  /** @default true */
  enabled?: boolean;
  /** @default 5000 */
  initialDelayMs?: number;
  /** @default 60000 */
  maxDelayMs?: number;
}

/** How the authorization token goes into the URL: raw (old hubs need it) or percent-encoded. */
export type TokenForm = 'raw' | 'percent';

/** Construction options of {@link HiveClient} (the entry points fill `backend` and `WebSocket`). */
export interface HiveClientInit {
  /** Hub URL, `ws://host:port` or `wss://host:port` (a path ending in `/` is kept, e.g. behind a proxy). */
  url: string;
  /**
   * More hubs of the same cluster (same clients, one store), tried in turn after `url` whenever a connection fails
   * or drops: a client whose hub dies reconnects to another. @default none
   */
  urls?: readonly string[];
  /** The client's access key (not secret; sent in the URL). */
  accessKey: string;
  /** The client's password (the secret): needed for legacy, and derives the v3 PSK. */
  password?: string;
  /** A provisioned v3 PSK (32 bytes or 64 hex characters), instead of deriving it from the password. */
  psk?: Uint8Array | string;
  /** @default `hivelink-client/<version>` */
  useragent?: string;
  /** @default 'auto' (v3 when the hub offers it, legacy otherwise) */
  protocol?: ProtocolChoice;
  /**
   * With `protocol: 'auto'`, fall back to the legacy handshake even with a hub whose Noise key is pinned (it spoke
   * v3 before). Off by default, so a proxy that strips `noise` from the hub's offer is refused with
   * `HL_ERR_DOWNGRADE_REFUSED` instead of getting a legacy session. @default false
   */
  allowLegacyFallback?: boolean;
  /** @default 'unknown' */
  siteId?: string;
  /**
   * This client is a full assistant: its HELLO says `"hivelink_assistant": true`, and the hub sends it the questions
   * relayed to its room, to answer itself (docs/PROTOCOL.md §12.3; `hivelink satellite --assistant`). @default false
   */
  assistant?: boolean;
  /**
   * HiveMind INTERCOM (docs/PROTOCOL.md §5.4): `true` or {@link IntercomOptions} gives the client an RSA key pair
   * (the option's, else the identity store's, else a new one kept there) whose public half its HELLO announces, so
   * it can send ({@link HiveClient.sendIntercom}) and receive ({@link HiveClient.onIntercom}) INTERCOMs.
   * @default off (HELLO says `pubkey: null`)
   */
  intercom?: boolean | IntercomOptions;
  /** The RSA of INTERCOM (the entry points bind node:crypto or WebCrypto). */
  intercomRsa?: IntercomRsa;
  /** Paths for {@link HiveClient.sendFile} and downloads (the Node entry point binds the disk). @default none */
  fileSystem?: ClientFileSystem;
  /** @default a fresh UUID per client instance (never `default`, which hubs reserve) */
  sessionId?: string;
  /** @default 'en-US' */
  lang?: string;
  /** Ask for bitstring framing. @default false */
  binarize?: boolean;
  /** Legacy encodings in preference order. @default ['JSON-B64', 'JSON-HEX'] */
  encodings?: EncodingName[];
  /** Legacy ciphers in preference order. @default ['AES-GCM', 'CHACHA20-POLY1305'] */
  ciphers?: LegacyCipherName[];
  /** Noise suites in preference order. @default ['25519_ChaChaPoly_SHA256', '25519_AESGCM_SHA256'] */
  suites?: NoiseSuite[];
  /** @default 'raw' */
  tokenForm?: TokenForm;
  reconnect?: ReconnectOptions;
  /** @default an in-memory store */
  pinStore?: PinStore;
  /** @default an in-memory store (a fresh Noise key per client instance) */
  identityStore?: IdentityStore;
  /**
   * Keeps the v3 PSK (argon2id of the password, salted with the hub's node id) across client instances, so a
   * one-shot client skips the slow derivation. Give one only where the password itself is kept as safely (the
   * CLI does when the password is saved in the same identity file). @default none (derived once per instance)
   */
  pskCache?: PskCache;
  /** @default `globalThis.setTimeout` / `clearTimeout` */
  timers?: ClientTimers;
  /** Uniform random number in [0, 1) for the backoff jitter. @default Math.random */
  random?: () => number;
  /**
   * Limits (defaults in `docs/LIMITS.md`): the handshake deadline, and the send-queue bounds applied while the
   * socket's `bufferedAmount` is above `clientMaxBufferedBytes`.
   */
  limits?: {
    /** @default LIMIT_DEFS.clientHandshakeTimeoutMs.default */
    handshakeTimeoutMs?: number;
    /** @default LIMIT_DEFS.clientMaxBufferedBytes.default */
    maxBufferedBytes?: number;
    /** @default LIMIT_DEFS.clientSendQueueMessages.default */
    sendQueueMessages?: number;
    /** @default LIMIT_DEFS.maxFrameBytes.default */
    maxFrameBytes?: number;
  };
  backend: CryptoBackend;
  WebSocket: WebSocketConstructor;
}

/** Construction options of the entry points' `createHiveClient`: `backend` and `WebSocket` are bound for you. */
export type HiveClientOptions = Omit<HiveClientInit, 'backend' | 'WebSocket'> &
  Partial<Pick<HiveClientInit, 'backend' | 'WebSocket'>>;

/** What an open connection negotiated. */
export interface ConnectionInfo {
  protocolVersion: ProtocolVersion;
  /** Legacy cipher or Noise suite. */
  cipher: string;
  /** Legacy encoding, or `noise`. */
  encoding: string;
  /** The Noise pattern of a v3 session. */
  pattern: NoisePattern | null;
  /** The hub's name for this connection, from its HELLO (its session part is a placeholder). */
  peer: string;
  /** The hub's node id from its HELLO. */
  nodeId: string;
}

/**
 * The client's one state field.
 *
 * ```
 *  idle ──connect()──▶ connecting ──socket open──▶ handshaking ──HELLO sent──▶ open
 *                          ▲                             │                      │
 *                          │      (retryable failure)    ▼                      ▼
 *                          └────────────────────── reconnecting ◀──────── socket lost
 *  any state ──close(), refusal (1008), wrong password, pin mismatch──▶ closed
 * ```
 */
export type ClientState =
  | { readonly type: 'idle' }
  | { readonly type: 'connecting'; readonly attempt: number }
  | { readonly type: 'handshaking'; readonly attempt: number }
  | ({ readonly type: 'open' } & Readonly<ConnectionInfo>)
  | {
      readonly type: 'reconnecting';
      readonly delayMs: number;
      readonly attempt: number;
      readonly error: HiveLinkError;
    }
  | {
      readonly type: 'closed';
      readonly code: number;
      readonly reason: string;
      readonly error: HiveLinkError | null;
    };

export type ClientStateType = ClientState['type'];

/** Per-call options of {@link HiveClient.ask}. */
export interface AskOptions {
  /** Overrides the client's language for this utterance. */
  lang?: string;
  /** @default 10000 */
  timeoutMs?: number;
}

/** What {@link HiveClient.ask} resolves with. */
export interface AskResult {
  /** Every `speak` / `ovos.utterance.speak` utterance for this session, in order. */
  answers: string[];
  /** False when the hub reported `complete_intent_failure` (not understood). */
  handled: boolean;
  /** True when the turn ended by the timeout after at least one answer (no `ovos.utterance.handled` came). */
  timedOut: boolean;
  /**
   * True when the last answer asked a question (`speak` with `expect_response`): a skill is waiting for the next
   * utterance of this session, so the turn ends there and the reply goes in the next `ask()`.
   */
  expectsResponse?: boolean;
}
