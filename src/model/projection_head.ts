/**
 * SimCLR's projection head: an MLP with BN and ReLU on its hidden layers (v1: 2 layers, v2:
 * 3 layers; 1 layer is a plain linear map), ending in a 128-d (configurable) linear output.
 * Names follow a PyTorch `nn.Sequential`: `head.0` Linear, `head.1` BN, `head.2` ReLU, ...
 */
import type * as tf from "@tensorflow/tfjs";
import { BatchNorm } from "./batch_norm.ts";
import type { ForwardContext } from "./forward_context.ts";
import { Linear } from "./linear.ts";
import type { ParamStore } from "./params.ts";

/** Options of {@link ProjectionHead}. */
export interface ProjectionHeadOptions {
  /** Linear layers: 1 (linear head), 2 (SimCLR v1, default) or 3 (SimCLR v2). */
  layers?: number;
  /** Width of the hidden layers (default: the input width). */
  hiddenDim?: number;
  /** Output width (default 128). */
  outDim?: number;
}

/** The projection head `g(h) = z`. */
export class ProjectionHead {
  readonly hidden: { linear: Linear; bn: BatchNorm }[] = [];
  readonly out: Linear;
  readonly outDim: number;

  constructor(
    store: ParamStore,
    inDim: number,
    opts: ProjectionHeadOptions = {},
    prefix = "head.",
  ) {
    const layers = opts.layers ?? 2;
    if (!Number.isInteger(layers) || layers < 1) {
      throw new Error(`projection head: layers must be an integer >= 1, got ${layers}`);
    }
    const hiddenDim = opts.hiddenDim ?? inDim;
    this.outDim = opts.outDim ?? 128;
    let d = inDim;
    for (let i = 0; i < layers - 1; i++) {
      const linear = new Linear(store, `${prefix}${3 * i}`, d, hiddenDim, false);
      const bn = new BatchNorm(store, `${prefix}${3 * i + 1}`, hiddenDim);
      this.hidden.push({ linear, bn });
      d = hiddenDim;
    }
    this.out = new Linear(store, `${prefix}${3 * (layers - 1)}`, d, this.outDim, true);
  }

  /** Projects features `[N, inDim]` to `[N, outDim]`. */
  apply(h: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D {
    let y = h;
    for (const { linear, bn } of this.hidden) {
      y = bn.apply(linear.apply(y), ctx, true) as tf.Tensor2D;
    }
    return this.out.apply(y);
  }
}
