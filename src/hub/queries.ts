/**
 * QUERY/CASCADE return paths (docs/PROTOCOL.md §5.5): the connection a query arrived on is the only place its answers
 * go. Paths are bounded (oldest dropped first), expire after a TTL, and each has a timer that ends the query when
 * the agent never finishes the turn.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { type Timers, unrefTimers } from '../timers.js';
import type { HubPeer } from './types.js';

/** Timer functions, injectable for tests. */
export type QueryTimers = Timers;

/** One open query. */
export interface QueryPath {
  readonly queryId: string;
  readonly conn: HubPeer;
  /** `query` or `cascade`: the type answers are wrapped in. */
  readonly msgType: 'query' | 'cascade';
  readonly originatorPeer: string;
  /** Answers (`speak`) sent back so far. */
  answers: number;
  readonly expiresAt: number;
}

export interface QueryTrackerInit {
  /** `maxQueryReturnPaths` */
  maxEntries: number;
  /** `queryReturnTtlMs` */
  ttlMs: number;
  /** `queryTimeoutMs` */
  timeoutMs: number;
  /** Called when a query times out (the path is already closed). */
  onTimeout: (path: QueryPath) => void;
  /** @default Date.now */
  now?: () => number;
  /** @default the global timers, unref'd */
  timers?: QueryTimers;
}

interface Entry {
  path: QueryPath;
  timer: unknown;
}

export class QueryTracker {
  readonly #init: QueryTrackerInit;
  readonly #timers: QueryTimers;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(init: QueryTrackerInit) {
    if (init.maxEntries < 1) throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'maxEntries must be >= 1');
    this.#init = init;
    this.#timers = init.timers ?? unrefTimers;
    this.#now = init.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  static #key(conn: HubPeer, queryId: string): string {
    return `${conn.id}\u0000${queryId}`;
  }

  /** Records the return path of a query; a query with the same id on the same connection replaces it. */
  open(conn: HubPeer, queryId: string, msgType: 'query' | 'cascade', originatorPeer: string): QueryPath {
    const key = QueryTracker.#key(conn, queryId);
    this.#drop(key);
    while (this.#entries.size >= this.#init.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#drop(oldest);
    }
    const path: QueryPath = {
      queryId,
      conn,
      msgType,
      originatorPeer,
      answers: 0,
      expiresAt: this.#now() + this.#init.ttlMs,
    };
    const timer = this.#timers.setTimeout(
      () => {
        if (this.#entries.get(key)?.path !== path) return;
        this.#drop(key);
        this.#init.onTimeout(path);
      },
      Math.min(this.#init.timeoutMs, this.#init.ttlMs),
    );
    this.#entries.set(key, { path, timer });
    return path;
  }

  /** The open path of `queryId` on `conn`, or undefined (expired paths are dropped). */
  find(conn: HubPeer, queryId: string): QueryPath | undefined {
    const key = QueryTracker.#key(conn, queryId);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.path.expiresAt <= this.#now()) {
      this.#drop(key);
      return undefined;
    }
    return entry.path;
  }

  /** Closes a path (the query is complete). */
  finish(path: QueryPath): void {
    const key = QueryTracker.#key(path.conn, path.queryId);
    if (this.#entries.get(key)?.path === path) this.#drop(key);
  }

  /** Drops every path of a closed connection. */
  dropConnection(conn: HubPeer): void {
    for (const [key, entry] of this.#entries) if (entry.path.conn.id === conn.id) this.#drop(key);
  }

  clear(): void {
    for (const key of [...this.#entries.keys()]) this.#drop(key);
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#timers.clearTimeout(entry.timer);
    this.#entries.delete(key);
  }
}
