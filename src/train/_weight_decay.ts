/** How the optimizers read parameter tags: exclusions and L2 weight decay (private to the package). */
import * as tf from "@tensorflow/tfjs";
import type { Param, ParamTag } from "../model/params.ts";

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
