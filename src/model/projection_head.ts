/**
 * SimCLR's projection head: an MLP with BN and ReLU on its hidden layers (v1: 2 layers, v2:
 * 3 layers; 1 layer is a plain linear map), ending in a 128-d (configurable) output: a Linear
 * with bias (`linear`, the PyTorch reimplementations' head) or, as google-research/simclr, a
 * Linear without bias followed by BN without shift (`linear-bn`). Names follow a PyTorch
 * `nn.Sequential`: `head.0` Linear, `head.1` BN, `head.2` ReLU, ..., the output BN after the
 * output Linear.
 */
import type * as tf from "@tensorflow/tfjs";
import { BatchNorm } from "./batch_norm.ts";
import type { ForwardContext } from "./forward_context.ts";
import { Linear } from "./linear.ts";
import type { ParamStore } from "./params.ts";

/**
 * Options of {@link ProjectionHead}: number of layers, hidden and output widths, output layer.
 *
 * @example A SimCLR v2 head (3 layers) with google's output layer
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { ParamStore, ProjectionHead, type ProjectionHeadOptions } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const options: ProjectionHeadOptions = { layers: 3, hiddenDim: 8, outDim: 4, output: "linear-bn" };
 * const store = new ParamStore();
 * const head = new ProjectionHead(store, 16, options);
 * assert.equal(head.hidden.length, 2);
 * assert.ok(store.has("head.7.weight")); // the output BN after head.6, the output Linear
 * store.dispose();
 * ```
 */
export interface ProjectionHeadOptions {
  /** Linear layers: 1 (linear head), 2 (SimCLR v1, default) or 3 (SimCLR v2). */
  layers?: number;
  /** Width of the hidden layers (default: the input width). */
  hiddenDim?: number;
  /** Output width (default 128). */
  outDim?: number;
  /**
   * The output layer: `linear` (default), a Linear with bias; or `linear-bn`, google's: a Linear
   * without bias, then BN with a scale and no shift (Keras `center=False`).
   */
  output?: ProjectionOutput;
}

/**
 * The projection head's output layer (see {@link ProjectionHeadOptions.output}): `linear`, a
 * Linear with bias; `linear-bn`, a Linear without bias, then BN without shift.
 *
 * @example The output layer decides the head's last parameters
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { ParamStore, ProjectionHead, type ProjectionOutput } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const output: ProjectionOutput = "linear";
 * const store = new ParamStore();
 * new ProjectionHead(store, 4, { layers: 1, outDim: 2, output });
 * assert.deepEqual(store.all().map((p) => p.name), ["head.0.weight", "head.0.bias"]);
 * store.dispose();
 * ```
 */
export type ProjectionOutput = "linear" | "linear-bn";

/**
 * The projection head `g(h) = z`: hidden Linear + BN + ReLU layers, then the output layer. Its
 * parameters are named as a PyTorch `nn.Sequential` under `prefix` (`head.0`, `head.1`, ...).
 *
 * @example Project features to 4 dimensions
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { ParamStore, ProjectionHead } from "@simclr/streams/model";
 *
 * await tf.setBackend("cpu");
 * const store = new ParamStore(0);
 * const head = new ProjectionHead(store, 8, { layers: 2, outDim: 4 });
 * const h = tf.randomNormal([3, 8]) as tf.Tensor2D;
 * const z = head.apply(h, { training: false });
 * assert.deepEqual(z.shape, [3, 4]);
 * assert.throws(() => new ProjectionHead(store, 8, { layers: 0 }), RangeError);
 * tf.dispose([h, z]);
 * store.dispose();
 * ```
 */
export class ProjectionHead {
  /** The hidden layers: Linear (no bias) and BN, each followed by ReLU. */
  readonly hidden: { linear: Linear; bn: BatchNorm }[] = [];
  /** The output Linear. */
  readonly out: Linear;
  /** The output BN (`linear-bn` only). */
  readonly outBn?: BatchNorm;
  /** Width of `z`. */
  readonly outDim: number;

  /**
   * Creates the head's parameters in `store` for inputs of width `inDim`.
   *
   * @throws {RangeError} When `layers` is not an integer >= 1 or `output` is unknown.
   */
  constructor(
    store: ParamStore,
    inDim: number,
    opts: ProjectionHeadOptions = {},
    prefix = "head.",
  ) {
    const layers = opts.layers ?? 2;
    if (!Number.isInteger(layers) || layers < 1) {
      throw new RangeError(`projection head: layers must be an integer >= 1, got ${layers}`);
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
    const output = opts.output ?? "linear";
    if (output !== "linear" && output !== "linear-bn") {
      throw new RangeError(`projection head: output '${output}' must be linear or linear-bn`);
    }
    const at = 3 * (layers - 1);
    this.out = new Linear(store, `${prefix}${at}`, d, this.outDim, output === "linear");
    if (output === "linear-bn") {
      this.outBn = new BatchNorm(store, `${prefix}${at + 1}`, this.outDim, { center: false });
    }
  }

  /** Projects features `[N, inDim]` to `[N, outDim]`. */
  apply(h: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D {
    let y = h;
    for (const { linear, bn } of this.hidden) {
      y = bn.apply(linear.apply(y), ctx, true) as tf.Tensor2D;
    }
    const z = this.out.apply(y);
    return this.outBn ? this.outBn.apply(z, ctx) as tf.Tensor2D : z;
  }
}
