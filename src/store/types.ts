/**
 * The client store contract: what the hub and the admin CLI know about clients, their secrets, connection history,
 * IP rules and API tokens. The SQLite implementation is `sqlite.ts`; a Postgres one can follow for clusters, so
 * every data method is asynchronous.
 *
 * Times are milliseconds since the Unix epoch.
 *
 * @module
 */
import type { ConsentMode, ConsentStore } from './consent.js';
import type { HouseStore } from './house.js';
import type { HubFileStore } from './hub-files.js';
import type { JobStore } from './jobs.js';
import type { MailboxStore } from './mailbox.js';
import type { PairingStore } from './pairings.js';
import type { RelayStore } from './relay.js';
import type { SubscriptionStore } from './subscriptions.js';

/** One client (satellite) as the hub sees it. The password is never part of the record: see {@link ClientStore.getPassword}. */
export interface ClientRecord {
  /** Never reused: removed and revoked ids stay taken. */
  readonly id: number;
  /** The access key the client presents on connect. `revoked:<id>` once revoked (it then never authenticates). */
  readonly accessKey: string;
  readonly name: string;
  /** The site (room) this client belongs to, or null. */
  readonly siteId: string | null;
  readonly description: string;
  readonly isAdmin: boolean;
  readonly canBroadcast: boolean;
  readonly canEscalate: boolean;
  readonly canPropagate: boolean;
  /** Message types the client may send to the agent bus. Always contains `recognizer_loop:utterance`. */
  readonly allowedTypes: readonly string[];
  /** Injected into the client's session as `blacklisted_skills`. */
  readonly blockedSkills: readonly string[];
  /** Injected into the client's session as `blacklisted_intents`. */
  readonly blockedIntents: readonly string[];
  /** Lowest protocol version (1–3) this client may use; null = the hub default. */
  readonly minProtocol: number | null;
  /** Messages per second this client may send; null = the hub default. */
  readonly rateLimitPerSecond: number | null;
  /** The client's pinned Noise static public key (64 hex characters), or null before the first v3 handshake. */
  readonly noisePubkey: string | null;
  /**
   * The RSA public key this client announced first in a HELLO (base64 of its SPKI DER), pinned on first use: the
   * only key the hub routes INTERCOM to this client by, and checks its INTERCOM signatures against. Null until
   * the client announces one, or after `hivelink clients reset-intercom-pin`.
   */
  readonly intercomPubkey: string | null;
  /**
   * The hub lets this client connect even though its password is below the strength floor (`minPasswordBits`);
   * set by `clients add --allow-weak-password` or `clients set --allow-weak-password true`.
   */
  readonly allowWeakPassword: boolean;
  /**
   * Who may message this client directly (a relayed order from another room, an intercom line; docs/PROTOCOL.md
   * §12.8): `ask` (the default: the first time, the client is asked), `allow` (everyone), `deny` (no one).
   */
  readonly consent: ConsentMode;
  readonly revoked: boolean;
  readonly createdAt: number;
  /** Last time the client was seen (debounced by the caller), or null when never. */
  readonly lastSeen: number | null;
}

/** What {@link ClientStore.addClient} accepts. Omitted fields take the defaults of {@link ClientRecord}. */
export interface NewClient {
  name: string;
  /** @default 32 random hex characters */
  accessKey?: string;
  /** @default 32 random hex characters */
  password?: string;
  /** @default null */
  siteId?: string | null;
  /** @default '' */
  description?: string;
  /** @default false */
  isAdmin?: boolean;
  /** @default true */
  canBroadcast?: boolean;
  /** @default false: an admin grants it (HiveMind's flags are admin-granted too) */
  canEscalate?: boolean;
  /** @default false: an admin grants it; a flood reaches every other client */
  canPropagate?: boolean;
  /** @default DEFAULT_ALLOWED_TYPES (the legacy HiveMind list) */
  allowedTypes?: readonly string[];
  /** @default [] */
  blockedSkills?: readonly string[];
  /** @default [] */
  blockedIntents?: readonly string[];
  /** @default null */
  minProtocol?: number | null;
  /** @default null */
  rateLimitPerSecond?: number | null;
  /** @default false */
  allowWeakPassword?: boolean;
  /** @default 'ask' */
  consent?: ConsentMode;
}

/**
 * What {@link ClientStore.pinIntercomKey} found: `pinned` (this call pinned the key), `same` (it already was this
 * client's key), `mismatch` (the client has another key pinned), `taken` (another client record holds the key).
 * Only `pinned` and `same` bind the key to the client.
 */
export type IntercomKeyPin = 'pinned' | 'same' | 'mismatch' | 'taken';

/** The fields {@link ClientStore.updateClient} may change. Access key, pin, revocation and password have their own methods. */
export type ClientPatch = Partial<
  Pick<
    NewClient,
    | 'name'
    | 'siteId'
    | 'description'
    | 'isAdmin'
    | 'canBroadcast'
    | 'canEscalate'
    | 'canPropagate'
    | 'allowedTypes'
    | 'blockedSkills'
    | 'blockedIntents'
    | 'minProtocol'
    | 'rateLimitPerSecond'
    | 'allowWeakPassword'
    | 'consent'
  >
>;

/** What {@link ClientStore.addClient} returns: the record and the plaintext password (show it once). */
export interface AddedClient {
  readonly record: ClientRecord;
  readonly password: string;
}

/** One connection of a client, for `hivelink clients history`. */
export interface ConnectionRecord {
  readonly id: number;
  readonly clientId: number;
  readonly ip: string;
  /** Protocol version the connection negotiated (1–3), or null if the handshake never finished. */
  readonly protocol: number | null;
  /** Legacy cipher or Noise suite, or null. */
  readonly cipher: string | null;
  /** Legacy binary-to-text encoding, or null. */
  readonly encoding: string | null;
  readonly startedAt: number;
  /** Null while the connection is open (or if the hub died before recording its end). */
  readonly endedAt: number | null;
  readonly closeCode: number | null;
  readonly closeReason: string | null;
}

/** What {@link ClientStore.recordConnection} accepts. */
export interface NewConnection {
  clientId: number;
  ip: string;
  protocol?: number | null;
  cipher?: string | null;
  encoding?: string | null;
  startedAt: number;
}

/** A connection for {@link ClientStore.recordConnections}: its start, and its end when it has ended already. */
export interface LoggedConnection extends NewConnection {
  end?: ConnectionEnd | null;
}

/** What {@link ClientStore.finishConnection} accepts. */
export interface ConnectionEnd {
  endedAt: number;
  closeCode?: number | null;
  closeReason?: string | null;
}

export type IpAction = 'allow' | 'deny';

/** An IP rule: global when `clientId` is null, else for one client. Semantics in `ip-rules.ts` `evaluateIp`. */
export interface IpRule {
  readonly id: number;
  /** Normalised CIDR (`10.0.0.0/8`, `2001:db8::/32`; a bare address becomes /32 or /128). */
  readonly cidr: string;
  readonly action: IpAction;
  readonly clientId: number | null;
  readonly createdAt: number;
}

/** What {@link ClientStore.addIpRule} accepts. */
export interface NewIpRule {
  cidr: string;
  action: IpAction;
  /** @default null (a global rule) */
  clientId?: number | null;
}

/** Selects the rules {@link ClientStore.removeIpRule} removes: by id, or every rule with this CIDR and scope. */
export type IpRuleSelector =
  | number
  | {
      cidr: string;
      /** @default null (global rules only) */
      clientId?: number | null;
      /** @default both actions */
      action?: IpAction;
    };

/** What a timer is: a countdown, an alarm at a clock time, or a reminder of something. */
export type TimerKind = 'timer' | 'alarm' | 'reminder';

/** A timer as the hub's timer service stores it (`src/hub/timers/`). */
export interface NewTimer {
  /** The client that set it: it fires on that client (or its room). */
  readonly clientId: number;
  readonly kind: TimerKind;
  /** Its name ("pasta") or what to be reminded of ("call mum"); null when none. At most 200 characters. */
  readonly name: string | null;
  /** The client's room when it was set (its record's site, else its HELLO site); null when it has none. */
  readonly siteId: string | null;
  /** The language of the spoken texts (BCP-47). */
  readonly lang: string;
  /** Spoken to the client that set it when it fires. At most 1000 characters. */
  readonly utterance: string;
  /** Spoken to another client of its room when the owner is offline; null: {@link utterance} is used. */
  readonly roomUtterance: string | null;
  /** When it fires, in ms since the epoch. */
  readonly dueAt: number;
  /** The countdown it was set with ("in 5 minutes"); null for a clock time ("at 7"). */
  readonly durationMs: number | null;
  readonly createdAt: number;
}

/** A stored timer. */
export interface TimerRecord extends NewTimer {
  readonly id: number;
  /** When it fired with nobody to hear it (it waits for its client to come back); null before it fired. */
  readonly firedAt: number | null;
}

/**
 * The client database. Implementations wrap every storage failure in a `HiveLinkError`
 * (`HL_ERR_STORE_UNAVAILABLE`); a missing client is `HL_ERR_NOT_FOUND`, a taken access key `HL_ERR_ALREADY_EXISTS`,
 * a bad value `HL_ERR_INVALID_ARGUMENT`.
 */
export interface ClientStore {
  /** Adds a client; random 32-hex access key and password when not given. */
  addClient(client: NewClient): Promise<AddedClient>;
  /**
   * A client by id (number), or by id, access key or name (string), tried in that order; names are unique among
   * live clients. Revoked clients are found by id. Null when none matches.
   */
  getClient(idOrKey: number | string): Promise<ClientRecord | null>;
  /** The client that authenticates with this access key; null when none does (revoked clients never do). */
  getClientByAccessKey(accessKey: string): Promise<ClientRecord | null>;
  /** Every client, revoked ones included, by id. */
  listClients(): Promise<ClientRecord[]>;
  /** Changes the given fields and returns the new record. */
  updateClient(id: number, patch: ClientPatch): Promise<ClientRecord>;
  renameClient(id: number, name: string): Promise<ClientRecord>;
  /**
   * Revokes a client: the row stays (so the id is never reused), the access key becomes `revoked:<id>`, and its
   * password, cached PSKs and API tokens are erased.
   */
  revokeClient(id: number): Promise<ClientRecord>;
  /** Deletes a client with its history, cached PSKs, tokens and client IP rules. The id is never reused. */
  removeClient(id: number): Promise<void>;
  /** The client's password, decrypted with the secrets key; null when it has none (revoked). */
  getPassword(id: number): Promise<string | null>;
  /** Replaces the password (sealed at rest) and drops cached PSKs derived from the old one. */
  setPassword(id: number, password: string): Promise<void>;
  /** The v3 PSK cached for this client and hub node id, or null. */
  getCachedPsk(id: number, nodeId: string): Promise<Uint8Array | null>;
  /** Caches a derived v3 PSK (sealed at rest). */
  setCachedPsk(id: number, nodeId: string, psk: Uint8Array): Promise<void>;
  /** Pins the client's Noise static public key (64 hex characters). */
  pinNoiseKey(id: number, publicKeyHex: string): Promise<void>;
  /** Clears the Noise pin, so the next XXpsk2 handshake pins again (`hivelink clients reset-noise-pin`). */
  clearNoisePin(id: number): Promise<void>;
  /**
   * Pins `publicKey` (base64 SPKI DER of an RSA key) as the client's INTERCOM key, unless it already has one or
   * another client record holds it (one key, one client). See {@link IntercomKeyPin}.
   */
  pinIntercomKey(id: number, publicKey: string): Promise<IntercomKeyPin>;
  /** Clears the INTERCOM key pin, so the client's next HELLO pins again (`hivelink clients reset-intercom-pin`). */
  clearIntercomPin(id: number): Promise<void>;
  /** Sets `lastSeen`. One write: callers debounce (see `LastSeenBatcher`). Unknown ids are ignored. */
  touchLastSeen(id: number, at: number): Promise<void>;
  /** Sets `lastSeen` for many clients in one transaction. Unknown ids are ignored. */
  touchLastSeenMany(entries: Iterable<readonly [id: number, at: number]>): Promise<void>;
  /** Records the start of a connection and returns its history id. Prunes the client's oldest rows. */
  recordConnection(connection: NewConnection): Promise<number>;
  /** Records how a connection ended. Unknown ids are ignored (the row may have been pruned). */
  finishConnection(id: number, end: ConnectionEnd): Promise<void>;
  /**
   * Records a batch in one transaction: new connections (already ended or not) and the ends of earlier ones
   * (unknown ids ignored). Returns the history id of each new connection in order, or null where its client no
   * longer exists. Prunes each client's oldest rows once. See `ConnectionLog`.
   */
  recordConnections(
    opened: readonly LoggedConnection[],
    ended: readonly (readonly [id: number, end: ConnectionEnd])[],
  ): Promise<(number | null)[]>;
  /** The client's connections, newest first. */
  history(clientId: number, limit?: number): Promise<ConnectionRecord[]>;
  /** Adds an IP rule; adding an identical rule again returns the existing one. */
  addIpRule(rule: NewIpRule): Promise<IpRule>;
  /** Removes the selected rules and returns how many there were. */
  removeIpRule(selector: IpRuleSelector): Promise<number>;
  /** Every IP rule: global rules first, then by client, then by id. */
  listIpRules(): Promise<IpRule[]>;
  /** Issues a REST API bearer token for the client. Only its SHA-256 is stored: show it once. */
  issueToken(clientId: number): Promise<string>;
  /** The non-revoked client a token belongs to, or null. */
  clientForToken(token: string): Promise<ClientRecord | null>;
  /** Forgets a token; true if it existed. */
  revokeToken(token: string): Promise<boolean>;
  /**
   * Stores a timer of `timer.clientId`, unless that client already has `maxPerClient` (`HL_ERR_TIMER_LIMIT`); the
   * count and the insert are one transaction. An unknown client is `HL_ERR_NOT_FOUND`.
   */
  addTimer(timer: NewTimer, maxPerClient: number): Promise<TimerRecord>;
  /** The timers of one client, or of every client, soonest first. */
  listTimers(clientId?: number): Promise<TimerRecord[]>;
  /** Records that the timer fired at `at` with nobody to hear it. Unknown ids are ignored. */
  markTimerFired(id: number, at: number): Promise<void>;
  /** Removes a timer (delivered or cancelled); true when it existed. */
  removeTimer(id: number): Promise<boolean>;
  /** Subscriptions ("newsletters") and their subscribers (`subscriptions.ts`), in the same database. */
  readonly subscriptions: SubscriptionStore;
  /** Rooms, the running hub's presence and the admin command queue (`house.ts`), in the same database. */
  readonly house: HouseStore;
  /** The clients' consent answers per (sender, recipient) (`consent.ts`), in the same database. */
  readonly consent: ConsentStore;
  /** Mail for offline clients, until acknowledged or expired (`mailbox.ts`), in the same database. */
  readonly mailbox: MailboxStore;
  /** The relay directory (end-to-end keys), accept-anonymous settings and audit log (`relay.ts`), same database. */
  readonly relay: RelayStore;
  /** Files on the hub (`hub-files.ts`; issue 15), same database; the bytes are in the data dir. */
  readonly files: HubFileStore;
  /** Jobs (`jobs.ts`; issue 15), same database. */
  readonly jobs: JobStore;
  /** Pending pairing codes (`pairings.ts`; issue 17), same database. */
  readonly pairings: PairingStore;
  /**
   * A number that grows whenever another connection (the CLI, another hub process) committed a change to the
   * database since the last look. Synchronous and cheap: compare it to decide whether a cache is stale.
   */
  changeCounter(): number;
  /**
   * Calls `callback` after another connection changed the database, polling every `intervalMs`
   * (the timer does not keep the process alive). Returns a function that stops watching.
   */
  watch(callback: () => void, intervalMs?: number): () => void;
  /** Stops the watchers and closes the database. */
  close(): Promise<void>;
}
