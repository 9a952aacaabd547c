/**
 * The evaluation numbers of one encoder: kNN top-1/top-5, linear-probe top-1/top-5 and (after
 * pretraining with one) the online classifier's.
 */
import {
  type EncodeFn,
  extractFeatures,
  type FeatureSet,
  type ImageBatchLike,
} from "./features.ts";
import { knnClassify } from "./knn.ts";
import { linearHeadAccuracy } from "./_head_accuracy.ts";
import { probeAccuracy, trainLinearProbe } from "./probe.ts";

/**
 * Options for {@link evaluateFeatures}; the shape of a pipeline's `eval` section fits.
 *
 * @example kNN only (the monitor during pretraining)
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { evaluateFeatures, type EvaluateOptions, type FeatureSet } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0.1, 0.1, 1, 0.9, 0, 0, 0.9), labels: Int32Array.of(0, 1, 0, 1),
 *   dim: 2, count: 4,
 * };
 * const test: FeatureSet = {
 *   features: Float32Array.of(0.8, 0.2, 0.2, 0.7), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * const options: EvaluateOptions = { knn: { k: 3, temperature: 0.1 }, linearProbe: { enabled: false } };
 * const scores = await evaluateFeatures(train, test, options);
 * assert.equal(scores.knnTop1, 1);
 * assert.equal(scores.linearTop1, undefined); // no probe
 * ```
 */
export interface EvaluateOptions {
  /** kNN neighbours and vote temperature (defaults 200 and 0.1). */
  knn?: { k?: number; temperature?: number };
  /** The linear probe: enabled by default; its L2 penalty and L-BFGS limits. */
  linearProbe?: { enabled?: boolean; l2?: number; maxIterations?: number; tolerance?: number };
  /** Classes (default: largest label + 1). */
  numClasses?: number;
  /**
   * The online linear classifier trained during pretraining (`[dim x classes]` weights and
   * bias, on raw features): scored on `test` too.
   */
  online?: { weights: Float32Array; bias: Float32Array };
}

/**
 * Evaluation results of one encoder (accuracies are shares, 0..1).
 *
 * @example Reading the scores
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type EvalScores, evaluateFeatures, type FeatureSet } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0.1, 0.1, 1, 0.9, 0, 0, 0.9), labels: Int32Array.of(0, 1, 0, 1),
 *   dim: 2, count: 4,
 * };
 * const test: FeatureSet = {
 *   features: Float32Array.of(0.8, 0.2, 0.2, 0.7), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * const scores: EvalScores = await evaluateFeatures(train, test);
 * assert.deepEqual([scores.knnTop1, scores.linearTop1], [1, 1]);
 * assert.deepEqual([scores.trainCount, scores.testCount, scores.dim], [4, 2, 2]);
 * assert.equal(scores.probe?.trainTop1, 1);
 * ```
 */
export interface EvalScores {
  /** kNN top-1 accuracy. */
  knnTop1: number;
  /** kNN top-5 accuracy. */
  knnTop5: number;
  /** Absent when the probe is disabled. */
  linearTop1?: number;
  /** Linear-probe top-5 accuracy. */
  linearTop5?: number;
  /** The online classifier's accuracy on the test features, when one was given. */
  onlineTop1?: number;
  /** The online classifier's top-5 accuracy. */
  onlineTop5?: number;
  /** Probe diagnostics. */
  probe?: { trainTop1: number; loss: number; iterations: number; converged: boolean };
  /** Training rows (the kNN bank, the probe's training set). */
  trainCount: number;
  /** Test rows scored. */
  testCount: number;
  /** Feature width. */
  dim: number;
  /** Seconds spent in kNN and probe (not extraction). */
  seconds: number;
}

/**
 * kNN (bank = `train`) and the linear probe (fit on `train`) scored on `test`.
 *
 * @example kNN, linear probe and an online classifier's head
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { evaluateFeatures, type FeatureSet } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0.1, 0.1, 1, 0.9, 0, 0, 0.9), labels: Int32Array.of(0, 1, 0, 1),
 *   dim: 2, count: 4,
 * };
 * const test: FeatureSet = {
 *   features: Float32Array.of(0.8, 0.2, 0.2, 0.7), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * // an online classifier whose logits are the features themselves (identity weights)
 * const online = { weights: Float32Array.of(1, 0, 0, 1), bias: new Float32Array(2) };
 * const scores = await evaluateFeatures(train, test, { knn: { k: 2 }, online });
 * assert.deepEqual([scores.knnTop1, scores.linearTop1, scores.onlineTop1], [1, 1, 1]);
 * ```
 */
export async function evaluateFeatures(
  train: FeatureSet,
  test: FeatureSet,
  options: EvaluateOptions = {},
): Promise<EvalScores> {
  const t0 = performance.now();
  const knn = await knnClassify(train, test, { ...options.knn, numClasses: options.numClasses });
  const scores: EvalScores = {
    knnTop1: knn.top1,
    knnTop5: knn.top5,
    trainCount: train.count,
    testCount: test.count,
    dim: train.dim,
    seconds: 0,
  };
  if (options.linearProbe?.enabled ?? true) {
    const probe = await trainLinearProbe(train, {
      ...options.linearProbe,
      numClasses: options.numClasses,
    });
    const onTest = await probeAccuracy(probe, test);
    scores.linearTop1 = onTest.top1;
    scores.linearTop5 = onTest.top5;
    scores.probe = {
      trainTop1: (await probeAccuracy(probe, train)).top1,
      loss: probe.loss,
      iterations: probe.iterations,
      converged: probe.converged,
    };
  }
  if (options.online) {
    const { weights, bias } = options.online;
    const head = { dim: test.dim, numClasses: bias.length, weights, bias };
    const online = await linearHeadAccuracy(head, test);
    scores.onlineTop1 = online.top1;
    scores.onlineTop5 = online.top5;
  }
  scores.seconds = (performance.now() - t0) / 1000;
  return scores;
}

/**
 * Options for {@link evaluateEncoder}: evaluation options plus sample caps.
 *
 * @example The first 2 training and 1 test image
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { evaluateEncoder, type EvaluateEncoderOptions } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const batch = { views: Float32Array.of(1, 0, 0, 1, 1, 0), height: 1, width: 1, channels: 2, count: 3, labels: [0, 1, 0] };
 * const encode = (x: tf.Tensor4D) => x.reshape([x.shape[0], 2]) as tf.Tensor2D;
 * const options: EvaluateEncoderOptions = { maxTrainSamples: 2, maxTestSamples: 1, knn: { k: 1 } };
 * const scores = await evaluateEncoder(encode, [batch], [batch], options);
 * assert.deepEqual([scores.trainCount, scores.testCount], [2, 1]);
 * ```
 */
export interface EvaluateEncoderOptions extends EvaluateOptions {
  /** Cap on the bank / probe training images. */
  maxTrainSamples?: number;
  /** Cap on the test images. */
  maxTestSamples?: number;
  /** Called with `("train" | "test", images done)` during extraction. */
  onProgress?: (split: "train" | "test", done: number) => void;
}

/**
 * Extracts features of `train` and `test` with `encode` (inference mode), then runs
 * {@link evaluateFeatures}. With `linearProbe: { enabled: false }` this is the kNN monitor
 * used every N epochs during pretraining.
 *
 * @example A model's encoder on a few synthetic images
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { createModel } from "@simclr/streams/model";
 * import { evaluateEncoder, type ImageBatchLike } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const model = createModel({ encoder: "small", smallWidths: { stem: 4, stages: [4] } });
 * const encode = (x: tf.Tensor4D) => model.encoder.apply(x, { training: false }) as tf.Tensor2D;
 * const images = (count: number): ImageBatchLike => ({
 *   views: Float32Array.from({ length: count * 4 * 4 * 3 }, (_, i) => Math.sin(i)),
 *   height: 4, width: 4, channels: 3, count, labels: Array.from({ length: count }, (_, i) => i % 2),
 * });
 * const monitor = await evaluateEncoder(encode, [images(6)], [images(4)], {
 *   knn: { k: 3 },
 *   linearProbe: { enabled: false }, // kNN only, as every N epochs during pretraining
 * });
 * assert.equal(monitor.testCount, 4);
 * assert.ok(monitor.knnTop1 >= 0 && monitor.knnTop1 <= 1);
 * ```
 */
export async function evaluateEncoder(
  encode: EncodeFn,
  train: AsyncIterable<ImageBatchLike> | Iterable<ImageBatchLike>,
  test: AsyncIterable<ImageBatchLike> | Iterable<ImageBatchLike>,
  options: EvaluateEncoderOptions = {},
): Promise<EvalScores> {
  const trainSet = await extractFeatures(encode, train, {
    maxSamples: options.maxTrainSamples,
    onProgress: (n) => options.onProgress?.("train", n),
  });
  const testSet = await extractFeatures(encode, test, {
    maxSamples: options.maxTestSamples,
    onProgress: (n) => options.onProgress?.("test", n),
  });
  return await evaluateFeatures(trainSet, testSet, options);
}
