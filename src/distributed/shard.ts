/**
 * Splitting an epoch among ranks. The rule: the global batch of a step is the ranks' local
 * batches concatenated in rank order. With `G = size * B` (B = local batch), rank `r` takes
 * positions `[step*G + r*B, step*G + (r+1)*B)` of the epoch's permutation of sample indices,
 * so 1 rank with batch 2B sees exactly the samples of 2 ranks with B each, in the same order.
 * Incomplete global batches at the end of an epoch are dropped, so every rank takes the same
 * number of steps.
 */

/**
 * A half-open range `[start, end)`.
 *
 * @example
 * ```ts
 * const { start, end }: IndexRange = shardRange(10, 1, 3); // { start: 4, end: 7 }
 * ```
 */
export interface IndexRange {
  /** First position. */
  start: number;
  /** One past the last position. */
  end: number;
}

function checkRank(rank: number, size: number) {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be >= 1, got ${size}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= size) {
    throw new RangeError(`rank must be in [0, ${size}), got ${rank}`);
  }
}

/**
 * The local batch of each rank for a global batch `globalBatch` split over `size` ranks;
 * throws when it does not divide evenly.
 *
 * @example
 * ```ts
 * localBatchSize(256, 2); // 128
 * ```
 */
export function localBatchSize(globalBatch: number, size: number): number {
  if (!Number.isInteger(globalBatch) || globalBatch < 1) {
    throw new RangeError(`global batch must be a positive integer, got ${globalBatch}`);
  }
  if (globalBatch % size !== 0) {
    throw new RangeError(
      `global batch ${globalBatch} does not split evenly over ${size} ranks: ` +
        `choose a multiple of ${size}`,
    );
  }
  return globalBatch / size;
}

/**
 * Full global batches (of `size * localBatch` samples) in an epoch of `n` samples: the
 * steps every rank takes (an incomplete last global batch is dropped).
 *
 * @example
 * ```ts
 * stepsPerEpoch(50_000, 128, 2); // 195 (256 per step)
 * ```
 */
export function stepsPerEpoch(n: number, localBatch: number, size: number): number {
  if (!Number.isInteger(localBatch) || localBatch < 1) {
    throw new RangeError(`local batch must be a positive integer, got ${localBatch}`);
  }
  return Math.floor(n / (localBatch * size));
}

/**
 * Positions (into the epoch's permutation) of rank `rank`'s local batch at step `step` of
 * the epoch: `[step*G + rank*B, step*G + (rank+1)*B)` with `G = size * B`.
 *
 * @example
 * ```ts
 * batchRange(3, 1, 2, 4); // { start: 28, end: 32 }
 * ```
 */
export function batchRange(
  step: number,
  rank: number,
  size: number,
  localBatch: number,
): IndexRange {
  checkRank(rank, size);
  const start = step * size * localBatch + rank * localBatch;
  return { start, end: start + localBatch };
}

/**
 * Sample indices of rank `rank`'s local batch at step `step`: the slice
 * {@linkcode batchRange} of `permutation` (a copy).
 *
 * @example
 * ```ts
 * const perm = Int32Array.from([5, 2, 7, 1, 0, 3, 6, 4]);
 * localBatchIndices(perm, 0, 1, 2, 2); // Int32Array [7, 1]
 * ```
 */
export function localBatchIndices(
  permutation: ArrayLike<number>,
  step: number,
  rank: number,
  size: number,
  localBatch: number,
): Int32Array {
  const { start, end } = batchRange(step, rank, size, localBatch);
  if (end > permutation.length) {
    throw new RangeError(
      `step ${step} needs positions up to ${end}, the epoch has ${permutation.length}`,
    );
  }
  return Int32Array.from({ length: end - start }, (_, i) => permutation[start + i]);
}

/**
 * Every sample index rank `rank` reads in an epoch, in the order it uses them: its local
 * batches of steps `0..stepsPerEpoch-1` back to back (a rank's data source reads this list).
 *
 * @example
 * ```ts
 * const perm = Int32Array.from([5, 2, 7, 1, 0, 3, 6, 4]);
 * epochShard(perm, 1, 2, 2); // Int32Array [7, 1, 6, 4]: steps 0 and 1
 * ```
 */
export function epochShard(
  permutation: ArrayLike<number>,
  rank: number,
  size: number,
  localBatch: number,
): Int32Array {
  checkRank(rank, size);
  const steps = stepsPerEpoch(permutation.length, localBatch, size);
  const out = new Int32Array(steps * localBatch);
  for (let s = 0; s < steps; s++) {
    const { start } = batchRange(s, rank, size, localBatch);
    for (let i = 0; i < localBatch; i++) out[s * localBatch + i] = permutation[start + i];
  }
  return out;
}

/**
 * A contiguous, nearly even split of `[0, n)` among ranks (the first `n % size` ranks get
 * one more): for work that has no batches, such as extracting features for evaluation.
 *
 * @example
 * ```ts
 * shardRange(10, 0, 3); // { start: 0, end: 4 }
 * shardRange(10, 2, 3); // { start: 7, end: 10 }
 * ```
 */
export function shardRange(n: number, rank: number, size: number): IndexRange {
  checkRank(rank, size);
  const base = Math.floor(n / size), extra = n % size;
  const start = rank * base + Math.min(rank, extra);
  return { start, end: start + base + (rank < extra ? 1 : 0) };
}
