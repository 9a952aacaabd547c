/**
 * The random transforms as {@link Transform} values, for pipelines composed by hand with
 * `compose`. Each draws its coin, then its parameters, from the generator it is given.
 */

import { gaussianBlur } from "./blur.ts";
import type { Transform } from "./compose.ts";
import { hflip } from "./flip.ts";
import { toGrayscale } from "./grayscale.ts";
import { colorJitter, type JitterStrength, sampleJitter } from "./jitter.ts";
import { solarize } from "./solarize.ts";

function checkP(name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name}: p ${p} must be in [0, 1]`);
}

/**
 * Flips left-right with probability `p`.
 *
 * @example
 * ```ts
 * randomFlip(0.5)(img, rngFor(1));
 * ```
 */
export function randomFlip(p = 0.5): Transform {
  checkP("randomFlip", p);
  return (img, rng) => {
    if (rng.chance(p)) hflip(img);
  };
}

/**
 * With probability `p`, colour jitter with factors and order drawn as torchvision does.
 *
 * @example
 * ```ts
 * randomColorJitter({ brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2 }, 0.8)(img, rng);
 * ```
 */
export function randomColorJitter(strength: JitterStrength, p = 0.8): Transform {
  checkP("randomColorJitter", p);
  return (img, rng) => {
    if (rng.chance(p)) colorJitter(img, sampleJitter(rng, strength));
  };
}

/**
 * Converts to grayscale with probability `p`.
 *
 * @example
 * ```ts
 * randomGrayscale(0.2)(img, rng);
 * ```
 */
export function randomGrayscale(p = 0.2): Transform {
  checkP("randomGrayscale", p);
  return (img, rng) => {
    if (rng.chance(p)) toGrayscale(img);
  };
}

/**
 * With probability `p`, a Gaussian blur of `kernelSize` taps and sigma uniform in `sigma`.
 *
 * @example
 * ```ts
 * randomBlur(blurKernelSize(224), [0.1, 2], 0.5)(img, rng);
 * ```
 */
export function randomBlur(
  kernelSize: number,
  sigma: readonly [number, number] = [0.1, 2],
  p = 0.5,
): Transform {
  checkP("randomBlur", p);
  return (img, rng) => {
    if (rng.chance(p)) gaussianBlur(img, rng.uniform(sigma[0], sigma[1]), kernelSize);
  };
}

/**
 * Solarizes at `threshold` with probability `p`.
 *
 * @example
 * ```ts
 * randomSolarize(0.5, 0.2)(img, rng);
 * ```
 */
export function randomSolarize(threshold = 0.5, p = 0.2): Transform {
  checkP("randomSolarize", p);
  return (img, rng) => {
    if (rng.chance(p)) solarize(img, threshold);
  };
}
