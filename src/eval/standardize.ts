/** The statistics of a per-dimension standardization (fitting and applying: `_standardize.ts`). */

/**
 * Per-dimension mean and standard deviation (a {@link LinearProbe} carries its training set's).
 *
 * @example The statistics a probe standardizes with
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type FeatureSet, type Standardizer, trainLinearProbe } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 10, 3, 10, 1, 20, 3, 20), labels: Int32Array.of(0, 0, 1, 1), dim: 2, count: 4,
 * };
 * const st: Standardizer = await trainLinearProbe(train);
 * assert.deepEqual([...st.mean], [2, 15]);
 * assert.deepEqual([...st.std], [1, 5]);
 * ```
 */
export interface Standardizer {
  /** Mean of each feature over the training rows. */
  mean: Float32Array;
  /** Standard deviation of each feature (1 where it is (near-)constant). */
  std: Float32Array;
}
