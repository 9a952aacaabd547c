/**
 * Per-dimension standardization of feature rows with statistics from a training set (private
 * to the package; the statistics' type is `Standardizer` in `standardize.ts`).
 */
import type { Standardizer } from "./standardize.ts";

/**
 * Mean and standard deviation of each of the `dim` columns of `count` rows (float64 sums).
 * A (near-)constant column gets std 1 so it maps to 0.
 */
export function fitStandardizer(features: Float32Array, count: number, dim: number): Standardizer {
  const sum = new Float64Array(dim);
  for (let r = 0; r < count; r++) {
    for (let j = 0, o = r * dim; j < dim; j++) sum[j] += features[o + j];
  }
  const mean = new Float64Array(dim);
  for (let j = 0; j < dim; j++) mean[j] = sum[j] / Math.max(count, 1);
  const sq = new Float64Array(dim);
  for (let r = 0; r < count; r++) {
    for (let j = 0, o = r * dim; j < dim; j++) {
      const c = features[o + j] - mean[j];
      sq[j] += c * c;
    }
  }
  const std = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    const v = Math.sqrt(sq[j] / Math.max(count, 1));
    std[j] = v > 1e-6 * Math.max(1, Math.abs(mean[j])) ? v : 1;
  }
  return { mean: Float32Array.from(mean), std };
}

/**
 * `(x - mean) / std` for each of `count` rows, into a new array.
 */
export function applyStandardizer(
  st: Standardizer,
  features: Float32Array,
  count: number,
): Float32Array {
  const dim = st.mean.length;
  const out = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    for (let j = 0, o = r * dim; j < dim; j++) {
      out[o + j] = (features[o + j] - st.mean[j]) / st.std[j];
    }
  }
  return out;
}
