/**
 * The pre-upgrade guard: bounds the TCP connections that have not yet said what they want. A connection is
 * *pending* from the server's `connection` event until its first complete HTTP request (REST, the chat page) or
 * websocket upgrade arrives; it then belongs to the HTTP layer or to the hub, whose own limits apply
 * (`maxConnections`, `maxConnectionsPerIp`, the handshake timeout). Before that nothing else counts it, so without
 * this guard a peer could hold thousands of sockets that never send a byte, each for a minute or more.
 *
 * - a pending connection gets `upgradeTimeoutMs` (TLS handshake included); then it is destroyed, no answer sent;
 * - at most `maxPendingUpgradesPerIp` pending connections per address and `maxPendingUpgrades` in all: a new one
 *   beyond either bound is destroyed at once.
 *
 * Both outcomes are counted ({@link UpgradeGuardStats}, and on `GET /metrics`: {@link upgradeGuardMetrics}).
 *
 * Why Node's own timeouts are not enough (Node 20, measured): `server.headersTimeout` (60 s) does end a connection
 * that sends nothing or trickles its headers, with a 408, but only from a sweep every `connectionsCheckingInterval`
 * (30 s), so such a socket lives 60-90 s; `requestTimeout` (300 s) is longer still; a TLS server's
 * `handshakeTimeout` (120 s) covers the TLS handshake only; `keepAliveTimeout` starts after a first response and
 * `server.timeout` (inactivity) is off by default. None of them counts what it ends, and none bounds how many such
 * sockets one address holds, which is the cost that matters (2,000 of them from one client, issue 10). Lowering
 * `headersTimeout` would also bound every later request's headers and still count nothing. They stay in force as
 * the backstop, and for everything after the first request.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { type Timers, unrefTimers } from '../timers.js';
import type { Metric } from './metrics.js';

/** The limits of the guard, as in `src/limits.ts`. */
export interface UpgradeGuardLimits {
  readonly upgradeTimeoutMs: number;
  readonly maxPendingUpgrades: number;
  readonly maxPendingUpgradesPerIp: number;
}

/** What the guard did so far (counters only grow); for metrics and tests. */
export interface UpgradeGuardStats {
  /** Connections pending now. */
  readonly pending: number;
  /** Pending connections destroyed because `upgradeTimeoutMs` passed (`hivelink_pre_upgrade_timeouts_total`). */
  readonly timeouts: number;
  /** New connections destroyed at once because their address held `maxPendingUpgradesPerIp` pending ones. */
  readonly refusedPerIp: number;
  /** New connections destroyed at once because the hub held `maxPendingUpgrades` pending ones. */
  readonly refusedTotal: number;
}

interface Pending {
  readonly socket: Socket;
  readonly ip: string;
  timer: unknown;
}

/** The address of a socket without the IPv4-mapped prefix, as the hub's per-IP limits count it. */
function addressOf(socket: Socket): string {
  const ip = socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/**
 * A socket's key: its remote address and port. Under TLS the request arrives on the TLS socket, not on the TCP
 * socket the `connection` event gave; both report the same remote end.
 */
function keyOf(socket: Socket): string | null {
  const port = socket.remotePort;
  return port === undefined ? null : `${socket.remoteAddress ?? ''}|${port}`;
}

export class UpgradeGuard {
  readonly #limits: UpgradeGuardLimits;
  readonly #timers: Timers;
  readonly #pending = new Map<string, Pending>();
  readonly #perIp = new Map<string, number>();
  #timeouts = 0;
  #refusedPerIp = 0;
  #refusedTotal = 0;

  constructor(limits: UpgradeGuardLimits, timers: Timers = unrefTimers) {
    this.#limits = limits;
    this.#timers = timers;
  }

  get stats(): UpgradeGuardStats {
    return {
      pending: this.#pending.size,
      timeouts: this.#timeouts,
      refusedPerIp: this.#refusedPerIp,
      refusedTotal: this.#refusedTotal,
    };
  }

  /** A new TCP connection (the server's `connection` event): track it, or destroy it when a bound is reached. */
  connection(socket: Socket): void {
    const key = keyOf(socket);
    if (key === null) return; // already gone
    const ip = addressOf(socket);
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= this.#limits.maxPendingUpgradesPerIp) {
      this.#refusedPerIp += 1;
      socket.destroy();
      return;
    }
    if (this.#pending.size >= this.#limits.maxPendingUpgrades) {
      this.#refusedTotal += 1;
      socket.destroy();
      return;
    }
    const entry: Pending = { socket, ip, timer: null };
    entry.timer = this.#timers.setTimeout(() => {
      entry.timer = null;
      if (this.#pending.get(key) !== entry) return;
      this.#forget(key, entry);
      this.#timeouts += 1;
      socket.destroy();
    }, this.#limits.upgradeTimeoutMs);
    this.#pending.set(key, entry);
    this.#perIp.set(ip, fromIp + 1);
    socket.once('close', () => {
      if (this.#pending.get(key) === entry) this.#forget(key, entry);
    });
  }

  /**
   * `socket` delivered a complete HTTP request or upgrade (the plain socket, or the TLS socket over a tracked
   * one): it is no longer pending. Cheap when nothing is pending, as on every request of a quiet hub.
   */
  settled(socket: Socket): void {
    if (this.#pending.size === 0) return;
    const key = keyOf(socket);
    if (key === null) return;
    const entry = this.#pending.get(key);
    if (entry !== undefined) this.#forget(key, entry);
  }

  /** Stops every timer (the server closed); the sockets are the server's to close. */
  close(): void {
    for (const [key, entry] of this.#pending) this.#forget(key, entry);
  }

  #forget(key: string, entry: Pending): void {
    this.#pending.delete(key);
    if (entry.timer !== null) this.#timers.clearTimeout(entry.timer);
    entry.timer = null;
    const count = (this.#perIp.get(entry.ip) ?? 1) - 1;
    if (count <= 0) this.#perIp.delete(entry.ip);
    else this.#perIp.set(entry.ip, count);
  }
}

/** The guard's counters for `GET /metrics` (`metrics.ts`), read at scrape time. */
export function upgradeGuardMetrics(guard: UpgradeGuard): Metric[] {
  return [
    {
      name: 'hivelink_pre_upgrade_timeouts_total',
      help: 'Connections closed because they sent no complete HTTP request or upgrade within upgradeTimeoutMs.',
      type: 'counter',
      value: () => guard.stats.timeouts,
    },
    {
      name: 'hivelink_pre_upgrade_refused_total',
      help: 'Connections closed at once because maxPendingUpgrades or maxPendingUpgradesPerIp was reached.',
      type: 'counter',
      value: () => guard.stats.refusedPerIp + guard.stats.refusedTotal,
    },
    {
      name: 'hivelink_pre_upgrade_pending',
      help: 'Connections that have not yet sent a complete HTTP request or upgrade.',
      type: 'gauge',
      value: () => guard.stats.pending,
    },
  ];
}
