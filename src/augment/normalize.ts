/** Per-channel normalization and its inverse (for showing views). */

import type { FloatImage } from "./image.ts";

function perChannel(name: string, values: readonly number[], channels: number): number[] {
  if (values.length === channels) return [...values];
  if (values.length === 1) return new Array(channels).fill(values[0]);
  throw new RangeError(
    `normalize: ${name} has ${values.length} values for a ${channels}-channel image: ` +
      `give 1 or ${channels} (a 1-channel preset such as 'simclr-gray' for gray data)`,
  );
}

/**
 * `(x - mean[c]) / std[c]`, in place; `mean` and `std` hold one value per channel (or one).
 *
 * For example:
 * ```text
 * normalize(floatImage(1, 1, 1, new Float32Array([0.75])), [0.5], [0.25]); // [1]
 * ```
 */
export function normalize(
  img: FloatImage,
  mean: readonly number[],
  std: readonly number[],
): FloatImage {
  const C = img.channels;
  const m = perChannel("mean", mean, C), s = perChannel("std", std, C);
  if (s.some((v) => !(v > 0))) throw new RangeError(`normalize: std ${s} must be > 0`);
  const d = img.data;
  if (C === 3) {
    const m0 = m[0], m1 = m[1], m2 = m[2];
    const i0 = 1 / s[0], i1 = 1 / s[1], i2 = 1 / s[2];
    for (let i = 0; i < d.length; i += 3) {
      d[i] = (d[i] - m0) * i0;
      d[i + 1] = (d[i + 1] - m1) * i1;
      d[i + 2] = (d[i + 2] - m2) * i2;
    }
  } else {
    const m0 = m[0], i0 = 1 / s[0];
    for (let i = 0; i < d.length; i++) d[i] = (d[i] - m0) * i0;
  }
  return img;
}

/**
 * Undoes {@link normalize} and converts to bytes: `round(clamp(x * std + mean, 0, 1) * 255)`.
 *
 * For example:
 * ```text
 * denormalize(new Float32Array([1]), 1, [0.5], [0.25]); // Uint8Array [191]
 * ```
 */
export function denormalize(
  view: Float32Array,
  channels: 1 | 3,
  mean: readonly number[],
  std: readonly number[],
  out: Uint8Array = new Uint8Array(view.length),
): Uint8Array {
  const m = perChannel("mean", mean, channels), s = perChannel("std", std, channels);
  for (let i = 0; i < view.length; i++) {
    const c = i % channels;
    const v = view[i] * s[c] + m[c];
    out[i] = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
  }
  return out;
}
