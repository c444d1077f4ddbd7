/**
 * The mailbox (RENDEZVOUS, issue 12; docs/PROTOCOL.md §5.5) at rest: mail for a client that was offline — a HiveMind
 * INTERCOM or a hivelink sealed message, ciphertext only — kept until the recipient acknowledges it or it expires.
 * One row per message, in the client database. A deposit is one write transaction (the bounds are checked in it);
 * reading the pending mail writes nothing; an acknowledgement removes a batch in one statement; expired mail is
 * never handed out and is removed by {@link MailboxStore.purgeExpired}.
 *
 * @module
 */
import type { Generated, Kysely, Selectable } from 'kysely';
import { HiveLinkError } from '../errors.js';
import { checkId, checkTime } from './sqlite-rows.js';
import type { Schema } from './sqlite-schema.js';
import type { StorePartDeps } from './store-part.js';

/** What a mail item carries: a HiveMind INTERCOM message (JSON) or a hivelink sealed envelope. */
export type MailKind = 'intercom' | 'sealed';

/** The `mailbox` table (schema step 8). */
export interface MailboxTable {
  id: Generated<number>;
  /** The id on the wire (`deposit_id`): random, so it says nothing about the order or the count of mail. */
  deposit_id: string;
  recipient_id: number;
  kind: MailKind;
  /** The stored message, as deposited (ciphertext). */
  body: string;
  /** UTF-8 bytes of `body`, for the per-recipient bound. */
  bytes: number;
  deposited_at: number;
  expires_at: number;
}

type Db = Kysely<Schema & { mailbox: MailboxTable }>;

/** One waiting message. */
export interface MailItem {
  readonly depositId: string;
  readonly recipientId: number;
  readonly kind: MailKind;
  readonly body: string;
  readonly depositedAt: number;
  readonly expiresAt: number;
}

export interface NewMail {
  readonly recipientId: number;
  readonly kind: MailKind;
  readonly body: string;
}

/** The bounds of one recipient's mailbox (limits `mailboxMaxMessages`, `mailboxMaxBytes`, `mailboxExpiryMs`). */
export interface MailboxBounds {
  readonly maxMessages: number;
  readonly maxBytes: number;
  readonly expiryMs: number;
}

export interface MailboxStore {
  /**
   * Deposits one message: one write transaction that checks the recipient's bounds (unexpired mail only).
   * @throws HiveLinkError `HL_ERR_MAILBOX_FULL` past a bound, `HL_ERR_NOT_FOUND` for an unknown recipient
   */
  deposit(mail: NewMail, bounds: MailboxBounds, at?: number): Promise<MailItem>;
  /** The recipient's mail unexpired at `at`, oldest first. Writes nothing. */
  pending(recipientId: number, at?: number): Promise<MailItem[]>;
  /** Removes the recipient's mail with these deposit ids, in one statement; returns how many there were. */
  ack(recipientId: number, depositIds: readonly string[]): Promise<number>;
  /** Removes every message expired at `at`; returns how many. */
  purgeExpired(at?: number): Promise<number>;
  /** Messages waiting (unexpired), for one recipient or all. */
  count(recipientId?: number): Promise<number>;
  /** The client whose INTERCOM key pin (base64 SPKI DER) this is, or null. */
  recipientOfIntercomKey(keyId: string): Promise<number | null>;
}

/** What the SQLite store lends the mailbox: a part's, and a maker of deposit ids. */
export interface MailboxStoreDeps extends StorePartDeps {
  /** A fresh random deposit id. */
  newId(): string;
}

/** The most deposit ids one acknowledgement removes (SQLite's bound-parameter budget). */
export const MAX_ACK_IDS = 512;

function toItem(row: Selectable<MailboxTable>): MailItem {
  return {
    depositId: row.deposit_id,
    recipientId: row.recipient_id,
    kind: row.kind,
    body: row.body,
    depositedAt: row.deposited_at,
    expiresAt: row.expires_at,
  };
}

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

/**
 * The SQLite {@link MailboxStore}, on the client store's connection (`store.mailbox`). Every `at` is a time in ms,
 * by default the store's clock (the hub passes its own).
 */
export function sqliteMailboxStore(deps: MailboxStoreDeps): MailboxStore {
  const db: Db = deps.db.withTables<{ mailbox: MailboxTable }>();
  const now = (at?: number) => checkTime(at ?? deps.now(), 'now()');
  return {
    async deposit(mail, bounds, at0) {
      checkId(mail.recipientId, 'recipient id');
      if (mail.kind !== 'intercom' && mail.kind !== 'sealed') {
        throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'mail kind must be intercom or sealed');
      }
      const bytes = utf8Bytes(mail.body);
      const at = now(at0);
      return deps.guard('deposit the mail', () =>
        deps.write(async (k) => {
          const t = k.withTables<{ mailbox: MailboxTable }>();
          const recipient = await t
            .selectFrom('clients')
            .select('id')
            .where('id', '=', mail.recipientId)
            .executeTakeFirst();
          if (recipient === undefined) {
            throw new HiveLinkError('HL_ERR_NOT_FOUND', `no client with id ${mail.recipientId}`);
          }
          const held = await t
            .selectFrom('mailbox')
            .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('bytes').as('b')])
            .where('recipient_id', '=', mail.recipientId)
            .where('expires_at', '>', at)
            .executeTakeFirstOrThrow();
          const n = Number(held.n);
          const b = Number(held.b ?? 0);
          if (n + 1 > bounds.maxMessages || b + bytes > bounds.maxBytes) {
            throw new HiveLinkError(
              'HL_ERR_MAILBOX_FULL',
              `the recipient's mailbox holds ${n} messages, ${b} bytes (limits mailboxMaxMessages ${bounds.maxMessages}, mailboxMaxBytes ${bounds.maxBytes})`,
            );
          }
          const row = await t
            .insertInto('mailbox')
            .values({
              deposit_id: deps.newId(),
              recipient_id: mail.recipientId,
              kind: mail.kind,
              body: mail.body,
              bytes,
              deposited_at: at,
              expires_at: at + bounds.expiryMs,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          return toItem(row);
        }),
      );
    },

    async pending(recipientId, at) {
      checkId(recipientId, 'recipient id');
      return deps.guard('read the mailbox', async () => {
        const rows = await db
          .selectFrom('mailbox')
          .selectAll()
          .where('recipient_id', '=', recipientId)
          .where('expires_at', '>', now(at))
          .orderBy('id')
          .execute();
        return rows.map(toItem);
      });
    },

    async ack(recipientId, depositIds) {
      checkId(recipientId, 'recipient id');
      const ids = [...new Set(depositIds.filter((id) => typeof id === 'string' && id.length > 0))];
      if (ids.length === 0) return 0;
      if (ids.length > MAX_ACK_IDS) {
        throw new HiveLinkError(
          'HL_ERR_INVALID_ARGUMENT',
          `at most ${MAX_ACK_IDS} deposit ids per acknowledgement`,
        );
      }
      return deps.guard('acknowledge the mail', async () => {
        const r = await db
          .deleteFrom('mailbox')
          .where('recipient_id', '=', recipientId)
          .where('deposit_id', 'in', ids)
          .executeTakeFirst();
        return Number(r.numDeletedRows);
      });
    },

    async purgeExpired(at) {
      return deps.guard('purge expired mail', async () => {
        const r = await db.deleteFrom('mailbox').where('expires_at', '<=', now(at)).executeTakeFirst();
        return Number(r.numDeletedRows);
      });
    },

    async count(recipientId) {
      if (recipientId !== undefined) checkId(recipientId, 'recipient id');
      return deps.guard('count the mail', async () => {
        let q = db
          .selectFrom('mailbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('expires_at', '>', now());
        if (recipientId !== undefined) q = q.where('recipient_id', '=', recipientId);
        return Number((await q.executeTakeFirstOrThrow()).n);
      });
    },

    async recipientOfIntercomKey(keyId) {
      if (typeof keyId !== 'string' || keyId.length === 0) return null;
      return deps.guard('find the INTERCOM key', async () => {
        const row = await db
          .selectFrom('clients')
          .select('id')
          .where('intercom_pubkey', '=', keyId)
          .where('revoked', '=', 0)
          .executeTakeFirst();
        return row?.id ?? null;
      });
    },
  };
}
