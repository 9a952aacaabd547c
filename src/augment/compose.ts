/** Composing random transforms, for pipelines built from the single transforms. */

import type { FloatImage } from "./image.ts";
import type { AugmentRng } from "../streams/rng.ts";

/**
 * An in-place transform that may draw from the generator.
 *
 * @example
 * ```ts
 * const blur: Transform = (img, rng) => gaussianBlur(img, rng.uniform(0.1, 2), 3);
 * ```
 */
export type Transform = (img: FloatImage, rng: AugmentRng) => void;

/**
 * Applies transforms in order.
 *
 * @example
 * ```ts
 * const t = compose((img) => hflip(img), (img) => toGrayscale(img));
 * t(img, rngFor(0));
 * ```
 */
export function compose(...transforms: Transform[]): Transform {
  return (img, rng) => {
    for (const t of transforms) t(img, rng);
  };
}

/**
 * Applies `transform` with probability `p` (one draw, then the transform's own draws).
 *
 * @example
 * ```ts
 * const maybeGray = randomApply((img) => toGrayscale(img), 0.2);
 * ```
 */
export function randomApply(transform: Transform, p: number): Transform {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`randomApply: p ${p} must be in [0, 1]`);
  return (img, rng) => {
    if (rng.chance(p)) transform(img, rng);
  };
}
