/**
 * Two augmented views of one image, ready for the encoder: what {@link pairedViews}' mapper
 * returns and the batching stage stacks into the two halves of a training batch.
 *
 * @example Read a pair's layout
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairedViews, type ViewPair } from "@simclr/streams/augment";
 *
 * const image = {
 *   key: "img0",
 *   width: 6,
 *   height: 4,
 *   channels: 3 as const,
 *   data: Uint8Array.from({ length: 6 * 4 * 3 }, (_, i) => (i * 37) % 256),
 *   label: 2,
 * };
 * const pair: ViewPair = pairedViews({ preset: "simclr-cifar", size: 8 }, 0)(image, 0, 5);
 * assert.equal(pair.view1.length, pair.size * pair.size * pair.channels);
 * assert.deepEqual([pair.key, pair.label, pair.epoch, pair.index], ["img0", 2, 0, 5]);
 * ```
 */
export interface ViewPair {
  /** The source image's key. */
  key: string;
  /** Output side in pixels (views are square). */
  size: number;
  /** Channels of each view (those of the source image). */
  channels: 1 | 3;
  /** First view, normalized, HWC `size * size * channels`. */
  view1: Float32Array;
  /** Second view, same layout. */
  view2: Float32Array;
  /** The source image's label, when known. */
  label?: number;
  /** Global index of the sample in its epoch's order, and the epoch: the RNG key. */
  index: number;
  /** Epoch of this pair. */
  epoch: number;
  /**
   * The source sample's position in this rank's part of its epoch order, when it was read in
   * one (the training input sets it): where a resume continues the epoch after this pair.
   */
  position?: number;
}
