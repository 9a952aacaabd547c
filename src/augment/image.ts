/** The working image of the augmentation: float HWC pixels, 0..1 before normalization. */

/**
 * Float pixels, row-major HWC; transforms change `data` in place.
 *
 * @example The evaluation view is a float image
 * ```ts
 * import assert from "node:assert/strict";
 * import { evalView, type FloatImage } from "@simclr/streams/augment";
 *
 * const image = { key: "g", width: 2, height: 2, channels: 1 as const, data: new Uint8Array(4) };
 * const view: FloatImage = evalView(image, { size: 3, mean: [0], std: [1] });
 * assert.deepEqual([view.width, view.height, view.channels], [3, 3, 1]);
 * assert.equal(view.data.length, 9);
 * ```
 */
export interface FloatImage {
  /** Columns. */
  width: number;
  /** Rows. */
  height: number;
  /** 1 (gray) or 3 (RGB). */
  channels: 1 | 3;
  /** `height * width * channels` values. */
  data: Float32Array;
}
