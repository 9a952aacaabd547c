/**
 * Epoch ordering for indexed datasets: one full random permutation of `0..length-1` per
 * epoch, drawn from `(seed, epoch)`; split among ranks; resumable mid-epoch.
 *
 * Every position carries the GLOBAL sample index, so per-sample randomness keyed by
 * `(seed, epoch, index)` is the same whatever the number of ranks or workers.
 */
import { epochPermutation, rankIndices, rankLength } from "./_epoch_split.ts";
import { fromPull, type StageOptions } from "./stage.ts";

/**
 * One step of an epoch order.
 *
 * @example Positions of two epochs
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, epochOrder, type EpochPosition } from "@simclr/streams/streams";
 *
 * const steps: EpochPosition[] = await collect(epochOrder({ length: 3, seed: 1, epochs: 2 }));
 * assert.deepEqual(steps.map((s) => [s.epoch, s.position]), [
 *   [0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2],
 * ]);
 * assert.deepEqual(steps.slice(0, 3).map((s) => s.index).sort(), [0, 1, 2]);
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
 * @example Four ranks share an epoch without overlap
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, epochOrder, type RankSplit } from "@simclr/streams/streams";
 *
 * const parts: number[][] = [];
 * for (let rank = 0; rank < 4; rank++) {
 *   const split: RankSplit = { rank, worldSize: 4, remainder: "drop" };
 *   const part = await collect(epochOrder({ length: 10, seed: 7, epochs: 1, ...split }));
 *   parts.push(part.map((p) => p.index));
 * }
 * assert.ok(parts.every((p) => p.length === 2)); // 10 / 4: 2 each, the 2 left over dropped
 * assert.equal(new Set(parts.flat()).size, 8); // disjoint
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
 * @example Resuming mid-epoch continues the same order
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, epochOrder, type EpochOrderOptions } from "@simclr/streams/streams";
 *
 * const whole = await collect(epochOrder({ length: 6, seed: 42, startEpoch: 3, epochs: 2 }));
 * const options: EpochOrderOptions = {
 *   length: 6,
 *   seed: 42,
 *   startEpoch: 3,
 *   startPosition: 4,
 *   epochs: 2,
 * };
 * assert.deepEqual(await collect(epochOrder(options)), whole.slice(4));
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
 * A stream of `{ epoch, position, index }`: each epoch a fresh permutation from
 * `(seed, epoch)`, this rank's part of it (strided, or blocked with `block`), starting at `(startEpoch, startPosition)`.
 * Map it to samples with the dataset's `get(index)`.
 *
 * @param options The dataset length, seed, rank split, epochs and resume point.
 * @returns A pull-driven stream of positions (endless without `epochs`).
 * @throws {RangeError} When the rank split is invalid or `startPosition` lies outside this
 * rank's part of an epoch.
 *
 * @example Rank 1 of 4, resuming at epoch 3, position 1 of its part
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect, epochOrder } from "@simclr/streams/streams";
 *
 * const base = { length: 12, seed: 42, rank: 1, worldSize: 4 };
 * const whole = await collect(epochOrder({ ...base, startEpoch: 3, epochs: 2 })); // 3 per epoch
 * const resumed = await collect(epochOrder({ ...base, startEpoch: 3, startPosition: 1, epochs: 2 }));
 * assert.deepEqual(resumed, whole.slice(1));
 * assert.deepEqual(resumed.map((p) => [p.epoch, p.position]), [[3, 1], [3, 2], [4, 0], [4, 1], [4, 2]]);
 * assert.throws(() => epochOrder({ ...base, startPosition: 4 }), RangeError);
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
