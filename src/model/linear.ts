/** A fully connected layer, weight stored `[in, out]`, with PyTorch's default init. */
import * as tf from "@tensorflow/tfjs";
import type { Init } from "./init.ts";
import type { Param, ParamStore } from "./params.ts";

/**
 * `y = x W (+ b)` with torchvision names `${name}.weight` (and `${name}.bias`), initialized as
 * PyTorch's `Linear` (uniform in +-1/sqrt(in)) unless `init` is given (e.g. zeros for a logits
 * layer). Its parameters live in the {@link ParamStore} it is built on, so an optimizer that
 * steps the store's trainable parameters trains it (e.g. a classifier head on the encoder's
 * features).
 *
 * @example A classifier head on 3 features
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { Linear, ParamStore } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 *
 * const store = new ParamStore(0);
 * const head = new Linear(store, "fc", 3, 2);
 * assert.deepEqual(store.all().map((p) => p.name), ["fc.weight", "fc.bias"]);
 * head.weight.variable.assign(tf.tensor2d([[1, 0], [0, 1], [1, 1]]));
 * head.bias!.variable.assign(tf.tensor1d([0.5, -0.5]));
 * const y = head.apply(tf.tensor2d([[1, 2, 3]]));
 * assert.deepEqual(Array.from(await y.data()), [1 + 3 + 0.5, 2 + 3 - 0.5]);
 * store.dispose();
 * ```
 */
export class Linear {
  /** The `[in, out]` weight, `${name}.weight`. */
  readonly weight: Param;
  /** The `[out]` bias, `${name}.bias` (absent when built with `useBias` false). */
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
