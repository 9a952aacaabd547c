/**
 * Momentum SGD, PyTorch's rule: `g += wd * w` (unless excluded by tag), `v = mu * v + g`,
 * `w -= lr * v` (Nesterov: `w -= lr * (g + mu * v)`).
 */
import * as tf from "@tensorflow/tfjs";
import type { Param, ParamTag } from "../model/params.ts";
import type { NamedTensors } from "./parameter_set.ts";
import { withWeightDecay } from "./_weight_decay.ts";
import { SlotOptimizer } from "./slot_optimizer.ts";

/**
 * SGD hyper-parameters.
 *
 * @example Weight decay on weights
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { MomentumSgd, type SgdOptions } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const options: SgdOptions = { momentum: 0, weightDecay: 0.5 };
 * const w = tf.variable(tf.tensor1d([2]));
 * const param = { name: "w", variable: w, tags: new Set(["weight"] as const), trainable: true, layout: "plain" as const };
 * new MomentumSgd(options).apply([param], { w: tf.tensor1d([0]) }, 0.1);
 * assert.ok(Math.abs((await w.data())[0] - (2 - 0.1 * 0.5 * 2)) < 1e-6); // g = 0 + wd * w
 * ```
 */
export interface SgdOptions {
  /** Default 0.9. */
  momentum?: number;
  /** Default 0. */
  weightDecay?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
  /** Tags without weight decay (default `["bias", "bn"]`). */
  excludeFromWeightDecay?: ParamTag[];
}

/**
 * Momentum SGD, PyTorch's rule: `v = momentum * v + g`, `w -= lr * v`.
 *
 * @example Two steps with momentum
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { MomentumSgd } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const w = tf.variable(tf.tensor1d([1]));
 * const param = { name: "w", variable: w, tags: new Set(["weight"] as const), trainable: true, layout: "plain" as const };
 * const opt = new MomentumSgd({ momentum: 0.9 });
 * const g = { w: tf.tensor1d([0.5]) };
 * opt.apply([param], g, 0.1); // v = 0.5, w = 1 - 0.05
 * opt.apply([param], g, 0.1); // v = 0.95, w = 0.95 - 0.095
 * assert.ok(Math.abs((await w.data())[0] - 0.855) < 1e-6);
 * opt.dispose();
 * ```
 */
export class MomentumSgd extends SlotOptimizer {
  /** The optimizer's name in checkpoints. */
  readonly kind = "sgd";
  /** Momentum (0: plain SGD, no slots). */
  readonly momentum: number;
  /** L2 weight decay added to the gradient. */
  readonly weightDecay: number;
  /** Nesterov momentum. */
  readonly nesterov: boolean;
  /** Tags without weight decay. */
  readonly excludeFromWeightDecay: ParamTag[];

  /** Momentum SGD with `opts` over the defaults. */
  constructor(opts: SgdOptions = {}) {
    super();
    this.momentum = opts.momentum ?? 0.9;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.excludeFromWeightDecay = opts.excludeFromWeightDecay ?? ["bias", "bn"];
  }

  /** One update of `params` (those with a gradient in `grads`) at learning rate `lr`. */
  apply(params: Param[], grads: NamedTensors, lr: number): void {
    tf.tidy(() => {
      for (const p of params) {
        const g0 = grads[p.name];
        if (!g0 || !p.trainable) continue;
        const w = p.variable;
        const g = withWeightDecay(p, g0, this.weightDecay, this.excludeFromWeightDecay);
        let step: tf.Tensor = g;
        if (this.momentum !== 0) {
          const v = this.slots.get(p, "momentum");
          const next = tf.add(tf.mul(v, this.momentum), g);
          v.assign(next);
          step = this.nesterov ? tf.add(g, tf.mul(next, this.momentum)) : next;
        }
        w.assign(tf.sub(w, tf.mul(step, lr)));
      }
    });
    this.iterations++;
  }
}
