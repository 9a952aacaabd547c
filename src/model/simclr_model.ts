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

/** What to build. */
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

/** Encoder + projection head over one parameter store. */
export class SimCLRModel {
  readonly store: ParamStore;
  readonly encoder: Encoder;
  readonly head: ProjectionHead;

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
      throw new Error(
        `unknown encoder '${config.encoder}': choose resnet18, resnet34, resnet50 or small`,
      );
    }
    this.head = new ProjectionHead(this.store, this.encoder.featureDim, config.head);
  }

  /** Features `h` and projections `z` of an NHWC batch. */
  apply(x: tf.Tensor4D, ctx: ForwardContext): { h: tf.Tensor2D; z: tf.Tensor2D } {
    const h = this.encoder.apply(x, ctx);
    return { h, z: this.head.apply(h, ctx) };
  }

  /** Frees every parameter. */
  dispose(): void {
    this.store.dispose();
  }
}

/** Builds a SimCLR model from its config. */
export function createModel(config: ModelConfig): SimCLRModel {
  return new SimCLRModel(config);
}
