/** A fully connected layer, weight stored `[in, out]`, with PyTorch's default init. */
import * as tf from "@tensorflow/tfjs";
import type { Init } from "./init.ts";
import type { Param, ParamStore } from "./params.ts";

/**
 * `y = x W (+ b)` with torchvision names `${name}.weight` (and `${name}.bias`), initialized as
 * PyTorch's `Linear` (uniform in +-1/sqrt(in)) unless `init` is given (e.g. zeros for a logits
 * layer).
 */
export class Linear {
  readonly weight: Param;
  readonly bias?: Param;

  constructor(
    store: ParamStore,
    name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    useBias = true,
    init: Init = { kind: "uniformFanIn", fanIn: inFeatures },
  ) {
    this.weight = store.create(`${name}.weight`, [inFeatures, outFeatures], init, ["weight"], "io");
    if (useBias) this.bias = store.create(`${name}.bias`, [outFeatures], init, ["bias"]);
  }

  /** Applies the layer to `[N, in]`. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    const y = tf.matMul(x, this.weight.variable as tf.Tensor2D) as tf.Tensor2D;
    return this.bias ? tf.add(y, this.bias.variable) as tf.Tensor2D : y;
  }
}
