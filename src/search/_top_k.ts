/**
 * The k largest scores of a stream of (score, id) pairs, kept in a bounded min-heap (private to
 * the package: `cosineNeighbors` keeps its hits in one per query).
 */
import type { Scored } from "./cosine.ts";

/**
 * Keeps the `k` best of the pairs offered: higher score first, and for equal scores the lower id
 * (so the result does not depend on the order the pairs came in). O(log k) per kept pair.
 *
 * @example Keeping the two best of three
 * ```ts
 * import assert from "node:assert/strict";
 * import { TopK } from "./_top_k.ts";
 *
 * const top = new TopK(2);
 * top.offer(0.5, 7); top.offer(0.9, 3); top.offer(0.1, 1);
 * assert.deepEqual(top.sorted(), [{ id: 3, score: 0.9 }, { id: 7, score: 0.5 }]);
 * ```
 */
export class TopK {
  readonly #ids: Int32Array;
  readonly #scores: Float64Array;
  #size = 0;

  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`TopK: k must be >= 1, got ${k}`);
    this.#ids = new Int32Array(k);
    this.#scores = new Float64Array(k);
  }

  /** Pairs held (at most `k`). */
  get size(): number {
    return this.#size;
  }

  /** The lowest score held once full (a pair must beat it to enter), else -Infinity. */
  get threshold(): number {
    return this.#size < this.k ? -Infinity : this.#scores[0];
  }

  /** Offers one pair. NaN scores are refused with a RangeError. */
  offer(score: number, id: number): void {
    if (Number.isNaN(score)) throw new RangeError(`TopK: score of id ${id} is NaN`);
    if (this.#size < this.k) {
      let i = this.#size++;
      // Sift up: the root holds the worst pair.
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.#worse(score, id, this.#scores[p], this.#ids[p])) break;
        this.#scores[i] = this.#scores[p];
        this.#ids[i] = this.#ids[p];
        i = p;
      }
      this.#scores[i] = score;
      this.#ids[i] = id;
      return;
    }
    if (!this.#worse(this.#scores[0], this.#ids[0], score, id)) return;
    // Replace the root and sift down.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.k) break;
      const r = l + 1;
      let c = l;
      if (r < this.k && this.#worse(this.#scores[r], this.#ids[r], this.#scores[l], this.#ids[l])) {
        c = r;
      }
      if (!this.#worse(this.#scores[c], this.#ids[c], score, id)) break;
      this.#scores[i] = this.#scores[c];
      this.#ids[i] = this.#ids[c];
      i = c;
    }
    this.#scores[i] = score;
    this.#ids[i] = id;
  }

  /** The pairs held, best first. */
  sorted(): Scored[] {
    const out: Scored[] = [];
    for (let i = 0; i < this.#size; i++) out.push({ id: this.#ids[i], score: this.#scores[i] });
    return out.sort((a, b) => b.score - a.score || a.id - b.id);
  }

  /** Whether (s1, id1) ranks below (s2, id2). */
  #worse(s1: number, id1: number, s2: number, id2: number): boolean {
    return s1 < s2 || (s1 === s2 && id1 > id2);
  }
}
