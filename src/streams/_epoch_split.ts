/**
 * The arithmetic of epoch orders (private to the package): each epoch's permutation from
 * `(seed, epoch)`, and the part of it each rank takes (strided, or blocked so that the ranks'
 * batches of a step make up one process's batch). `epochOrder` streams it.
 */
import { hashKeys } from "./_hash.ts";
import type { RankSplit } from "./epochs.ts";
import { Rng } from "./rng.ts";

/**
 * The permutation of epoch `epoch`: a uniform Fisher-Yates shuffle of `0..length-1` from an
 * RNG keyed by `(seed, epoch)`.
 *
 * @example A permutation, fixed by seed and epoch
 * ```ts
 * import assert from "node:assert/strict";
 * import { epochPermutation } from "./_epoch_split.ts";
 *
 * const order = epochPermutation(100, 42, 0);
 * assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
 * assert.deepEqual(epochPermutation(100, 42, 0), order);
 * assert.notDeepEqual(epochPermutation(100, 42, 1), order);
 * ```
 */
export function epochPermutation(length: number, seed: number, epoch: number): Uint32Array {
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) {
    throw new RangeError(`epochPermutation: length must be an integer in 0..2^32-1, got ${length}`);
  }
  const perm = new Uint32Array(length);
  for (let i = 0; i < length; i++) perm[i] = i;
  return new Rng(hashKeys(seed, epoch, 0x45504f43)).shuffle(perm);
}

/**
 * The number of positions rank `rank` gets per epoch.
 *
 * @example Strided and blocked splits
 * ```ts
 * import assert from "node:assert/strict";
 * import { rankLength } from "./_epoch_split.ts";
 *
 * assert.equal(rankLength(10, { rank: 0, worldSize: 3 }), 3); // one dropped
 * assert.equal(rankLength(10, { rank: 0, worldSize: 3, remainder: "keep" }), 4);
 * assert.equal(rankLength(10, { rank: 0, worldSize: 2, block: 4 }), 5); // a block, 1 of the tail of 2
 * ```
 */
export function rankLength(length: number, split: RankSplit = {}): number {
  const { rank, worldSize } = checkSplit(split);
  if (split.block !== undefined) {
    const groups = Math.floor(length / (split.block * worldSize));
    const tail = length - groups * split.block * worldSize;
    return groups * split.block + (tail > rank ? Math.ceil((tail - rank) / worldSize) : 0);
  }
  const base = Math.floor(length / worldSize);
  if ((split.remainder ?? "drop") === "drop") return base;
  return base + (rank < length % worldSize ? 1 : 0);
}

/**
 * Rank `rank`'s global indices for one epoch: epoch positions `rank, rank + R, rank + 2R, …`
 * of the permutation (strided, as PyTorch's DistributedSampler), or with `block` its blocks
 * `[k*G + rank*block, k*G + (rank+1)*block)` then its strided share of the tail. Ranks' parts
 * are disjoint.
 *
 * @example Rank 1 of 4, strided and blocked
 * ```ts
 * import assert from "node:assert/strict";
 * import { rankIndices } from "./_epoch_split.ts";
 *
 * const perm = Uint32Array.from({ length: 10 }, (_, i) => 100 + i);
 * assert.deepEqual([...rankIndices(perm, { rank: 1, worldSize: 4 })], [101, 105]);
 * assert.deepEqual([...rankIndices(perm, { rank: 1, worldSize: 2, block: 2 })], [102, 103, 106, 107, 109]);
 * ```
 */
export function rankIndices(permutation: Uint32Array, split: RankSplit = {}): Uint32Array {
  const { rank, worldSize } = checkSplit(split);
  const n = rankLength(permutation.length, split);
  const out = new Uint32Array(n);
  const b = split.block;
  if (b !== undefined) {
    const blocks = Math.floor(permutation.length / (b * worldSize)) * b;
    for (let p = 0; p < blocks; p++) {
      out[p] = permutation[Math.floor(p / b) * b * worldSize + rank * b + (p % b)];
    }
    for (let p = blocks; p < n; p++) {
      out[p] = permutation[blocks * worldSize + rank + (p - blocks) * worldSize]; // the tail
    }
    return out;
  }
  for (let p = 0; p < n; p++) out[p] = permutation[rank + p * worldSize];
  return out;
}

/**
 * Converts a count of items consumed by this rank since `(startEpoch, 0)` into a resume
 * point `{ epoch, position }` for `epochOrder`.
 *
 * @example 2500 items into epochs of 1000
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataPosition } from "./_epoch_split.ts";
 *
 * assert.deepEqual(dataPosition(2500, 1000), { epoch: 2, position: 500 });
 * assert.deepEqual(dataPosition(2500, 1000, 3), { epoch: 5, position: 500 });
 * ```
 */
export function dataPosition(
  consumed: number,
  perEpoch: number,
  startEpoch = 0,
): { epoch: number; position: number } {
  if (perEpoch <= 0) throw new RangeError(`dataPosition: perEpoch must be > 0, got ${perEpoch}`);
  return { epoch: startEpoch + Math.floor(consumed / perEpoch), position: consumed % perEpoch };
}

function checkSplit(split: RankSplit): { rank: number; worldSize: number } {
  const rank = split.rank ?? 0;
  const worldSize = split.worldSize ?? 1;
  if (!Number.isInteger(worldSize) || worldSize < 1) {
    throw new RangeError(`worldSize must be a positive integer, got ${worldSize}`);
  }
  if (split.block !== undefined && !(Number.isInteger(split.block) && split.block >= 1)) {
    throw new RangeError(`block must be a positive integer, got ${split.block}`);
  }
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new RangeError(`rank must be an integer in 0..${worldSize - 1}, got ${rank}`);
  }
  return { rank, worldSize };
}
