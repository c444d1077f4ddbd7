/**
 * Admission control for the legacy handshake's PBKDF2 (100 000 rounds per connection, tens to hundreds of
 * milliseconds of CPU each). At most `concurrency` derivations run at once, so that with the default (one less than
 * the cores) the event loop always keeps a core and connected clients stay responsive during a storm of
 * handshakes. Others wait in order; a derivation that could not start before `maxWaitMs` (half the handshake
 * timeout, by the measured duration of recent ones) is refused at once with `HL_ERR_HUB_BUSY` (close 1013, "try
 * again later"), so a client backs off and retries instead of being timed out and told it was refused.
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
}

/** Duration assumed for a derivation until one has been measured (ms). */
const INITIAL_ESTIMATE_MS = 100;

export class KdfLimiter {
  readonly #concurrency: number;
  readonly #maxWaitMs: number;
  readonly #now: () => number;
  readonly #waiting: (() => void)[] = [];
  #running = 0;
  /** Moving average of how long one derivation takes (ms). */
  #averageMs = INITIAL_ESTIMATE_MS;

  constructor(init: KdfLimiterInit) {
    this.#concurrency = Math.max(1, Math.floor(init.concurrency));
    this.#maxWaitMs = init.maxWaitMs;
    this.#now = init.now ?? (() => performance.now());
  }

  /** Derivations running now. */
  get running(): number {
    return this.#running;
  }

  /** Derivations waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `derive` when a slot is free.
   * @throws HiveLinkError `HL_ERR_HUB_BUSY` (close 1013) at once when the expected wait exceeds `maxWaitMs`
   */
  async run<T>(derive: () => Promise<T>): Promise<T> {
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

  /** `backend` with its PBKDF2 going through this limiter. */
  wrap(backend: CryptoBackend): CryptoBackend {
    return {
      ...backend,
      pbkdf2Sha256: (password, salt, iterations, length) =>
        this.run(() => backend.pbkdf2Sha256(password, salt, iterations, length)),
    };
  }
}
