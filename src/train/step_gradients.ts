/** What the forward/loss/backward stage emits and the optimizer step consumes. */
import type * as tf from "@tensorflow/tfjs";
import type { NamedTensors } from "./parameter_set.ts";

/**
 * Gradients of one (micro-)batch, or of several after accumulation. The tensors stay on the
 * device; whoever consumes a `StepGradients` disposes it (see {@link disposeStepGradients}).
 */
export interface StepGradients {
  /** `Batch.microStep` of the (last) micro-batch these gradients come from. */
  microStep: number;
  /** `Batch.epoch` of that batch. */
  epoch: number;
  /** Pairs that contributed (summed over accumulated micro-batches). */
  pairs: number;
  /**
   * Images the forward passes computed on, when not both views of every pair (fine-tuning uses
   * the first views only); see {@link imagesOf}.
   */
  images?: number;
  /** Micro-batches averaged into these gradients (1 without accumulation). */
  microBatches: number;
  /** Gradients by parameter name (mean over pairs and micro-batches). */
  grads: NamedTensors;
  /** NT-Xent loss, scalar (mean over micro-batches). */
  loss: tf.Scalar;
  /** Contrastive top-1 accuracy, scalar. */
  accuracy: tf.Scalar;
  /**
   * With an online classifier: its `[cross-entropy sum, correct, labelled rows]` over the
   * (micro-)batches. Readers take ratios of its entries (loss = [0] / [2], top-1 = [1] / [2]), so
   * the averaging of accumulation and of the all-reduce keeps them right.
   */
  online?: tf.Tensor1D;
  /** Milliseconds the stage waited for its input, and spent computing (summed). */
  waitMs: number;
  computeMs: number;
}

/** Images behind a `StepGradients`: `images`, or both views of every pair. */
export function imagesOf(g: Pick<StepGradients, "pairs" | "images">): number {
  return g.images ?? 2 * g.pairs;
}

/** Frees the tensors of a `StepGradients`. */
export function disposeStepGradients(
  g: Pick<StepGradients, "grads" | "loss" | "accuracy" | "online">,
): void {
  for (const t of Object.values(g.grads)) t.dispose();
  g.loss.dispose();
  g.accuracy.dispose();
  g.online?.dispose();
}
