/**
 * LARS as in the official SimCLR code (`lars_optimizer.py`): weight decay is added to the
 * gradient, the trust ratio `trustCoefficient * ||w|| / ||g||` scales the learning rate when
 * both norms are non-zero (else 1), momentum accumulates the scaled update. Parameters carrying an excluded tag
 * (default: biases and BN parameters) get neither weight decay nor adaptation.
 */
import * as tf from "@tensorflow/tfjs";
import type { Param, ParamTag } from "../model/params.ts";
import type { NamedTensors } from "./parameter_set.ts";
import { hasAnyTag, withWeightDecay } from "./_weight_decay.ts";
import { SlotOptimizer } from "./slot_optimizer.ts";

/**
 * LARS hyper-parameters (SimCLR defaults).
 *
 * @example No weight decay; biases excluded from adaptation
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { Lars, type LarsOptions } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const options: LarsOptions = { momentum: 0.9, weightDecay: 0, excludeFromAdaptation: ["bias"] };
 * const w = tf.variable(tf.tensor1d([3, 4]));
 * const param = { name: "w", variable: w, tags: new Set(["bias"] as const), trainable: true, layout: "plain" as const };
 * new Lars(options).apply([param], { w: tf.tensor1d([0, 1]) }, 0.5);
 * // a bias: the plain momentum step, lr * g
 * assert.deepEqual([...await w.data()], [3, 3.5]);
 * ```
 */
export interface LarsOptions {
  /** Default 0.9. */
  momentum?: number;
  /** Default 1e-6. */
  weightDecay?: number;
  /**
   * Trust coefficient, default 0.001 (eta in the LARS paper, `eeta` in the official SimCLR
   * code; `optim.trustCoefficient` in a pipeline).
   */
  trustCoefficient?: number;
  /** Default false. */
  nesterov?: boolean;
  /** Tags excluded from weight decay (default `["bias", "bn"]`). */
  excludeFromWeightDecay?: ParamTag[];
  /** Tags excluded from the trust-ratio adaptation (default `["bias", "bn"]`). */
  excludeFromAdaptation?: ParamTag[];
}

/**
 * The LARS optimizer, as the official SimCLR code: `g += wd * w`, then (unless excluded) the
 * learning rate scaled by the trust ratio `trustCoefficient * ||w|| / ||g||`, momentum on the
 * scaled update.
 *
 * @example One step on a weight vector, by hand
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { Lars } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const w = tf.variable(tf.tensor1d([3, 4]));
 * const param = { name: "w", variable: w, tags: new Set(["weight"] as const), trainable: true, layout: "plain" as const };
 * const opt = new Lars({ weightDecay: 0, trustCoefficient: 0.001 });
 * opt.apply([param], { w: tf.tensor1d([0, 2]) }, 1);
 * // trust ratio 0.001 * ||w|| / ||g|| = 0.001 * 5 / 2: w -= 1 * 0.0025 * g
 * const [a, b] = await w.data();
 * assert.equal(a, 3);
 * assert.ok(Math.abs(b - (4 - 0.005)) < 1e-6);
 * assert.equal(opt.state().iterations, 1);
 * opt.dispose();
 * ```
 */
export class Lars extends SlotOptimizer {
  /** The optimizer's name in checkpoints. */
  readonly kind = "lars";
  /** Momentum of the scaled update. */
  readonly momentum: number;
  /** L2 weight decay added to the gradient. */
  readonly weightDecay: number;
  /** Trust coefficient of the learning-rate adaptation. */
  readonly trustCoefficient: number;
  /** Nesterov momentum. */
  readonly nesterov: boolean;
  /** Tags without weight decay. */
  readonly excludeFromWeightDecay: ParamTag[];
  /** Tags without trust-ratio adaptation. */
  readonly excludeFromAdaptation: ParamTag[];

  /** LARS with `opts` over SimCLR's defaults. */
  constructor(opts: LarsOptions = {}) {
    super();
    this.momentum = opts.momentum ?? 0.9;
    this.weightDecay = opts.weightDecay ?? 1e-6;
    this.trustCoefficient = opts.trustCoefficient ?? 0.001;
    this.nesterov = opts.nesterov ?? false;
    this.excludeFromWeightDecay = opts.excludeFromWeightDecay ?? ["bias", "bn"];
    this.excludeFromAdaptation = opts.excludeFromAdaptation ?? ["bias", "bn"];
  }

  /** One update of `params` (those with a gradient in `grads`) at learning rate `lr`. */
  apply(params: Param[], grads: NamedTensors, lr: number): void {
    tf.tidy(() => {
      for (const p of params) {
        const g0 = grads[p.name];
        if (!g0 || !p.trainable) continue;
        const w = p.variable;
        const g = withWeightDecay(p, g0, this.weightDecay, this.excludeFromWeightDecay);
        let scaledLr: tf.Tensor = tf.scalar(lr);
        if (!hasAnyTag(p, this.excludeFromAdaptation)) {
          const wNorm = tf.norm(w);
          const gNorm = tf.norm(g);
          const ok = tf.logicalAnd(tf.greater(wNorm, 0), tf.greater(gNorm, 0));
          const trust = tf.where(
            ok,
            tf.div(tf.mul(wNorm, this.trustCoefficient), gNorm),
            tf.onesLike(wNorm),
          );
          scaledLr = tf.mul(scaledLr, trust);
        }
        const v = this.slots.get(p, "momentum");
        const scaled = tf.mul(g, scaledLr);
        const next = tf.add(tf.mul(v, this.momentum), scaled);
        v.assign(next);
        const update = this.nesterov ? tf.add(tf.mul(next, this.momentum), scaled) : next;
        w.assign(tf.sub(w, update));
      }
    });
    this.iterations++;
  }
}
