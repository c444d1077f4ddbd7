/**
 * Bounded "have I seen this?" sets, used to de-duplicate floods (PROPAGATE, CASCADE, PING) so a mesh with loops
 * or several paths handles each flood once.
 *
 * @module
 */
import { HiveLinkError } from '../errors.js';

/** A set of keys with a size cap: when full, the least recently seen key is forgotten. */
export class FloodCache {
  readonly #max: number;
  readonly #keys = new Map<string, true>();

  /** @param maxEntries - keys kept (`floodCacheSize`). */
  constructor(maxEntries: number) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new HiveLinkError('HL_ERR_INVALID_ARGUMENT', 'FloodCache maxEntries must be a whole number >= 1');
    }
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** True if `key` was seen before; either way it is now the most recently seen key. */
  seen(key: string): boolean {
    const known = this.#keys.delete(key);
    this.#keys.set(key, true);
    if (this.#keys.size > this.#max) {
      const oldest = this.#keys.keys().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
    return known;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }
}
