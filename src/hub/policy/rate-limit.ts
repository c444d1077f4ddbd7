/**
 * Per-client message rate limiting: a token bucket (rate per second, burst twice the rate) decides whether a message
 * is accepted; refusals are counted in a second bucket of the same size, so a client that keeps flooding after
 * being refused is cut off, while a short burst only costs it a few policy errors.
 *
 * @module
 */

/** The outcome of one {@link RateLimiter.take}. */
export type RateDecision = 'accept' | 'deny' | 'close';

class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    now: number,
  ) {
    this.#tokens = capacity;
    this.#last = now;
  }

  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.capacity, this.#tokens + (elapsed * this.ratePerSecond) / 1000);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** A message rate limit for one connection. */
export class RateLimiter {
  #messages: TokenBucket;
  #refusals: TokenBucket;
  readonly #now: () => number;

  /**
   * @param ratePerSecond - sustained messages per second; the burst is twice that.
   * @param now - clock in ms. @default Date.now
   */
  constructor(ratePerSecond: number, now: () => number = Date.now) {
    this.#now = now;
    const rate = Math.max(1, ratePerSecond);
    this.#messages = new TokenBucket(rate, rate * 2, now());
    this.#refusals = new TokenBucket(rate, rate * 2, now());
  }

  get ratePerSecond(): number {
    return this.#messages.ratePerSecond;
  }

  /** Changes the rate (an admin edit); the buckets start full again. */
  setRate(ratePerSecond: number): void {
    const rate = Math.max(1, ratePerSecond);
    if (rate === this.#messages.ratePerSecond) return;
    this.#messages = new TokenBucket(rate, rate * 2, this.#now());
    this.#refusals = new TokenBucket(rate, rate * 2, this.#now());
  }

  /** Accounts for one message: accept it, deny it (policy error), or close the connection (sustained flood). */
  take(): RateDecision {
    const now = this.#now();
    if (this.#messages.take(now)) return 'accept';
    return this.#refusals.take(now) ? 'deny' : 'close';
  }
}
