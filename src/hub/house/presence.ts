/**
 * The running hub's presence in the store, for `hivelink rooms` in another process: who is connected, with the site
 * and assistant flag of each connection's HELLO. Written in batches — a connect, HELLO or disconnect schedules one
 * write `connectionLogFlushMs` later (the limit of the connection history, written the same way), never a write per
 * message — as the difference from what was written last. Cleared when the hub starts and stops.
 *
 * @module
 */
import type { HouseStore, PresenceEntry } from '../../store/house.js';
import { type Timers, unrefTimers } from '../../timers.js';
import { SingleFlight } from './single-flight.js';

export interface PresenceWriterInit {
  store: HouseStore;
  /** The live connections now. */
  snapshot: () => PresenceEntry[];
  /** The delay of a batch (`connectionLogFlushMs`). */
  intervalMs: number;
  onError: (err: unknown) => void;
  /** @default the global timers, unref'd */
  timers?: Timers;
}

function same(a: PresenceEntry, b: PresenceEntry): boolean {
  return (
    a.clientId === b.clientId &&
    a.peer === b.peer &&
    a.helloSite === b.helloSite &&
    a.assistant === b.assistant
  );
}

export class PresenceWriter {
  readonly #init: PresenceWriterInit;
  readonly #timers: Timers;
  /** What the store holds, by connection id. */
  #written = new Map<number, PresenceEntry>();
  #timer: unknown = null;
  readonly #flushing = new SingleFlight(
    () => this.#write(),
    (err) => this.#init.onError(err),
    () => {
      if (!this.#stopped) void this.flush();
    },
  );
  #stopped = false;

  constructor(init: PresenceWriterInit) {
    this.#init = init;
    this.#timers = init.timers ?? unrefTimers;
  }

  /** Something changed: a write follows within the interval (one per interval at most). */
  changed(): void {
    if (this.#stopped || this.#timer !== null) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      void this.flush();
    }, this.#init.intervalMs);
  }

  /** Writes the difference now (after a write in progress). */
  flush(): Promise<void> {
    return this.#flushing.run();
  }

  async #write(): Promise<void> {
    const now = new Map(this.#init.snapshot().map((e) => [e.connId, e]));
    const upserts: PresenceEntry[] = [];
    for (const [id, e] of now) {
      const old = this.#written.get(id);
      if (old === undefined || !same(old, e)) upserts.push(e);
    }
    const removed = [...this.#written.keys()].filter((id) => !now.has(id));
    if (upserts.length === 0 && removed.length === 0) return;
    await this.#init.store.writePresence(upserts, removed);
    this.#written = now;
  }

  /** No more writes (the hub's stop clears the table). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#flushing.running;
  }
}
