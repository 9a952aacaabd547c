/** The region of an image the evaluation view resizes, and a line describing the view. */

import { centerCropBox, type CropBox } from "./crop.ts";
import type { EvalCrop, EvalViewSpec } from "./eval_view.ts";

/** Default share of the shorter side a centre crop keeps (ImageNet's standard 0.875). */
export const DEFAULT_CROP_PROPORTION = 0.875;

/**
 * The region of a `width` x `height` image that evaluation resizes to `size` x `size`.
 *
 * For example:
 * ```text
 * evalCropBox(500, 375, 224, "simclr", 0.875); // { top: 24, left: 86, height: 328, width: 328 }
 * ```
 */
export function evalCropBox(
  width: number,
  height: number,
  size: number,
  crop: EvalCrop = "whole",
  proportion: number = DEFAULT_CROP_PROPORTION,
): CropBox {
  switch (crop) {
    case "whole":
      return { top: 0, left: 0, width, height };
    case "center":
      return centerCropBox(width, height, proportion);
    case "simclr":
      return size > 32
        ? centerCropBox(width, height, proportion)
        : { top: 0, left: 0, width, height };
    default:
      throw new RangeError(`eval crop '${crop}' must be whole, center or simclr`);
  }
}

/**
 * One line saying what {@link evalView} does with `spec`, for metadata and logs.
 *
 * For example:
 * ```text
 * describeEvalView({ size: 224, mean: [0.5], std: [0.5], crop: "simclr" });
 * // "the central square of 0.875 of the shorter side resized to 224x224 ..."
 * ```
 */
export function describeEvalView(spec: EvalViewSpec): string {
  const S = spec.size, p = spec.cropProportion ?? DEFAULT_CROP_PROPORTION;
  const crop = spec.crop ?? "whole";
  const center = p === 1
    ? "the centred square (side = the shorter side)"
    : `the central square of ${p} of the shorter side (centred, offsets rounded up)`;
  const region = crop === "whole" || (crop === "simclr" && S <= 32)
    ? "the whole image (aspect not kept)"
    : center;
  return `${region} resized to ${S}x${S} (bilinear, antialiased when shrinking); ` +
    "values (pixel / 255 - mean) / std per channel";
}
