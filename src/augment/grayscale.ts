/** Grayscale conversion with ITU-R 601 luma weights (as PIL and torchvision). */

import type { FloatImage } from "./image.ts";

/**
 * Luma weights of red, green and blue.
 *
 * For example:
 * ```text
 * const [wr, wg, wb] = GRAY_WEIGHTS; // 0.299, 0.587, 0.114
 * ```
 */
export const GRAY_WEIGHTS: readonly [number, number, number] = [0.299, 0.587, 0.114];

/**
 * Replaces every channel of an RGB image by its luma, in place (1-channel images are left
 * as they are): the three channels stay, as torchvision's `RandomGrayscale` keeps them.
 *
 * For example:
 * ```text
 * const img = floatImage(1, 1, 3, new Float32Array([1, 0, 0]));
 * toGrayscale(img); // [0.299, 0.299, 0.299]
 * ```
 */
export function toGrayscale(img: FloatImage): FloatImage {
  if (img.channels !== 3) return img;
  const d = img.data;
  const [wr, wg, wb] = GRAY_WEIGHTS;
  for (let i = 0; i < d.length; i += 3) {
    const l = wr * d[i] + wg * d[i + 1] + wb * d[i + 2];
    d[i] = l;
    d[i + 1] = l;
    d[i + 2] = l;
  }
  return img;
}

/**
 * The mean luma of an image (the mean value for 1-channel images): the centre that contrast
 * blends toward.
 *
 * For example:
 * ```text
 * meanLuma(floatImage(1, 1, 3, new Float32Array([0, 1, 0]))); // 0.587
 * ```
 */
export function meanLuma(img: FloatImage): number {
  const d = img.data;
  let s = 0;
  if (img.channels === 3) {
    const [wr, wg, wb] = GRAY_WEIGHTS;
    for (let i = 0; i < d.length; i += 3) s += wr * d[i] + wg * d[i + 1] + wb * d[i + 2];
    return s / (d.length / 3);
  }
  for (let i = 0; i < d.length; i++) s += d[i];
  return s / d.length;
}
