/**
 * SimCLR augmentation on pixel arrays, with no tensors: the transforms (in place on float HWC
 * images), the SimCLR presets as plain data, a view's random choices drawn up front
 * (`sampleViewParams`) and rendered in one fused pass (`renderView`), and paired views keyed by
 * `(seed, epoch, sample index)` for the worker pool. To change the recipe, change the spec
 * (`resolveAugment` options): training renders every view through `renderView`.
 *
 * @example
 * ```ts
 * import { pairedViews, pairToImages, resolveAugment } from "./src/augment/mod.ts";
 * const spec = resolveAugment({ preset: "simclr-cifar", size: 32 });
 * const views = pairedViews({ ...spec, seed: 42 });
 * const pair = views(image, epoch, index); // two normalized Float32Array views
 * const [a, b] = pairToImages(pair, spec); // back to bytes, for a report
 * ```
 * @module
 */

export type { ViewPair } from "./view_pair.ts";
export { checkRawImage, type FloatImage, floatImage, toFloatImage } from "./image.ts";
export { centerCropBox, centerCropFallback, type CropBox, sampleCrop } from "./crop.ts";
export {
  type ResampleCoefficients,
  resampleCoefficients,
  resizedCrop,
  ResizeWorkspace,
} from "./resize.ts";
export { hflip } from "./flip.ts";
export { GRAY_WEIGHTS, meanLuma, toGrayscale } from "./grayscale.ts";
export { adjustBrightness, adjustContrast, adjustSaturation, shiftBrightness } from "./adjust.ts";
export { adjustHue } from "./hue.ts";
export {
  type BrightnessMode,
  colorJitter,
  type JitterOp,
  type JitterParams,
  type JitterStrength,
  sampleJitter,
} from "./jitter.ts";
export {
  blurKernelSize,
  BlurWorkspace,
  gaussianBlur,
  gaussianKernel,
  reflectIndex,
} from "./blur.ts";
export { solarize } from "./solarize.ts";
export { denormalize, normalize } from "./normalize.ts";
export { finishView } from "./finish.ts";
export {
  DEFAULT_CROP_PROPORTION,
  describeEvalView,
  type EvalCrop,
  evalCropBox,
  evalView,
  type EvalViewSpec,
} from "./eval_view.ts";
export {
  type AugmentOptions,
  type AugmentSpec,
  DEFAULT_PRESET,
  NORMALIZATION,
  type PresetDefinition,
  PRESETS,
  resolveAugment,
  validateSpec,
} from "./presets.ts";
export { sampleViewParams, type ViewParams } from "./params.ts";
export { augmentView, renderView, ViewWorkspace } from "./view.ts";
export { pairedViews, type PairedViewsConfig, type PairMapper } from "./paired.ts";
export { pairToImages } from "./render.ts";
export { cropAndFlip } from "./crop_flip.ts";
