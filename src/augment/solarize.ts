/** Solarization. */

import type { FloatImage } from "./image.ts";

/**
 * Inverts (`1 - x`) every value at or above `threshold`, in place.
 *
 * For example:
 * ```text
 * solarize(floatImage(2, 1, 1, new Float32Array([0.25, 0.75])), 0.5); // [0.25, 0.25]
 * ```
 */
export function solarize(img: FloatImage, threshold = 0.5): FloatImage {
  const d = img.data;
  for (let i = 0; i < d.length; i++) if (d[i] >= threshold) d[i] = 1 - d[i];
  return img;
}
