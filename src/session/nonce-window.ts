/**
 * Replay detection for the legacy channel. Legacy frames carry a random nonce and no counter (docs/PROTOCOL.md
 * §4.1), so the wire itself cannot tell a replayed frame from a new one; a sender that draws its nonces at random
 * never repeats one, so a nonce seen before in the same session is a replay.
 *
 * The window remembers the nonces of at least the last `size` frames and at most `2 × size` (two generations: when
 * the current one fills, it becomes the previous one). A replay of a frame older than that is not detected; the
 * bound keeps a long session's memory flat. Nonces are kept as their first 48 bits, a number: with random nonces
 * the chance that a fresh frame is taken for a replay is about `2 × size / 2^48` per frame.
 *
 * @module
 */

import type { NonceGuard } from '../crypto/legacy-cipher.js';

export class NonceWindow implements NonceGuard {
  readonly #size: number;
  #current = new Set<number>();
  #previous = new Set<number>();

  /** @param size - frames remembered at least (a limit: `legacyReplayWindow`) */
  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 1)
      throw new RangeError('NonceWindow size must be a whole number >= 1');
    this.#size = size;
  }

  admit(nonce: Uint8Array): boolean {
    const key = prefix48(nonce);
    if (this.#current.has(key) || this.#previous.has(key)) return false;
    if (this.#current.size >= this.#size) {
      this.#previous = this.#current;
      this.#current = new Set();
    }
    this.#current.add(key);
    return true;
  }

  /** Nonces remembered now (for tests and metrics). */
  get remembered(): number {
    return this.#current.size + this.#previous.size;
  }
}

/** The first 48 bits of `bytes` (zero-padded) as a number. */
function prefix48(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 256 + (bytes[i] ?? 0);
  return n;
}
