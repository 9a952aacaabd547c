/** The augmentation of SimCLR's fine-tuning: random resized crop and flip, nothing else. */
import type { AugmentOptions } from "./presets.ts";

/**
 * `options` (a preset and overrides) reduced to the fine-tuning augmentation of the SimCLR paper
 * (appendix B.5: "only random cropping with random left-to-right flipping"): the preset's
 * random resized crop, flip probability, size and normalization, with colour jitter, grayscale,
 * blur and solarization off.
 *
 * For example:
 * ```text
 * const spec = resolveAugment(cropAndFlip({ preset: "simclr-cifar" })); // spec.jitter.p === 0
 * ```
 */
export function cropAndFlip(options: AugmentOptions): AugmentOptions {
  return {
    ...options,
    jitter: { ...options.jitter, p: 0 },
    grayscale: 0,
    blur: false,
    solarize: false,
  };
}
