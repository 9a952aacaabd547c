/**
 * Brightness, contrast and saturation, defined as torchvision does for float images: a blend
 * `factor * img + (1 - factor) * other`, clamped to [0, 1], where `other` is black, the mean
 * luma, or the per-pixel luma; and SimCLR v1's additive brightness.
 */

import { GRAY_WEIGHTS, meanLuma } from "./grayscale.ts";
import type { FloatImage } from "./image.ts";

/**
 * Multiplies every value by `factor` (blend toward black), clamped to [0, 1], in place.
 *
 * For example:
 * ```text
 * adjustBrightness(floatImage(1, 1, 1, new Float32Array([0.4])), 1.5); // [0.6]
 * ```
 */
export function adjustBrightness(img: FloatImage, factor: number): FloatImage {
  const d = img.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i] * factor;
    d[i] = v > 1 ? 1 : v < 0 ? 0 : v;
  }
  return img;
}

/**
 * Adds `delta` to every value, clamped to [0, 1], in place: SimCLR v1's brightness
 * (`tf.image.random_brightness`, then the clip its colour jitter applies after each op).
 *
 * For example:
 * ```text
 * shiftBrightness(floatImage(1, 1, 1, new Float32Array([0.4])), -0.5); // [0]
 * ```
 */
export function shiftBrightness(img: FloatImage, delta: number): FloatImage {
  const d = img.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i] + delta;
    d[i] = v > 1 ? 1 : v < 0 ? 0 : v;
  }
  return img;
}

/**
 * Blends toward the mean of the grayscale image, clamped to [0, 1], in place.
 *
 * For example:
 * ```text
 * adjustContrast(floatImage(2, 1, 1, new Float32Array([0, 1])), 0.5); // [0.25, 0.75]
 * ```
 */
export function adjustContrast(img: FloatImage, factor: number): FloatImage {
  const d = img.data;
  const bias = (1 - factor) * meanLuma(img);
  for (let i = 0; i < d.length; i++) {
    const v = factor * d[i] + bias;
    d[i] = v > 1 ? 1 : v < 0 ? 0 : v;
  }
  return img;
}

/**
 * Blends each RGB pixel toward its own luma, clamped to [0, 1], in place; 1-channel images
 * are unchanged.
 *
 * For example:
 * ```text
 * adjustSaturation(floatImage(1, 1, 3, new Float32Array([1, 0, 0])), 0); // all 0.299
 * ```
 */
export function adjustSaturation(img: FloatImage, factor: number): FloatImage {
  if (img.channels !== 3) return img;
  const d = img.data;
  const [wr, wg, wb] = GRAY_WEIGHTS;
  const keep = 1 - factor;
  for (let i = 0; i < d.length; i += 3) {
    const r = d[i], g = d[i + 1], b = d[i + 2];
    const l = keep * (wr * r + wg * g + wb * b);
    let v = factor * r + l;
    d[i] = v > 1 ? 1 : v < 0 ? 0 : v;
    v = factor * g + l;
    d[i + 1] = v > 1 ? 1 : v < 0 ? 0 : v;
    v = factor * b + l;
    d[i + 2] = v > 1 ? 1 : v < 0 ? 0 : v;
  }
  return img;
}
