/**
 * The accelerator stage: forward pass, NT-Xent (or another objective), backward pass, as a
 * `TransformStream<Batch, StepGradients>`. BN running statistics are updated here (once per
 * micro-batch, as PyTorch does per forward). Nothing is read back from the device.
 */
import type { SimCLRModel } from "../model/simclr_model.ts";
import type { Batch } from "./batch.ts";
import type { NtXentReduction } from "./nt_xent.ts";
import type { OnlineClassifier } from "./online_classifier.ts";
import type { StepGradients } from "./step_gradients.ts";
import type { TrainingHooks } from "./training_hooks.ts";
import { computeStepGradients } from "./_step_objective.ts";

/**
 * Options of {@link forwardBackward} (and of {@link trainer}).
 *
 * @example A lower temperature, google's loss scale
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, forwardBackward, type ForwardBackwardOptions, type StepGradients } from "@simclr/streams/train";
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
 * const options: ForwardBackwardOptions = { temperature: 0.1, lossReduction: "sum-of-directions" };
 * const out: StepGradients[] = [];
 * await ReadableStream.from([batch(0)]).pipeThrough(forwardBackward(model, options))
 *   .pipeTo(new WritableStream({ write: (g) => { out.push(g); } }));
 * assert.ok((await out[0].loss.data())[0] > 0);
 * tf.dispose([out[0].loss, out[0].accuracy, ...Object.values(out[0].grads)]);
 * ```
 */
export interface ForwardBackwardOptions {
  /** NT-Xent temperature (SimCLR: 0.1 to 0.5; default 0.5). */
  temperature?: number;
  /** NT-Xent reduction: `mean` over the 2N anchors (default) or google's `sum-of-directions`. */
  lossReduction?: NtXentReduction;
  /** BN running-statistics momentum (PyTorch convention, default 0.1). */
  bnMomentum?: number;
  /** Distributed seams (global BN, gathered negatives). */
  hooks?: TrainingHooks;
  /**
   * The online linear classifier: trained beside NT-Xent on the features `h` of each batch's
   * first views, outside the encoder's gradient tape (so no gradient of it reaches the encoder,
   * and no label reaches NT-Xent). Its gradients join `StepGradients.grads` under its own
   * parameter names, its counts ride in `StepGradients.online`.
   */
  online?: OnlineClassifier;
  /**
   * What one micro-batch computes (default {@link computeStepGradients}, SimCLR's objective);
   * fine-tuning passes a supervised one.
   */
  objective?: StepObjective;
}

/**
 * The loss and gradients of one micro-batch (a synchronous dispatch; tensors stay on the
 * device): the trainer's `objective`, SimCLR's by default, {@link supervisedObjective} to
 * fine-tune.
 *
 * @example The fine-tuning objective
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type StepObjective, supervisedObjective } from "@simclr/streams/train";
 * import { createModel, Linear } from "@simclr/streams/model";
 * await tf.setBackend("cpu");
 * const model = createModel({
 *   encoder: "small", smallWidths: { stem: 4, stages: [4] }, head: { layers: 2, hiddenDim: 4, outDim: 4 },
 * });
 * const classifier = new Linear(model.store, "classifier", model.encoder.featureDim, 2);
 * const objective: StepObjective = supervisedObjective(classifier);
 * assert.equal(typeof objective, "function"); // pass it as trainer({ objective })
 * ```
 */
export type StepObjective = (
  model: SimCLRModel,
  batch: Batch,
  opts: ForwardBackwardOptions,
) => Omit<StepGradients, "waitMs" | "computeMs">;

/**
 * `TransformStream<Batch, StepGradients>`: forward + loss (NT-Xent, or `opts.objective`) +
 * backward per batch. Holds at most one batch waiting and one result queued. Nothing is read
 * back from the device; whoever consumes the gradients disposes them.
 *
 * @example Gradients of two micro-batches
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, disposeStepGradients, forwardBackward, type StepGradients } from "@simclr/streams/train";
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
 * const grads: StepGradients[] = [];
 * await ReadableStream.from([batch(0), batch(1)])
 *   .pipeThrough(forwardBackward(model, { temperature: 0.5 }))
 *   .pipeTo(new WritableStream({ write: (g) => { grads.push(g); } }));
 * assert.deepEqual(grads.map((g) => g.microStep), [0, 1]);
 * // a gradient for every trainable parameter
 * assert.deepEqual(Object.keys(grads[0].grads).sort(), model.store.trainable().map((p) => p.name).sort());
 * grads.forEach(disposeStepGradients);
 * ```
 */
export function forwardBackward(
  model: SimCLRModel,
  opts: ForwardBackwardOptions = {},
): TransformStream<Batch, StepGradients> {
  let ready = performance.now();
  return new TransformStream<Batch, StepGradients>(
    {
      transform(batch, controller) {
        const start = performance.now();
        const out = (opts.objective ?? computeStepGradients)(model, batch, opts);
        const end = performance.now();
        // Data wait: the time this stage was ready before the batch existed. Time spent held
        // back by the stages after it (an optimizer awaiting the GPU) is not waiting for data.
        const waitMs = batch.readyAt !== undefined
          ? Math.max(0, Math.min(start, batch.readyAt) - ready)
          : start - ready;
        controller.enqueue({ ...out, waitMs, computeMs: end - start });
        ready = performance.now();
      },
    },
    { highWaterMark: 1 },
    { highWaterMark: 0 },
  );
}
