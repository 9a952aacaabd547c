/**
 * Colour jitter as torchvision's `ColorJitter`: four adjustments in a random order. Brightness
 * is multiplicative (torchvision; SimCLR v2's code, `impl='simclrv2'`) or additive (SimCLR v1's
 * code, `tf.image.random_brightness`).
 */

import { adjustBrightness, adjustContrast, adjustSaturation, shiftBrightness } from "./adjust.ts";
import { adjustHue } from "./hue.ts";
import type { FloatImage } from "./image.ts";
import type { AugmentRng } from "../streams/rng.ts";
import type { JitterStrength } from "./presets.ts";

/**
 * The adjustments of one jitter, in the order to apply them.
 *
 * For example:
 * ```text
 * const op: JitterOp = "hue";
 * ```
 */
export type JitterOp = "brightness" | "contrast" | "saturation" | "hue";

/**
 * Drawn jitter parameters: the order and each factor (absent ones are skipped).
 *
 * For example:
 * ```text
 * const p: JitterParams = { order: ["contrast", "brightness"], brightness: 1.2, contrast: 0.7 };
 * ```
 */
export interface JitterParams {
  /** The adjustments to apply, in this order. */
  order: JitterOp[];
  /** Brightness factor (a delta when `brightnessMode` is `add`). */
  brightness?: number;
  /** Present (`add`) when `brightness` is an additive delta. */
  brightnessMode?: "add";
  /** Contrast factor. */
  contrast?: number;
  /** Saturation factor. */
  saturation?: number;
  /** Hue shift in turns. */
  hue?: number;
}

const OPS: readonly JitterOp[] = ["brightness", "contrast", "saturation", "hue"];

/**
 * Draws the order (a random permutation) and then the factors, as torchvision does.
 *
 * For example:
 * ```text
 * const p = sampleJitter(rngFor(3), { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2 });
 * ```
 */
export function sampleJitter(rng: AugmentRng, s: JitterStrength): JitterParams {
  if (s.hue < 0 || s.hue > 0.5) {
    throw new RangeError(`colour jitter: hue ${s.hue} must lie in [0, 0.5]`);
  }
  const perm = rng.permutation(4);
  const p: JitterParams = { order: [] };
  const add = s.brightnessMode === "add";
  if (s.brightnessMode !== undefined && !add && s.brightnessMode !== "multiply") {
    throw new RangeError(
      `colour jitter: brightnessMode '${s.brightnessMode}' must be multiply or add`,
    );
  }
  for (const op of ["brightness", "contrast", "saturation"] as const) {
    const x = s[op];
    if (x < 0) throw new RangeError(`colour jitter: ${op} ${x} must be >= 0`);
    if (x > 0) {
      p[op] = op === "brightness" && add
        ? rng.uniform(-x, x)
        : rng.uniform(Math.max(0, 1 - x), 1 + x);
    }
  }
  if (add && p.brightness !== undefined) p.brightnessMode = "add";
  if (s.hue > 0) p.hue = rng.uniform(-s.hue, s.hue);
  for (const i of perm) if (p[OPS[i]] !== undefined) p.order.push(OPS[i]);
  return p;
}

/**
 * Applies drawn jitter parameters in their order, in place.
 *
 * For example:
 * ```text
 * const img = floatImage(1, 1, 3, new Float32Array([0.5, 0.2, 0.1]));
 * colorJitter(img, { order: ["hue", "brightness"], hue: 0.1, brightness: 1.2 });
 * ```
 */
export function colorJitter(img: FloatImage, p: JitterParams): FloatImage {
  for (const op of p.order) {
    const f = p[op];
    if (f === undefined) continue;
    if (op === "brightness") {
      if (p.brightnessMode === "add") shiftBrightness(img, f);
      else adjustBrightness(img, f);
    } else if (op === "contrast") adjustContrast(img, f);
    else if (op === "saturation") adjustSaturation(img, f);
    else adjustHue(img, f);
  }
  return img;
}
