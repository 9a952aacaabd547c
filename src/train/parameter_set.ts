/** The parameters an optimizer updates, by name, with the tags that decide exclusions. */
import * as tf from "@tensorflow/tfjs";
import type { Param, ParamTag } from "../model/params.ts";

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

/** Reads a parameter's tags; true when any of `tags` is on it. */
export function hasAnyTag(param: Param, tags: readonly ParamTag[]): boolean {
  return tags.some((t) => param.tags.has(t));
}

/**
 * `g + weightDecay * w` (L2 weight decay added to the gradient, as LARS and SGD do), or `g`
 * when the decay is 0 or the parameter carries an excluded tag.
 */
export function withWeightDecay(
  p: Param,
  g: tf.Tensor,
  weightDecay: number,
  exclude: readonly ParamTag[],
): tf.Tensor {
  return weightDecay !== 0 && !hasAnyTag(p, exclude)
    ? tf.add(g, tf.mul(p.variable, weightDecay))
    : g;
}
