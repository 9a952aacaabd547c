/** Float images: allocation with a length check, conversion from bytes, and RawImage checks. */

import type { RawImage } from "../data/sample.ts";
import type { FloatImage } from "./image.ts";

/**
 * A float image over `data` (allocated when omitted), checking the length.
 *
 * For example:
 * ```text
 * const img = floatImage(2, 2, 3); // 2x2 RGB, zeros
 * ```
 */
export function floatImage(
  width: number,
  height: number,
  channels: 1 | 3,
  data?: Float32Array,
): FloatImage {
  const n = width * height * channels;
  if (data && data.length !== n) {
    throw new RangeError(
      `floatImage: data has ${data.length} values but ${width}x${height}x${channels} needs ${n}`,
    );
  }
  return { width, height, channels, data: data ?? new Float32Array(n) };
}

/**
 * Bytes to floats in [0, 1] (value / 255), same layout.
 *
 * For example:
 * ```text
 * const img = toFloatImage({ key: "k", width: 1, height: 1, channels: 1, data: new Uint8Array([255]) });
 * console.assert(img.data[0] === 1);
 * ```
 */
export function toFloatImage(raw: RawImage): FloatImage {
  checkRawImage(raw);
  const out = floatImage(raw.width, raw.height, raw.channels);
  const src = raw.data, dst = out.data;
  for (let i = 0; i < src.length; i++) dst[i] = src[i] / 255;
  return out;
}

/**
 * Throws a message naming the problem when a RawImage's fields disagree.
 *
 * For example:
 * ```text
 * checkRawImage({ key: "k", width: 2, height: 2, channels: 3, data: new Uint8Array(12) }); // ok
 * ```
 */
export function checkRawImage(raw: RawImage): void {
  const { width, height, channels, data } = raw;
  if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`image '${raw.key}': width and height must be positive integers`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(
      `image '${raw.key}': ${channels} channels; augmentation takes 1 (gray) or 3 (RGB): ` +
        `drop the alpha channel when decoding`,
    );
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `image '${raw.key}': data has ${data.length} bytes, ` +
        `${width}x${height}x${channels} needs ${width * height * channels}`,
    );
  }
}
