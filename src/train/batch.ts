/**
 * A batch of view pairs, packed for the accelerator: what a pipeline's `packBatches` emits and
 * {@link trainer} consumes.
 *
 * @example One pair of 1x1 gray views
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Batch } from "@simclr/streams/train";
 * const b: Batch = {
 *   microStep: 0, epoch: 0, size: 1, height: 1, width: 1, channels: 1,
 *   views: Float32Array.of(0.5, -0.5), // the first view, then the second
 *   keys: ["img-0"], indices: Int32Array.of(0),
 * };
 * assert.equal(b.views.length, 2 * b.size * b.height * b.width * b.channels);
 * ```
 */
export interface Batch {
  /**
   * Index of this micro-batch in the run, over all epochs (0-based). With `k` micro-batches
   * per optimizer step, it feeds optimizer step `floor(microStep / k)` (0-based); without
   * accumulation the two are equal. On several ranks, the ranks' micro-batches of one index
   * make up one global micro-batch.
   */
  microStep: number;
  /** Epoch of the batch's samples (0-based). */
  epoch: number;
  /** Pairs in the batch (N); `views` holds 2N images. */
  size: number;
  /** Side and channels of each view. */
  height: number;
  /** Width of each view. */
  width: number;
  /** Channels of each view (3: RGB, 1: gray). */
  channels: number;
  /** 2N x H x W x C, normalized: the N first views, then the N second views. */
  views: Float32Array;
  /** Sample keys of the N pairs (file names, dataset indices), for messages. */
  keys: string[];
  /** Class labels of the N pairs, when the source has them (`-1`: unknown). */
  labels?: Int32Array;
  /** Global sample indices (for resume and for checking rank splits). */
  indices: Int32Array;
  /**
   * Position in this rank's part of the epoch order just past the batch's last sample, when the
   * pairs carry one: where the epoch's reading continues after this batch (a resume point;
   * past `(j + 1) * size` for the epoch's batch `j` when samples were skipped before it).
   */
  nextPosition?: number;
  /**
   * `performance.now()` (of the thread that runs the training stages) when the batch was
   * complete. The forward stage counts as data wait only the time it was ready for a batch
   * that had not arrived yet; without it, any time between two batches counts.
   */
  readyAt?: number;
}
