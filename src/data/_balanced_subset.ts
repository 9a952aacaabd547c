/** A class-balanced, seeded sample of a labelled dataset's indices. */
import { Rng } from "../streams/rng.ts";

/**
 * `n` indices drawn class by class: each class's indices are shuffled (seeded), then the classes
 * give one index each in turn (classes in label order; unlabelled samples form one more group)
 * until `n` are taken, so every class gets `floor(n / classes)` or one more, unless it has fewer
 * samples (the rest then go to the larger classes). Returned in ascending order (the dataset's
 * read order). All indices, in order, when `n` covers the dataset.
 */
export function balancedSubset(
  labels: ArrayLike<number | undefined>,
  n: number,
  seed: number,
): Int32Array {
  if (!(Number.isInteger(n) && n >= 0)) {
    throw new RangeError(`balancedSubset: n must be an integer >= 0, got ${n}`);
  }
  if (n >= labels.length) return Int32Array.from({ length: labels.length }, (_, i) => i);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const key = labels[i] ?? -1;
    let g = groups.get(key);
    if (!g) groups.set(key, g = []);
    g.push(i);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const rng = new Rng(seed, 0x6ba1a9ce); // "balance": a stream of its own
  const shuffled = keys.map((k) => rng.shuffle(groups.get(k)!));
  const out: number[] = [];
  for (let round = 0; out.length < n; round++) {
    for (const g of shuffled) {
      if (round < g.length && out.length < n) out.push(g[round]);
    }
  }
  return Int32Array.from(out.sort((a, b) => a - b));
}
