/**
 * LARS as in the official SimCLR code (`lars_optimizer.py`): weight decay is added to the
 * gradient, the trust ratio `trustCoefficient * ||w|| / ||g||` scales the learning rate when
 * both norms are non-zero (else 1), momentum accumulates the scaled update. Parameters carrying an excluded tag
 * (default: biases and BN parameters) get neither weight decay nor adaptation.
 */
import * as tf from "@tensorflow/tfjs";
import type { Param, ParamTag } from "../model/params.ts";
import { hasAnyTag, type NamedTensors, withWeightDecay } from "./parameter_set.ts";
import { SlotOptimizer } from "./slot_optimizer.ts";

/** LARS hyper-parameters (SimCLR defaults). */
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

/** The LARS optimizer. */
export class Lars extends SlotOptimizer {
  readonly kind = "lars";
  readonly momentum: number;
  readonly weightDecay: number;
  readonly trustCoefficient: number;
  readonly nesterov: boolean;
  readonly excludeFromWeightDecay: ParamTag[];
  readonly excludeFromAdaptation: ParamTag[];

  constructor(opts: LarsOptions = {}) {
    super();
    this.momentum = opts.momentum ?? 0.9;
    this.weightDecay = opts.weightDecay ?? 1e-6;
    this.trustCoefficient = opts.trustCoefficient ?? 0.001;
    this.nesterov = opts.nesterov ?? false;
    this.excludeFromWeightDecay = opts.excludeFromWeightDecay ?? ["bias", "bn"];
    this.excludeFromAdaptation = opts.excludeFromAdaptation ?? ["bias", "bn"];
  }

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
