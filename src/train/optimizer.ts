/** The interface every optimizer here implements (LARS, momentum SGD, AdamW). */
import type * as tf from "@tensorflow/tfjs";
import type { Param } from "../model/params.ts";
import type { NamedTensors } from "./parameter_set.ts";

/**
 * Serializable optimizer state: slot tensors by `${param}/${slot}` and scalar counters.
 *
 * @example Copying the momentum of one optimizer into another
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { MomentumSgd, type OptimizerState } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const w = tf.variable(tf.tensor1d([1]));
 * const param = { name: "w", variable: w, tags: new Set(["weight"] as const), trainable: true, layout: "plain" as const };
 * const a = new MomentumSgd();
 * a.apply([param], { w: tf.tensor1d([0.5]) }, 0.1);
 * const state: OptimizerState = a.state(); // a's own tensors: do not dispose
 * assert.deepEqual(Object.keys(state.slots), ["w/momentum"]);
 * const b = new MomentumSgd();
 * b.loadState(state); // copies
 * assert.equal(b.state().iterations, 1);
 * a.dispose();
 * b.dispose();
 * ```
 */
export interface OptimizerState {
  kind: string;
  /** Updates applied so far. */
  iterations: number;
  slots: Record<string, tf.Tensor>;
}

/**
 * Applies already-reduced gradients to parameters: {@link Lars}, {@link MomentumSgd},
 * {@link AdamW}, or your own.
 *
 * @example Plain SGD as an Optimizer
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Optimizer, trainer } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const plainSgd: Optimizer = {
 *   kind: "plain-sgd",
 *   apply(params, grads, lr) {
 *     for (const p of params) {
 *       const g = grads[p.name];
 *       if (g) p.variable.assign(tf.tidy(() => tf.sub(p.variable, tf.mul(g, lr))));
 *     }
 *   },
 *   state: () => ({ kind: "plain-sgd", iterations: 0, slots: {} }),
 *   loadState() {},
 *   dispose() {},
 * };
 * const w = tf.variable(tf.tensor1d([1]));
 * const param = { name: "w", variable: w, tags: new Set(["weight"] as const), trainable: true, layout: "plain" as const };
 * plainSgd.apply([param], { w: tf.tensor1d([2]) }, 0.25);
 * assert.equal((await w.data())[0], 0.5);
 * ```
 */
export interface Optimizer {
  /** `lars`, `sgd` or `adamw`. */
  readonly kind: string;
  /**
   * One update with learning rate `lr`. `grads` are keyed by parameter name (missing ones are
   * skipped); the optimizer does not dispose them.
   */
  apply(params: Param[], grads: NamedTensors, lr: number): void;
  /** The state (tensors are the optimizer's own: do not dispose them). */
  state(): OptimizerState;
  /** Replaces the state (copies the tensors). */
  loadState(state: OptimizerState): void;
  /** Frees slot tensors. */
  dispose(): void;
}
