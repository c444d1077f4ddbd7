/**
 * Subscriptions ("newsletters", issue 11) at rest: what each one says and when (`subscriptions`), and who receives
 * it (`subscribers`), in the client database so the admin CLI, a running hub and a restarted hub see the same.
 *
 * Missed ticks are kept by counting: a subscription counts its ticks and keeps what the last one said; a subscriber
 * keeps the number of the last tick it received. A subscriber that is behind missed a tick while it was offline and
 * gets the last one (only the last: bounded) when it comes back. Subscribing starts a subscriber at the current count,
 * so it never receives a tick from before it subscribed.
 *
 * The schedule is stored as given (`every_ms` or `cron`); reading it is the hub's business
 * (`src/hub/house/schedule.ts`), and the CLI and the hub check it before it is written.
 *
 * @module
 */
import type { Generated, Kysely, Selectable } from 'kysely';
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { checkId, checkTime } from './sqlite-rows.js';
import type { Schema } from './sqlite-schema.js';
import type { StorePartDeps } from './store-part.js';

/** The `subscriptions` table (schema step "subscriptions"). */
export interface SubscriptionsTable {
  id: Generated<number>;
  /** Normalised ({@link normalizeSubscriptionName}); unique. */
  name: string;
  every_ms: number | null;
  cron: string | null;
  text: string | null;
  utterance: string | null;
  lang: string;
  created_at: number;
  ticks: number;
  last_tick_at: number | null;
  last_message: string | null;
}

/** The `subscribers` table: one row per (subscription, client). */
export interface SubscribersTable {
  subscription_id: number;
  client_id: number;
  created_at: number;
  /** The number of the last tick this client received (or was past when it subscribed). */
  delivered_tick: number;
}

/** The tables of this module, as Kysely sees them. */
export type SubscriptionTables = {
  subscriptions: SubscriptionsTable;
  subscribers: SubscribersTable;
};

/** One subscription. */
export interface SubscriptionRecord {
  readonly id: number;
  /** Lower case, single spaces (`morning news`). */
  readonly name: string;
  /** The interval of an `--every` subscription, else null. */
  readonly everyMs: number | null;
  /** The expression of a `--cron` subscription, else null. */
  readonly cron: string | null;
  /** What each tick says (`--text`), else null. */
  readonly text: string | null;
  /** What each tick asks the hub's assistant (`--utterance`); its answer is said. Else null. */
  readonly utterance: string | null;
  /** The language the utterance is asked in. */
  readonly lang: string;
  /** The anchor of an `--every` schedule. */
  readonly createdAt: number;
  /** Ticks so far. */
  readonly ticks: number;
  readonly lastTickAt: number | null;
  /** What the last tick said, or null before the first. */
  readonly lastMessage: string | null;
  /** Client ids, ascending. */
  readonly subscribers: readonly number[];
}

/** What {@link SubscriptionStore.add} accepts: exactly one of `everyMs`/`cron`, exactly one of `text`/`utterance`. */
export interface NewSubscription {
  name: string;
  everyMs?: number;
  cron?: string;
  text?: string;
  utterance?: string;
  /** @default 'en-us' */
  lang?: string;
}

/** A tick a client has not received yet. */
export interface PendingTick {
  readonly subscriptionId: number;
  readonly name: string;
  readonly tick: number;
  readonly tickAt: number;
  readonly message: string;
}

/** How {@link SubscriptionStore.subscribe} went. */
export type SubscribeOutcome = 'subscribed' | 'already';

/**
 * The subscriptions of the client database. Names are matched after {@link normalizeSubscriptionName}. An unknown
 * name is `HL_ERR_NO_SUBSCRIPTION`; the caps are `HL_ERR_TOO_MANY_SUBSCRIPTIONS` / `HL_ERR_TOO_MANY_SUBSCRIBERS`; a
 * taken name `HL_ERR_ALREADY_EXISTS`; an unknown client `HL_ERR_NOT_FOUND`.
 */
export interface SubscriptionStore {
  add(subscription: NewSubscription, options?: { maxSubscriptions?: number }): Promise<SubscriptionRecord>;
  /** The subscription called `name`, or null. */
  get(name: string): Promise<SubscriptionRecord | null>;
  /** Every subscription, by id (oldest first). */
  list(): Promise<SubscriptionRecord[]>;
  /** Deletes the subscription and its subscribers. */
  remove(name: string): Promise<void>;
  subscribe(name: string, clientId: number, options?: { maxSubscribers?: number }): Promise<SubscribeOutcome>;
  /** False when the client was not subscribed. */
  unsubscribe(name: string, clientId: number): Promise<boolean>;
  /** The subscriptions `clientId` receives, by id. */
  subscriptionsOf(clientId: number): Promise<SubscriptionRecord[]>;
  /** Counts a tick of subscription `id` that said `message`; returns its number (0 when the subscription is gone). */
  recordTick(id: number, tickAt: number, message: string): Promise<number>;
  /** The latest tick of each of the client's subscriptions that it has not received. */
  pendingFor(clientId: number): Promise<PendingTick[]>;
  /** Records that `clientId` received tick `tick` of subscription `id` (never moves backwards). */
  markDelivered(id: number, clientId: number, tick: number): Promise<void>;
}

/** Longest subscription name, in characters. */
export const MAX_SUBSCRIPTION_NAME_CHARS = 64;
/** Longest `--text` or `--utterance`, in characters. */
export const MAX_SUBSCRIPTION_TEXT_CHARS = 4096;
/** Longest cron expression kept. */
const MAX_CRON_CHARS = 256;
const NAME = /^[\p{L}\p{N}][\p{L}\p{N}' ]*$/u;
const LANG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;

function invalid(message: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_INVALID_ARGUMENT', message);
}

function noSubscription(name: string): HiveLinkError {
  return new HiveLinkError('HL_ERR_NO_SUBSCRIPTION', `no subscription called "${name}"`);
}

/**
 * The one spelling of a subscription name: lower case, `-`, `_` and runs of spaces as one space, trimmed, so
 * `Morning-News` on the CLI and "morning news" said aloud are the same subscription.
 *
 * @throws HiveLinkError `HL_ERR_INVALID_ARGUMENT` for an empty name, one over {@link MAX_SUBSCRIPTION_NAME_CHARS},
 *   or one with characters other than letters, digits, spaces and apostrophes
 */
export function normalizeSubscriptionName(name: string): string {
  if (typeof name !== 'string') throw invalid('a subscription name must be a string');
  const n = name
    .normalize('NFC')
    .toLowerCase()
    .replace(/[-_\s]+/g, ' ')
    .trim();
  if (n.length === 0) throw invalid('a subscription name must not be empty');
  if (n.length > MAX_SUBSCRIPTION_NAME_CHARS) {
    throw invalid(`a subscription name has at most ${MAX_SUBSCRIPTION_NAME_CHARS} characters`);
  }
  if (!NAME.test(n)) throw invalid(`"${name}": a subscription name has letters, digits and spaces only`);
  return n;
}

function checkText(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.trim().length === 0) throw invalid(`${what} must be a non-empty string`);
  if (v.length > MAX_SUBSCRIPTION_TEXT_CHARS) {
    throw invalid(`${what} has at most ${MAX_SUBSCRIPTION_TEXT_CHARS} characters`);
  }
  return v.trim();
}

function checkNew(s: NewSubscription) {
  if (typeof s !== 'object' || s === null) throw invalid('a subscription must be an object');
  const name = normalizeSubscriptionName(s.name);
  if ((s.everyMs === undefined) === (s.cron === undefined))
    throw invalid('give exactly one of everyMs and cron');
  if ((s.text === undefined) === (s.utterance === undefined))
    throw invalid('give exactly one of text and utterance');
  if (s.everyMs !== undefined && (!Number.isSafeInteger(s.everyMs) || s.everyMs < 1)) {
    throw invalid('everyMs must be a whole number of ms >= 1');
  }
  if (
    s.cron !== undefined &&
    (typeof s.cron !== 'string' || s.cron.trim() === '' || s.cron.length > MAX_CRON_CHARS)
  ) {
    throw invalid(`cron must be an expression of 1 to ${MAX_CRON_CHARS} characters`);
  }
  const lang = s.lang ?? 'en-us';
  if (typeof lang !== 'string' || !LANG.test(lang)) throw invalid(`"${String(lang)}" is not a language tag`);
  return {
    name,
    every_ms: s.everyMs ?? null,
    cron: s.cron?.trim() ?? null,
    text: s.text === undefined ? null : checkText(s.text, 'text'),
    utterance: s.utterance === undefined ? null : checkText(s.utterance, 'utterance'),
    lang: lang.toLowerCase(),
  };
}

function checkCap(value: number | undefined, fallback: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw invalid(`${what} must be a whole number >= 1`);
  return v;
}

type Db = Kysely<Schema & SubscriptionTables>;

type Row = Selectable<SubscriptionsTable>;

function toRecord(row: Row, subscribers: readonly number[]): SubscriptionRecord {
  return {
    id: row.id,
    name: row.name,
    everyMs: row.every_ms,
    cron: row.cron,
    text: row.text,
    utterance: row.utterance,
    lang: row.lang,
    createdAt: row.created_at,
    ticks: row.ticks,
    lastTickAt: row.last_tick_at,
    lastMessage: row.last_message,
    subscribers,
  };
}

async function withSubscribers(db: Db, rows: readonly Row[]): Promise<SubscriptionRecord[]> {
  if (rows.length === 0) return [];
  const subs = await db
    .selectFrom('subscribers')
    .select(['subscription_id', 'client_id'])
    .where(
      'subscription_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('client_id')
    .execute();
  const by = new Map<number, number[]>();
  for (const s of subs) {
    const list = by.get(s.subscription_id) ?? [];
    list.push(s.client_id);
    by.set(s.subscription_id, list);
  }
  return rows.map((r) => toRecord(r, by.get(r.id) ?? []));
}

async function rowNamed(db: Db, name: string): Promise<Row | undefined> {
  return db.selectFrom('subscriptions').selectAll().where('name', '=', name).executeTakeFirst();
}

/** The SQLite {@link SubscriptionStore}, on the client store's connection (`store.subscriptions`). */
export function sqliteSubscriptionStore(deps: StorePartDeps): SubscriptionStore {
  const db = deps.db.withTables<SubscriptionTables>();
  const tables = (k: Kysely<Schema>): Db => k.withTables<SubscriptionTables>();
  return {
    async add(subscription, options = {}) {
      const row = checkNew(subscription);
      const max = checkCap(options.maxSubscriptions, LIMIT_DEFS.maxSubscriptions.default, 'maxSubscriptions');
      return deps.guard('add the subscription', () =>
        deps.write(async (k) => {
          const t = tables(k);
          if ((await rowNamed(t, row.name)) !== undefined) {
            throw new HiveLinkError('HL_ERR_ALREADY_EXISTS', `a subscription called "${row.name}" exists`);
          }
          const { n } = await t
            .selectFrom('subscriptions')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          if (Number(n) >= max) {
            throw new HiveLinkError(
              'HL_ERR_TOO_MANY_SUBSCRIPTIONS',
              `the hub has ${n} subscriptions, the most it keeps (limit maxSubscriptions)`,
            );
          }
          const inserted = await t
            .insertInto('subscriptions')
            .values({ ...row, created_at: checkTime(deps.now(), 'now()'), ticks: 0 })
            .returningAll()
            .executeTakeFirstOrThrow();
          return toRecord(inserted, []);
        }),
      );
    },

    async get(name) {
      const n = normalizeSubscriptionName(name);
      return deps.guard('read the subscription', async () => {
        const row = await rowNamed(db, n);
        return row === undefined ? null : ((await withSubscribers(db, [row]))[0] ?? null);
      });
    },

    async list() {
      return deps.guard('list subscriptions', async () =>
        withSubscribers(db, await db.selectFrom('subscriptions').selectAll().orderBy('id').execute()),
      );
    },

    async remove(name) {
      const n = normalizeSubscriptionName(name);
      return deps.guard('remove the subscription', async () => {
        const r = await db.deleteFrom('subscriptions').where('name', '=', n).executeTakeFirst();
        if (r.numDeletedRows === 0n) throw noSubscription(n);
      });
    },

    async subscribe(name, clientId, options = {}) {
      const n = normalizeSubscriptionName(name);
      checkId(clientId);
      const max = checkCap(
        options.maxSubscribers,
        LIMIT_DEFS.maxSubscribersPerSubscription.default,
        'maxSubscribers',
      );
      return deps.guard('subscribe', () =>
        deps.write(async (k): Promise<SubscribeOutcome> => {
          const t = tables(k);
          const sub = await rowNamed(t, n);
          if (sub === undefined) throw noSubscription(n);
          const client = await t
            .selectFrom('clients')
            .select('id')
            .where('id', '=', clientId)
            .executeTakeFirst();
          if (client === undefined)
            throw new HiveLinkError('HL_ERR_NOT_FOUND', `no client with id ${clientId}`);
          const existing = await t
            .selectFrom('subscribers')
            .select('client_id')
            .where('subscription_id', '=', sub.id)
            .where('client_id', '=', clientId)
            .executeTakeFirst();
          if (existing !== undefined) return 'already';
          const { count } = await t
            .selectFrom('subscribers')
            .select((eb) => eb.fn.countAll<number>().as('count'))
            .where('subscription_id', '=', sub.id)
            .executeTakeFirstOrThrow();
          if (Number(count) >= max) {
            throw new HiveLinkError(
              'HL_ERR_TOO_MANY_SUBSCRIBERS',
              `"${n}" has ${count} subscribers, the most it takes (limit maxSubscribersPerSubscription)`,
            );
          }
          await t
            .insertInto('subscribers')
            .values({
              subscription_id: sub.id,
              client_id: clientId,
              created_at: checkTime(deps.now(), 'now()'),
              delivered_tick: sub.ticks,
            })
            .execute();
          return 'subscribed';
        }),
      );
    },

    async unsubscribe(name, clientId) {
      const n = normalizeSubscriptionName(name);
      checkId(clientId);
      return deps.guard('unsubscribe', () =>
        deps.write(async (k) => {
          const t = tables(k);
          const sub = await rowNamed(t, n);
          if (sub === undefined) throw noSubscription(n);
          const r = await t
            .deleteFrom('subscribers')
            .where('subscription_id', '=', sub.id)
            .where('client_id', '=', clientId)
            .executeTakeFirst();
          return r.numDeletedRows > 0n;
        }),
      );
    },

    async subscriptionsOf(clientId) {
      checkId(clientId);
      return deps.guard('list the client subscriptions', async () => {
        const rows = await db
          .selectFrom('subscriptions')
          .selectAll()
          .where(
            'id',
            'in',
            db.selectFrom('subscribers').select('subscription_id').where('client_id', '=', clientId),
          )
          .orderBy('id')
          .execute();
        return withSubscribers(db, rows);
      });
    },

    async recordTick(id, tickAt, message) {
      checkId(id, 'subscription id');
      const at = checkTime(tickAt, 'tickAt');
      const text = checkText(message, 'message');
      return deps.guard('record the tick', () =>
        deps.write(async (k) => {
          const t = tables(k);
          const row = await t
            .selectFrom('subscriptions')
            .select('ticks')
            .where('id', '=', id)
            .executeTakeFirst();
          if (row === undefined) return 0;
          const tick = row.ticks + 1;
          await t
            .updateTable('subscriptions')
            .set({ ticks: tick, last_tick_at: at, last_message: text })
            .where('id', '=', id)
            .execute();
          return tick;
        }),
      );
    },

    async pendingFor(clientId) {
      checkId(clientId);
      return deps.guard('read the missed ticks', async () => {
        const rows = await db
          .selectFrom('subscribers as b')
          .innerJoin('subscriptions as s', 's.id', 'b.subscription_id')
          .select(['s.id', 's.name', 's.ticks', 's.last_tick_at', 's.last_message'])
          .where('b.client_id', '=', clientId)
          .whereRef('s.ticks', '>', 'b.delivered_tick')
          .where('s.last_message', 'is not', null)
          .orderBy('s.id')
          .execute();
        return rows.map((r) => ({
          subscriptionId: r.id,
          name: r.name,
          tick: r.ticks,
          tickAt: r.last_tick_at ?? 0,
          message: r.last_message ?? '',
        }));
      });
    },

    async markDelivered(id, clientId, tick) {
      checkId(id, 'subscription id');
      checkId(clientId);
      if (!Number.isSafeInteger(tick) || tick < 0) throw invalid('tick must be a whole number >= 0');
      return deps.guard('record the delivery', async () => {
        await db
          .updateTable('subscribers')
          .set({ delivered_tick: tick })
          .where('subscription_id', '=', id)
          .where('client_id', '=', clientId)
          .where('delivered_tick', '<', tick)
          .execute();
      });
    },
  };
}
