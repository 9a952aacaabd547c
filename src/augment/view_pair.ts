/**
 * Two augmented views of one image, ready for the encoder.
 *
 * @example
 * ```ts
 * const pair: ViewPair = pairedViews("simclr-cifar", 0)(image, 0, 0);
 * pair.view1.length === pair.size * pair.size * pair.channels; // true
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
