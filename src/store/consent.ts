/**
 * Consent ("is jarbas a friend?", issue 11) at rest: what each client answered when another one wanted to message
 * it directly — a relayed order from another room, an intercom line (docs/PROTOCOL.md §12.8) — one row per
 * (sender, recipient) pair, in the client database so the admin CLI (`hivelink consent`), a running hub and a
 * restarted hub see the same. A client's own setting (`ask | allow | deny`) is a column of its record
 * (`clients.consent`); the answers here only matter while it is `ask`.
 *
 * @module
 */
import type { Kysely, Selectable } from 'kysely';
import { HiveLinkError } from '../errors.js';
import { checkId, checkTime } from './sqlite-rows.js';
import type { Schema } from './sqlite-schema.js';
import type { StorePartDeps } from './store-part.js';

/** A client's consent setting: `ask` the first time (the default), `allow` everyone, `deny` everyone. */
export type ConsentMode = 'ask' | 'allow' | 'deny';
export const CONSENT_MODES = ['ask', 'allow', 'deny'] as const satisfies readonly ConsentMode[];

/** The `consent` table (schema step 7). */
export interface ConsentTable {
  sender_id: number;
  recipient_id: number;
  /** 1: the recipient allowed the sender; 0: it refused. */
  allow: number;
  decided_at: number;
}

type Db = Kysely<Schema & { consent: ConsentTable }>;

/** What a recipient answered about a sender. */
export interface ConsentDecision {
  readonly senderId: number;
  readonly recipientId: number;
  readonly allow: boolean;
  readonly decidedAt: number;
}

/** The consent answers of the client database. An unknown client is `HL_ERR_NOT_FOUND`. */
export interface ConsentStore {
  /** What `recipientId` answered about `senderId`, or null when it was never asked (or it was forgotten). */
  get(senderId: number, recipientId: number): Promise<ConsentDecision | null>;
  /** Records (or changes) the answer. */
  set(senderId: number, recipientId: number, allow: boolean): Promise<ConsentDecision>;
  /** Forgets the answer, so the recipient is asked again; false when there was none. */
  forget(senderId: number, recipientId: number): Promise<boolean>;
  /** Every answer, or those of one recipient, by recipient then sender. */
  list(recipientId?: number): Promise<ConsentDecision[]>;
}

function toDecision(row: Selectable<ConsentTable>): ConsentDecision {
  return {
    senderId: row.sender_id,
    recipientId: row.recipient_id,
    allow: row.allow !== 0,
    decidedAt: row.decided_at,
  };
}

function checkPair(senderId: number, recipientId: number): void {
  checkId(senderId, 'sender id');
  checkId(recipientId, 'recipient id');
  if (senderId === recipientId) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'a client needs no consent to message itself');
  }
}

/** The SQLite {@link ConsentStore}, on the client store's connection (`store.consent`). */
export function sqliteConsentStore(deps: Omit<StorePartDeps, 'write'>): ConsentStore {
  const db: Db = deps.db.withTables<{ consent: ConsentTable }>();
  const pair = (senderId: number, recipientId: number) =>
    db
      .selectFrom('consent')
      .selectAll()
      .where('sender_id', '=', senderId)
      .where('recipient_id', '=', recipientId);
  return {
    async get(senderId, recipientId) {
      checkPair(senderId, recipientId);
      return deps.guard('read the consent', async () => {
        const row = await pair(senderId, recipientId).executeTakeFirst();
        return row === undefined ? null : toDecision(row);
      });
    },

    async set(senderId, recipientId, allow) {
      checkPair(senderId, recipientId);
      const values = {
        sender_id: senderId,
        recipient_id: recipientId,
        allow: allow ? 1 : 0,
        decided_at: checkTime(deps.now(), 'now()'),
      };
      return deps.guard('record the consent', async () => {
        const row = await db
          .insertInto('consent')
          .values(values)
          .onConflict((oc) =>
            oc.columns(['sender_id', 'recipient_id']).doUpdateSet({
              allow: values.allow,
              decided_at: values.decided_at,
            }),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
        return toDecision(row);
      });
    },

    async forget(senderId, recipientId) {
      checkPair(senderId, recipientId);
      return deps.guard('forget the consent', async () => {
        const r = await db
          .deleteFrom('consent')
          .where('sender_id', '=', senderId)
          .where('recipient_id', '=', recipientId)
          .executeTakeFirst();
        return r.numDeletedRows > 0n;
      });
    },

    async list(recipientId) {
      if (recipientId !== undefined) checkId(recipientId, 'recipient id');
      return deps.guard('list the consents', async () => {
        let q = db.selectFrom('consent').selectAll();
        if (recipientId !== undefined) q = q.where('recipient_id', '=', recipientId);
        const rows = await q.orderBy('recipient_id').orderBy('sender_id').execute();
        return rows.map(toDecision);
      });
    },
  };
}
