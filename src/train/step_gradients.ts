/** What the forward/loss/backward stage emits and the optimizer step consumes. */
import type * as tf from "@tensorflow/tfjs";
import type { NamedTensors } from "./parameter_set.ts";

/**
 * Gradients of one (micro-)batch, or of several after accumulation. The tensors stay on the
 * device; whoever consumes a `StepGradients` disposes it (see {@link disposeStepGradients}).
 *
 * @example A gradient-clipping stage before the optimizer
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, MomentumSgd, type StepGradients, trainer } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const maxNorm = 1;
 * const norms: number[] = [];
 * const clip = new TransformStream<StepGradients, StepGradients>({
 *   async transform(g, controller) {
 *     const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(g.grads).map((t) => tf.sum(tf.square(t))))));
 *     const n = (await norm.data())[0];
 *     norm.dispose();
 *     norms.push(n);
 *     const scale = Math.min(1, maxNorm / n);
 *     const grads = Object.fromEntries(Object.entries(g.grads).map(([k, t]) => [k, tf.mul(t, scale)]));
 *     for (const t of Object.values(g.grads)) t.dispose(); // replaced: free the old ones
 *     controller.enqueue({ ...g, grads });
 *   },
 * });
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model, optimizer: new MomentumSgd(), learningRate: () => 0.1, stages: [clip],
 * }));
 * assert.equal(norms.length, 2);
 * ```
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
  /** Milliseconds spent computing (summed). */
  computeMs: number;
}

/** Images behind a `StepGradients`: `images`, or both views of every pair. */
export function imagesOf(g: Pick<StepGradients, "pairs" | "images">): number {
  return g.images ?? 2 * g.pairs;
}

/**
 * Frees the tensors of a `StepGradients` (gradients, loss, accuracy, online counts): a stage
 * that drops or replaces gradients calls it.
 *
 * @example Nothing leaks
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, disposeStepGradients, forwardBackward } from "@simclr/streams/train";
 * import { createModel } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * // 2 pairs of 4x4 RGB views: the 2 first views, then the 2 second views
 * const batch = (microStep: number): Batch => ({
 *   microStep, epoch: 0, size: 2, height: 4, width: 4, channels: 3,
 *   views: Float32Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => Math.sin(i + microStep)),
 *   keys: ["a", "b"], indices: Int32Array.of(0, 1), labels: Int32Array.of(0, 1),
 * });
 * const before = tf.memory().numTensors;
 * await ReadableStream.from([batch(0)]).pipeThrough(forwardBackward(model))
 *   .pipeTo(new WritableStream({ write: (g) => disposeStepGradients(g) }));
 * assert.equal(tf.memory().numTensors, before);
 * ```
 */
export function disposeStepGradients(
  g: Pick<StepGradients, "grads" | "loss" | "accuracy" | "online">,
): void {
  for (const t of Object.values(g.grads)) t.dispose();
  g.loss.dispose();
  g.accuracy.dispose();
  g.online?.dispose();
}
