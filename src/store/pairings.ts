/**
 * Pending pairings (schema step 11; docs/PROTOCOL.md §17): one row per code `hivelink pair` made — its id (the public
 * part of the code), the secret part sealed with the secrets key, the name and room the new client gets, its expiry
 * and the handshakes it answered. `hivelink pair` writes the row; the hub reads it when a satellite joins, charges
 * each handshake to it (`attempt`), and turns it `used` exactly once (`claim`, one write transaction, so two hubs on
 * one database cannot both redeem it). Rows stay until a day past their expiry, so a late join hears "expired" or
 * "used" rather than "unknown".
 *
 * @module
 */
import type { Kysely, Selectable } from 'kysely';
import { HiveLinkError } from '../errors.js';
import { openSecret, sealSecret } from './secrets.js';
import type { Schema } from './sqlite-schema.js';
import type { StorePartDeps } from './store-part.js';

export type PairingState = 'pending' | 'used' | 'burnt';

/** The `pairings` table (schema step 11). */
export interface PairingsTable {
  id: string;
  /** `sealSecret` of the code's secret part, bound to `pairing:<id>`. */
  secret_sealed: string;
  name: string;
  site_id: string | null;
  state: PairingState;
  attempts: number;
  /** The client the pairing made, once used. */
  client_id: number | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

type Db = Kysely<Schema & { pairings: PairingsTable }>;

export interface PairingRecord {
  readonly id: string;
  readonly name: string;
  readonly siteId: string | null;
  readonly state: PairingState;
  /** Handshakes charged so far. */
  readonly attempts: number;
  readonly clientId: number | null;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

export interface NewPairing {
  readonly id: string;
  readonly secret: string;
  readonly name: string;
  readonly siteId: string | null;
  readonly expiresAt: number;
}

/** Why a pairing cannot be used now. */
export type PairingRefusal = 'unknown' | 'expired' | 'used' | 'burnt';

/** The limits a redeeming hub applies. */
export interface PairingRules {
  /** Handshakes one pairing answers (limit `pairingMaxAttempts`). */
  readonly maxAttempts: number;
  /** A pairing older than this is expired whatever its own expiry says (limit `pairingLifetimeMs`). */
  readonly lifetimeMs: number;
}

export interface PairingStore {
  /**
   * Adds a pending pairing (and purges rows a day past their expiry).
   * @throws HiveLinkError `HL_ERR_PAIRING_LIMIT` when `maxPending` wait already; `HL_ERR_ALREADY_EXISTS` for a name a
   *   live client or another pending pairing has, or an id in use (make a new code)
   */
  create(pairing: NewPairing, maxPending: number): Promise<PairingRecord>;
  /** Every pairing still kept, oldest first. */
  list(): Promise<PairingRecord[]>;
  get(id: string): Promise<PairingRecord | null>;
  /** Deletes a pairing; false when there was none. */
  cancel(id: string): Promise<boolean>;
  /**
   * Charges one handshake to a pending pairing; hands back its record and secret, or why it cannot be used (a pending
   * pairing that already answered `maxAttempts` handshakes is turned `burnt`).
   */
  attempt(
    id: string,
    rules: PairingRules,
  ): Promise<{ ok: true; record: PairingRecord; secret: string } | { ok: false; why: PairingRefusal }>;
  /** pending → used, once: the record, or why not. */
  claim(
    id: string,
    rules: PairingRules,
  ): Promise<{ ok: true; record: PairingRecord } | { ok: false; why: PairingRefusal }>;
  /** Records the client a used pairing made. */
  settle(id: string, clientId: number): Promise<void>;
  /** used → pending again (making the client failed after the claim). */
  release(id: string): Promise<void>;
}

/** Rows are kept this long past their expiry (then "unknown"). */
export const PAIRING_KEEP_MS = 24 * 3_600_000;

const context = (id: string) => `pairing:${id}`;

function toRecord(row: Selectable<PairingsTable>): PairingRecord {
  return Object.freeze({
    id: row.id,
    name: row.name,
    siteId: row.site_id,
    state: row.state,
    attempts: Number(row.attempts),
    clientId: row.client_id === null ? null : Number(row.client_id),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
  });
}

/** Why `row` cannot be used at `now`, or null when it can. */
function refusal(
  row: Selectable<PairingsTable> | undefined,
  now: number,
  rules: PairingRules,
): PairingRefusal | null {
  if (row === undefined) return 'unknown';
  if (row.state === 'used') return 'used';
  if (row.state === 'burnt') return 'burnt';
  if (now >= Number(row.expires_at) || now >= Number(row.created_at) + rules.lifetimeMs) return 'expired';
  return null;
}

export function sqlitePairingStore(deps: StorePartDeps, secrets: Uint8Array): PairingStore {
  const db = deps.db as unknown as Db;
  const write = <T>(fn: (db: Db) => Promise<T>) => deps.write((d) => fn(d as unknown as Db));
  const one = (d: Db, id: string) =>
    d.selectFrom('pairings').selectAll().where('id', '=', id).executeTakeFirst();
  return {
    create: (p, maxPending) =>
      deps.guard('add the pairing', () =>
        write(async (d) => {
          const now = deps.now();
          await d
            .deleteFrom('pairings')
            .where('expires_at', '<', now - PAIRING_KEEP_MS)
            .execute();
          const pending = await d
            .selectFrom('pairings')
            .select(['id', 'name'])
            .where('state', '=', 'pending')
            .where('expires_at', '>', now)
            .execute();
          if (pending.length >= maxPending) {
            throw new HiveLinkError(
              'HL_ERR_PAIRING_LIMIT',
              `${pending.length} pairing codes are waiting already (maxPendingPairings): cancel one with hivelink pair cancel ID, or let them expire`,
            );
          }
          if (pending.some((x) => x.name === p.name)) {
            throw new HiveLinkError(
              'HL_ERR_ALREADY_EXISTS',
              `a pairing code for ${JSON.stringify(p.name)} is waiting already`,
            );
          }
          const client = await d
            .selectFrom('clients')
            .select('id')
            .where('name', '=', p.name)
            .where('revoked', '=', 0)
            .executeTakeFirst();
          if (client !== undefined) {
            throw new HiveLinkError(
              'HL_ERR_ALREADY_EXISTS',
              `the name ${JSON.stringify(p.name)} is already used by client ${client.id}`,
            );
          }
          if ((await one(d, p.id)) !== undefined) {
            throw new HiveLinkError('HL_ERR_ALREADY_EXISTS', `pairing id ${p.id} is in use: make a new code`);
          }
          const row = {
            id: p.id,
            secret_sealed: sealSecret(secrets, p.secret, context(p.id)),
            name: p.name,
            site_id: p.siteId,
            state: 'pending' as const,
            attempts: 0,
            client_id: null,
            created_at: now,
            expires_at: p.expiresAt,
            used_at: null,
          };
          await d.insertInto('pairings').values(row).execute();
          return toRecord(row);
        }),
      ),
    list: () =>
      deps.guard('list the pairings', async () =>
        (await db.selectFrom('pairings').selectAll().orderBy('created_at').orderBy('id').execute()).map(
          toRecord,
        ),
      ),
    get: (id) =>
      deps.guard('read the pairing', async () => {
        const row = await one(db, id);
        return row === undefined ? null : toRecord(row);
      }),
    cancel: (id) =>
      deps.guard('cancel the pairing', () =>
        write(
          async (d) =>
            Number((await d.deleteFrom('pairings').where('id', '=', id).executeTakeFirst()).numDeletedRows) >
            0,
        ),
      ),
    attempt: (id, rules) =>
      deps.guard('charge a pairing attempt', () =>
        write(async (d) => {
          const row = await one(d, id);
          const why = refusal(row, deps.now(), rules);
          if (why !== null) return { ok: false as const, why };
          if (Number(row!.attempts) >= rules.maxAttempts) {
            await d.updateTable('pairings').set({ state: 'burnt' }).where('id', '=', id).execute();
            return { ok: false as const, why: 'burnt' as const };
          }
          const attempts = Number(row!.attempts) + 1;
          await d.updateTable('pairings').set({ attempts }).where('id', '=', id).execute();
          return {
            ok: true as const,
            record: toRecord({ ...row!, attempts }),
            secret: openSecret(secrets, row!.secret_sealed, context(id)),
          };
        }),
      ),
    claim: (id, rules) =>
      deps.guard('claim the pairing', () =>
        write(async (d) => {
          const row = await one(d, id);
          const why = refusal(row, deps.now(), rules);
          if (why !== null) return { ok: false as const, why };
          const used_at = deps.now();
          await d.updateTable('pairings').set({ state: 'used', used_at }).where('id', '=', id).execute();
          return { ok: true as const, record: toRecord({ ...row!, state: 'used', used_at }) };
        }),
      ),
    settle: (id, clientId) =>
      deps.guard('record the paired client', () =>
        write(async (d) => {
          await d.updateTable('pairings').set({ client_id: clientId }).where('id', '=', id).execute();
        }),
      ),
    release: (id) =>
      deps.guard('release the pairing', () =>
        write(async (d) => {
          await d
            .updateTable('pairings')
            .set({ state: 'pending', used_at: null })
            .where('id', '=', id)
            .where('state', '=', 'used')
            .execute();
        }),
      ),
  };
}
