/**
 * Momentum SGD, PyTorch's rule: `g += wd * w` (unless excluded by tag), `v = mu * v + g`,
 * `w -= lr * v` (Nesterov: `w -= lr * (g + mu * v)`).
 */
import * as tf from "@tensorflow/tfjs";
import type { Param, ParamTag } from "../model/params.ts";
import { type NamedTensors, withWeightDecay } from "./parameter_set.ts";
import { SlotOptimizer } from "./slot_optimizer.ts";

/** SGD hyper-parameters. */
export interface SgdOptions {
  /** Default 0.9. */
  momentum?: number;
  /** Default 0. */
  weightDecay?: number;
  nesterov?: boolean;
  /** Tags without weight decay (default `["bias", "bn"]`). */
  excludeFromWeightDecay?: ParamTag[];
}

/** Momentum SGD. */
export class MomentumSgd extends SlotOptimizer {
  readonly kind = "sgd";
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly excludeFromWeightDecay: ParamTag[];

  constructor(opts: SgdOptions = {}) {
    super();
    this.momentum = opts.momentum ?? 0.9;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.excludeFromWeightDecay = opts.excludeFromWeightDecay ?? ["bias", "bn"];
  }

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
