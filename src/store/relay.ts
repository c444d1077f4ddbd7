/**
 * Relay mode at rest (issue 12, docs/PROTOCOL.md §13): the directory of end-to-end public keys each client published
 * (X25519 to be sealed to, Ed25519 it signs with), pinned on first use like the INTERCOM key — a client that
 * publishes other keys later is refused until an admin resets the pin (`hivelink clients reset-relay-keys ID`) —, the
 * client's `accept-anonymous` setting, and the relay audit log: who sent a sealed message to whom, when, how big,
 * in which mode and what became of it, never a byte of what it said. One row per client in `relay_clients`, one per
 * relayed message in `relay_audit` (schema step 8), in the client database so the CLI and a running hub agree.
 *
 * @module
 */
import type { Generated, Kysely, Selectable } from 'kysely';
import { HiveLinkError } from '../errors.js';
import { checkId, checkTime, notFound } from './sqlite-rows.js';
import type { Schema } from './sqlite-schema.js';
import type { StorePartDeps } from './store-part.js';

/** The `relay_clients` table (schema step 8). */
export interface RelayClientsTable {
  client_id: number;
  /** Base64 of the 32-byte X25519 public key; unique. */
  x25519: string | null;
  /** Base64 of the 32-byte Ed25519 public key; unique. */
  ed25519: string | null;
  keys_at: number | null;
  /** 0: anonymous sealed messages to this client are refused. */
  accept_anonymous: number;
}

/** The `relay_audit` table (schema step 8). */
export interface RelayAuditTable {
  id: Generated<number>;
  at: number;
  sender_id: number;
  recipient_id: number;
  mode: string;
  message_id: string;
  bytes: number;
  outcome: string;
}

type Db = Kysely<Schema & { relay_clients: RelayClientsTable; relay_audit: RelayAuditTable }>;

/** A client's published end-to-end keys (base64 of 32 bytes each). */
export interface RelayKeys {
  readonly clientId: number;
  readonly x25519: string;
  readonly ed25519: string;
  readonly publishedAt: number;
}

/**
 * What {@link RelayStore.pinKeys} found: `pinned` (this call pinned them), `same` (they already were this client's),
 * `mismatch` (the client has other keys pinned), `taken` (another client holds one of them). Like `IntercomKeyPin`.
 */
export type RelayKeyPin = 'pinned' | 'same' | 'mismatch' | 'taken';

/** How a sealed message was sent. `reply`: through a one-time reply handle. */
export type RelayMode = 'signed' | 'anonymous' | 'reply';

/** One row of the audit log. */
export interface RelayAuditEntry {
  readonly id: number;
  readonly at: number;
  readonly senderId: number;
  readonly recipientId: number;
  readonly mode: RelayMode;
  /** The envelope's message id (hex): random, says nothing of the content. */
  readonly messageId: string;
  /** The envelope's size. */
  readonly bytes: number;
  /** `delivered`, `deposited` (a mailbox took it), or the error code it was refused with. */
  readonly outcome: string;
}

export type NewRelayAuditEntry = Omit<RelayAuditEntry, 'id' | 'at'>;

/** The relay directory, settings and audit log of the client database. An unknown client is `HL_ERR_NOT_FOUND`. */
export interface RelayStore {
  /** The keys `clientId` published, or null when none (or after a reset). */
  keys(clientId: number): Promise<RelayKeys | null>;
  /** Every client's published keys, by client id. */
  listKeys(): Promise<RelayKeys[]>;
  /** The client whose Ed25519 key is `ed25519`, or null. */
  findByEd25519(ed25519: string): Promise<RelayKeys | null>;
  /** Pins the keys a client published, trust on first use; see {@link RelayKeyPin}. One transaction. */
  pinKeys(clientId: number, x25519: string, ed25519: string): Promise<RelayKeyPin>;
  /** Forgets a client's pinned keys, so it may publish new ones (`hivelink clients reset-relay-keys`). */
  clearKeys(clientId: number): Promise<void>;
  /** False when the client refuses anonymous sealed messages. @default true */
  acceptsAnonymous(clientId: number): Promise<boolean>;
  setAcceptAnonymous(clientId: number, accept: boolean): Promise<void>;
  /** Appends one audit row, then keeps only the newest `maxRows`. */
  audit(entry: NewRelayAuditEntry, maxRows: number): Promise<void>;
  /** The newest audit rows first (at most `limit`), optionally of one client as sender or recipient. */
  listAudit(options?: { limit?: number; clientId?: number }): Promise<RelayAuditEntry[]>;
}

const KEY_B64 = /^[A-Za-z0-9+/]{43}=$/;

function checkKey(value: unknown, what: string): string {
  if (typeof value !== 'string' || !KEY_B64.test(value)) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${what}: must be the base64 of a 32-byte public key`);
  }
  return value;
}

function toKeys(row: Selectable<RelayClientsTable>): RelayKeys | null {
  if (row.x25519 === null || row.ed25519 === null) return null;
  return { clientId: row.client_id, x25519: row.x25519, ed25519: row.ed25519, publishedAt: row.keys_at ?? 0 };
}

function toEntry(row: Selectable<RelayAuditTable>): RelayAuditEntry {
  return {
    id: row.id,
    at: row.at,
    senderId: row.sender_id,
    recipientId: row.recipient_id,
    mode: row.mode as RelayMode,
    messageId: row.message_id,
    bytes: row.bytes,
    outcome: row.outcome,
  };
}

/** The SQLite {@link RelayStore}, on the client store's connection (`store.relay`). */
export function sqliteRelayStore(deps: StorePartDeps): RelayStore {
  const db: Db = deps.db.withTables<{ relay_clients: RelayClientsTable; relay_audit: RelayAuditTable }>();
  const wdb = (d: Kysely<Schema>): Db =>
    d.withTables<{ relay_clients: RelayClientsTable; relay_audit: RelayAuditTable }>();
  const clientExists = async (d: Db, clientId: number) => {
    const row = await d.selectFrom('clients').select('id').where('id', '=', clientId).executeTakeFirst();
    if (row === undefined) throw notFound(clientId);
  };
  const upsert = (d: Db, clientId: number, set: Partial<Omit<RelayClientsTable, 'client_id'>>) =>
    d
      .insertInto('relay_clients')
      .values({
        client_id: clientId,
        x25519: null,
        ed25519: null,
        keys_at: null,
        accept_anonymous: 1,
        ...set,
      })
      .onConflict((oc) => oc.column('client_id').doUpdateSet(set))
      .execute();
  /** The keys of the one row whose `column` is `value`. */
  const keysWhere = (what: string, column: 'client_id' | 'ed25519', value: number | string) =>
    deps.guard(what, async () => {
      const row = await db
        .selectFrom('relay_clients')
        .selectAll()
        .where(column, '=', value)
        .executeTakeFirst();
      return row === undefined ? null : toKeys(row);
    });
  return {
    async keys(clientId) {
      return keysWhere('read the relay keys', 'client_id', checkId(clientId));
    },

    async listKeys() {
      return deps.guard('list the relay keys', async () => {
        const rows = await db
          .selectFrom('relay_clients')
          .selectAll()
          .where('x25519', 'is not', null)
          .orderBy('client_id')
          .execute();
        return rows.map(toKeys).filter((k): k is RelayKeys => k !== null);
      });
    },

    async findByEd25519(ed25519) {
      return keysWhere('find a relay key', 'ed25519', checkKey(ed25519, 'ed25519'));
    },

    async pinKeys(clientId, x25519, ed25519) {
      checkId(clientId);
      const x = checkKey(x25519, 'x25519');
      const e = checkKey(ed25519, 'ed25519');
      const at = checkTime(deps.now(), 'now()');
      // One transaction: two connections publishing at once cannot both pin (the unique indexes back this).
      return deps.guard('pin the relay keys', () =>
        deps.write(async (raw): Promise<RelayKeyPin> => {
          const d = wdb(raw);
          await clientExists(d, clientId);
          const row = await d
            .selectFrom('relay_clients')
            .selectAll()
            .where('client_id', '=', clientId)
            .executeTakeFirst();
          if (row?.x25519 != null) return row.x25519 === x && row.ed25519 === e ? 'same' : 'mismatch';
          const holder = await d
            .selectFrom('relay_clients')
            .select('client_id')
            .where((w) => w.or([w('x25519', '=', x), w('ed25519', '=', e)]))
            .executeTakeFirst();
          if (holder !== undefined) return 'taken';
          await upsert(d, clientId, { x25519: x, ed25519: e, keys_at: at });
          return 'pinned';
        }),
      );
    },

    async clearKeys(clientId) {
      checkId(clientId);
      await deps.guard('clear the relay keys', () =>
        deps.write(async (raw) => {
          const d = wdb(raw);
          await clientExists(d, clientId);
          await d
            .updateTable('relay_clients')
            .set({ x25519: null, ed25519: null, keys_at: null })
            .where('client_id', '=', clientId)
            .execute();
        }),
      );
    },

    async acceptsAnonymous(clientId) {
      checkId(clientId);
      return deps.guard('read the relay settings', async () => {
        const row = await db
          .selectFrom('relay_clients')
          .select('accept_anonymous')
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        return row === undefined || row.accept_anonymous !== 0;
      });
    },

    async setAcceptAnonymous(clientId, accept) {
      checkId(clientId);
      await deps.guard('set accept-anonymous', () =>
        deps.write(async (raw) => {
          const d = wdb(raw);
          await clientExists(d, clientId);
          await upsert(d, clientId, { accept_anonymous: accept ? 1 : 0 });
        }),
      );
    },

    async audit(entry, maxRows) {
      checkId(entry.senderId, 'sender id');
      checkId(entry.recipientId, 'recipient id');
      const at = checkTime(deps.now(), 'now()');
      await deps.guard('write the relay audit log', () =>
        deps.write(async (raw) => {
          const d = wdb(raw);
          await d
            .insertInto('relay_audit')
            .values({
              at,
              sender_id: entry.senderId,
              recipient_id: entry.recipientId,
              mode: entry.mode,
              message_id: entry.messageId,
              bytes: entry.bytes,
              outcome: entry.outcome,
            })
            .execute();
          const keep = await d
            .selectFrom('relay_audit')
            .select('id')
            .orderBy('id', 'desc')
            .offset(maxRows - 1)
            .limit(1)
            .executeTakeFirst();
          if (keep !== undefined) await d.deleteFrom('relay_audit').where('id', '<', keep.id).execute();
        }),
      );
    },

    async listAudit(options = {}) {
      const limit = options.limit ?? 100;
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'limit: must be a positive whole number');
      }
      if (options.clientId !== undefined) checkId(options.clientId);
      return deps.guard('read the relay audit log', async () => {
        let q = db.selectFrom('relay_audit').selectAll();
        const id = options.clientId;
        if (id !== undefined) q = q.where((w) => w.or([w('sender_id', '=', id), w('recipient_id', '=', id)]));
        const rows = await q.orderBy('id', 'desc').limit(limit).execute();
        return rows.map(toEntry);
      });
    },
  };
}
