/** Horizontal flip. */

import type { FloatImage } from "./image.ts";

/**
 * Mirrors the image left-right, in place.
 *
 * For example:
 * ```text
 * const img = floatImage(2, 1, 1, new Float32Array([1, 2]));
 * hflip(img); // data is now [2, 1]
 * ```
 */
export function hflip(img: FloatImage): FloatImage {
  const { width, height, channels: C, data } = img;
  const rowLen = width * C;
  for (let y = 0; y < height; y++) {
    let a = y * rowLen, b = a + rowLen - C;
    for (; a < b; a += C, b -= C) {
      for (let c = 0; c < C; c++) {
        const t = data[a + c];
        data[a + c] = data[b + c];
        data[b + c] = t;
      }
    }
  }
  return img;
}
