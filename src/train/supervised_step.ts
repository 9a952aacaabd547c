/**
 * The fine-tuning objective: softmax cross-entropy of a linear classifier on the encoder's
 * features, on each batch's first views (one augmented crop per labelled image), back-propagated
 * into the classifier and the whole encoder (the projection head gets no gradient), as a
 * {@link StepObjective} for the forward stage.
 */
import * as tf from "@tensorflow/tfjs";
import type { Linear } from "../model/linear.ts";
import { checkLabels, classificationLoss } from "./cross_entropy.ts";
import { checkBatchViews, type StepObjective, trainingGradients } from "./forward_backward.ts";

/**
 * The objective of fine-tuning `model.encoder` plus `classifier` (whose parameters must live in
 * the model's store, so the optimizer step updates and checkpoints them) on labelled batches:
 * loss = mean cross-entropy over the batch's first views, accuracy = their top-1. Every sample
 * must carry a label in `0 .. classifier.outFeatures - 1`.
 *
 * @example
 * ```ts
 * const classifier = new Linear(model.store, "classifier", model.encoder.featureDim, 10);
 * const sink = trainer({ model, optimizer, learningRate, objective: supervisedObjective(classifier) });
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
