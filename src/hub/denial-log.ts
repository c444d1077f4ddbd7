/**
 * The last policy denials (`hive.policy.denied` answers) the hub gave, in memory, for the admin page and
 * `GET /v1/admin/denials`: a ring of `recentDenials` entries (docs/LIMITS.md), the oldest overwritten first. Nothing
 * is stored on disk; `hivelink_denials_total` counts them all.
 *
 * @module
 */

/** One denial as the admin page shows it. */
export interface DenialEntry {
  /** When, ms since the epoch. */
  readonly at: number;
  /** The peer id of the connection it was sent to. */
  readonly peer: string;
  readonly clientId: number | null;
  readonly clientName: string | null;
  readonly ip: string;
  /** The message type that was refused. */
  readonly deniedType: string;
  /** The `hive.policy.denied` code (docs/PROTOCOL.md §7.2). */
  readonly code: string;
  readonly reason: string;
}

/** Longest reason kept: a denial's reason may quote what the client sent. */
const MAX_REASON_CHARS = 200;

export class DenialLog {
  readonly #capacity: number;
  readonly #ring: (DenialEntry | undefined)[];
  #next = 0;
  #total = 0;

  /** @param capacity - entries kept (at least 1) */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
    this.#ring = new Array<DenialEntry | undefined>(this.#capacity);
  }

  /** How many entries it keeps at most. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Denials recorded since the hub started (the ring holds the last {@link capacity}). */
  get total(): number {
    return this.#total;
  }

  record(entry: DenialEntry): void {
    const reason =
      entry.reason.length > MAX_REASON_CHARS
        ? `${entry.reason.slice(0, MAX_REASON_CHARS - 1)}…`
        : entry.reason;
    this.#ring[this.#next] = reason === entry.reason ? entry : { ...entry, reason };
    this.#next = (this.#next + 1) % this.#capacity;
    this.#total += 1;
  }

  /** The entries kept, newest first. */
  recent(): DenialEntry[] {
    const out: DenialEntry[] = [];
    for (let i = 1; i <= this.#capacity; i++) {
      const entry = this.#ring[(this.#next - i + this.#capacity) % this.#capacity];
      if (entry === undefined) break;
      out.push(entry);
    }
    return out;
  }
}
