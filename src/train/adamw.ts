/**
 * AdamW (PyTorch's rule): `w *= 1 - lr * wd` (unless excluded by tag), then the bias-corrected
 * Adam step `w -= lr * m_hat / (sqrt(v_hat) + eps)`.
 */
import * as tf from "@tensorflow/tfjs";
import type { Param, ParamTag } from "../model/params.ts";
import type { NamedTensors } from "./parameter_set.ts";
import { hasAnyTag } from "./_weight_decay.ts";
import { SlotOptimizer } from "./slot_optimizer.ts";

/**
 * AdamW hyper-parameters.
 *
 * @example Decoupled weight decay
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { AdamW, type AdamWOptions } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const options: AdamWOptions = { weightDecay: 0.01 };
 * const w = tf.variable(tf.tensor1d([1]));
 * const param = { name: "w", variable: w, tags: new Set(["weight"] as const), trainable: true, layout: "plain" as const };
 * new AdamW(options).apply([param], { w: tf.tensor1d([0.5]) }, 0.1);
 * // w * (1 - lr * wd) - lr * m_hat / (sqrt(v_hat) + eps), and m_hat / sqrt(v_hat) = 1
 * assert.ok(Math.abs((await w.data())[0] - (0.999 - 0.1)) < 1e-6);
 * ```
 */
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

/**
 * AdamW, PyTorch's rule: decoupled weight decay `w *= 1 - lr * wd`, then the bias-corrected
 * Adam step.
 *
 * @example The first step moves by about lr, whatever the gradient's scale
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { AdamW } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const w = tf.variable(tf.tensor1d([1, 1]));
 * const param = { name: "w", variable: w, tags: new Set(["weight"] as const), trainable: true, layout: "plain" as const };
 * const opt = new AdamW({ weightDecay: 0 });
 * opt.apply([param], { w: tf.tensor1d([1000, -0.001]) }, 0.1);
 * const [a, b] = await w.data();
 * assert.ok(Math.abs(a - 0.9) < 1e-4 && Math.abs(b - 1.1) < 1e-4);
 * opt.dispose();
 * ```
 */
export class AdamW extends SlotOptimizer {
  /** The optimizer's name in checkpoints. */
  readonly kind = "adamw";
  /** Decay of the first moment. */
  readonly beta1: number;
  /** Decay of the second moment. */
  readonly beta2: number;
  /** Added to the second moment's square root. */
  readonly eps: number;
  /** Decoupled weight decay (times the learning rate). */
  readonly weightDecay: number;
  /** Tags without weight decay. */
  readonly excludeFromWeightDecay: ParamTag[];

  /** AdamW with `opts` over the defaults. */
  constructor(opts: AdamWOptions = {}) {
    super();
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    this.excludeFromWeightDecay = opts.excludeFromWeightDecay ?? ["bias", "bn"];
  }

  /** One update of `params` (those with a gradient in `grads`) at learning rate `lr`. */
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
