/**
 * What the hub's parts see of each other: a {@link HubPeer} is one live, authenticated connection as the message
 * handlers and the agent router use it; a {@link HubContext} is the hub as the handlers use it.
 *
 * @module
 */
import type { Logger } from 'pino';
import type { MessageBus, MessageData, SessionData } from '../bus/types.js';
import type { HiveLinkError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { JsonObject } from '../protocol/json.js';
import type { HiveMessage } from '../protocol/message.js';
import type { ClientRecord } from '../store/types.js';
import type { HubConfig } from './config.js';
import type { FloodCache } from './flood.js';
import type { HubMailbox } from './mailbox.js';
import type { PeerRegistry } from './peers.js';
import type { QueryTracker } from './queries.js';
import type { SessionNat } from './session-nat.js';

/** What the hub keeps of one client's OVOS session (docs/PROTOCOL.md §B2.3), in the client's own ids (not NAT'ed). */
export interface PeerSession {
  /** The session the client declared in its HELLO, or null before it sent one. */
  hello: SessionData | null;
  /** The latest session an agent reply addressed to this client carried: attached to its next BUS message. */
  latest: SessionData | null;
}

/** One open connection, as the handlers and the router see it. */
export interface HubPeer {
  /** Connection serial number (unique per hub process). */
  readonly id: number;
  /** The peer id on the wire: `<useragent>::<client_id>::<name>::<session_id>` (a suffix on collision). */
  readonly peer: string;
  readonly useragent: string;
  readonly ip: string;
  /** Which rate limiter counts this peer's messages: one per connection, one per client for REST asks. */
  readonly rateKey: string;
  /** The client record as of the last policy refresh. */
  readonly record: ClientRecord;
  /** 2 (legacy) or 3 (Noise) once open. */
  readonly protocolVersion: number;
  /** The client's room: its record's site (the admin's), else the site its HELLO announced. */
  readonly siteId: string | null;
  /** The site the client's HELLO announced, or null (its record's site wins: {@link siteId}). */
  readonly helloSiteId?: string | null;
  /** The client's HELLO said it is a full assistant (`hivelink_assistant: true`, docs/PROTOCOL.md §12.3). */
  readonly isAssistant?: boolean;
  /**
   * The RSA public key the client announced in its HELLO and the hub bound to its record (INTERCOM addressing), in
   * canonical form (base64 SPKI DER, `readIntercomKey`); null when none is bound.
   */
  readonly pubkey: string | null;
  readonly nat: SessionNat;
  readonly session: PeerSession;
  /** Encrypts and sends one message; false when the connection is not open (the message is dropped). */
  send(message: HiveMessage): boolean;
  /** Answers with BUS `hive.policy.denied {denied_type, code, reason}`; the connection stays open. */
  deny(deniedType: string, code: string, reason: string): void;
  /** Closes the connection with the error's close code and message. */
  close(error: HiveLinkError): void;
  /**
   * Records the client's HELLO (session, site, pubkey) and re-registers it under its new peer id. A promise while
   * the announced key is being pinned (it holds the connection's inbound queue).
   */
  applyHello(payload: Record<string, unknown>): void | Promise<void>;
  /** Handles a HANDSHAKE after the session was established (legacy clients re-key; v3 closes). */
  rekey(message: HiveMessage): Promise<void>;
}

/**
 * A rule of a feature that may take a client's BUS message before the hub injects it onto the agent bus (the
 * house's relayed answers; later a conference or an intercom line). Returns true when it took the message: it is then
 * not injected. Taps run in the order they were added, after the policy stage accepted the message.
 */
export type BusTap = (conn: HubPeer, payload: JsonObject) => boolean;

/**
 * A rule of a feature that may take an agent-bus message before the router delivers it to `conn` (the mesh holds back
 * a local "not understood" while the parent answers, docs/PROTOCOL.md §14). Returns true when it took the message:
 * the router then does not deliver it to that connection. Taps run in the order they were added.
 */
export type RouteTap = (conn: HubPeer, message: MessageData) => boolean;

/**
 * A rule of a feature that may take a client's BINARY message before the hub hands it to the agent (the file
 * service takes the chunks of a transfer and stores a HiveMind FILE). Returns true when it took the message.
 */
export type BinaryTap = (conn: HubPeer, message: HiveMessage) => boolean;

/**
 * What the mesh (`src/hub/mesh/`, docs/PROTOCOL.md §14) adds to the flood handlers: each hook sees a message the
 * handlers accepted from a connection (or a parent link).
 */
export interface FloodHook {
  /** A CASCADE question this hub accepted (not a loop, not a repeat) from `conn`, before it is flooded and asked here. */
  cascade?(conn: HubPeer, message: HiveMessage): void;
  /** A CASCADE answer (`metadata.is_response`) from `conn`; true when the hook took it. */
  cascadeAnswer?(conn: HubPeer, message: HiveMessage): boolean;
  /** A PROPAGATE(PING) from `conn` whose flood id this hub has handled already: an answer to a PING flood. */
  pingAnswer?(conn: HubPeer, message: HiveMessage): void;
  /** More fields for this hub's answer to a PROPAGATE(PING) (the mesh map's `hivelink_mesh`). */
  pingFields?(): JsonObject;
}

/** The hub, as message handlers use it. */
export interface HubContext {
  readonly config: HubConfig;
  readonly limits: Limits;
  readonly logger: Logger;
  /** The agent bus. */
  readonly bus: MessageBus;
  /** This hub's node id (its RSA public key PEM): route hops and loop detection. */
  readonly nodeId: string;
  readonly peers: PeerRegistry;
  /** PROPAGATE/ESCALATE/CASCADE flood ids already handled. */
  readonly floods: FloodCache;
  /** PING flood ids already answered. */
  readonly pings: FloodCache;
  readonly queries: QueryTracker;
  /** True when a PING from `originPeer` may be answered now (at most one per `pingFloodIntervalMs`). */
  pingAnswerAllowed(originPeer: string): boolean;
  now(): number;
  /** The {@link BusTap}s features added (the hub's list; absent in handler tests that need none). */
  readonly busTaps?: BusTap[];
  /** The {@link RouteTap}s features added (the hub's list; absent in handler tests that need none). */
  readonly routeTaps?: RouteTap[];
  /** The {@link BinaryTap}s features added (the hub's list; absent in handler tests that need none). */
  readonly binaryTaps?: BinaryTap[];
  /** The {@link FloodHook}s features added (the hub's list; absent in handler tests that need none). */
  readonly floodHooks?: FloodHook[];
  /** Mail for offline clients (RENDEZVOUS); absent in handler tests, where RENDEZVOUS answers "not a rendezvous node". */
  readonly mailbox?: HubMailbox;
}
