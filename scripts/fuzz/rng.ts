/**
 * A small seeded PRNG for the fuzzer. Every input is drawn from its own generator, seeded from (run seed, target,
 * input index), so any input of any run can be rebuilt alone (`--replay`) without the ones before it.
 *
 * @module
 */

/** 32-bit FNV-1a of `text`, mixed: the seed of one input's generator. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** sfc32: fast, good enough for fuzzing, and deterministic across platforms. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** The generator of input `index` of `target` in a run seeded with `seed`. */
  static forInput(seed: number, target: string, index: number): Rng {
    return new Rng(hash32(`${seed}:${target}:${index}`));
  }

  u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    if (n <= 1) return 0;
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** A whole number in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of choices) total += w;
    let r = (this.u32() / 0x1_0000_0000) * total;
    for (const [w, v] of choices) {
      r -= w;
      if (r < 0) return v;
    }
    return choices[choices.length - 1]![1];
  }

  /** A small size, most often tiny: lengths of inserted runs, counts of stacked mutations. */
  small(max: number): number {
    const r = this.u32() / 0x1_0000_0000;
    return Math.min(max, Math.floor(r * r * r * (max + 1)));
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}
