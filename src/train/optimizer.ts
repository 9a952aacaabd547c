/** The interface every optimizer here implements (LARS, momentum SGD, AdamW). */
import type * as tf from "@tensorflow/tfjs";
import type { Param } from "../model/params.ts";
import type { NamedTensors } from "./parameter_set.ts";

/** Serializable optimizer state: slot tensors by `${param}/${slot}` and scalar counters. */
export interface OptimizerState {
  kind: string;
  /** Updates applied so far. */
  iterations: number;
  slots: Record<string, tf.Tensor>;
}

/** Applies already-reduced gradients to parameters. */
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
