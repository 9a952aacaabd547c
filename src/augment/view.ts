/** One augmented view: the transforms fused over a single output buffer. */

import type { RawImage } from "../data/sample.ts";
import { blurKernelSize, BlurWorkspace, gaussianBlur } from "./blur.ts";
import { toGrayscale } from "./grayscale.ts";
import { checkRawImage, floatImage } from "./_image.ts";
import type { FloatImage } from "./image.ts";
import { colorJitter } from "./jitter.ts";
import { finishView } from "./finish.ts";
import { sampleViewParams, type ViewParams } from "./params.ts";
import type { AugmentSpec } from "./presets.ts";
import { resizedCrop, ResizeWorkspace } from "./resize.ts";
import type { AugmentRng } from "../streams/rng.ts";

/**
 * Scratch buffers reused across views (one per worker).
 *
 * For example:
 * ```text
 * const ws = new ViewWorkspace();
 * const view = augmentView(image, spec, rngFor(0, 0, 1), undefined, ws);
 * ```
 */
export class ViewWorkspace {
  /** Scratch of the crop-resize. */
  resize: ResizeWorkspace = new ResizeWorkspace();
  /** Scratch of the blur. */
  blur: BlurWorkspace = new BlurWorkspace();
}

/**
 * Renders one view with given parameters into `out` (`size * size * channels` floats):
 * crop+resize (+flip, fused), jitter, grayscale, blur, solarize, normalize.
 *
 * For example:
 * ```text
 * const spec = resolveAugment("simclr-cifar");
 * const params = sampleViewParams(rngFor(1), spec, image.width, image.height);
 * const view = renderView(image, params, spec);
 * ```
 */
export function renderView(
  image: RawImage,
  params: ViewParams,
  spec: AugmentSpec,
  out?: Float32Array,
  ws: ViewWorkspace = new ViewWorkspace(),
): Float32Array {
  const size = spec.size;
  const img: FloatImage = floatImage(size, size, image.channels, out);
  resizedCrop(image, params.crop, size, img, params.flip, ws.resize);
  if (params.jitter) colorJitter(img, params.jitter);
  const k = params.blurSigma > 0 ? blurKernelSize(size, spec.blur.kernelFraction) : 1;
  let gray = params.grayscale;
  if (k > 1) {
    if (gray) toGrayscale(img);
    gray = false;
    gaussianBlur(img, params.blurSigma, k, ws.blur);
  }
  // Grayscale (when no blur comes between), solarize and normalize share one pass.
  finishView(img, gray, params.solarize ? spec.solarize.threshold : null, spec.mean, spec.std);
  return img.data;
}

/**
 * Draws parameters from `rng` and renders the view.
 *
 * For example:
 * ```text
 * const view = augmentView(image, resolveAugment("simclr-v1"), rngFor(7, 0, 0));
 * ```
 */
export function augmentView(
  image: RawImage,
  spec: AugmentSpec,
  rng: AugmentRng,
  out?: Float32Array,
  ws?: ViewWorkspace,
): Float32Array {
  checkRawImage(image);
  const params = sampleViewParams(rng, spec, image.width, image.height);
  return renderView(image, params, spec, out, ws);
}
