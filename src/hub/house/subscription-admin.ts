/**
 * What an admin does to subscriptions (docs/PROTOCOL.md §12.7) — add, list, remove, subscribe and unsubscribe a
 * client — with one set of checks whoever asks: `hivelink subscriptions …` on the store of a data dir, and the REST
 * API (`/v1/subscriptions`) in the hub's own process, where each change then reaches the running scheduler at once
 * (`changed`: the service's reload) instead of at the next store poll.
 *
 * Refusals: `HL_ERR_BAD_SCHEDULE` (not exactly one of every/cron, an unreadable one, one under
 * `minSubscriptionIntervalMs`), `HL_ERR_INVALID_ARGUMENT` (not exactly one of text/utterance, a bad name or
 * language), `HL_ERR_ALREADY_EXISTS`, `HL_ERR_TOO_MANY_SUBSCRIPTIONS`, `HL_ERR_NO_SUBSCRIPTION`,
 * `HL_ERR_TOO_MANY_SUBSCRIBERS`, `HL_ERR_NOT_FOUND` (no such client).
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import { requireClient } from '../../store/require-client.js';
import { normalizeSubscriptionName, type SubscriptionRecord } from '../../store/subscriptions.js';
import type { ClientRecord, ClientStore } from '../../store/types.js';
import { checkInterval, describeSchedule, nextTick, type Schedule, scheduleOf } from './schedule.js';

/** The limits the admin paths check (the hub checks them again with its own when it schedules). */
export type SubscriptionAdminLimits = Pick<
  Limits,
  'maxSubscriptions' | 'maxSubscribersPerSubscription' | 'minSubscriptionIntervalMs'
>;

/** A new subscription as an admin gives it: exactly one of `every`/`cron`, exactly one of `text`/`utterance`. */
export interface SubscriptionRequest {
  readonly name: string;
  /** `30s`, `15m`, `1h`, `1d`, `1h30m`. */
  readonly every?: string | undefined;
  /** Five fields, or six with seconds first; the hub's time zone. */
  readonly cron?: string | undefined;
  readonly text?: string | undefined;
  readonly utterance?: string | undefined;
  /** The language the utterance is asked in. @default 'en-us' */
  readonly lang?: string | undefined;
}

/** A client's membership change. */
export interface MembershipChange {
  readonly client: ClientRecord;
  /** The subscription's stored name. */
  readonly name: string;
  /** subscribe: it was subscribed already; unsubscribe: it was not subscribed. */
  readonly unchanged: boolean;
}

export interface SubscriptionAdminInit {
  store: Pick<ClientStore, 'subscriptions' | 'getClient' | 'listClients'>;
  limits: SubscriptionAdminLimits;
  /** Called after each change: the running hub's reload. @default nothing (the hub's store poll picks it up) */
  changed?: () => Promise<void>;
  /** @default Date.now */
  now?: () => number;
}

/** The schedule a stored subscription ticks on. */
export function recordSchedule(r: SubscriptionRecord): Schedule {
  return r.everyMs !== null ? { kind: 'every', everyMs: r.everyMs } : { kind: 'cron', cron: r.cron ?? '' };
}

/** When `r` ticks next after `now`, or null when it never does (or its cron no longer reads). */
export function nextTickOf(r: SubscriptionRecord, now: number): number | null {
  try {
    return nextTick(recordSchedule(r), r.createdAt, now);
  } catch {
    return null;
  }
}

/**
 * A subscription as `hivelink subscriptions list --json` prints it and `/v1/subscriptions` answers it: the record,
 * its schedule in words, its next tick, and its subscribers' names (from `names`, by client id).
 */
export function subscriptionJson(
  r: SubscriptionRecord,
  now: number,
  names: ReadonlyMap<number, string> = new Map(),
): SubscriptionJson {
  return {
    ...r,
    schedule: describeSchedule(recordSchedule(r)),
    nextTickAt: nextTickOf(r, now),
    subscriberNames: r.subscribers.map((id) => names.get(id) ?? '?'),
  };
}

/** What {@link subscriptionJson} makes. */
export interface SubscriptionJson extends SubscriptionRecord {
  /** `every 15m`, `cron 0 7 * * *`. */
  readonly schedule: string;
  /** Null when it never ticks again. */
  readonly nextTickAt: number | null;
  /** The names of {@link SubscriptionRecord.subscribers}, in their order. */
  readonly subscriberNames: readonly string[];
}

/** The admin operations on subscriptions; see the module documentation. */
export class SubscriptionAdmin {
  readonly #init: SubscriptionAdminInit;
  readonly #now: () => number;

  constructor(init: SubscriptionAdminInit) {
    this.#init = init;
    this.#now = init.now ?? Date.now;
  }

  /** Every subscription, oldest first. */
  list(): Promise<SubscriptionRecord[]> {
    return this.#init.store.subscriptions.list();
  }

  /** Every client's name by id: who the subscribers of {@link list} are. */
  async clientNames(): Promise<Map<number, string>> {
    return new Map((await this.#init.store.listClients()).map((c) => [c.id, c.name]));
  }

  /** Checks the schedule (against `minSubscriptionIntervalMs`) and stores the subscription. */
  async add(request: SubscriptionRequest): Promise<SubscriptionRecord> {
    const schedule = scheduleOf(request);
    if ((request.text === undefined) === (request.utterance === undefined)) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        'give exactly one of --text "…" and --utterance "…"',
      );
    }
    const { store, limits } = this.#init;
    checkInterval(schedule, limits.minSubscriptionIntervalMs, this.#now());
    const record = await store.subscriptions.add(
      {
        name: request.name,
        ...(schedule.kind === 'every' ? { everyMs: schedule.everyMs } : { cron: schedule.cron }),
        ...(request.text !== undefined ? { text: request.text } : { utterance: request.utterance! }),
        ...(request.lang === undefined ? {} : { lang: request.lang }),
      },
      { maxSubscriptions: limits.maxSubscriptions },
    );
    await this.#changed();
    return record;
  }

  /** Deletes the subscription and its subscribers; resolves with what it was. */
  async remove(name: string): Promise<SubscriptionRecord> {
    const subscriptions = this.#init.store.subscriptions;
    const record = await subscriptions.get(name);
    if (record === null)
      throw new HiveLinkError('HL_ERR_NO_SUBSCRIPTION', `no subscription called "${name}"`);
    await subscriptions.remove(record.name);
    await this.#changed();
    return record;
  }

  /** Subscribes `client` (id or access key): it hears the subscription from its next tick. */
  async subscribe(name: string, client: string): Promise<MembershipChange> {
    const { store, limits } = this.#init;
    const record = await requireClient(store, client);
    const outcome = await store.subscriptions.subscribe(name, record.id, {
      maxSubscribers: limits.maxSubscribersPerSubscription,
    });
    await this.#changed();
    return { client: record, name: normalizeSubscriptionName(name), unchanged: outcome === 'already' };
  }

  /** Unsubscribes `client` (id or access key). */
  async unsubscribe(name: string, client: string): Promise<MembershipChange> {
    const { store } = this.#init;
    const record = await requireClient(store, client);
    const was = await store.subscriptions.unsubscribe(name, record.id);
    await this.#changed();
    return { client: record, name: normalizeSubscriptionName(name), unchanged: !was };
  }

  async #changed(): Promise<void> {
    await this.#init.changed?.();
  }
}
