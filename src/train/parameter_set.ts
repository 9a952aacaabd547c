/** Per-parameter tensors by name: what the optimizers take (see `_weight_decay.ts` for tags). */
import type * as tf from "@tensorflow/tfjs";

/**
 * Gradients (or any per-parameter tensors) by parameter name.
 *
 * @example Gradients for an optimizer step
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { MomentumSgd, type NamedTensors } from "@simclr/streams/train";
 * await tf.setBackend("cpu");
 * const w = tf.variable(tf.tensor1d([1]));
 * const param = { name: "w", variable: w, tags: new Set(["weight"] as const), trainable: true, layout: "plain" as const };
 * const grads: NamedTensors = { w: tf.tensor1d([1]) }; // missing names are skipped
 * new MomentumSgd({ momentum: 0 }).apply([param], grads, 0.5);
 * assert.equal((await w.data())[0], 0.5);
 * ```
 */
export type NamedTensors = Record<string, tf.Tensor>;
