/**
 * Subscriptions ("newsletters", issue 11), the hub side: at each tick of a subscription the hub says its text — or
 * what its own assistant answers to its utterance — as BUS `speak` to every subscribed client that is online, and a
 * client that was offline at the last tick hears it once when it connects again (the last tick only).
 *
 * ```
 *  store (CLI adds/removes) ──watch──▶ reload ──▶ TickScheduler (injected timers)
 *                                                    │ tick
 *                                                    ▼
 *       text, or the assistant's answer ◀── recognizer_loop:utterance (hub-owned session, TurnCollector)
 *                                                    │
 *                            recordTick (count + last message) ──▶ flush each online subscriber
 *  a connection opens (hub.onPeersChanged) ─────────────────────▶ flush that client (its missed ticks)
 *
 *  flush(client): pendingFor(client) ──▶ speak on each of its open connections ──▶ markDelivered
 * ```
 *
 * Deliveries to one client run one after another, and each first reads what the client has not received, so a tick
 * and a reconnect at the same moment never say the same thing twice.
 *
 * Clients manage their own subscriptions over the agent bus (the voice skill with `ctx.request`, the SDK with a BUS
 * message): `hive.subscriptions.subscribe {name}`, `hive.subscriptions.unsubscribe {name}`,
 * `hive.subscriptions.list`, each answered with `<type>.response` (docs/PROTOCOL.md §12.7). The client is the one the
 * hub named in `context.peer` when it injected the message — never an id the message carries.
 *
 * @module
 */
import type { Logger } from 'pino';
import { createMessage, response } from '../../bus/message.js';
import type { MessageBus, MessageData } from '../../bus/types.js';
import { HiveLinkError, isHiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import { DEFAULT_ASK_TIMEOUT_MS, sessionIdIn, TurnCollector, UTTERANCE_TYPE } from '../../session/turn.js';
import {
  normalizeSubscriptionName,
  type PendingTick,
  type SubscriptionRecord,
  type SubscriptionStore,
} from '../../store/subscriptions.js';
import { type Timers, unrefTimers } from '../../timers.js';
import type { PeerRegistry } from '../peers.js';
import { hubBusMessage } from '../replies.js';
import type { HubPeer } from '../types.js';
import { checkInterval, describeSchedule } from './schedule.js';
import { TickScheduler } from './scheduler.js';
import { SingleFlight } from './single-flight.js';
import { recordSchedule } from './subscription-admin.js';

/** Subscribes the asking client: `{name}` → `{ok, name, already}`. */
export const SUBSCRIBE_TYPE = 'hive.subscriptions.subscribe';
/** Unsubscribes the asking client: `{name}` → `{ok, name, was_subscribed}`. */
export const UNSUBSCRIBE_TYPE = 'hive.subscriptions.unsubscribe';
/** What the asking client receives and what there is: `{}` → `{ok, subscribed: [names], available: [names]}`. */
export const LIST_TYPE = 'hive.subscriptions.list';
/** `context.source` of the utterances the hub asks its assistant for `--utterance` subscriptions. */
export const SUBSCRIPTION_SOURCE = 'hivelink.subscriptions';

/** The limits the service applies. */
export type SubscriptionLimit =
  | 'maxSubscriptions'
  | 'maxSubscribersPerSubscription'
  | 'minSubscriptionIntervalMs'
  | 'policyRefreshMs';

export interface SubscriptionServiceInit {
  store: SubscriptionStore;
  /** The client store's `watch`: how changes by the admin CLI reach the running hub. */
  watch: (callback: () => void, intervalMs?: number) => () => void;
  /** The agent bus: client requests arrive here, utterances are asked here. */
  bus: MessageBus;
  /** The hub's open connections (`hub.ctx.peers`). */
  peers: PeerRegistry;
  /** The hub's connection events (`hub.onPeersChanged`): a client coming back hears what it missed. */
  onPeersChanged: (listener: (conn: HubPeer) => void) => () => void;
  limits: Pick<Limits, SubscriptionLimit>;
  logger: Logger;
  /** The scheduler's timers. @default the global timers, unref'd */
  timers?: Timers;
  /** The scheduler's clock (ms). @default Date.now */
  now?: () => number;
  /** IANA zone `--cron` expressions are read in. @default the system's */
  timezone?: string;
  /** How long the assistant has to answer an `--utterance` tick. @default 10000 */
  askTimeoutMs?: number;
}

/** The session the hub asks its assistant in for subscription `id`: its own, never a client's. */
export function subscriptionSessionId(id: number): string {
  return `hivelink-subscription-${id}`;
}

/** The names a spoken name may mean, most literal first: "the morning news newsletter" → …, "morning news". */
function candidatesOf(spoken: string): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    try {
      const n = normalizeSubscriptionName(s);
      if (!out.includes(n)) out.push(n);
    } catch {
      // not a possible name: skip it
    }
  };
  const text = spoken.replace(/[^\p{L}\p{N}'\s_-]/gu, ' ');
  add(text);
  const bare = text.trim().replace(/^(?:the|my|our)\s+/i, '');
  add(bare);
  add(bare.replace(/\s+(?:subscription|newsletter|news letter|updates?|channel)$/i, ''));
  return out;
}

/** The subscription service of one hub; see the module documentation. */
export class SubscriptionService {
  readonly #init: SubscriptionServiceInit;
  readonly #now: () => number;
  readonly #scheduler: TickScheduler;
  /** Subscriptions as of the last reload, by id. */
  #byId = new Map<number, SubscriptionRecord>();
  /** Reasons already logged for subscriptions the hub does not schedule (`id:reason`). */
  readonly #warned = new Set<string>();
  /** Each client's deliveries, chained. */
  readonly #chains = new Map<number, Promise<void>>();
  /** Subscriptions whose tick is being prepared (an assistant answer can take a while). */
  readonly #ticking = new Set<number>();
  readonly #inflight = new Set<Promise<unknown>>();
  #offs: (() => void)[] = [];
  readonly #reloadListeners = new Set<(names: readonly string[]) => void>();
  readonly #reloading = new SingleFlight(
    () => this.#applyReload(),
    (err) => this.#init.logger.warn({ err }, 'could not load the subscriptions'),
    () => void this.reload(),
  );
  #state: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(init: SubscriptionServiceInit) {
    this.#init = init;
    this.#now = init.now ?? Date.now;
    this.#scheduler = new TickScheduler({
      timers: init.timers ?? unrefTimers,
      now: this.#now,
      onTick: (key, tickAt) => this.#track(this.#tick(Number(key), tickAt)),
      ...(init.timezone === undefined ? {} : { timezone: init.timezone }),
    });
  }

  /** When subscription `id` ticks next, or null when the hub does not schedule it. */
  nextTickAt(id: number): number | null {
    return this.#scheduler.nextAt(String(id));
  }

  /** Calls `listener` with the names scheduled after each reload (a CLI change reached the hub); returns the stop. */
  onReload(listener: (scheduled: readonly string[]) => void): () => void {
    this.#reloadListeners.add(listener);
    return () => this.#reloadListeners.delete(listener);
  }

  /** Resolves once no tick, delivery or request is in flight (tests wait on it instead of sleeping). */
  async settled(): Promise<void> {
    while (this.#inflight.size > 0 || this.#reloading.running !== null) {
      await Promise.allSettled([...this.#inflight, this.#reloading.running]);
    }
  }

  /** Loads and schedules the subscriptions, then follows the store and the clients' requests and reconnects. */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'already started');
    this.#state = 'running';
    const { bus } = this.#init;
    const on = (type: string, handler: (m: MessageData) => void) =>
      this.#offs.push(bus.on(type, handler, { shared: true }));
    on(SUBSCRIBE_TYPE, (m) => this.#track(this.#request(m)));
    on(UNSUBSCRIBE_TYPE, (m) => this.#track(this.#request(m)));
    on(LIST_TYPE, (m) => this.#track(this.#request(m)));
    this.#offs.push(this.#init.onPeersChanged((conn) => this.#connected(conn)));
    this.#offs.push(this.#init.watch(() => this.reload(), this.#init.limits.policyRefreshMs));
    await this.reload();
  }

  /** Stops scheduling and listening, and waits for deliveries in flight (the store stays open). */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#scheduler.stop();
    for (const off of this.#offs) off();
    this.#offs = [];
    await this.#reloading.running?.catch(() => undefined);
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  /** Reads the subscriptions again and (re)schedules them; runs once more when asked during a reload. */
  reload(): Promise<void> {
    if (this.#state !== 'running') return Promise.resolve();
    return this.#reloading.run();
  }

  async #applyReload(): Promise<void> {
    const { limits, logger } = this.#init;
    const all = await this.#init.store.list();
    if (this.#state !== 'running') return;
    const scheduled = new Set<string>();
    const byId = new Map<number, SubscriptionRecord>();
    for (const [i, record] of all.entries()) {
      byId.set(record.id, record);
      const key = String(record.id);
      const schedule = recordSchedule(record);
      let skip: string | null = null;
      if (i >= limits.maxSubscriptions) skip = `beyond maxSubscriptions (${limits.maxSubscriptions})`;
      else {
        try {
          checkInterval(schedule, limits.minSubscriptionIntervalMs, this.#now(), this.#init.timezone);
        } catch (err) {
          skip = isHiveLinkError(err) ? err.message : String(err);
        }
      }
      if (skip !== null) {
        if (!this.#warned.has(`${key}:${skip}`)) {
          this.#warned.add(`${key}:${skip}`);
          logger.warn({ subscription: record.name, reason: skip }, 'subscription not scheduled');
        }
        continue;
      }
      scheduled.add(key);
      this.#scheduler.set(key, schedule, record.createdAt);
    }
    for (const key of this.#scheduler.keys()) if (!scheduled.has(key)) this.#scheduler.delete(key);
    const added = all
      .filter((r) => !this.#byId.has(r.id))
      .map((r) => `${r.name} (${describeSchedule(recordSchedule(r))})`);
    if (added.length > 0) logger.info({ added }, 'subscriptions loaded');
    this.#byId = byId;
    const names = all.filter((r) => scheduled.has(String(r.id))).map((r) => r.name);
    for (const listener of this.#reloadListeners) {
      try {
        listener(names);
      } catch (err) {
        logger.warn({ err }, 'a subscription reload listener failed');
      }
    }
  }

  /** Keeps `work` until it settles, so {@link stop} can wait for it; failures are logged. */
  #track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) => this.#init.logger.warn({ err }, 'subscription work failed'));
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }

  // -- ticks

  async #tick(id: number, tickAt: number): Promise<void> {
    if (this.#state !== 'running' || this.#ticking.has(id)) return;
    const known = this.#byId.get(id);
    if (known === undefined) return;
    this.#ticking.add(id);
    try {
      // Fresh from the store: subscribers come and go without a reload.
      const record = await this.#init.store.get(known.name);
      if (record === null || record.id !== id || record.subscribers.length === 0) return;
      const message = record.text ?? (await this.#answer(record));
      if (message === null || this.#state !== 'running') return;
      const tick = await this.#init.store.recordTick(id, tickAt, message);
      if (tick === 0) return;
      for (const clientId of record.subscribers) {
        if (this.#online(clientId).length > 0) this.#track(this.#flush(clientId, { id, tick }));
      }
    } finally {
      this.#ticking.delete(id);
    }
  }

  /** What the hub's assistant answers to the subscription's utterance, in its own session; null when nothing. */
  #answer(record: SubscriptionRecord): Promise<string | null> {
    const sessionId = subscriptionSessionId(record.id);
    const { bus, logger } = this.#init;
    return new Promise<string | null>((resolve) => {
      let off: () => void = () => {};
      const turn = new TurnCollector({
        sessionId,
        timeoutMs: this.#init.askTimeoutMs ?? DEFAULT_ASK_TIMEOUT_MS,
        timers: unrefTimers,
        onEnd: (end) => {
          off();
          if (end.type === 'error' || end.result.answers.length === 0) {
            logger.warn(
              {
                subscription: record.name,
                reason: end.type === 'error' ? end.error.message : 'the assistant said nothing',
              },
              'subscription tick skipped',
            );
            resolve(null);
          } else {
            resolve(end.result.answers.join(' '));
          }
        },
      });
      // Only this session's messages: a message naming no session is someone else's here, on the shared bus.
      off = bus.on('*', (m) => (sessionIdIn(m) === sessionId ? turn.receive(m) : undefined), {
        shared: true,
      });
      try {
        bus.emit(
          createMessage(
            UTTERANCE_TYPE,
            { utterances: [record.utterance ?? ''], lang: record.lang },
            {
              source: SUBSCRIPTION_SOURCE,
              destination: ['skills'],
              session: { session_id: sessionId, lang: record.lang },
            },
          ),
        );
      } catch (err) {
        turn.fail(
          isHiveLinkError(err) ? err : new HiveLinkError('HL_ERR_INTERNAL', String(err), { cause: err }),
        );
      }
    });
  }

  // -- deliveries

  /** The open websocket connections of `clientId` (REST asks are not places to speak). */
  #online(clientId: number): HubPeer[] {
    const out: HubPeer[] = [];
    for (const conn of this.#init.peers.everywhere()) {
      if (conn.record.id === clientId && conn.protocolVersion > 0) out.push(conn);
    }
    return out;
  }

  /**
   * A connection opened, closed, was renamed or said HELLO: when it is open (registered), its client hears what it
   * missed. Several events of one connection cost a read each; what was heard is never said again.
   */
  #connected(conn: HubPeer): void {
    if (this.#state !== 'running' || conn.protocolVersion === 0) return;
    if (this.#init.peers.get(conn.peer) !== conn) return;
    this.#track(this.#flush(conn.record.id, null));
  }

  /** Runs `#deliver` for `clientId` after its earlier deliveries. */
  #flush(clientId: number, live: { id: number; tick: number } | null): Promise<void> {
    const run = (this.#chains.get(clientId) ?? Promise.resolve())
      .then(() => this.#deliver(clientId, live))
      .catch((err: unknown) => this.#init.logger.warn({ err, clientId }, 'subscription delivery failed'));
    this.#chains.set(clientId, run);
    void run.finally(() => {
      if (this.#chains.get(clientId) === run) this.#chains.delete(clientId);
    });
    return run;
  }

  /** Says every tick `clientId` has not received on each of its open connections, and records what was heard. */
  async #deliver(clientId: number, live: { id: number; tick: number } | null): Promise<void> {
    if (this.#state !== 'running' || this.#online(clientId).length === 0) return;
    for (const pending of await this.#init.store.pendingFor(clientId)) {
      const missed = live === null || live.id !== pending.subscriptionId || live.tick !== pending.tick;
      let heard = false;
      for (const conn of this.#online(clientId)) heard = this.#speak(conn, pending, missed) || heard;
      if (heard) await this.#init.store.markDelivered(pending.subscriptionId, clientId, pending.tick);
    }
  }

  #speak(conn: HubPeer, pending: PendingTick, missed: boolean): boolean {
    const lang = this.#byId.get(pending.subscriptionId)?.lang ?? 'en-us';
    try {
      return conn.send(
        hubBusMessage(conn.peer, 'speak', {
          utterance: pending.message,
          expect_response: false,
          lang,
          subscription: pending.name,
          tick: pending.tick,
          tick_at: pending.tickAt,
          missed,
        }),
      );
    } catch (err) {
      this.#init.logger.warn({ err, peer: conn.peer }, 'subscription speak not deliverable');
      return false;
    }
  }

  // -- requests from clients (voice skill, SDK)

  async #request(message: MessageData): Promise<void> {
    if (this.#state !== 'running') return;
    let data: Record<string, unknown>;
    try {
      data = { ok: true, ...(await this.#handle(message)) };
    } catch (err) {
      const e = isHiveLinkError(err)
        ? err
        : new HiveLinkError('HL_ERR_INTERNAL', String(err), { cause: err });
      if (!isHiveLinkError(err))
        this.#init.logger.warn({ err, type: message.type }, 'subscription request failed');
      data = { ok: false, code: e.code, error: e.message };
      if (e.code === 'HL_ERR_NO_SUBSCRIPTION') data.available = [...this.#byId.values()].map((r) => r.name);
    }
    try {
      this.#init.bus.emit(response(message, data));
    } catch (err) {
      this.#init.logger.warn({ err, type: message.type }, 'could not answer a subscription request');
    }
  }

  async #handle(message: MessageData): Promise<Record<string, unknown>> {
    const clientId = this.#init.peers.requester(message, 'HL_ERR_INVALID_ARGUMENT').record.id;
    const store = this.#init.store;
    if (message.type === LIST_TYPE) {
      const [mine, all] = await Promise.all([store.subscriptionsOf(clientId), store.list()]);
      return { subscribed: mine.map((r) => r.name), available: all.map((r) => r.name) };
    }
    const spoken = message.data?.name;
    if (typeof spoken !== 'string' || spoken.trim() === '') {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'name: the subscription name is missing');
    }
    const name = await this.#resolve(spoken);
    if (message.type === SUBSCRIBE_TYPE) {
      const outcome = await store.subscribe(name, clientId, {
        maxSubscribers: this.#init.limits.maxSubscribersPerSubscription,
      });
      return { name, already: outcome === 'already' };
    }
    return { name, was_subscribed: await store.unsubscribe(name, clientId) };
  }

  /** The stored name a spoken one means ("the morning news" → `morning news`), else the most literal reading. */
  async #resolve(spoken: string): Promise<string> {
    const candidates = candidatesOf(spoken);
    if (candidates.length === 0) return normalizeSubscriptionName(spoken);
    const names = new Set((await this.#init.store.list()).map((r) => r.name));
    return candidates.find((c) => names.has(c)) ?? candidates[0]!;
  }
}
