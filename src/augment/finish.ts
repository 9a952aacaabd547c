/** The pointwise tail of a view fused into one pass: grayscale, solarize, normalize. */

import { GRAY_WEIGHTS } from "./grayscale.ts";
import type { FloatImage } from "./image.ts";
import { normalize } from "./normalize.ts";

/**
 * In one pass over the pixels: optional grayscale, optional solarize at `threshold`, then
 * normalization; the same values as `toGrayscale`, `solarize` and `normalize` in turn.
 *
 * For example:
 * ```text
 * const img = floatImage(1, 1, 3, new Float32Array([1, 0, 0]));
 * finishView(img, true, 0.5, [0], [1]); // gray 0.299, below 0.5: [0.299, 0.299, 0.299]
 * ```
 */
export function finishView(
  img: FloatImage,
  gray: boolean,
  threshold: number | null,
  mean: readonly number[],
  std: readonly number[],
): FloatImage {
  if (img.channels !== 3 || (!gray && threshold === null)) {
    // 1 channel (grayscale is a no-op) or nothing to fuse: plain passes.
    if (threshold !== null) {
      const d = img.data;
      for (let i = 0; i < d.length; i++) if (d[i] >= threshold) d[i] = 1 - d[i];
    }
    return normalize(img, mean, std);
  }
  const m = mean.length === 1 ? [mean[0], mean[0], mean[0]] : mean;
  const s = std.length === 1 ? [std[0], std[0], std[0]] : std;
  if (m.length !== 3 || s.length !== 3 || s.some((v) => !(v > 0))) return normalize(img, mean, std);
  const m0 = m[0], m1 = m[1], m2 = m[2], i0 = 1 / s[0], i1 = 1 / s[1], i2 = 1 / s[2];
  const [wr, wg, wb] = GRAY_WEIGHTS;
  const t = threshold ?? Infinity;
  const d = img.data;
  for (let i = 0; i < d.length; i += 3) {
    let r = d[i], g = d[i + 1], b = d[i + 2];
    if (gray) {
      // Rounded to float32 as the separate grayscale pass stores it.
      r = g = b = Math.fround(wr * r + wg * g + wb * b);
    }
    if (r >= t) r = Math.fround(1 - r);
    if (g >= t) g = Math.fround(1 - g);
    if (b >= t) b = Math.fround(1 - b);
    d[i] = (r - m0) * i0;
    d[i + 1] = (g - m1) * i1;
    d[i + 2] = (b - m2) * i2;
  }
  return img;
}
