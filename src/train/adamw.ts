/**
 * AdamW (PyTorch's rule): `w *= 1 - lr * wd` (unless excluded by tag), then the bias-corrected
 * Adam step `w -= lr * m_hat / (sqrt(v_hat) + eps)`.
 */
import * as tf from "@tensorflow/tfjs";
import type { Param, ParamTag } from "../model/params.ts";
import { hasAnyTag, type NamedTensors } from "./parameter_set.ts";
import { SlotOptimizer } from "./slot_optimizer.ts";

/** AdamW hyper-parameters. */
export interface AdamWOptions {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** Default 0.01. */
  weightDecay?: number;
  /** Tags without weight decay (default `["bias", "bn"]`). */
  excludeFromWeightDecay?: ParamTag[];
}

/** AdamW. */
export class AdamW extends SlotOptimizer {
  readonly kind = "adamw";
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly excludeFromWeightDecay: ParamTag[];

  constructor(opts: AdamWOptions = {}) {
    super();
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    this.excludeFromWeightDecay = opts.excludeFromWeightDecay ?? ["bias", "bn"];
  }

  apply(params: Param[], grads: NamedTensors, lr: number): void {
    const t = this.iterations + 1;
    const c1 = 1 - this.beta1 ** t;
    const c2 = 1 - this.beta2 ** t;
    tf.tidy(() => {
      for (const p of params) {
        const g = grads[p.name];
        if (!g || !p.trainable) continue;
        const w = p.variable;
        const m = this.slots.get(p, "m");
        const v = this.slots.get(p, "v");
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const decay = this.weightDecay !== 0 && !hasAnyTag(p, this.excludeFromWeightDecay)
          ? 1 - lr * this.weightDecay
          : 1;
        const step = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), this.eps));
        w.assign(tf.sub(tf.mul(w, decay), tf.mul(step, lr)));
      }
    });
    this.iterations = t;
  }
}
