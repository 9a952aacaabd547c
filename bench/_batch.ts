/** A synthetic training batch of 32x32x3 views for the step benchmarks. */
import type { Batch } from "../src/train/batch.ts";

/** `pairs` pairs (2 x pairs views, 32x32x3) holding `views`, as micro-batch `microStep`. */
export function syntheticBatch(views: Float32Array, pairs: number, microStep = 0): Batch {
  if (views.length !== 2 * pairs * 32 * 32 * 3) {
    throw new RangeError(`syntheticBatch: ${views.length} values for ${pairs} pairs of 32x32x3`);
  }
  return {
    microStep,
    epoch: 0,
    size: pairs,
    height: 32,
    width: 32,
    channels: 3,
    views,
    keys: [],
    indices: new Int32Array(pairs),
  };
}
