/**
 * Typo tolerance: maps a word the engine does not know onto a known word one edit away (insertion, deletion,
 * substitution or swap of neighbours), using a deletion-neighbourhood index so a lookup costs a few map reads
 * however large the vocabulary.
 *
 * @module
 */

/** Shortest word that may be corrected; shorter words have too many neighbours to guess safely. */
export const MIN_CORRECTABLE_LENGTH = 4;

/** Optimal string alignment distance between `a` and `b`, or `limit + 1` as soon as it must exceed `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (a === b) return 0;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** A vocabulary that suggests the known word closest to a misspelt one. */
export class SpellingIndex {
  readonly #known = new Set<string>();
  /** Word, or one deletion of it → the known words it came from. */
  readonly #neighbours = new Map<string, Set<string>>();

  get size(): number {
    return this.#known.size;
  }

  has(word: string): boolean {
    return this.#known.has(word);
  }

  add(word: string): void {
    if (this.#known.has(word)) return;
    this.#known.add(word);
    if (word.length < MIN_CORRECTABLE_LENGTH - 1) return;
    for (const key of [word, ...deletions(word)]) {
      let set = this.#neighbours.get(key);
      if (set === undefined) {
        set = new Set();
        this.#neighbours.set(key, set);
      }
      set.add(word);
    }
  }

  /**
   * The known word one edit from `word`, or `undefined` when `word` is known, too short, numeric, or has no single
   * best neighbour. `rank` breaks ties (higher wins); a remaining tie gives `undefined`.
   */
  correct(word: string, rank: (candidate: string) => number = () => 0): string | undefined {
    if (this.#known.has(word) || word.length < MIN_CORRECTABLE_LENGTH || /\d/.test(word)) return undefined;
    const candidates = new Set<string>();
    for (const key of [word, ...deletions(word)]) {
      for (const c of this.#neighbours.get(key) ?? []) candidates.add(c);
    }
    let best: string | undefined;
    let bestRank = Number.NEGATIVE_INFINITY;
    let tie = false;
    for (const c of candidates) {
      if (c[0] !== word[0] && c[1] !== word[1]) continue;
      if (editDistance(word, c, 1) > 1) continue;
      const r = rank(c);
      if (r > bestRank) {
        best = c;
        bestRank = r;
        tie = false;
      } else if (r === bestRank) {
        tie = true;
      }
    }
    return tie ? undefined : best;
  }
}
