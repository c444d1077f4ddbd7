/**
 * Reconnect delays (docs/PROTOCOL.md §1.5): `delay = min(retry, max) * uniform(0.5, 1.5)`, with `retry` starting at the
 * initial delay and doubling after every failed attempt, back to the start once a connection opens.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';

export const DEFAULT_INITIAL_DELAY_MS = 5000;
export const DEFAULT_MAX_DELAY_MS = 60_000;

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #random: () => number;
  #retry: number;

  /**
   * @param initialDelayMs - @default 5000
   * @param maxDelayMs - @default 60000
   * @param random - uniform in [0, 1) @default Math.random
   */
  constructor(
    initialDelayMs = DEFAULT_INITIAL_DELAY_MS,
    maxDelayMs = DEFAULT_MAX_DELAY_MS,
    random = Math.random,
  ) {
    if (!Number.isFinite(initialDelayMs) || initialDelayMs < 0) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'reconnect.initialDelayMs: must be a number >= 0');
    }
    if (!Number.isFinite(maxDelayMs) || maxDelayMs < initialDelayMs) {
      throw new HiveLinkError(
        'HL_ERR_INVALID_ARGUMENT',
        'reconnect.maxDelayMs: must be a number >= initialDelayMs',
      );
    }
    this.#initial = initialDelayMs;
    this.#max = maxDelayMs;
    this.#random = random;
    this.#retry = initialDelayMs;
  }

  /** The delay before the next attempt; advances the schedule. */
  next(): number {
    const base = Math.min(this.#retry, this.#max);
    this.#retry = Math.min(this.#retry * 2, this.#max);
    return Math.round(base * (0.5 + this.#random()));
  }

  reset(): void {
    this.#retry = this.#initial;
  }
}
