/**
 * The SimCLR network: an encoder `f` (ResNet or the benchmark net) and a projection head `g`,
 * built from a JSON-serializable {@link ModelConfig} (checkpoints store it).
 */
import type * as tf from "@tensorflow/tfjs";
import { smallNet } from "./small_net.ts";
import type { Encoder } from "./encoder.ts";
import type { ForwardContext } from "./forward_context.ts";
import { ParamStore } from "./params.ts";
import { ProjectionHead, type ProjectionHeadOptions } from "./projection_head.ts";
import { resnet } from "./resnet.ts";

/**
 * What {@link createModel} builds: the encoder, its stem, channels and width, the projection head
 * and the seed. JSON-serializable: checkpoints store it, so a run's model can be rebuilt.
 *
 * @example A CIFAR-stem ResNet-18 at an eighth of the width, with a SimCLR v2 head
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { createModel, type ModelConfig } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const config: ModelConfig = {
 *   encoder: "resnet18",
 *   stem: "cifar",
 *   widthMultiplier: 0.125,
 *   head: { layers: 3, outDim: 16 },
 *   seed: 1,
 * };
 * const model = createModel(JSON.parse(JSON.stringify(config)));
 * assert.equal(model.encoder.featureDim, 64); // 512 * 0.125
 * assert.equal(model.head.outDim, 16);
 * model.dispose();
 * ```
 */
export interface ModelConfig {
  /** `resnet18 | resnet34 | resnet50 | small` (`small`: the benchmark net of the design). */
  encoder: "resnet18" | "resnet34" | "resnet50" | "small";
  /** ResNet stem (default `imagenet`); ignored by `small`. */
  stem?: "imagenet" | "cifar";
  /** 1 or 3 (default 3). */
  inChannels?: number;
  /** ResNet width multiplier (default 1). */
  widthMultiplier?: number;
  /**
   * ResNet: start each residual branch's last BN at gamma 0 (default false; google's ResNet does
   * it). The `small` encoder has no residual blocks: `true` there is an error.
   */
  zeroInitResidual?: boolean;
  /** Stem and stage widths of the `small` encoder (default 32 and [32, 64, 128]). */
  smallWidths?: { stem: number; stages: number[] };
  /** Projection head (default: 2 layers, hidden = feature width, 128 out). */
  head?: ProjectionHeadOptions;
  /** Seed of the initial weights (default 0). */
  seed?: number;
}

/**
 * The SimCLR network: an encoder `f` and a projection head `g` whose parameters live in one
 * {@link ParamStore} (names `encoder.*` and `head.*`). `apply` gives the features `h = f(x)` used
 * downstream and the projections `z = g(h)` the contrastive loss uses.
 *
 * @example Features and projections of a batch
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { SimCLRModel } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const model = new SimCLRModel({
 *   encoder: "small",
 *   smallWidths: { stem: 4, stages: [4, 8] },
 *   head: { outDim: 6 },
 * });
 * const x = tf.randomUniform([3, 8, 8, 3]) as tf.Tensor4D;
 * const { h, z } = model.apply(x, { training: false });
 * assert.deepEqual(h.shape, [3, 8]);
 * assert.deepEqual(z.shape, [3, 6]);
 * assert.ok(model.store.countTrainable() > 0);
 * tf.dispose([x, h, z]);
 * model.dispose();
 * ```
 */
export class SimCLRModel {
  /** Every parameter and BN statistic of the encoder and the head. */
  readonly store: ParamStore;
  /** The encoder `f` (its features `h` are what evaluation and export use). */
  readonly encoder: Encoder;
  /** The projection head `g`. */
  readonly head: ProjectionHead;

  /**
   * Builds the model `config` describes, with initial weights from `config.seed`.
   *
   * @throws {RangeError} For an unknown encoder, or `zeroInitResidual` on the small encoder.
   */
  constructor(readonly config: ModelConfig) {
    this.store = new ParamStore(config.seed ?? 0);
    const inChannels = config.inChannels ?? 3;
    if (config.encoder === "small") {
      if (config.zeroInitResidual) {
        throw new RangeError(
          "zeroInitResidual: the small encoder has no residual blocks; use a ResNet or turn it off",
        );
      }
      this.encoder = smallNet({
        store: this.store,
        inChannels,
        stemWidth: config.smallWidths?.stem,
        widths: config.smallWidths?.stages,
      });
    } else if (["resnet18", "resnet34", "resnet50"].includes(config.encoder)) {
      this.encoder = resnet(config.encoder, {
        store: this.store,
        stem: config.stem,
        inChannels,
        widthMultiplier: config.widthMultiplier,
        zeroInitResidual: config.zeroInitResidual,
      });
    } else {
      throw new RangeError(
        `unknown encoder '${config.encoder}': choose resnet18, resnet34, resnet50 or small`,
      );
    }
    this.head = new ProjectionHead(this.store, this.encoder.featureDim, config.head);
  }

  /**
   * Features `h` `[N, featureDim]` and projections `z` `[N, outDim]` of an NHWC batch `x`.
   * In training mode (`ctx.training`), BN uses batch statistics and records its running-stat
   * updates in `ctx.updates` (apply them with `commitRunningStats`).
   */
  apply(x: tf.Tensor4D, ctx: ForwardContext): { h: tf.Tensor2D; z: tf.Tensor2D } {
    const h = this.encoder.apply(x, ctx);
    return { h, z: this.head.apply(h, ctx) };
  }

  /** Frees every parameter. */
  dispose(): void {
    this.store.dispose();
  }
}

/**
 * Builds a SimCLR model (encoder + projection head) from its config; the same as
 * `new SimCLRModel(config)`.
 *
 * @param config What to build.
 * @returns The model, with initial weights from `config.seed` (default 0).
 * @throws {RangeError} For an unknown encoder, or `zeroInitResidual` on the small encoder.
 *
 * @example The same seed gives the same weights
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { createModel, type ModelConfig } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const config: ModelConfig = { encoder: "small", smallWidths: { stem: 4, stages: [4] }, seed: 3 };
 * const a = createModel(config), b = createModel(config);
 * const w = (m: typeof a) => m.store.get("encoder.stem.conv.weight").variable.data();
 * assert.deepEqual(await w(a), await w(b));
 * assert.throws(() => createModel({ encoder: "vgg" as "small" }), RangeError);
 * a.dispose();
 * b.dispose();
 * ```
 */
export function createModel(config: ModelConfig): SimCLRModel {
  return new SimCLRModel(config);
}
