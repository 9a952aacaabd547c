/**
 * The fine-tuning objective: softmax cross-entropy of a linear classifier on the encoder's
 * features, on each batch's first views (one augmented crop per labelled image), back-propagated
 * into the classifier and the whole encoder (the projection head gets no gradient), as a
 * {@link StepObjective} for the forward stage.
 */
import * as tf from "@tensorflow/tfjs";
import type { Linear } from "../model/linear.ts";
import { checkLabels, classificationLoss } from "./cross_entropy.ts";
import type { StepObjective } from "./forward_backward.ts";
import { checkBatchViews, trainingGradients } from "./_step_objective.ts";

/**
 * The objective of fine-tuning `model.encoder` plus `classifier` (whose parameters must live in
 * the model's store, so the optimizer step updates and checkpoints them) on labelled batches:
 * loss = mean cross-entropy over the batch's first views, accuracy = their top-1. Every sample
 * must carry a label in `0 .. classifier.outFeatures - 1`.
 *
 * @example Fine-tuning the encoder with a classifier
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type Batch, MomentumSgd, type StepMetrics, supervisedObjective, trainer } from "@simclr/streams/train";
 * import { createModel, Linear } from "@simclr/streams/model";
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
 * // in the model's store: the optimizer updates it and checkpoints keep it
 * const classifier = new Linear(model.store, "classifier", model.encoder.featureDim, 2);
 * const metrics: StepMetrics[] = [];
 * await ReadableStream.from([batch(0), batch(1)]).pipeTo(trainer({
 *   model, optimizer: new MomentumSgd(), learningRate: () => 0.1, logEvery: 1,
 *   objective: supervisedObjective(classifier),
 *   onMetrics: (m) => { metrics.push(m); },
 * }));
 * assert.equal(metrics.length, 2);
 * assert.ok(metrics.every((m) => m.loss > 0 && m.accuracy >= 0)); // cross-entropy, top-1
 * ```
 */
export function supervisedObjective(classifier: Linear): StepObjective {
  const classes = classifier.outFeatures;
  const prefix = classifier.weight.name.replace(/weight$/, "");
  return (model, batch, opts) => {
    checkBatchViews(batch);
    const { size: n, height: h, width: w, channels: c } = batch;
    const labels = batch.labels;
    if (!labels || labels.length !== n) {
      throw new TypeError(
        `micro-batch ${batch.microStep}: fine-tuning needs one label per image, got ` +
          `${labels?.length ?? "none"} for ${n}`,
      );
    }
    checkLabels(labels, classes, batch.keys);
    const unlabelled = labels.indexOf(-1);
    if (unlabelled >= 0) {
      throw new RangeError(
        `sample '${batch.keys[unlabelled]}' has no label: fine-tuning trains on labelled ` +
          "samples only",
      );
    }
    const params = model.store.trainable().filter((p) =>
      p.name.startsWith(model.encoder.prefix) || p.name.startsWith(prefix)
    );
    const x = tf.tensor4d(batch.views.subarray(0, n * h * w * c), [n, h, w, c]);
    let correct!: tf.Scalar;
    let result: ReturnType<typeof trainingGradients>;
    try {
      result = trainingGradients(params, opts, (ctx) => {
        const r = classificationLoss(classifier.apply(model.encoder.apply(x, ctx)), labels);
        correct = tf.keep(r.correct);
        return tf.div(r.lossSum, n) as tf.Scalar;
      });
    } catch (err) {
      correct?.dispose();
      throw err;
    } finally {
      x.dispose();
    }
    const accuracy = tf.div(correct, n) as tf.Scalar;
    correct.dispose();
    return {
      microStep: batch.microStep,
      epoch: batch.epoch,
      pairs: n,
      images: n,
      microBatches: 1,
      grads: result.grads,
      loss: result.loss,
      accuracy,
    };
  };
}
