/**
 * The SQLite schema: table types for Kysely, and migrations as a list of steps. `meta.schema_version` holds the
 * number of steps applied. Steps are only ever appended, never edited once released.
 *
 * @module
 */
import type { Generated } from 'kysely';
import { HiveLinkError } from '../errors.js';

export interface ClientsTable {
  id: Generated<number>;
  access_key: string;
  name: string;
  site_id: string | null;
  description: string;
  is_admin: number;
  can_broadcast: number;
  can_escalate: number;
  can_propagate: number;
  /** JSON array of strings. */
  allowed_types: string;
  /** JSON array of strings. */
  blocked_skills: string;
  /** JSON array of strings. */
  blocked_intents: string;
  min_protocol: number | null;
  rate_limit_per_second: number | null;
  noise_pubkey: string | null;
  /** 1: connects although its password is below the strength floor (schema step 2). */
  allow_weak_password: Generated<number>;
  /** Who may message it directly: `ask` (default), `allow`, `deny` (schema step 7; `src/store/consent.ts`). */
  consent: Generated<string>;
  /** Base64 SPKI DER of the RSA key the client's first HELLO announced (INTERCOM, schema step 3); unique. */
  intercom_pubkey: string | null;
  /** `sealSecret` output, bound to `password:<id>`; null once revoked. */
  password_sealed: string | null;
  revoked: number;
  created_at: number;
  last_seen: number | null;
}

export interface PskCacheTable {
  client_id: number;
  /** SHA-256 (hex) of the hub node id the PSK was derived for. */
  node_id_hash: string;
  psk_sealed: string;
}

export interface ConnectionsTable {
  id: Generated<number>;
  client_id: number;
  ip: string;
  protocol: number | null;
  cipher: string | null;
  encoding: string | null;
  started_at: number;
  ended_at: number | null;
  close_code: number | null;
  close_reason: string | null;
}

export interface IpRulesTable {
  id: Generated<number>;
  cidr: string;
  action: 'allow' | 'deny';
  client_id: number | null;
  created_at: number;
}

export interface ApiTokensTable {
  /** SHA-256 (hex) of the token. */
  token_hash: string;
  client_id: number;
  created_at: number;
}

/** Timers, alarms and reminders of the clients (schema step 4; see `src/hub/timers/`). */
export interface TimersTable {
  id: Generated<number>;
  client_id: number;
  kind: 'timer' | 'alarm' | 'reminder';
  /** The timer's name ("pasta") or what to be reminded of; null when none. */
  name: string | null;
  /** The client's room when the timer was set: its record's site, else its HELLO site. */
  site_id: string | null;
  lang: string;
  /** Spoken to the client that set it when it fires. */
  utterance: string;
  /** Spoken to another client of its room when the owner is offline. */
  room_utterance: string | null;
  due_at: number;
  duration_ms: number | null;
  created_at: number;
  /** When it fired without anyone to hear it: it waits for its client to come back. */
  fired_at: number | null;
}

/** Per-room settings (the house; see `src/store/house.ts`); `key` is `roomKey(name)`. */
export interface RoomsTable {
  key: string;
  name: string;
  conference: string;
  updated_at: number;
}

/** The hub process that writes `presence` (one row, id 1). */
export interface HubInstanceTable {
  id: number;
  boot_id: string;
  pid: number;
  started_at: number;
  stopped_at: number | null;
}

/** The running hub's open connections, written in batches. */
export interface PresenceTable {
  conn_id: number;
  client_id: number;
  peer: string;
  hello_site: string | null;
  assistant: number;
  connected_at: number;
}

/** Admin commands for the running hub; `args` and `result` are JSON objects. */
export interface AdminCommandsTable {
  id: Generated<number>;
  kind: string;
  args: string;
  state: string;
  result: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface Schema {
  clients: ClientsTable;
  psk_cache: PskCacheTable;
  connections: ConnectionsTable;
  ip_rules: IpRulesTable;
  api_tokens: ApiTokensTable;
  timers: TimersTable;
  rooms: RoomsTable;
  hub_instance: HubInstanceTable;
  presence: PresenceTable;
  admin_commands: AdminCommandsTable;
}

/** The part of a better-sqlite3 `Database` the migrations need. */
export interface MigrationDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): { get(...params: unknown[]): unknown; run(...params: unknown[]): unknown };
}

/** One migration step: SQL run inside the migration transaction. */
export type Migration = (db: MigrationDatabase) => void;

/** Schema steps; `meta.schema_version` = how many have run. */
export const MIGRATIONS: readonly Migration[] = [
  // 1: clients, secrets cache, history, IP rules, API tokens
  (db) =>
    db.exec(`
      CREATE TABLE clients (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        access_key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        site_id TEXT,
        description TEXT NOT NULL DEFAULT '',
        is_admin INTEGER NOT NULL DEFAULT 0,
        can_broadcast INTEGER NOT NULL DEFAULT 1,
        can_escalate INTEGER NOT NULL DEFAULT 1,
        can_propagate INTEGER NOT NULL DEFAULT 1,
        allowed_types TEXT NOT NULL DEFAULT '[]',
        blocked_skills TEXT NOT NULL DEFAULT '[]',
        blocked_intents TEXT NOT NULL DEFAULT '[]',
        min_protocol INTEGER,
        rate_limit_per_second REAL,
        noise_pubkey TEXT,
        password_sealed TEXT,
        revoked INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        last_seen INTEGER
      );
      CREATE TABLE psk_cache (
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        node_id_hash TEXT NOT NULL,
        psk_sealed TEXT NOT NULL,
        PRIMARY KEY (client_id, node_id_hash)
      ) WITHOUT ROWID;
      CREATE TABLE connections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        ip TEXT NOT NULL,
        protocol INTEGER,
        cipher TEXT,
        encoding TEXT,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        close_code INTEGER,
        close_reason TEXT
      );
      CREATE INDEX connections_by_client ON connections(client_id, id);
      CREATE TABLE ip_rules (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        cidr TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('allow', 'deny')),
        client_id INTEGER REFERENCES clients(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX ip_rules_unique ON ip_rules(cidr, action, ifnull(client_id, 0));
      CREATE TABLE api_tokens (
        token_hash TEXT PRIMARY KEY,
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX api_tokens_by_client ON api_tokens(client_id);
    `),
  // 2: a per-client exception to the password strength floor (existing clients get none)
  (db) => db.exec('ALTER TABLE clients ADD COLUMN allow_weak_password INTEGER NOT NULL DEFAULT 0'),
  // 3: the INTERCOM key pin (trust on first use), one client per key
  (db) =>
    db.exec(`
      ALTER TABLE clients ADD COLUMN intercom_pubkey TEXT;
      CREATE UNIQUE INDEX clients_by_intercom_pubkey ON clients(intercom_pubkey) WHERE intercom_pubkey IS NOT NULL;
    `),
  // 4: timers, alarms and reminders, each belonging to the client that set it (issue 11)
  (db) =>
    db.exec(`
      CREATE TABLE timers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('timer', 'alarm', 'reminder')),
        name TEXT,
        site_id TEXT,
        lang TEXT NOT NULL,
        utterance TEXT NOT NULL,
        room_utterance TEXT,
        due_at INTEGER NOT NULL,
        duration_ms INTEGER,
        created_at INTEGER NOT NULL,
        fired_at INTEGER
      );
      CREATE INDEX timers_by_client ON timers(client_id, due_at);
    `),
  // 5: subscriptions ("newsletters", issue 11) and their subscribers; missed ticks are counted (src/store/subscriptions.ts)
  (db) =>
    db.exec(`
      CREATE TABLE subscriptions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        every_ms INTEGER CHECK (every_ms IS NULL OR every_ms >= 1),
        cron TEXT,
        text TEXT,
        utterance TEXT,
        lang TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        ticks INTEGER NOT NULL DEFAULT 0,
        last_tick_at INTEGER,
        last_message TEXT,
        CHECK ((every_ms IS NULL) <> (cron IS NULL)),
        CHECK ((text IS NULL) <> (utterance IS NULL))
      );
      CREATE TABLE subscribers (
        subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        delivered_tick INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (subscription_id, client_id)
      ) WITHOUT ROWID;
      CREATE INDEX subscribers_by_client ON subscribers(client_id);
    `),
  // 6: the house (issue 11) — room settings, the running hub's presence, the admin command queue (src/store/house.ts)
  (db) =>
    db.exec(`
      CREATE TABLE rooms (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        conference TEXT NOT NULL DEFAULT 'off' CHECK (conference IN ('off', 'on', 'only')),
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE hub_instance (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        boot_id TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        stopped_at INTEGER
      );
      CREATE TABLE presence (
        conn_id INTEGER PRIMARY KEY,
        client_id INTEGER NOT NULL,
        peer TEXT NOT NULL,
        hello_site TEXT,
        assistant INTEGER NOT NULL DEFAULT 0,
        connected_at INTEGER NOT NULL
      );
      CREATE TABLE admin_commands (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        args TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'expired')),
        result TEXT,
        created_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX admin_commands_by_state ON admin_commands(state, id);
    `),
  // 7: consent (issue 11) — each client's consent mode, and the answers per (sender, recipient) (src/store/consent.ts)
  (db) =>
    db.exec(`
      ALTER TABLE clients ADD COLUMN consent TEXT NOT NULL DEFAULT 'ask' CHECK (consent IN ('ask', 'allow', 'deny'));
      CREATE TABLE consent (
        sender_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        recipient_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        allow INTEGER NOT NULL CHECK (allow IN (0, 1)),
        decided_at INTEGER NOT NULL,
        PRIMARY KEY (sender_id, recipient_id)
      ) WITHOUT ROWID;
      CREATE INDEX consent_by_recipient ON consent(recipient_id);
    `),
  // 8: the mailbox (RENDEZVOUS, issue 12) — mail for offline clients, ciphertext only, until acknowledged or expired (src/store/mailbox.ts)
  (db) =>
    db.exec(`
      CREATE TABLE mailbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        deposit_id TEXT NOT NULL UNIQUE,
        recipient_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('intercom', 'sealed')),
        body TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        deposited_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX mailbox_by_recipient ON mailbox(recipient_id, id);
      CREATE INDEX mailbox_by_expiry ON mailbox(expires_at);
    `),
  // 9: relay mode (issue 12) — each client's pinned end-to-end keys and accept-anonymous setting, and the relay audit
  // log: who sent a sealed message to whom, never what (src/store/relay.ts)
  (db) =>
    db.exec(`
      CREATE TABLE relay_clients (
        client_id INTEGER PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
        x25519 TEXT,
        ed25519 TEXT,
        keys_at INTEGER,
        accept_anonymous INTEGER NOT NULL DEFAULT 1 CHECK (accept_anonymous IN (0, 1))
      );
      CREATE UNIQUE INDEX relay_clients_by_x25519 ON relay_clients(x25519) WHERE x25519 IS NOT NULL;
      CREATE UNIQUE INDEX relay_clients_by_ed25519 ON relay_clients(ed25519) WHERE ed25519 IS NOT NULL;
      CREATE TABLE relay_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        sender_id INTEGER NOT NULL,
        recipient_id INTEGER NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('signed', 'anonymous', 'reply')),
        message_id TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        outcome TEXT NOT NULL
      );
    `),
  // 10: files and jobs (issue 15) — files on the hub (their bytes in the data dir) and who they were shared with, and
  // the jobs with their state, progress, result and log (src/store/hub-files.ts, src/store/jobs.ts)
  (db) =>
    db.exec(`
      CREATE TABLE files (
        id TEXT PRIMARY KEY,
        owner_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        mime TEXT,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('receiving', 'complete')),
        received INTEGER NOT NULL DEFAULT 0,
        origin TEXT NOT NULL CHECK (origin IN ('upload', 'binary', 'job')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX files_by_owner ON files(owner_id, created_at);
      CREATE INDEX files_by_expiry ON files(expires_at);
      CREATE TABLE file_shares (
        file_id TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        PRIMARY KEY (file_id, client_id)
      ) WITHOUT ROWID;
      CREATE INDEX file_shares_by_client ON file_shares(client_id);
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        owner_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        params TEXT NOT NULL,
        inputs TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        progress INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        result TEXT,
        outputs TEXT NOT NULL DEFAULT '[]',
        error_code TEXT,
        error TEXT,
        log TEXT NOT NULL DEFAULT '[]',
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX jobs_by_owner ON jobs(owner_id, created_at);
      CREATE INDEX jobs_by_state ON jobs(state, created_at);
    `),
  // 11: pairing codes (issue 17) — pending pairings, the code's secret part sealed, until a day past their expiry
  // (src/store/pairings.ts)
  (db) =>
    db.exec(`
      CREATE TABLE pairings (
        id TEXT PRIMARY KEY,
        secret_sealed TEXT NOT NULL,
        name TEXT NOT NULL,
        site_id TEXT,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'used', 'burnt')),
        attempts INTEGER NOT NULL DEFAULT 0,
        client_id INTEGER REFERENCES clients(id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX pairings_by_expiry ON pairings(expires_at);
    `),
];

/**
 * Brings the schema up to date: creates `meta`, reads `schema_version`, runs the missing steps and records the new
 * version. The caller runs this inside one IMMEDIATE transaction, so two processes never migrate at once.
 * A database from a newer hivelink (more steps than this one knows) is `HL_ERR_STORE_UNAVAILABLE`.
 *
 * @returns the schema version after migrating
 */
export function migrate(db: MigrationDatabase, steps: readonly Migration[] = MIGRATIONS): number {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
    | { value: string }
    | undefined;
  const current = row === undefined ? 0 : Number(row.value);
  if (!Number.isSafeInteger(current) || current < 0) {
    throw new HiveLinkError(
      'HL_ERR_STORE_UNAVAILABLE',
      `the database has a bad schema_version "${row?.value}"`,
    );
  }
  if (current > steps.length) {
    throw new HiveLinkError(
      'HL_ERR_STORE_UNAVAILABLE',
      `the database has schema version ${current}, newer than this hivelink knows (${steps.length}); upgrade hivelink`,
    );
  }
  for (let v = current; v < steps.length; v++) steps[v]!(db);
  db.prepare(
    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  ).run(String(steps.length));
  return steps.length;
}
