/**
 * SimCLR augmentation on pixel arrays: seeded transforms, presets, paired views.
 *
 * @example
 * ```ts
 * import { pairedViews } from "./src/augment/mod.ts";
 * const views = pairedViews("simclr-cifar", 42);
 * const pair = views(image, epoch, index);
 * ```
 * @module
 */

export { Rng, rngFor } from "./rng.ts";
export { pairedViews } from "./paired.ts";
