/**
 * The client store written once for every engine: clients, secrets sealed with the secrets key (`secrets.ts`),
 * history, IP rules, tokens and timers as Kysely queries that SQLite (`sqlite.ts`) and PostgreSQL (`postgres.ts`)
 * both run, and the parts (house, consent, mailbox, relay, subscriptions, files, jobs) on the same connection.
 *
 * An engine ({@link StoreEngine}) brings what differs: the connection, the write transaction that lets one writer
 * in at a time, how a commit by another connection is noticed, and closing.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import {
  DEFAULT_ALLOWED_TYPES,
  passwordSchema,
  REVOKED_KEY_PREFIX,
  randomHex32,
  validateField,
  validateNewClient,
  validatePatch,
} from './client-fields.js';
import { type ConsentStore, sqliteConsentStore } from './consent.js';
import { type HouseStore, sqliteHouseStore } from './house.js';
import { type HubFileStore, sqliteHubFileStore } from './hub-files.js';
import { type JobStore, sqliteJobStore } from './jobs.js';
import { type MailboxStore, sqliteMailboxStore } from './mailbox.js';
import { type PairingStore, sqlitePairingStore } from './pairings.js';
import { type RelayStore, sqliteRelayStore } from './relay.js';
import { openSecret, sealSecret } from './secrets.js';
import {
  type CheckedConnection,
  checkConnection,
  checkConnectionEnd,
  checkIpRule,
  connectionFinisher,
  deleteToken,
  insertConnection,
  insertConnectionRow,
  insertIpRule,
  insertToken,
  ipRuleDeleter,
  plausibleToken,
  pruneConnections,
  selectHistory,
  selectIpRules,
  selectTokenClient,
} from './sqlite-queries.js';
import {
  type ClientRow,
  checkId,
  checkTime,
  notFound,
  passwordContext,
  patchColumns,
  pskContext,
  sha256Hex,
  storeError,
  toRecord,
} from './sqlite-rows.js';
import type { Schema } from './sqlite-schema.js';
import { checkTimer, deleteTimer, insertTimer, selectTimers, updateTimerFired } from './sqlite-timers.js';
import { type SubscriptionStore, sqliteSubscriptionStore } from './subscriptions.js';
import type {
  AddedClient,
  ClientPatch,
  ClientRecord,
  ClientStore,
  ConnectionEnd,
  ConnectionRecord,
  IntercomKeyPin,
  IpRule,
  IpRuleSelector,
  LoggedConnection,
  NewClient,
  NewConnection,
  NewIpRule,
  NewTimer,
  TimerRecord,
} from './types.js';

/** What differs between the engines under a {@link SqlClientStore}. */
export interface StoreEngine {
  /** The database, as every query of the store reads and writes it. */
  readonly db: Kysely<Schema>;
  /** Runs `fn` in a transaction that no other writer (of this process or another) runs beside. */
  write<T>(fn: (db: Kysely<Schema>) => Promise<T>): Promise<T>;
  /** True once after another connection committed a change; synchronous and cheap (it is polled). */
  changed(): boolean;
  /** Closes the connections once the queries in flight are done. */
  close(): Promise<void>;
}

/** Longest INTERCOM key pin: the base64 SPKI DER of an RSA-8192 key is about 1,420 characters. */
const MAX_INTERCOM_KEY_CHARS = 2048;
/** Standard base64 with padding, non-empty. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/** Default and largest `limit` of {@link ClientStore.history}. */
export const DEFAULT_HISTORY_LIMIT = 50;
/** Default poll interval of {@link ClientStore.watch} (limit `policyRefreshMs`). */
export const DEFAULT_WATCH_INTERVAL_MS: number = LIMIT_DEFS.policyRefreshMs.default;

/** What a {@link SqlClientStore} is given besides its engine. */
export interface SqlStoreInit {
  /** The 32-byte hub secrets key. */
  readonly secrets: Uint8Array;
  /** Connection-history rows kept per client. */
  readonly maxHistoryPerClient: number;
  /** Clock for `createdAt` and rule timestamps. */
  readonly now: () => number;
}

/**
 * The {@link ClientStore} on any engine: every query is Kysely's, written once for SQLite and PostgreSQL alike; the
 * engine brings the connection, the write transaction, change detection and closing.
 */
export class SqlClientStore implements ClientStore {
  readonly #engine: StoreEngine;
  readonly #db: Kysely<Schema>;
  readonly #secrets: Uint8Array;
  readonly #now: () => number;
  readonly #maxHistory: number;
  #changes = 0;
  readonly #watchers = new Set<() => void>();
  readonly #timers = new Set<ReturnType<typeof setInterval>>();
  #closed = false;
  readonly subscriptions: SubscriptionStore;
  /** Rooms, presence and the admin command queue (`house.ts`). */
  readonly house: HouseStore;
  /** The consent answers per (sender, recipient) (`consent.ts`). */
  readonly consent: ConsentStore;
  /** Mail for offline clients (`mailbox.ts`). */
  readonly mailbox: MailboxStore;
  /** The relay directory (end-to-end keys), accept-anonymous settings and audit log (`relay.ts`). */
  readonly relay: RelayStore;
  /** Files on the hub and who they were shared with (`hub-files.ts`; the bytes are in the data dir). */
  readonly files: HubFileStore;
  /** Jobs: state, progress, result, log (`jobs.ts`). */
  readonly jobs: JobStore;
  /** Pending pairing codes (`pairings.ts`). */
  readonly pairings: PairingStore;

  constructor(engine: StoreEngine, init: SqlStoreInit) {
    this.#engine = engine;
    this.#db = engine.db;
    this.#secrets = init.secrets;
    this.#now = init.now;
    this.#maxHistory = init.maxHistoryPerClient;
    // One set of dependencies for every part: the same connection, error wrapper, transaction and clock.
    const deps = {
      db: this.#db,
      guard: <T>(what: string, fn: () => Promise<T>) => this.#guard(what, fn),
      write: <T>(fn: (db: Kysely<Schema>) => Promise<T>) => this.#write(fn),
      now: () => this.#now(),
      newId: () => randomUUID(),
    };
    this.subscriptions = sqliteSubscriptionStore(deps);
    this.house = sqliteHouseStore(deps);
    this.consent = sqliteConsentStore(deps);
    this.mailbox = sqliteMailboxStore(deps);
    this.relay = sqliteRelayStore(deps);
    this.files = sqliteHubFileStore(deps);
    this.jobs = sqliteJobStore(deps);
    this.pairings = sqlitePairingStore(deps, this.#secrets);
  }

  /** Runs `fn` wrapping every failure in a HiveLinkError. */
  async #guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed)
      throw new HiveLinkError('HL_ERR_STORE_UNAVAILABLE', `cannot ${what}: the store is closed`);
    try {
      return await fn();
    } catch (err) {
      throw storeError(what, err);
    }
  }

  /** Runs `fn` in the engine's write transaction (one writer at a time, as SQLite's `BEGIN IMMEDIATE`). */
  async #write<T>(fn: (db: Kysely<Schema>) => Promise<T>): Promise<T> {
    return this.#engine.write(fn);
  }

  async #row(id: number): Promise<ClientRow | undefined> {
    return this.#db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Names are how people tell clients apart (`clients show kitchen`), so two live clients never share one; a revoked
   * client's name is free again.
   */
  async #checkNameFree(db: Kysely<Schema>, name: string, exceptId?: number): Promise<void> {
    const other = await db
      .selectFrom('clients')
      .select('id')
      .where('name', '=', name)
      .where('revoked', '=', 0)
      .where('id', '!=', exceptId ?? 0)
      .executeTakeFirst();
    if (other !== undefined) {
      throw new HiveLinkError(
        'HL_ERR_ALREADY_EXISTS',
        `the name ${JSON.stringify(name)} is already used by client ${other.id}`,
      );
    }
  }

  async #existing(id: number): Promise<ClientRow> {
    const row = await this.#row(checkId(id));
    if (row === undefined) throw notFound(id);
    return row;
  }

  async addClient(client: NewClient): Promise<AddedClient> {
    const v = validateNewClient(client);
    const accessKey = v.accessKey ?? randomHex32();
    const password = v.password ?? randomHex32();
    const allowed = v.allowedTypes ?? validatePatch({ allowedTypes: DEFAULT_ALLOWED_TYPES }).allowedTypes!;
    return this.#guard('add the client', () =>
      this.#write(async (db) => {
        const taken = await db
          .selectFrom('clients')
          .select('id')
          .where('access_key', '=', accessKey)
          .executeTakeFirst();
        if (taken !== undefined) {
          throw new HiveLinkError(
            'HL_ERR_ALREADY_EXISTS',
            `access key is already used by client ${taken.id}`,
          );
        }
        await this.#checkNameFree(db, v.name);
        const { id } = await db
          .insertInto('clients')
          .values({
            access_key: accessKey,
            name: v.name,
            site_id: v.siteId ?? null,
            description: v.description ?? '',
            is_admin: v.isAdmin === true ? 1 : 0,
            can_broadcast: v.canBroadcast === false ? 0 : 1,
            can_escalate: v.canEscalate === true ? 1 : 0,
            can_propagate: v.canPropagate === true ? 1 : 0,
            allowed_types: JSON.stringify(allowed),
            blocked_skills: JSON.stringify(v.blockedSkills ?? []),
            blocked_intents: JSON.stringify(v.blockedIntents ?? []),
            min_protocol: v.minProtocol ?? null,
            rate_limit_per_second: v.rateLimitPerSecond ?? null,
            allow_weak_password: v.allowWeakPassword === true ? 1 : 0,
            consent: v.consent ?? 'ask',
            revoked: 0,
            created_at: checkTime(this.#now(), 'now()'),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const sealed = sealSecret(this.#secrets, password, passwordContext(id));
        await db.updateTable('clients').set({ password_sealed: sealed }).where('id', '=', id).execute();
        const row = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return { record: toRecord(row), password };
      }),
    );
  }

  async getClient(idOrKey: number | string): Promise<ClientRecord | null> {
    return this.#guard('read the client', async () => {
      if (typeof idOrKey === 'number') {
        if (!Number.isSafeInteger(idOrKey) || idOrKey < 1) return null;
        const row = await this.#row(idOrKey);
        return row === undefined ? null : toRecord(row);
      }
      if (typeof idOrKey !== 'string' || idOrKey.length === 0 || idOrKey.length > 256) return null;
      if (/^[1-9]\d{0,14}$/.test(idOrKey)) {
        const row = await this.#row(Number(idOrKey));
        if (row !== undefined) return toRecord(row);
      }
      const row =
        (await this.#db
          .selectFrom('clients')
          .selectAll()
          .where('access_key', '=', idOrKey)
          .executeTakeFirst()) ??
        // Last, a live client's name (unique among live clients, see #checkNameFree).
        (await this.#db
          .selectFrom('clients')
          .selectAll()
          .where('name', '=', idOrKey)
          .where('revoked', '=', 0)
          .executeTakeFirst());
      return row === undefined ? null : toRecord(row);
    });
  }

  async getClientByAccessKey(accessKey: string): Promise<ClientRecord | null> {
    if (typeof accessKey !== 'string' || accessKey.length === 0 || accessKey.length > 256) return null;
    if (accessKey.startsWith(REVOKED_KEY_PREFIX)) return null;
    return this.#guard('read the client', async () => {
      const row = await this.#db
        .selectFrom('clients')
        .selectAll()
        .where('access_key', '=', accessKey)
        .where('revoked', '=', 0)
        .executeTakeFirst();
      return row === undefined ? null : toRecord(row);
    });
  }

  async listClients(): Promise<ClientRecord[]> {
    return this.#guard('list clients', async () => {
      const rows = await this.#db.selectFrom('clients').selectAll().orderBy('id').execute();
      return rows.map(toRecord);
    });
  }

  async updateClient(id: number, patch: ClientPatch): Promise<ClientRecord> {
    const columns = patchColumns(validatePatch(patch));
    return this.#guard('update the client', async () => {
      await this.#existing(id);
      if (columns.name !== undefined) await this.#checkNameFree(this.#db, columns.name, id);
      if (Object.keys(columns).length > 0) {
        await this.#db.updateTable('clients').set(columns).where('id', '=', id).execute();
      }
      return toRecord(await this.#existing(id));
    });
  }

  async renameClient(id: number, name: string): Promise<ClientRecord> {
    return this.updateClient(id, { name });
  }

  async revokeClient(id: number): Promise<ClientRecord> {
    checkId(id);
    return this.#guard('revoke the client', () =>
      this.#write(async (db) => {
        const row = await db.selectFrom('clients').select('id').where('id', '=', id).executeTakeFirst();
        if (row === undefined) throw notFound(id);
        await db
          .updateTable('clients')
          .set({ revoked: 1, access_key: `${REVOKED_KEY_PREFIX}${id}`, password_sealed: null })
          .where('id', '=', id)
          .execute();
        await db.deleteFrom('psk_cache').where('client_id', '=', id).execute();
        await db.deleteFrom('api_tokens').where('client_id', '=', id).execute();
        return toRecord(
          await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
        );
      }),
    );
  }

  async removeClient(id: number): Promise<void> {
    checkId(id);
    return this.#guard('remove the client', async () => {
      const result = await this.#db.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw notFound(id);
    });
  }

  async getPassword(id: number): Promise<string | null> {
    const row = await this.#guard('read the password', () => this.#existing(id));
    if (row.password_sealed === null) return null;
    return openSecret(this.#secrets, row.password_sealed, passwordContext(row.id));
  }

  async setPassword(id: number, password: string): Promise<void> {
    const pw = validateField(passwordSchema, password, 'password');
    return this.#guard('set the password', () =>
      this.#write(async (db) => {
        const row = await db
          .selectFrom('clients')
          .select(['id', 'revoked'])
          .where('id', '=', id)
          .executeTakeFirst();
        if (row === undefined) throw notFound(id);
        if (row.revoked !== 0) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `client ${id} is revoked`);
        const sealed = sealSecret(this.#secrets, pw, passwordContext(id));
        await db.updateTable('clients').set({ password_sealed: sealed }).where('id', '=', id).execute();
        await db.deleteFrom('psk_cache').where('client_id', '=', id).execute();
      }),
    );
  }

  async getCachedPsk(id: number, nodeId: string): Promise<Uint8Array | null> {
    if (typeof nodeId !== 'string') return null;
    checkId(id);
    const nodeHash = sha256Hex(nodeId);
    const row = await this.#guard('read the cached PSK', () =>
      this.#db
        .selectFrom('psk_cache')
        .select('psk_sealed')
        .where('client_id', '=', id)
        .where('node_id_hash', '=', nodeHash)
        .executeTakeFirst(),
    );
    if (row === undefined) return null;
    const hex = openSecret(this.#secrets, row.psk_sealed, pskContext(id, nodeHash));
    return new Uint8Array(Buffer.from(hex, 'hex'));
  }

  async setCachedPsk(id: number, nodeId: string, psk: Uint8Array): Promise<void> {
    checkId(id);
    if (typeof nodeId !== 'string')
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'node id must be a string');
    if (!(psk instanceof Uint8Array) || psk.length !== 32) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'a PSK must be 32 bytes');
    }
    const nodeHash = sha256Hex(nodeId);
    const sealed = sealSecret(this.#secrets, Buffer.from(psk).toString('hex'), pskContext(id, nodeHash));
    return this.#guard('cache the PSK', async () => {
      await this.#db
        .insertInto('psk_cache')
        .values({ client_id: id, node_id_hash: nodeHash, psk_sealed: sealed })
        .onConflict((oc) => oc.columns(['client_id', 'node_id_hash']).doUpdateSet({ psk_sealed: sealed }))
        .execute();
    });
  }

  async pinNoiseKey(id: number, publicKeyHex: string): Promise<void> {
    if (typeof publicKeyHex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(publicKeyHex)) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'a Noise public key must be 64 hex characters');
    }
    await this.#setPin(id, { noise_pubkey: publicKeyHex.toLowerCase() }, 'pin the Noise key');
  }

  async clearNoisePin(id: number): Promise<void> {
    await this.#setPin(id, { noise_pubkey: null }, 'clear the Noise pin');
  }

  async pinIntercomKey(id: number, publicKey: string): Promise<IntercomKeyPin> {
    checkId(id);
    if (
      typeof publicKey !== 'string' ||
      publicKey.length > MAX_INTERCOM_KEY_CHARS ||
      !BASE64.test(publicKey)
    ) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        'an INTERCOM key must be the base64 of a SPKI DER key',
      );
    }
    // One transaction: two HELLOs announcing the same key at once cannot both pin it (the unique index backs this).
    return this.#guard('pin the INTERCOM key', () =>
      this.#write(async (db): Promise<IntercomKeyPin> => {
        const row = await db
          .selectFrom('clients')
          .select('intercom_pubkey')
          .where('id', '=', id)
          .executeTakeFirst();
        if (row === undefined) throw notFound(id);
        if (row.intercom_pubkey === publicKey) return 'same';
        if (row.intercom_pubkey !== null) return 'mismatch';
        const holder = await db
          .selectFrom('clients')
          .select('id')
          .where('intercom_pubkey', '=', publicKey)
          .executeTakeFirst();
        if (holder !== undefined) return 'taken';
        await db.updateTable('clients').set({ intercom_pubkey: publicKey }).where('id', '=', id).execute();
        return 'pinned';
      }),
    );
  }

  async clearIntercomPin(id: number): Promise<void> {
    await this.#setPin(id, { intercom_pubkey: null }, 'clear the INTERCOM key pin');
  }

  /** Sets or clears one key pin of client `id` (`HL_ERR_CLIENT_NOT_FOUND` when there is no such client). */
  async #setPin(
    id: number,
    pin: { noise_pubkey: string | null } | { intercom_pubkey: null },
    what: string,
  ): Promise<void> {
    checkId(id);
    return this.#guard(what, async () => {
      const r = await this.#db.updateTable('clients').set(pin).where('id', '=', id).executeTakeFirst();
      if (r.numUpdatedRows === 0n) throw notFound(id);
    });
  }

  async touchLastSeen(id: number, at: number): Promise<void> {
    return this.touchLastSeenMany([[id, at]]);
  }

  async touchLastSeenMany(entries: Iterable<readonly [id: number, at: number]>): Promise<void> {
    const list: [number, number][] = [];
    try {
      for (const [id, at] of entries) list.push([checkId(id), checkTime(at, 'lastSeen')]);
    } catch (err) {
      if (err instanceof HiveLinkError) throw err;
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'entries must be [id, time] pairs', { cause: err });
    }
    if (list.length === 0) return;
    return this.#guard('record last seen', () =>
      this.#write(async (db) => {
        for (const [id, at] of list) {
          await db
            .updateTable('clients')
            // Never backwards; CASE, not SQLite's max(a, b) or Postgres's greatest(a, b): both engines read it.
            .set({
              last_seen: sql<number>`case when coalesce(last_seen, 0) > ${at} then last_seen else ${at} end`,
            })
            .where('id', '=', id)
            .execute();
        }
      }),
    );
  }

  async recordConnection(c: NewConnection): Promise<number> {
    const row = checkConnection(c);
    return this.#guard('record the connection', () =>
      this.#write((db) => insertConnection(db, row, this.#maxHistory)),
    );
  }

  async recordConnections(
    opened: readonly LoggedConnection[],
    ended: readonly (readonly [id: number, end: ConnectionEnd])[],
  ): Promise<(number | null)[]> {
    let rows: { row: CheckedConnection; end: ReturnType<typeof checkConnectionEnd> | null }[];
    let ends: [number, ReturnType<typeof checkConnectionEnd>][];
    try {
      rows = opened.map((c) => ({
        row: checkConnection(c),
        end: c.end === undefined || c.end === null ? null : checkConnectionEnd(c.end),
      }));
      ends = ended.map(([id, end]) => [checkId(id, 'connection id'), checkConnectionEnd(end)]);
    } catch (err) {
      if (err instanceof HiveLinkError) throw err;
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'connections must be objects and [id, end] pairs', {
        cause: err,
      });
    }
    if (rows.length === 0 && ends.length === 0) return [];
    return this.#guard('record connections', () =>
      this.#write(async (db) => {
        const clientIds = [...new Set(rows.map((r) => r.row.client_id))];
        const existing = new Set<number>();
        for (let i = 0; i < clientIds.length; i += 500) {
          const found = await db
            .selectFrom('clients')
            .select('id')
            .where('id', 'in', clientIds.slice(i, i + 500))
            .execute();
          for (const { id } of found) existing.add(id);
        }
        const ids: (number | null)[] = [];
        for (const { row, end } of rows) {
          if (!existing.has(row.client_id)) {
            ids.push(null);
            continue;
          }
          ids.push(await insertConnectionRow(db, end === null ? row : { ...row, ...end }));
        }
        for (const [id, values] of ends) {
          await db.updateTable('connections').set(values).where('id', '=', id).execute();
        }
        for (const clientId of existing) await pruneConnections(db, clientId, this.#maxHistory);
        return ids;
      }),
    );
  }

  async finishConnection(id: number, end: ConnectionEnd): Promise<void> {
    const finish = connectionFinisher(id, end);
    return this.#guard('record the end of the connection', () => finish(this.#db));
  }

  async history(clientId: number, limit = DEFAULT_HISTORY_LIMIT): Promise<ConnectionRecord[]> {
    checkId(clientId);
    const n = typeof limit === 'number' && Number.isFinite(limit) ? Math.max(1, Math.floor(limit)) : 1;
    return this.#guard('read the history', () =>
      selectHistory(this.#db, clientId, Math.min(n, this.#maxHistory)),
    );
  }

  async addIpRule(rule: NewIpRule): Promise<IpRule> {
    const checked = checkIpRule(rule);
    return this.#guard('add the IP rule', () => this.#write((db) => insertIpRule(db, checked, this.#now())));
  }

  async removeIpRule(selector: IpRuleSelector): Promise<number> {
    const remove = ipRuleDeleter(selector);
    return this.#guard('remove the IP rule', () => remove(this.#db));
  }

  async listIpRules(): Promise<IpRule[]> {
    return this.#guard('list IP rules', () => selectIpRules(this.#db));
  }

  async issueToken(clientId: number): Promise<string> {
    checkId(clientId);
    return this.#guard('issue the token', () => this.#write((db) => insertToken(db, clientId, this.#now())));
  }

  async clientForToken(token: string): Promise<ClientRecord | null> {
    if (!plausibleToken(token)) return null;
    return this.#guard('check the token', () => selectTokenClient(this.#db, token));
  }

  async revokeToken(token: string): Promise<boolean> {
    if (!plausibleToken(token)) return false;
    return this.#guard('revoke the token', () => deleteToken(this.#db, token));
  }

  async addTimer(timer: NewTimer, maxPerClient: number): Promise<TimerRecord> {
    const row = checkTimer(timer);
    if (!Number.isSafeInteger(maxPerClient) || maxPerClient < 1) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'maxPerClient must be a whole number >= 1');
    }
    return this.#guard('store the timer', () => this.#write((db) => insertTimer(db, row, maxPerClient)));
  }

  async listTimers(clientId?: number): Promise<TimerRecord[]> {
    if (clientId !== undefined) checkId(clientId);
    return this.#guard('list the timers', () => selectTimers(this.#db, clientId));
  }

  async markTimerFired(id: number, at: number): Promise<void> {
    checkId(id, 'timer id');
    const when = checkTime(at, 'at');
    return this.#guard('record the timer as fired', () => updateTimerFired(this.#db, id, when));
  }

  async removeTimer(id: number): Promise<boolean> {
    checkId(id, 'timer id');
    return this.#guard('remove the timer', () => deleteTimer(this.#db, id));
  }

  /** Asks the engine whether another connection committed; on a change, bumps the counter and tells the watchers. */
  #poll(): void {
    if (this.#closed || !this.#engine.changed()) return;
    this.#changes++;
    // Asynchronously, so a throwing callback cannot break the caller of changeCounter() or the other watchers.
    for (const callback of this.#watchers) queueMicrotask(callback);
  }

  changeCounter(): number {
    this.#poll();
    return this.#changes;
  }

  watch(callback: () => void, intervalMs = DEFAULT_WATCH_INTERVAL_MS): () => void {
    if (typeof callback !== 'function')
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'callback is required');
    if (!Number.isFinite(intervalMs) || intervalMs < 1) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'intervalMs must be at least 1');
    }
    if (this.#closed) return () => {};
    // A distinct wrapper per call, so watching twice with one callback needs two stops.
    const entry = () => callback();
    this.#watchers.add(entry);
    const timer = setInterval(() => this.#poll(), intervalMs);
    timer.unref?.();
    this.#timers.add(timer);
    return () => {
      clearInterval(timer);
      this.#timers.delete(timer);
      this.#watchers.delete(entry);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.clear();
    this.#watchers.clear();
    await this.#engine.close();
  }
}
