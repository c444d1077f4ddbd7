/**
 * The failure budget of authentication: how many guesses an address, or anyone holding an access key, gets
 * before each further one waits longer. Without it a client could try passwords as fast as the hub derives keys,
 * and anyone holding an access key could collect XXpsk2 second messages (material to test passwords offline) as
 * fast as it could ask.
 *
 * ```
 *  connect ──▶ wait(key, ip) > 0 ? ──yes──▶ close 1013 HL_ERR_AUTH_THROTTLED "authentication throttled: retry in N s"
 *                 │ no
 *                 ▼
 *  each handshake attempt (legacy envelope, Noise msg1) ──▶ charge(key, ip): one failure for the address and the key
 *                 │
 *  the client proves the key ──▶ refund: the connection's charges are taken back; the address is trusted for the key
 * ```
 * An attempt is charged when it starts and refunded only when the client proves it holds the password, so a
 * connection that gives up half way (a collected msg2, a replayed envelope) counts as a failure, and many attempts
 * at once are counted as they start.
 *
 * Delays. After `free` failures (per address: `authFailuresPerIp`; per key: `authFailuresPerKey`) the next attempt
 * must wait `authThrottleBaseDelayMs` after the last one, doubling with every further failure up to
 * `authThrottleMaxDelayMs`. A budget is forgotten `authFailureForgetMs` after its last failure.
 *
 * The legitimate client of an attacked key. Failures with a key from anywhere count against the key, but an
 * address the key has authenticated from in the last `authTrustedAddressTtlMs` is exempt from the key's delay: only
 * its own address's budget applies to it. So an attacker guessing a satellite's password from elsewhere never holds
 * the satellite back once it has connected from its address before; from an address it has never used, it waits
 * at most `authThrottleMaxDelayMs` after the attacker's last failure (an attacker who keeps failing at exactly the
 * throttled rate can keep a new address waiting; rotating the access key ends that). Clients behind the same
 * address share its budget.
 *
 * @module
 */
import { HiveLinkError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import type { EnvelopeReplayCache } from './replay-cache.js';

/** The settings of an {@link AuthThrottle} (the `auth*` limits). */
export interface AuthThrottleLimits {
  /** Failures from one address before delays start. */
  readonly failuresPerIp: number;
  /** Failures with one access key (from addresses it is not trusted at) before delays start. */
  readonly failuresPerKey: number;
  /** The first delay; it doubles with every further failure. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A budget with no failure for this long is forgotten. */
  readonly forgetMs: number;
  /** Addresses, keys and trusted (key, address) pairs remembered, each; the least recently used goes first. */
  readonly maxEntries: number;
  /** How long a successful authentication makes its address trusted for its key. */
  readonly trustedTtlMs: number;
}

/** The throttle's settings from the hub's limits. */
export function authThrottleLimits(limits: Limits): AuthThrottleLimits {
  return {
    failuresPerIp: limits.authFailuresPerIp,
    failuresPerKey: limits.authFailuresPerKey,
    baseDelayMs: limits.authThrottleBaseDelayMs,
    maxDelayMs: Math.max(limits.authThrottleMaxDelayMs, limits.authThrottleBaseDelayMs),
    forgetMs: limits.authFailureForgetMs,
    maxEntries: limits.authThrottleEntries,
    trustedTtlMs: limits.authTrustedAddressTtlMs,
  };
}

/** What the throttle has counted since the hub started (for metrics). */
export interface AuthThrottleStats {
  /** Handshake attempts charged. */
  attempts: number;
  /** Attempts refunded because the client proved the key. */
  proven: number;
  /** Connections refused because a budget was spent (HL_ERR_AUTH_THROTTLED). */
  throttled: number;
  /** Connections with an unknown access key or invalid token, charged to their address. */
  unknownKeys: number;
}

interface Budget {
  failures: number;
  last: number;
}

/** One attempt's charge; {@link refund} takes it back once. */
export interface AuthCharge {
  readonly key: string | null;
  readonly ip: string;
}

/** A map that forgets its least recently used entry beyond `max`. */
class Lru<V> {
  readonly #max: number;
  readonly #map = new Map<string, V>();

  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#map.delete(key);
    if (this.#map.size >= this.#max) this.#map.delete(this.#map.keys().next().value!);
    this.#map.set(key, value);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  get size(): number {
    return this.#map.size;
  }
}

export class AuthThrottle {
  readonly #limits: AuthThrottleLimits;
  readonly #now: () => number;
  readonly #ips: Lru<Budget>;
  readonly #keys: Lru<Budget>;
  readonly #trusted: Lru<number>;
  readonly #stats: AuthThrottleStats = { attempts: 0, proven: 0, throttled: 0, unknownKeys: 0 };

  constructor(limits: AuthThrottleLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
    this.#ips = new Lru(limits.maxEntries);
    this.#keys = new Lru(limits.maxEntries);
    this.#trusted = new Lru(limits.maxEntries);
  }

  /** A copy of the counters. */
  stats(): AuthThrottleStats {
    return { ...this.#stats };
  }

  /**
   * Milliseconds before an attempt with `key` (null: not known yet) from `ip` may start; 0 when it may now. The
   * key's budget does not apply at an address the key is trusted at.
   */
  wait(key: string | null, ip: string): number {
    const now = this.#now();
    const ipWait = this.#waitOf(this.#ips, ip, this.#limits.failuresPerIp, now);
    if (key === null || this.#isTrusted(key, ip, now)) return ipWait;
    return Math.max(ipWait, this.#waitOf(this.#keys, key, this.#limits.failuresPerKey, now));
  }

  /**
   * Refuses with `HL_ERR_AUTH_THROTTLED` (close 1013) when {@link wait} is not 0.
   * @throws HiveLinkError `HL_ERR_AUTH_THROTTLED`
   */
  check(key: string | null, ip: string): void {
    const wait = this.wait(key, ip);
    if (wait <= 0) return;
    this.#stats.throttled += 1;
    throw new HiveLinkError(
      'HL_ERR_AUTH_THROTTLED',
      `authentication throttled: retry in ${Math.max(1, Math.ceil(wait / 1000))} s`,
      { stage: 'policy.throttle' },
    );
  }

  /**
   * Checks, then charges one attempt to `ip` and (when known) `key`: it counts as a failure until refunded.
   * @throws HiveLinkError `HL_ERR_AUTH_THROTTLED`
   */
  charge(key: string | null, ip: string): AuthCharge {
    this.check(key, ip);
    const now = this.#now();
    this.#add(this.#ips, ip, now);
    if (key !== null) this.#add(this.#keys, key, now);
    this.#stats.attempts += 1;
    return { key, ip };
  }

  /** An unknown access key or an invalid token: one failure for the address. */
  unknownKey(ip: string): void {
    this.#add(this.#ips, ip, this.#now());
    this.#stats.unknownKeys += 1;
  }

  /** The client proved the key: take the charges back, and trust the address for the key. */
  refund(charges: readonly AuthCharge[]): void {
    const now = this.#now();
    for (const { key, ip } of charges) {
      this.#take(this.#ips, ip);
      if (key === null) continue;
      this.#take(this.#keys, key);
      this.#trusted.set(pairOf(key, ip), now);
      this.#stats.proven += 1;
    }
  }

  #isTrusted(key: string, ip: string, now: number): boolean {
    const pair = pairOf(key, ip);
    const at = this.#trusted.get(pair);
    if (at === undefined) return false;
    if (now - at <= this.#limits.trustedTtlMs) return true;
    this.#trusted.delete(pair);
    return false;
  }

  #current(map: Lru<Budget>, id: string, now: number): Budget | undefined {
    const budget = map.get(id);
    if (budget !== undefined && now - budget.last > this.#limits.forgetMs) {
      map.delete(id);
      return undefined;
    }
    return budget;
  }

  #waitOf(map: Lru<Budget>, id: string, free: number, now: number): number {
    const budget = this.#current(map, id, now);
    if (budget === undefined || budget.failures < free) return 0;
    const { baseDelayMs, maxDelayMs } = this.#limits;
    const doublings = Math.min(budget.failures - free, 40);
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** doublings);
    return Math.max(0, budget.last + delay - now);
  }

  #add(map: Lru<Budget>, id: string, now: number): void {
    const budget = this.#current(map, id, now) ?? { failures: 0, last: now };
    budget.failures += 1;
    budget.last = now;
    map.set(id, budget);
  }

  #take(map: Lru<Budget>, id: string): void {
    const budget = map.get(id);
    if (budget === undefined) return;
    budget.failures = Math.max(0, budget.failures - 1);
    if (budget.failures === 0) map.delete(id);
  }
}

function pairOf(key: string, ip: string): string {
  return `${ip}\u0000${key}`;
}

/** What a {@link ConnectionAuth} checks besides the budget. */
export interface ConnectionAuthInit {
  readonly throttle: AuthThrottle;
  /** The legacy envelopes answered so far, hub-wide. */
  readonly envelopes: EnvelopeReplayCache;
  readonly clientId: number;
  readonly key: string;
  readonly ip: string;
  /** Unique per connection (same-connection repeats of an envelope are not replays). */
  readonly serial: number;
}

/**
 * The authentication of one connection: each handshake attempt it makes is charged ({@link attempt}, which
 * refuses with `HL_ERR_AUTH_THROTTLED` once a budget is spent), a legacy envelope another connection sent is refused
 * ({@link envelope}), and every charge is refunded once it proves the key ({@link proven}). Attempts after that (a
 * legacy re-key on a proven session) are not charged.
 */
export class ConnectionAuth {
  readonly #throttle: AuthThrottle;
  readonly #init: ConnectionAuthInit;
  readonly #key: string;
  readonly #ip: string;
  #charges: AuthCharge[] = [];
  #proven = false;

  constructor(init: ConnectionAuthInit) {
    this.#init = init;
    this.#throttle = init.throttle;
    this.#key = init.key;
    this.#ip = init.ip;
  }

  /**
   * A verified legacy client envelope, before the hub derives its key.
   * @throws HiveLinkError `HL_ERR_HANDSHAKE_REPLAYED` (close 1008) when another connection sent it
   */
  envelope(envelope: string): void {
    this.#init.envelopes.remember(this.#init.clientId, envelope, this.#init.serial);
  }

  /** True once the client proved it holds the key. */
  get isProven(): boolean {
    return this.#proven;
  }

  /** @throws HiveLinkError `HL_ERR_AUTH_THROTTLED` (close 1013) */
  attempt(): void {
    if (this.#proven) return;
    this.#charges.push(this.#throttle.charge(this.#key, this.#ip));
  }

  proven(): void {
    if (this.#proven) return;
    this.#proven = true;
    this.#throttle.refund(this.#charges);
    this.#charges = [];
  }
}
