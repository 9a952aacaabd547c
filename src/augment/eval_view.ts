/**
 * The evaluation transform: a deterministic crop of the image (`whole`, a centre crop, or
 * google-research/simclr's rule), resized to the model's input size with the antialiasing
 * bilinear filter, then normalized. No randomness: the same image always gives the same values.
 * Evaluation, `embed`, `neighbors --query` and the TF.js export's metadata all use it.
 */

import type { RawImage } from "../data/sample.ts";
import { evalCropBox } from "./_eval_crop.ts";
import { finishView } from "./finish.ts";
import { floatImage } from "./_image.ts";
import type { FloatImage } from "./image.ts";
import { resizedCrop, ResizeWorkspace } from "./resize.ts";

/**
 * What part of an image is evaluated. `whole`: the whole image resized to S x S (its aspect is
 * not kept). `center`: the central square of `cropProportion` of the shorter side, resized to
 * S x S (`cropProportion: 1` is the centred square). `simclr`: google-research/simclr's rule,
 * `center` when S > 32, else `whole` (its CIFAR images are already S x S).
 *
 * @example A centre crop keeps the middle of the image
 * ```ts
 * import assert from "node:assert/strict";
 * import { type EvalCrop, evalView } from "@simclr/streams/augment";
 *
 * // 4x1 gray image 0, 100, 200, 250: the centred square of the shorter side is 1 pixel wide
 * const image = { key: "row", width: 4, height: 1, channels: 1 as const, data: Uint8Array.of(0, 100, 200, 250) };
 * const crop: EvalCrop = "center";
 * const view = evalView(image, { size: 1, mean: [0], std: [1], crop, cropProportion: 1 });
 * assert.equal(Math.round(view.data[0] * 255), 200); // the centre column, offsets rounded up
 * ```
 */
export type EvalCrop = "whole" | "center" | "simclr";

/**
 * Size, normalization and crop of an evaluation view (a resolved `AugmentSpec` plus the crop
 * fits).
 *
 * @example Fashion-MNIST's evaluation view
 * ```ts
 * import assert from "node:assert/strict";
 * import { evalView, type EvalViewSpec } from "@simclr/streams/augment";
 *
 * const spec: EvalViewSpec = { size: 28, mean: [0.286], std: [0.353] };
 * const image = { key: "x", width: 28, height: 28, channels: 1 as const, data: new Uint8Array(784).fill(255) };
 * const view = evalView(image, spec);
 * assert.ok(Math.abs(view.data[0] - (1 - 0.286) / 0.353) < 1e-5);
 * ```
 */
export interface EvalViewSpec {
  /** Output side in pixels. */
  size: number;
  /** Normalization mean per channel (or one for all), on the 0..1 scale. */
  mean: readonly number[];
  /** Normalization std per channel (or one for all), on the 0..1 scale. */
  std: readonly number[];
  /** Which part of the image (default `whole`): see {@link EvalCrop}. */
  crop?: EvalCrop;
  /** Share of the shorter side a centre crop keeps (default 0.875, ImageNet's standard). */
  cropProportion?: number;
}

/**
 * The evaluation view of `image`: the region `crop` picks, resized to `spec.size`,
 * values `(pixel / 255 - mean) / std`. Writes into `out` when given (it must hold
 * `size * size * channels` values).
 *
 * Evaluation, `embed`, `neighbors --query` and the TF.js export's metadata use it.
 *
 * @param image An 8-bit HWC image (gray or RGB).
 * @param spec Size, normalization and crop.
 * @param out Where to write the values (allocated when omitted).
 * @param ws Reusable scratch of the resize.
 * @returns The view, `spec.size` square with the image's channels.
 * @throws {RangeError} For an unknown crop, or an `out` of the wrong length.
 *
 * @example A deterministic, normalized view
 * ```ts
 * import assert from "node:assert/strict";
 * import { evalView } from "@simclr/streams/augment";
 *
 * const image = { key: "x", width: 8, height: 6, channels: 3 as const, data: new Uint8Array(8 * 6 * 3).fill(51) };
 * const spec = { size: 4, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
 * const view = evalView(image, spec);
 * assert.equal(view.data.length, 4 * 4 * 3);
 * assert.ok(view.data.every((v) => Math.abs(v - (0.2 - 0.5) / 0.5) < 1e-6));
 * assert.deepEqual(evalView(image, spec).data, view.data);
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
  const box = evalCropBox(image.width, image.height, S, spec.crop, spec.cropProportion);
  resizedCrop(image, box, S, dst, false, ws);
  return finishView(dst, false, null, spec.mean, spec.std);
}
