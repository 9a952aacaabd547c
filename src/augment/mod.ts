/**
 * SimCLR augmentation on pixel arrays, with no tensors: the SimCLR presets as plain data and
 * their overrides (`resolveAugment`), the stage that turns an image into two augmented views
 * keyed by `(seed, epoch, sample index)` (`pairedViews`, run in the worker pool), and the
 * deterministic evaluation view (`evalView`).
 *
 * The training path resolves the config's `augment` section with {@link resolveAugment} and
 * maps every image through {@link pairedViews}; evaluation and export use {@link evalView}. To
 * change the recipe, change the options: every view is rendered from the resolved spec.
 *
 * @example Two views of an image, and the same image for evaluation
 * ```ts
 * import assert from "node:assert/strict";
 * import { evalView, pairedViews, resolveAugment } from "@simclr/streams/augment";
 *
 * const image = {
 *   key: "img0",
 *   width: 10,
 *   height: 8,
 *   channels: 3 as const,
 *   data: Uint8Array.from({ length: 10 * 8 * 3 }, (_, i) => i % 256),
 * };
 * const spec = resolveAugment({ preset: "simclr-cifar", size: 8 });
 * const views = pairedViews({ ...spec, seed: 42 });
 * const pair = views(image, 0, 0); // epoch 0, sample 0
 * assert.equal(pair.view1.length, 8 * 8 * 3);
 * assert.notDeepEqual(pair.view1, pair.view2);
 * const view = evalView(image, { size: 8, mean: spec.mean, std: spec.std });
 * assert.equal(view.data.length, pair.view1.length);
 * ```
 *
 * @module
 */

export type { ViewPair } from "./view_pair.ts";
export { pairedViews, type PairedViewsConfig, type PairMapper } from "./paired.ts";
export {
  type AugmentOptions,
  type AugmentSpec,
  type BrightnessMode,
  DEFAULT_PRESET,
  type JitterStrength,
  NORMALIZATION,
  type PresetDefinition,
  PRESETS,
  resolveAugment,
} from "./presets.ts";
export { type EvalCrop, evalView, type EvalViewSpec } from "./eval_view.ts";
export type { FloatImage } from "./image.ts";
export { pairToImages } from "./render.ts";
