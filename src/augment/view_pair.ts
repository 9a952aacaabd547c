/** Two augmented views of one image, ready for the encoder. */
export interface ViewPair {
  key: string;
  /** Output side in pixels (views are square). */
  size: number;
  channels: 1 | 3;
  /** First view, normalized, HWC `size * size * channels`. */
  view1: Float32Array;
  /** Second view, same layout. */
  view2: Float32Array;
  label?: number;
  /** Global index of the sample in its epoch's order, and the epoch: the RNG key. */
  index: number;
  epoch: number;
}
