/**
 * Batched connection history: the hub notes every connection's start and end in memory, and the log writes them
 * in one transaction per interval (`connectionLogFlushMs`) instead of two write transactions per connection. A
 * storm of 2,000 reconnecting satellites becomes a handful of writes; a connection that opens and closes within
 * one interval becomes one finished row.
 *
 * ```
 * opened(c) ─▶ pending row ──flush──▶ written (id known) ──closed(end)──▶ pending end ──flush──▶ updated
 *                 │ closed(end): the end rides along with the insert
 * ```
 *
 * A hub killed without warning loses at most the last interval's entries; `stop()` writes them. Reaching
 * `connectionLogMaxPending` flushes at once. A failed flush keeps its entries for the next one, up to
 * the same bound; beyond it the oldest are dropped and counted (`dropped`), so a broken database never grows
 * the hub's memory without bound.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';
import { LIMIT_DEFS } from '../limits.js';
import { type Timers, unrefTimers } from '../timers.js';
import type { ClientStore, ConnectionEnd, NewConnection } from './types.js';

/** Timer functions, injectable for tests. */
export type ConnectionLogTimers = Timers;

export interface ConnectionLogInit {
  store: Pick<ClientStore, 'recordConnections'>;
  /** Longest delay before a start or end is written. @default limit `connectionLogFlushMs` */
  intervalMs?: number;
  /** Entries held before a flush is forced (and kept across failed flushes). @default limit `connectionLogMaxPending` */
  maxPending?: number;
  /** @default the global setTimeout/clearTimeout, with the timer unref'd */
  timers?: ConnectionLogTimers;
  /** Called when a flush fails; its entries are kept for the next flush. */
  onError?: (err: unknown) => void;
}

/** One connection as the log tracks it. Opaque to callers. */
export interface LoggedConnectionHandle {
  readonly connection: NewConnection;
}

interface Entry extends LoggedConnectionHandle {
  /** History id once written; null before. */
  id: number | null;
  end: ConnectionEnd | null;
  /** The client was gone when the row was to be written: nothing more to record. */
  gone: boolean;
}

function checkPositive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', `${name} must be a whole number >= 1`);
  }
  return value;
}

export class ConnectionLog {
  readonly #store: Pick<ClientStore, 'recordConnections'>;
  readonly #intervalMs: number;
  readonly #maxPending: number;
  readonly #timers: ConnectionLogTimers;
  readonly #onError: (err: unknown) => void;
  /** Rows to insert, in the order the connections opened. */
  #opened: Entry[] = [];
  /** Written rows whose end is to be written. */
  #ended: Entry[] = [];
  #timer: unknown = null;
  #flushing: Promise<void> | null = null;
  #dropped = 0;

  constructor(init: ConnectionLogInit) {
    this.#store = init.store;
    this.#intervalMs = checkPositive(
      'intervalMs',
      init.intervalMs ?? LIMIT_DEFS.connectionLogFlushMs.default,
    );
    this.#maxPending = checkPositive(
      'maxPending',
      init.maxPending ?? LIMIT_DEFS.connectionLogMaxPending.default,
    );
    this.#timers = init.timers ?? unrefTimers;
    this.#onError =
      init.onError ??
      ((err) => process.emitWarning(`hivelink: could not record connections: ${(err as Error).message}`));
  }

  /** Entries waiting to be written. */
  get pending(): number {
    return this.#opened.length + this.#ended.length;
  }

  /** Entries dropped because the database kept failing while `maxPending` were waiting. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Notes that a connection opened; pass the handle to {@link closed}. */
  opened(connection: NewConnection): LoggedConnectionHandle {
    const entry: Entry = { connection, id: null, end: null, gone: false };
    this.#opened.push(entry);
    this.#changed();
    return entry;
  }

  /** Notes how a connection ended (a second call for the same connection is ignored). */
  closed(handle: LoggedConnectionHandle, end: ConnectionEnd): void {
    const entry = handle as Entry;
    if (entry.end !== null || entry.gone) return;
    entry.end = end;
    if (entry.id === null) return; // still pending: the end goes in with the insert
    this.#ended.push(entry);
    this.#changed();
  }

  /** Writes everything pending now (waits for a flush already running first, whether it succeeds or not). */
  async flush(): Promise<void> {
    while (this.#flushing !== null) await this.#flushing.catch(() => undefined);
    if (this.#timer !== null) {
      this.#timers.clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.pending === 0) return;
    const run = this.#write();
    this.#flushing = run;
    try {
      await run;
    } finally {
      this.#flushing = null;
    }
  }

  #changed(): void {
    if (this.pending >= this.#maxPending) {
      this.#flushInBackground();
      return;
    }
    if (this.#timer === null && this.#flushing === null) {
      this.#timer = this.#timers.setTimeout(() => {
        this.#timer = null;
        this.#flushInBackground();
      }, this.#intervalMs);
    }
  }

  #flushInBackground(): void {
    if (this.#flushing !== null) return;
    this.flush().catch((err: unknown) => this.#onError(err));
  }

  async #write(): Promise<void> {
    const opened = this.#opened;
    const ended = this.#ended;
    this.#opened = [];
    this.#ended = [];
    // An end noted after the row was taken for this batch but before its id came back is written next time.
    const endsInBatch = opened.map((e) => e.end);
    try {
      const ids = await this.#store.recordConnections(
        opened.map((e, i) => ({ ...e.connection, end: endsInBatch[i] ?? null })),
        ended.map((e) => [e.id!, e.end!] as const),
      );
      opened.forEach((entry, i) => {
        const id = ids[i] ?? null;
        if (id === null) {
          entry.gone = true;
          return;
        }
        entry.id = id;
        if (entry.end !== null && endsInBatch[i] === null) this.#ended.push(entry);
      });
    } catch (err) {
      this.#opened = [...opened, ...this.#opened];
      this.#ended = [...ended, ...this.#ended];
      this.#trim();
      throw err;
    } finally {
      if (this.pending > 0 && this.#timer === null) {
        this.#timer = this.#timers.setTimeout(() => {
          this.#timer = null;
          this.#flushInBackground();
        }, this.#intervalMs);
      }
    }
  }

  /** After a failure: keeps at most `maxPending` entries, dropping the oldest. */
  #trim(): void {
    let excess = this.pending - this.#maxPending;
    if (excess <= 0) return;
    const fromEnded = Math.min(excess, this.#ended.length);
    this.#ended.splice(0, fromEnded);
    excess -= fromEnded;
    const fromOpened = Math.min(excess, this.#opened.length);
    for (const entry of this.#opened.splice(0, fromOpened)) entry.gone = true;
    this.#dropped += fromEnded + fromOpened;
  }

  /** Writes what is pending and stops the timer; the log stays usable. */
  async stop(): Promise<void> {
    await this.flush();
  }
}
