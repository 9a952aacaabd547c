/**
 * Random resized crop parameters, drawn as torchvision's `RandomResizedCrop.get_params`; and
 * SimCLR's evaluation centre crop.
 */

import type { AugmentRng } from "../streams/rng.ts";

/**
 * A crop rectangle in pixels of the source image.
 *
 * For example:
 * ```text
 * const box: CropBox = { top: 10, left: 20, height: 100, width: 120 };
 * ```
 */
export interface CropBox {
  /** First row. */
  top: number;
  /** First column. */
  left: number;
  /** Rows. */
  height: number;
  /** Columns. */
  width: number;
}

/** Python's `round`: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The fallback after 10 failed attempts: the central crop with the aspect clamped to `ratio`
 * (the whole image when its aspect lies within `ratio`).
 *
 * For example:
 * ```text
 * centerCropFallback(100, 10, [3 / 4, 4 / 3]); // { top: 0, left: 43, height: 10, width: 13 }
 * ```
 */
export function centerCropFallback(
  width: number,
  height: number,
  ratio: readonly [number, number],
): CropBox {
  const inRatio = width / height;
  let w: number, h: number;
  if (inRatio < ratio[0]) {
    w = width;
    h = roundHalfEven(w / ratio[0]);
  } else if (inRatio > ratio[1]) {
    h = height;
    w = roundHalfEven(h * ratio[1]);
  } else {
    w = width;
    h = height;
  }
  return {
    top: Math.floor((height - h) / 2),
    left: Math.floor((width - w) / 2),
    height: h,
    width: w,
  };
}

/**
 * Draws a crop whose area is a fraction in `scale` of the image and whose aspect (w/h) is
 * log-uniform in `ratio`: 10 attempts, then {@link centerCropFallback}.
 *
 * For example:
 * ```text
 * const box = sampleCrop(rngFor(1), 256, 256, [0.08, 1], [3 / 4, 4 / 3]);
 * ```
 */
export function sampleCrop(
  rng: AugmentRng,
  width: number,
  height: number,
  scale: readonly [number, number] = [0.08, 1],
  ratio: readonly [number, number] = [3 / 4, 4 / 3],
): CropBox {
  const area = width * height;
  const logLo = Math.log(ratio[0]), logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = roundHalfEven(Math.sqrt(target * aspect));
    const h = roundHalfEven(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      return { top, left, height: h, width: w };
    }
  }
  return centerCropFallback(width, height, ratio);
}

/**
 * SimCLR's evaluation crop (google-research/simclr `data_util.center_crop` for a square output):
 * the central square whose side is `proportion` of the shorter side, rounded half to even
 * (`tf.rint`), offset by `(side - crop + 1) // 2`. ImageNet's standard `proportion` is 0.875.
 *
 * For example:
 * ```text
 * centerCropBox(256, 200, 0.875); // { top: 13, left: 41, height: 175, width: 175 }
 * ```
 */
export function centerCropBox(width: number, height: number, proportion: number): CropBox {
  if (!(proportion > 0 && proportion <= 1)) {
    throw new RangeError(`centre crop: proportion ${proportion} must be in (0, 1]`);
  }
  const side = Math.max(1, roundHalfEven(proportion * Math.min(width, height)));
  return {
    top: Math.floor((height - side + 1) / 2),
    left: Math.floor((width - side + 1) / 2),
    height: side,
    width: side,
  };
}
