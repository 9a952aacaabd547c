/**
 * A linear classifier on features and its accuracy (the scoring itself: `_head_accuracy.ts`).
 */

/**
 * A linear classifier on features: `logits = x W + b` (a {@link LinearProbe} is one, on
 * standardized features).
 *
 * @example A probe's weights
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type FeatureSet, type LinearHead, trainLinearProbe } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0, 0, 1), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * const head: LinearHead = await trainLinearProbe(train);
 * assert.equal(head.weights.length, head.dim * head.numClasses);
 * assert.equal(head.bias.length, 2);
 * ```
 */
export interface LinearHead {
  /** Feature width. */
  dim: number;
  /** Classes (logits per row). */
  numClasses: number;
  /** `dim x numClasses`, row-major. */
  weights: Float32Array;
  /** One per class. */
  bias: Float32Array;
}

/**
 * Top-1 and top-5 accuracy of a classifier (shares of the scored rows, 0..1), and its
 * predictions (largest logit per row).
 *
 * @example The linear probe's accuracy on test features
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import {
 *   type ClassifierAccuracy,
 *   type FeatureSet,
 *   probeAccuracy,
 *   trainLinearProbe,
 * } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0.1, 0.1, 1, 0.9, 0, 0, 0.9), labels: Int32Array.of(0, 1, 0, 1),
 *   dim: 2, count: 4,
 * };
 * const test: FeatureSet = {
 *   features: Float32Array.of(0.8, 0.2, 0.2, 0.7), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * const acc: ClassifierAccuracy = await probeAccuracy(await trainLinearProbe(train), test);
 * assert.equal(acc.count, 2);
 * assert.equal(acc.top1, 1);
 * assert.deepEqual([...acc.predictions], [0, 1]);
 * ```
 */
export interface ClassifierAccuracy {
  /** Share of rows whose largest logit is their label (0..1). */
  top1: number;
  /** Top-5 (every row counts as a hit when there are 5 classes or fewer). */
  top5: number;
  /** Rows scored. */
  count: number;
  /** Predicted class per row (largest logit). */
  predictions: Int32Array;
}
