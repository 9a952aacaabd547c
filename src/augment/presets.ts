/**
 * SimCLR augmentation presets as plain data, and the resolution of a preset plus overrides
 * (as a YAML config names them) into a complete {@link AugmentSpec}.
 */

/**
 * How brightness changes: `multiply` by a factor in [max(0, 1 - b), 1 + b] (torchvision, SimCLR
 * v2's code) or `add` a delta in [-b, b] (SimCLR v1's code).
 *
 * @example SimCLR v1's additive brightness
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BrightnessMode, resolveAugment } from "@simclr/streams/augment";
 *
 * const brightness: BrightnessMode = "add";
 * const spec = resolveAugment({ preset: "simclr-v2", brightness });
 * assert.equal(spec.jitter.brightnessMode, "add");
 * ```
 */
export type BrightnessMode = "multiply" | "add";

/**
 * Jitter magnitudes, as `ColorJitter(brightness, contrast, saturation, hue)`: factors are
 * drawn from [max(0, 1 - x), 1 + x] (hue shift from [-hue, hue]); 0 turns one off. With
 * `brightnessMode: "add"` the brightness is a delta drawn from [-brightness, brightness].
 *
 * @example A resolved spec's jitter is a JitterStrength
 * ```ts
 * import assert from "node:assert/strict";
 * import { type JitterStrength, resolveAugment } from "@simclr/streams/augment";
 *
 * const strength: JitterStrength = resolveAugment({ preset: "simclr-v2", strength: 0.5 }).jitter;
 * assert.deepEqual(
 *   [strength.brightness, strength.contrast, strength.saturation, strength.hue],
 *   [0.4, 0.4, 0.4, 0.1],
 * );
 * ```
 */
export interface JitterStrength {
  /** Brightness factor in [max(0, 1 - b), 1 + b] (or delta in [-b, b], see `brightnessMode`). */
  brightness: number;
  /** `multiply` (default) or `add`. */
  brightnessMode?: BrightnessMode;
  /** Contrast factor in [max(0, 1 - c), 1 + c]. */
  contrast: number;
  /** Saturation factor in [max(0, 1 - s), 1 + s]. */
  saturation: number;
  /** Hue shift in [-h, h] turns, h <= 0.5. */
  hue: number;
}

/**
 * Everything one view's augmentation needs; plain, structured-clonable data.
 *
 * @example Read a resolved spec
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AugmentSpec, resolveAugment } from "@simclr/streams/augment";
 *
 * const spec: AugmentSpec = resolveAugment("simclr-cifar");
 * assert.equal(spec.size, 32);
 * assert.deepEqual(spec.crop.scale, [0.08, 1]);
 * assert.equal(spec.jitter.brightness, 0.4); // 0.8 x strength 0.5
 * assert.equal(spec.blur.p, 0);
 * ```
 */
export interface AugmentSpec {
  /** Output side in pixels (views are square). */
  size: number;
  /** Random resized crop: area fraction and aspect (w/h, drawn log-uniformly) ranges. */
  crop: { scale: [number, number]; ratio: [number, number] };
  /** Probability of a horizontal flip. */
  flip: number;
  /** Colour jitter, applied with probability `p` in a random order. */
  jitter: { p: number; brightnessMode: BrightnessMode } & JitterStrength;
  /** Probability of converting to grayscale. */
  grayscale: number;
  /** Gaussian blur: probability, sigma range, kernel side as a fraction of the output side. */
  blur: { p: number; sigma: [number, number]; kernelFraction: number };
  /** Solarization: probability and threshold (on [0, 1] values). */
  solarize: { p: number; threshold: number };
  /** Normalization means, one value per channel (or one for all). */
  mean: number[];
  /** Standard deviations, one per channel (or one for all). */
  std: number[];
}

/**
 * A preset: a spec whose jitter magnitudes are per unit of `strength`.
 *
 * @example Jitter magnitudes scale with the strength
 * ```ts
 * import assert from "node:assert/strict";
 * import { type PresetDefinition, PRESETS } from "@simclr/streams/augment";
 *
 * const v1: PresetDefinition = PRESETS["simclr-v1"];
 * assert.equal(v1.jitter.brightness * v1.strength, 0.8);
 * assert.equal(v1.jitter.brightnessMode, "add");
 * ```
 */
export interface PresetDefinition extends AugmentSpec {
  /** What the preset is for. */
  description: string;
  /** Colour-jitter strength s: magnitudes are `jitter.* x s`. */
  strength: number;
}

/**
 * Channel statistics of common datasets, for `mean`/`std` (values in [0, 1]).
 *
 * @example Normalize with CIFAR-10's statistics
 * ```ts
 * import assert from "node:assert/strict";
 * import { NORMALIZATION, resolveAugment } from "@simclr/streams/augment";
 *
 * const spec = resolveAugment({ preset: "simclr-v1", ...NORMALIZATION.cifar10 });
 * assert.deepEqual(spec.mean, [0.4914, 0.4822, 0.4465]);
 * assert.deepEqual(NORMALIZATION["fashion-mnist"].std, [0.353]);
 * ```
 */
export const NORMALIZATION: Readonly<Record<string, { mean: number[]; std: number[] }>> = {
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  "fashion-mnist": { mean: [0.286], std: [0.353] },
};

const SIMCLR_JITTER = {
  p: 0.8,
  brightness: 0.8,
  contrast: 0.8,
  saturation: 0.8,
  hue: 0.2,
  brightnessMode: "multiply" as BrightnessMode,
};
const SIMCLR_CROP = {
  scale: [0.08, 1] as [number, number],
  ratio: [3 / 4, 4 / 3] as [number, number],
};
const BLUR_ON = { p: 0.5, sigma: [0.1, 2] as [number, number], kernelFraction: 0.1 };

/**
 * SimCLR v2's code (google-research/simclr `data_util.py`, `impl='simclrv2'`, the default there
 * today): multiplicative brightness, otherwise the v1 recipe. There is no solarization in either
 * version's code (that is BYOL's); switch it on with `solarize: true`.
 */
const v2: PresetDefinition = {
  description: "SimCLR v2, ImageNet: crop 0.08-1, flip, jitter s=1 (p=0.8, brightness " +
    "multiplied), gray 0.2, blur 0.5",
  size: 224,
  strength: 1,
  crop: SIMCLR_CROP,
  flip: 0.5,
  jitter: SIMCLR_JITTER,
  grayscale: 0.2,
  blur: BLUR_ON,
  solarize: { p: 0, threshold: 0.5 },
  ...NORMALIZATION.imagenet,
};

/**
 * The presets by name; `resolveAugment` copies them, so they are never modified. `simclr-v1`
 * and `simclr-v2` differ only in brightness: v1's code adds a delta in [-0.8s, 0.8s]
 * (`tf.image.random_brightness`), v2's multiplies by a factor in [1 - 0.8s, 1 + 0.8s]
 * (torchvision's `ColorJitter` too). `simclr-cifar` and `simclr-gray` use v2's brightness.
 *
 * @example The presets and what they are for
 * ```ts
 * import assert from "node:assert/strict";
 * import { PRESETS } from "@simclr/streams/augment";
 *
 * assert.deepEqual(Object.keys(PRESETS), ["simclr-v1", "simclr-v2", "simclr-cifar", "simclr-gray"]);
 * assert.equal(PRESETS["simclr-gray"].size, 28);
 * assert.match(PRESETS["simclr-cifar"].description, /CIFAR/);
 * ```
 */
export const PRESETS: Readonly<Record<string, Readonly<PresetDefinition>>> = {
  "simclr-v1": {
    ...v2,
    description: "SimCLR v1, ImageNet: as simclr-v2 but brightness adds a delta in " +
      "[-0.8s, 0.8s] (v1's code)",
    jitter: { ...SIMCLR_JITTER, brightnessMode: "add" },
  },
  "simclr-v2": v2,
  "simclr-cifar": {
    ...v2,
    description: "SimCLR on CIFAR (32x32): jitter s=0.5, no blur (v2's multiplied brightness)",
    size: 32,
    strength: 0.5,
    blur: { ...BLUR_ON, p: 0 },
    ...NORMALIZATION.cifar10,
  },
  "simclr-gray": {
    ...v2,
    description: "1-channel data such as Fashion-MNIST (28x28): crop 0.2-1, flip, " +
      "brightness/contrast jitter s=0.5, no colour, no blur",
    size: 28,
    strength: 0.5,
    crop: { scale: [0.2, 1], ratio: [3 / 4, 4 / 3] },
    jitter: { ...SIMCLR_JITTER, saturation: 0, hue: 0 },
    grayscale: 0,
    blur: { ...BLUR_ON, p: 0 },
    ...NORMALIZATION["fashion-mnist"],
  },
};

/**
 * The preset used when none is named.
 *
 * @example No preset named gives the default
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PRESET, resolveAugment } from "@simclr/streams/augment";
 *
 * assert.equal(DEFAULT_PRESET, "simclr-v2");
 * assert.deepEqual(resolveAugment({}), resolveAugment(DEFAULT_PRESET));
 * assert.equal(resolveAugment().size, 224);
 * ```
 */
export const DEFAULT_PRESET = "simclr-v2";

/**
 * A preset name and overrides, as a YAML config gives them. Jitter magnitudes given in
 * `jitter` are absolute (after strength); `blur`/`solarize` accept `true`/`false` to switch
 * them on (default p) or off. A resolved {@link AugmentSpec} is also valid options.
 *
 * @example Override a preset's size, strength and blur
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AugmentOptions, resolveAugment } from "@simclr/streams/augment";
 *
 * const options: AugmentOptions = { preset: "simclr-cifar", size: 28, strength: 1, blur: true };
 * const spec = resolveAugment(options);
 * assert.equal(spec.size, 28);
 * assert.equal(spec.jitter.brightness, 0.8);
 * assert.equal(spec.blur.p, 0.5); // switched on at the default probability
 * ```
 */
export interface AugmentOptions {
  /** Preset name (default {@link DEFAULT_PRESET}). */
  preset?: string;
  /** Output side. */
  size?: number;
  /** Colour-jitter strength s (scales the preset's per-unit magnitudes). */
  strength?: number;
  /** Brightness: `multiply` (SimCLR v2, torchvision) or `add` (SimCLR v1); default the preset's. */
  brightness?: BrightnessMode;
  /** Crop ranges. */
  crop?: Partial<AugmentSpec["crop"]>;
  /** Flip probability. */
  flip?: number;
  /** Jitter probability and absolute magnitudes. */
  jitter?: Partial<AugmentSpec["jitter"]>;
  /** Grayscale probability. */
  grayscale?: number;
  /** Blur on/off, or its parameters. */
  blur?: boolean | Partial<AugmentSpec["blur"]>;
  /** Solarization on/off, or its parameters. */
  solarize?: boolean | Partial<AugmentSpec["solarize"]>;
  /** Normalization means. */
  mean?: number[];
  /** Normalization standard deviations. */
  std?: number[];
}

const OPTION_KEYS = [
  "preset",
  "size",
  "strength",
  "brightness",
  "crop",
  "flip",
  "jitter",
  "grayscale",
  "blur",
  "solarize",
  "mean",
  "std",
];

function fail(what: string): never {
  throw new RangeError(`augment: ${what}`);
}

function probability(name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) fail(`${name} ${p} must be a probability in [0, 1]`);
}

function range(name: string, r: [number, number], lo: number, hi: number): void {
  if (!(Array.isArray(r) && r.length === 2 && r[0] >= lo && r[0] <= r[1] && r[1] <= hi)) {
    fail(`${name} ${JSON.stringify(r)} must be [a, b] with ${lo} <= a <= b <= ${hi}`);
  }
}

/**
 * Checks a spec and throws a RangeError naming the field and what it accepts.
 */
function validateSpec(s: AugmentSpec): void {
  if (!(Number.isInteger(s.size) && s.size >= 1)) fail(`size ${s.size} must be a positive integer`);
  range("crop.scale", s.crop.scale, Number.MIN_VALUE, 1);
  range("crop.ratio", s.crop.ratio, Number.MIN_VALUE, Infinity);
  probability("flip", s.flip);
  probability("jitter.p", s.jitter.p);
  if (s.jitter.brightnessMode !== "multiply" && s.jitter.brightnessMode !== "add") {
    fail(`brightness '${s.jitter.brightnessMode}' must be multiply or add`);
  }
  for (const k of ["brightness", "contrast", "saturation"] as const) {
    if (!(s.jitter[k] >= 0)) fail(`jitter.${k} ${s.jitter[k]} must be >= 0`);
  }
  if (!(s.jitter.hue >= 0 && s.jitter.hue <= 0.5)) {
    fail(`jitter.hue ${s.jitter.hue} must be in [0, 0.5]`);
  }
  probability("grayscale", s.grayscale);
  probability("blur.p", s.blur.p);
  range("blur.sigma", s.blur.sigma, Number.MIN_VALUE, Infinity);
  if (!(s.blur.kernelFraction > 0 && s.blur.kernelFraction <= 1)) {
    fail(`blur.kernelFraction ${s.blur.kernelFraction} must be in (0, 1]`);
  }
  probability("solarize.p", s.solarize.p);
  if (!(s.mean.length === 1 || s.mean.length === 3) || s.mean.length !== s.std.length) {
    fail(`mean and std need 1 or 3 values each, the same count: got ${s.mean} and ${s.std}`);
  }
  if (s.std.some((v) => !(v > 0))) fail(`std ${s.std} must be > 0`);
}

/**
 * A preset by name (or `{ preset, ...overrides }`) resolved into a complete, validated spec.
 * Unknown names and unknown option keys are errors that list what is known. The training
 * pipeline resolves the config's `augment` section with it.
 *
 * @param options A preset name, or a preset and overrides (default: {@link DEFAULT_PRESET}).
 * @returns A fresh spec (the presets are never modified).
 * @throws {RangeError} For an unknown preset or option, or a value out of its range.
 *
 * @example A smaller, gentler SimCLR v1
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveAugment } from "@simclr/streams/augment";
 *
 * const spec = resolveAugment({ preset: "simclr-v1", size: 96, strength: 0.5, blur: false });
 * assert.equal(spec.jitter.brightness, 0.4);
 * assert.equal(spec.blur.p, 0);
 * assert.throws(() => resolveAugment("simclr-v3"), RangeError);
 * assert.throws(() => resolveAugment({ flip: 2 }), /flip 2 must be a probability/);
 * ```
 */
export function resolveAugment(options: string | AugmentOptions = {}): AugmentSpec {
  const o: AugmentOptions = typeof options === "string" ? { preset: options } : options;
  const unknown = Object.keys(o).filter((k) => !OPTION_KEYS.includes(k) && k !== "seed");
  if (unknown.length) {
    fail(`unknown option(s) ${unknown.join(", ")}; known: ${OPTION_KEYS.join(", ")}`);
  }
  const name = o.preset ?? DEFAULT_PRESET;
  const preset = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (!preset) {
    fail(`unknown preset '${name}': choose one of ${Object.keys(PRESETS).join(", ")}`);
  }
  const s = o.strength ?? preset.strength;
  if (!(s >= 0)) fail(`strength ${s} must be >= 0`);
  if (preset.jitter.hue * s > 0.5 && o.jitter?.hue === undefined) {
    fail(
      `strength ${s} makes the hue jitter ${preset.jitter.hue} x ${s} = ` +
        `${+(preset.jitter.hue * s).toFixed(6)}, above half a turn: use strength <= ` +
        `${+(0.5 / preset.jitter.hue).toFixed(6)}, or set jitter.hue`,
    );
  }
  const scaled = (k: "brightness" | "contrast" | "saturation" | "hue") => preset.jitter[k] * s;
  const toggle = <T extends { p: number }>(
    base: T,
    onP: number,
    v: boolean | Partial<T> | undefined,
  ): T => {
    if (v === undefined) return { ...base };
    if (v === true) return { ...base, p: base.p > 0 ? base.p : onP };
    if (v === false) return { ...base, p: 0 };
    return { ...base, ...v };
  };
  const spec: AugmentSpec = {
    size: o.size ?? preset.size,
    crop: {
      scale: [...(o.crop?.scale ?? preset.crop.scale)] as [number, number],
      ratio: [...(o.crop?.ratio ?? preset.crop.ratio)] as [number, number],
    },
    flip: o.flip ?? preset.flip,
    jitter: {
      p: preset.jitter.p,
      brightnessMode: o.brightness ?? preset.jitter.brightnessMode,
      brightness: scaled("brightness"),
      contrast: scaled("contrast"),
      saturation: scaled("saturation"),
      hue: scaled("hue"),
      ...o.jitter,
    },
    grayscale: o.grayscale ?? preset.grayscale,
    blur: toggle(preset.blur, BLUR_ON.p, o.blur),
    solarize: toggle(preset.solarize, 0.2, o.solarize),
    mean: [...(o.mean ?? preset.mean)],
    std: [...(o.std ?? preset.std)],
  };
  spec.blur.sigma = [...spec.blur.sigma] as [number, number];
  validateSpec(spec);
  return spec;
}
