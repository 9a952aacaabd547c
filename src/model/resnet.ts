/**
 * ResNet-18/34/50 encoders in torchvision's layout and naming (`conv1`, `bn1`, `layer1.0...`),
 * with an `imagenet` stem (7x7/2 conv + 3x3/2 max pool) or a `cifar` stem (3x3/1 conv, no pool),
 * 1 or 3 input channels and an optional width multiplier. The `fc` layer is left out: features
 * `h` come after global average pooling.
 */
import * as tf from "@tensorflow/tfjs";
import { BatchNorm } from "./batch_norm.ts";
import { Conv2d } from "./conv.ts";
import type { Encoder } from "./encoder.ts";
import type { ForwardContext } from "./forward_context.ts";
import { globalAveragePool } from "./global_pool.ts";
import { ParamStore } from "./params.ts";
import { BasicBlock, Bottleneck, type ResidualBlock } from "./resnet_blocks.ts";

/**
 * The ResNet depths offered: 18 and 34 layers of basic blocks, 50 of bottleneck blocks.
 *
 * @example Feature widths per depth
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { resnet, type ResNetDepth } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const depth: ResNetDepth = "resnet50";
 * const encoder = resnet(depth, { widthMultiplier: 0.0625 });
 * assert.equal(encoder.featureDim, 128); // 2048 / 16: bottleneck blocks expand by 4
 * encoder.store.dispose();
 * ```
 */
export type ResNetDepth = "resnet18" | "resnet34" | "resnet50";

/**
 * Options of {@link resnet}: stem, input channels, width, zero-init of residual branches, seed,
 * and the store and name prefix to create the parameters under.
 *
 * @example A grayscale CIFAR-stem encoder
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { resnet, type ResNetOptions } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const options: ResNetOptions = { stem: "cifar", inChannels: 1, widthMultiplier: 0.125 };
 * const encoder = resnet("resnet18", options);
 * assert.deepEqual(encoder.store.get("encoder.conv1.weight").variable.shape, [3, 3, 1, 8]);
 * encoder.store.dispose();
 * ```
 */
export interface ResNetOptions {
  /** `imagenet`: 7x7/2 conv + max pool (default); `cifar`: 3x3/1 conv, no max pool. */
  stem?: "imagenet" | "cifar";
  /** Input channels: 1 (grayscale) or 3 (default). */
  inChannels?: number;
  /** Multiplies every width (64, 128, 256, 512); default 1. */
  widthMultiplier?: number;
  /**
   * Start the last BN of each residual branch at gamma 0 (default false, as torchvision's
   * default; google-research/simclr's ResNet does it).
   */
  zeroInitResidual?: boolean;
  /** Seed of the initial weights (default 0). */
  seed?: number;
  /** Store to create the parameters in (default: a new one with `seed`). */
  store?: ParamStore;
  /** Prefix of the parameter names (default `encoder.`). */
  prefix?: string;
}

const LAYOUTS: Record<ResNetDepth, { block: "basic" | "bottleneck"; blocks: number[] }> = {
  resnet18: { block: "basic", blocks: [2, 2, 2, 2] },
  resnet34: { block: "basic", blocks: [3, 4, 6, 3] },
  resnet50: { block: "bottleneck", blocks: [3, 4, 6, 3] },
};

/**
 * A torchvision-layout ResNet encoder (`conv1`, `bn1`, `layer1.0.conv1`, ...; no `fc`): `apply`
 * gives the features `h` `[N, featureDim]` after global average pooling. Build it with
 * {@link resnet}.
 *
 * @example Features of a small batch
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { ResNet } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const encoder = new ResNet("resnet18", { stem: "cifar", widthMultiplier: 0.125 });
 * const x = tf.ones([2, 16, 16, 3]) as tf.Tensor4D;
 * const h = encoder.apply(x, { training: false });
 * assert.deepEqual(h.shape, [2, 64]);
 * assert.ok(encoder.store.has("encoder.layer4.1.bn2.running_var"));
 * tf.dispose([x, h]);
 * encoder.store.dispose();
 * ```
 */
export class ResNet implements Encoder {
  /** Length of the feature vector `h` (512 or 2048 times the width multiplier). */
  readonly featureDim: number;
  /** Input channels (1 or 3). */
  readonly inChannels: number;
  /** Where the parameters live. */
  readonly store: ParamStore;
  /** The prefix of this encoder's parameter names (default `encoder.`). */
  readonly prefix: string;
  /** The stem: `imagenet` (7x7/2 conv + max pool) or `cifar` (3x3/1 conv). */
  readonly stem: "imagenet" | "cifar";
  /** The stem's conv (torchvision's `conv1`). */
  readonly conv1: Conv2d;
  /** The stem's batch norm (torchvision's `bn1`). */
  readonly bn1: BatchNorm;
  /** The residual blocks of `layer1` to `layer4`. */
  readonly layers: ResidualBlock[][] = [];

  /**
   * Creates the encoder's parameters (see {@link resnet}).
   *
   * @throws {RangeError} For an unknown depth or `inChannels` other than 1 or 3.
   */
  constructor(readonly name: ResNetDepth, opts: ResNetOptions = {}) {
    const layout = LAYOUTS[name];
    if (!layout) {
      throw new RangeError(`unknown ResNet '${name}': choose resnet18, resnet34 or resnet50`);
    }
    const w = opts.widthMultiplier ?? 1;
    this.inChannels = opts.inChannels ?? 3;
    if (this.inChannels !== 1 && this.inChannels !== 3) {
      throw new RangeError(`${name}: inChannels must be 1 or 3, got ${this.inChannels}`);
    }
    this.stem = opts.stem ?? "imagenet";
    this.store = opts.store ?? new ParamStore(opts.seed ?? 0);
    this.prefix = opts.prefix ?? "encoder.";
    const p = this.prefix;
    const width = (c: number) => Math.max(1, Math.round(c * w));
    let inC = width(64);
    this.conv1 = this.stem === "imagenet"
      ? new Conv2d(this.store, `${p}conv1`, this.inChannels, inC, {
        kernel: 7,
        stride: 2,
        inputGradient: false,
      })
      : new Conv2d(this.store, `${p}conv1`, this.inChannels, inC, {
        kernel: 3,
        stride: 1,
        inputGradient: false,
      });
    this.bn1 = new BatchNorm(this.store, `${p}bn1`, inC);
    const Block = layout.block === "basic" ? BasicBlock : Bottleneck;
    layout.blocks.forEach((count, li) => {
      const planes = width(64 * 2 ** li);
      const blocks: ResidualBlock[] = [];
      for (let b = 0; b < count; b++) {
        const stride = b === 0 && li > 0 ? 2 : 1;
        const block = new Block(
          this.store,
          `${p}layer${li + 1}.${b}`,
          inC,
          planes,
          stride,
          opts.zeroInitResidual ?? false,
        );
        inC = block.outChannels;
        blocks.push(block);
      }
      this.layers.push(blocks);
    });
    this.featureDim = inC;
  }

  /**
   * Features `[N, featureDim]` of an NHWC batch.
   *
   * @throws {TypeError} When `x` does not have `inChannels` channels.
   */
  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    if (x.shape[3] !== this.inChannels) {
      throw new TypeError(
        `${this.name}: input has ${x.shape[3]} channels, encoder expects ${this.inChannels} ` +
          `(NHWC layout)`,
      );
    }
    // One tidy per block: a block's intermediates are freed when it ends (gradients use only
    // saved tensors), so the forward pass does not hold every op's output until the loss.
    let y = tf.tidy(() => {
      const s = this.bn1.apply(this.conv1.apply(x, ctx), ctx, true) as tf.Tensor4D;
      return this.stem === "imagenet" ? tf.maxPool(s, 3, 2, 1) : s;
    });
    for (const layer of this.layers) {
      for (const block of layer) {
        const input = y;
        y = tf.tidy(() => block.apply(input, ctx));
        if (input !== x) input.dispose();
      }
    }
    return globalAveragePool(y);
  }
}

/**
 * Creates a `resnet18 | resnet34 | resnet50` encoder in torchvision's layout.
 *
 * @param depth Which ResNet.
 * @param opts Stem, channels, width, seed, store and name prefix.
 * @returns The encoder; its parameters are in `opts.store` (or a new store).
 * @throws {RangeError} For an unknown depth or `inChannels` other than 1 or 3.
 *
 * @example A ResNet-18 at an eighth of the width
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { resnet } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const encoder = resnet("resnet18", { stem: "cifar", widthMultiplier: 0.125, seed: 0 });
 * assert.equal(encoder.featureDim, 64);
 * assert.equal(encoder.name, "resnet18");
 * assert.throws(() => resnet("resnet18", { inChannels: 2 }), RangeError);
 * encoder.store.dispose();
 * ```
 */
export function resnet(depth: ResNetDepth, opts: ResNetOptions = {}): ResNet {
  return new ResNet(depth, opts);
}
