/**
 * The evaluation transform: the central square of an image (side = its shorter side), resized
 * to the model's input size with the antialiasing bilinear filter, then normalized. No
 * randomness: the same image always gives the same values.
 */

import type { RawImage } from "../data/sample.ts";
import type { CropBox } from "./crop.ts";
import { finishView } from "./finish.ts";
import { type FloatImage, floatImage } from "./image.ts";
import { resizedCrop, ResizeWorkspace } from "./resize.ts";

/**
 * Size and normalization of an evaluation view (a resolved `AugmentSpec` fits).
 *
 * @example
 * ```ts
 * const spec: EvalViewSpec = { size: 28, mean: [0.286], std: [0.353] };
 * ```
 */
export interface EvalViewSpec {
  /** Output side in pixels. */
  size: number;
  /** Normalization mean per channel (or one for all), on the 0..1 scale. */
  mean: readonly number[];
  /** Normalization std per channel (or one for all), on the 0..1 scale. */
  std: readonly number[];
}

/**
 * The centred square of a `width x height` image: side `min(width, height)`, offset
 * `floor((longer - shorter) / 2)` along the longer axis.
 *
 * @example
 * ```ts
 * centerSquare(40, 30); // { top: 0, left: 5, width: 30, height: 30 }
 * ```
 */
export function centerSquare(width: number, height: number): CropBox {
  const side = Math.min(width, height);
  return {
    top: Math.floor((height - side) / 2),
    left: Math.floor((width - side) / 2),
    width: side,
    height: side,
  };
}

/**
 * The evaluation view of `image`: its centred square resized to `spec.size` (resize the shorter
 * side, centre crop), values `(pixel / 255 - mean) / std`. Writes into `out` when given (its
 * `data` must hold `size * size * channels` values). For a square image it is the whole image
 * resized.
 *
 * @example
 * ```ts
 * const view = evalView(image, { size: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
 * ```
 */
export function evalView(
  image: RawImage,
  spec: EvalViewSpec,
  out?: Float32Array,
  ws: ResizeWorkspace = new ResizeWorkspace(),
): FloatImage {
  const S = spec.size;
  const dst = floatImage(S, S, image.channels, out);
  resizedCrop(image, centerSquare(image.width, image.height), S, dst, false, ws);
  return finishView(dst, false, null, spec.mean, spec.std);
}
