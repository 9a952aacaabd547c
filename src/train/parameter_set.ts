/** The parameters an optimizer updates, by name, with the tags that decide exclusions. */
import type * as tf from "@tensorflow/tfjs";
import type { Param, ParamTag } from "../model/params.ts";

/** Gradients (or any per-parameter tensors) by parameter name. */
export type NamedTensors = Record<string, tf.Tensor>;

/** Reads a parameter's tags; true when any of `tags` is on it. */
export function hasAnyTag(param: Param, tags: readonly ParamTag[]): boolean {
  return tags.some((t) => param.tags.has(t));
}
