/**
 * Admission control for the legacy handshake's PBKDF2 (100 000 rounds per connection, tens to hundreds of
 * milliseconds of CPU each). At most `concurrency` derivations run at once, so that with the default (one less than
 * the cores) the event loop always keeps a core and connected clients stay responsive during a storm of
 * handshakes. Others wait in order; a derivation that could not start before `maxWaitMs` (half the handshake
 * timeout, by the measured duration of recent ones) is refused at once with `HL_ERR_HUB_BUSY` (close 1013, "try
 * again later"), so a client backs off and retries instead of being timed out and told it was refused.
 *
 * The queue is shared, so one address (or one access key) could fill it and make every other client wait or be
 * refused: a derivation is also refused with `HL_ERR_HUB_BUSY` when its owner (the connection's address and access
 * key, see {@link KdfLimiter.wrap}) already has `perIp` / `perKey` derivations running or waiting. How many
 * handshakes an owner may start over time is the policy's failure budget (`src/hub/policy/auth-throttle.ts`); this
 * bounds how much of the CPU it holds at once.
 *
 * @module
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { HiveLinkError } from '../errors.js';

/** Options of a {@link KdfLimiter}. */
export interface KdfLimiterInit {
  /** Derivations running at once (at least 1). */
  concurrency: number;
  /** Longest expected wait before a derivation starts; beyond it, it is refused. */
  maxWaitMs: number;
  /** Clock in ms. @default performance.now */
  now?: () => number;
  /** Derivations one address may have running or waiting; 0: no cap. @default 0 */
  perIp?: number;
  /** Derivations one access key may have running or waiting; 0: no cap. @default 0 */
  perKey?: number;
}

/** Whose derivation it is: the connection's address and access key. */
export interface KdfOwner {
  readonly ip: string;
  readonly key: string;
}

/** Duration assumed for a derivation until one has been measured (ms). */
const INITIAL_ESTIMATE_MS = 100;

export class KdfLimiter {
  readonly #concurrency: number;
  readonly #maxWaitMs: number;
  readonly #now: () => number;
  readonly #waiting: (() => void)[] = [];
  readonly #perIp: number;
  readonly #perKey: number;
  /** Derivations running or waiting per `ip:…` / `key:…`. */
  readonly #owned = new Map<string, number>();
  #running = 0;
  /** Moving average of how long one derivation takes (ms). */
  #averageMs = INITIAL_ESTIMATE_MS;

  constructor(init: KdfLimiterInit) {
    this.#concurrency = Math.max(1, Math.floor(init.concurrency));
    this.#maxWaitMs = init.maxWaitMs;
    this.#now = init.now ?? (() => performance.now());
    this.#perIp = Math.max(0, Math.floor(init.perIp ?? 0));
    this.#perKey = Math.max(0, Math.floor(init.perKey ?? 0));
  }

  /** Derivations running now. */
  get running(): number {
    return this.#running;
  }

  /** Derivations waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Derivations `owner`'s address, and its access key, have running or waiting. */
  ownedBy(owner: KdfOwner): { ip: number; key: number } {
    return { ip: this.#owned.get(`ip:${owner.ip}`) ?? 0, key: this.#owned.get(`key:${owner.key}`) ?? 0 };
  }

  /**
   * Runs `derive` when a slot is free.
   * @throws HiveLinkError `HL_ERR_HUB_BUSY` (close 1013) at once when the expected wait exceeds `maxWaitMs`, or
   *   `owner` already has its share running or waiting
   */
  async run<T>(derive: () => Promise<T>, owner?: KdfOwner): Promise<T> {
    if (owner === undefined) return this.#run(derive);
    const held = this.ownedBy(owner);
    if ((this.#perIp > 0 && held.ip >= this.#perIp) || (this.#perKey > 0 && held.key >= this.#perKey)) {
      throw new HiveLinkError(
        'HL_ERR_HUB_BUSY',
        'hub busy: this address or access key already has legacy handshakes waiting for key derivation, try again later',
      );
    }
    const ids = [`ip:${owner.ip}`, `key:${owner.key}`];
    for (const id of ids) this.#owned.set(id, (this.#owned.get(id) ?? 0) + 1);
    try {
      return await this.#run(derive);
    } finally {
      for (const id of ids) {
        const left = (this.#owned.get(id) ?? 1) - 1;
        if (left <= 0) this.#owned.delete(id);
        else this.#owned.set(id, left);
      }
    }
  }

  async #run<T>(derive: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) {
      const expectedWaitMs = ((this.#waiting.length + 1) * this.#averageMs) / this.#concurrency;
      if (expectedWaitMs > this.#maxWaitMs) {
        throw new HiveLinkError(
          'HL_ERR_HUB_BUSY',
          'hub busy: too many legacy handshakes waiting for key derivation, try again later',
        );
      }
      // A finishing derivation hands its slot straight to the first waiter: `running` stays as it is.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running += 1;
    }
    const started = this.#now();
    try {
      return await derive();
    } finally {
      this.#averageMs = 0.8 * this.#averageMs + 0.2 * (this.#now() - started);
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#running -= 1;
    }
  }

  /** `backend` with its PBKDF2 going through this limiter, as `owner`'s when given (one connection's backend). */
  wrap(backend: CryptoBackend, owner?: KdfOwner): CryptoBackend {
    return {
      ...backend,
      pbkdf2Sha256: (password, salt, iterations, length) =>
        this.run(() => backend.pbkdf2Sha256(password, salt, iterations, length), owner),
    };
  }
}
