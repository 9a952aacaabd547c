/** Drawing every random choice of one view up front, so a view can be replayed from its parameters. */

import { type CropBox, sampleCrop } from "./crop.ts";
import { type JitterParams, sampleJitter } from "./jitter.ts";
import type { AugmentSpec } from "./presets.ts";
import type { AugmentRng } from "../streams/rng.ts";

/**
 * The random choices of one view; `null` / `false` / 0 mean "not applied".
 *
 * For example:
 * ```text
 * const p: ViewParams = {
 *   crop: { top: 0, left: 0, height: 32, width: 32 },
 *   flip: true, jitter: null, grayscale: false, blurSigma: 0, solarize: false,
 * };
 * ```
 */
export interface ViewParams {
  /** The region of the source to resize to the output size. */
  crop: CropBox;
  /** Mirror left-right. */
  flip: boolean;
  /** Colour jitter, or null when not applied. */
  jitter: JitterParams | null;
  /** Convert to grayscale. */
  grayscale: boolean;
  /** Blur sigma, 0 when no blur. */
  blurSigma: number;
  /** Solarize at the spec's threshold. */
  solarize: boolean;
}

/**
 * Draws a view's parameters for a `width` x `height` source, in pipeline order: crop, flip,
 * jitter (coin, then order and factors), grayscale, blur (coin, then sigma), solarize.
 *
 * For example:
 * ```text
 * const p = sampleViewParams(rngFor(0, 0, 5), resolveAugment("simclr-cifar"), 32, 32);
 * ```
 */
export function sampleViewParams(
  rng: AugmentRng,
  spec: AugmentSpec,
  width: number,
  height: number,
): ViewParams {
  const crop = sampleCrop(rng, width, height, spec.crop.scale, spec.crop.ratio);
  const flip = rng.chance(spec.flip);
  const jitter = rng.chance(spec.jitter.p) ? sampleJitter(rng, spec.jitter) : null;
  const grayscale = rng.chance(spec.grayscale);
  const blurSigma = rng.chance(spec.blur.p)
    ? rng.uniform(spec.blur.sigma[0], spec.blur.sigma[1])
    : 0;
  const solarize = rng.chance(spec.solarize.p);
  return { crop, flip, jitter, grayscale, blurSigma, solarize };
}
