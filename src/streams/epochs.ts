/**
 * Epoch ordering for indexed datasets: one full random permutation of `0..length-1` per
 * epoch, drawn from `(seed, epoch)`; split among ranks; resumable mid-epoch.
 *
 * Every position carries the GLOBAL sample index, so per-sample randomness keyed by
 * `(seed, epoch, index)` is the same whatever the number of ranks or workers.
 */
import { hashKeys, Rng } from "./rng.ts";
import { fromPull, type StageOptions } from "./stage.ts";

/**
 * One step of an epoch order.
 *
 * @example
 * ```ts
 * for await (const { epoch, position, index } of epochOrder({ length: 10, seed: 1, epochs: 1 })) {}
 * ```
 */
export interface EpochPosition {
  /** Epoch number (0-based). */
  epoch: number;
  /** Position of this item in this rank's part of the epoch (0-based): the resume point. */
  position: number;
  /** Global sample index in the dataset (0..length-1). */
  index: number;
}

/**
 * How an epoch is split among ranks.
 *
 * @example
 * ```ts
 * const split: RankSplit = { rank: 1, worldSize: 4, remainder: "drop" };
 * ```
 */
export interface RankSplit {
  /** This process's rank, 0..worldSize-1 (default 0). */
  rank?: number;
  /** Number of ranks sharing each epoch (default 1). */
  worldSize?: number;
  /**
   * What to do with the `length % worldSize` leftover positions: `"drop"` (default: every
   * rank gets the same count, so steps line up) or `"keep"` (the first ranks take one more).
   */
  remainder?: "drop" | "keep";
  /**
   * Blocked split with blocks of this many positions (a rank's batch): rank `r` takes positions
   * `[k*G + r*block, k*G + (r+1)*block)` for `k = 0, 1, ...` with `G = block * worldSize`, so
   * the ranks' batches of a step, concatenated in rank order, are exactly the batch of one
   * process with batch `G` (same samples, same order). The incomplete last group of `G` (the
   * epoch's tail) is dealt out strided after the blocks: rank `r` also takes `K*G + r`,
   * `K*G + r + R`, ... (`K` whole groups), so every rank has its share of the spare samples that
   * replace skipped ones. Default: strided (positions `r, r + R, r + 2R, ...`).
   */
  block?: number;
}

/**
 * Options of {@link epochOrder}.
 *
 * @example
 * ```ts
 * const opts: EpochOrderOptions = { length: 60000, seed: 42, epochs: 100, startEpoch: 3, startPosition: 500 };
 * ```
 */
export interface EpochOrderOptions extends RankSplit, StageOptions {
  /** Dataset length. */
  length: number;
  /** Run seed. */
  seed: number;
  /** Shuffle each epoch (default true); false gives `0..length-1` every epoch. */
  shuffle?: boolean;
  /** First epoch (default 0). */
  startEpoch?: number;
  /** Position in this rank's part of `startEpoch` to start at (default 0): resume point. */
  startPosition?: number;
  /** Number of epochs to run from `startEpoch` (default: without end). */
  epochs?: number;
}

/**
 * The permutation of epoch `epoch`: a uniform Fisher-Yates shuffle of `0..length-1` from an
 * RNG keyed by `(seed, epoch)`.
 *
 * @example
 * ```ts
 * const order = epochPermutation(60000, 42, 0); // Uint32Array, a permutation
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
 * @example
 * ```ts
 * rankLength(10, { rank: 0, worldSize: 3 }); // 3 (one dropped); with remainder "keep": 4
 * rankLength(10, { rank: 0, worldSize: 2, block: 4 }); // 5: one block, and 2 of the tail of 2
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
 * @example
 * ```ts
 * const mine = rankIndices(epochPermutation(1000, 42, 3), { rank: 1, worldSize: 4 }); // 250
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
 * point `{ epoch, position }` for {@link epochOrder}.
 *
 * @example
 * ```ts
 * dataPosition(2500, 1000); // { epoch: 2, position: 500 }
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

/**
 * A stream of `{ epoch, position, index }`: each epoch a fresh permutation from
 * `(seed, epoch)`, this rank's part of it (strided, or blocked with `block`), starting at `(startEpoch, startPosition)`.
 * Map it to samples with the dataset's `get(index)`.
 *
 * @example
 * ```ts
 * // Rank 1 of 4, resuming at epoch 3, position 120 of its part:
 * const order = epochOrder({ length: 50000, seed: 42, rank: 1, worldSize: 4,
 *   startEpoch: 3, startPosition: 120, epochs: 7 });
 * for await (const { epoch, index } of order) { ... }
 * ```
 */
export function epochOrder(options: EpochOrderOptions): ReadableStream<EpochPosition> {
  const { length, seed } = options;
  const perEpoch = rankLength(length, options);
  const startEpoch = options.startEpoch ?? 0;
  const endEpoch = startEpoch + (options.epochs ?? Infinity);
  let epoch = startEpoch;
  let position = options.startPosition ?? 0;
  if (position < 0 || position > perEpoch) {
    throw new RangeError(
      `epochOrder: startPosition ${position} is outside this rank's epoch of ${perEpoch} items`,
    );
  }
  let indices: Uint32Array | undefined;
  const shuffle = options.shuffle ?? true;
  const identity = () => {
    const p = new Uint32Array(length);
    for (let i = 0; i < length; i++) p[i] = i;
    return p;
  };
  return fromPull<EpochPosition>(() => {
    if (perEpoch === 0) return undefined;
    while (position >= perEpoch) {
      epoch++;
      position = 0;
      indices = undefined;
    }
    if (epoch >= endEpoch) return undefined;
    indices ??= rankIndices(
      shuffle ? epochPermutation(length, seed, epoch) : identity(),
      options,
    );
    const item = { epoch, position, index: indices[position] };
    position++;
    return item;
  }, { name: options.name ?? "epochs", telemetry: options.telemetry });
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
