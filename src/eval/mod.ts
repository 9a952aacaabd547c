/**
 * Evaluation of frozen encoders: batched feature extraction ({@linkcode extractFeatures}), the
 * weighted kNN classifier ({@linkcode knnClassify}: cosine similarity, `exp(sim / T)` votes,
 * k = 200 and T = 0.1 by default) and the linear probe ({@linkcode trainLinearProbe}:
 * standardized features, L2 multinomial logistic regression by L-BFGS).
 *
 * The training path calls {@linkcode evaluateEncoder} (extraction, then
 * {@linkcode evaluateFeatures}): with `linearProbe: { enabled: false }` every N epochs as the kNN
 * monitor, with the probe after pretraining.
 *
 * @example kNN and linear probe on an identity "encoder"
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { evaluateEncoder, type ImageBatchLike } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 *
 * // 1x1 "images" with 2 channels; class 0 near (1, 0), class 1 near (0, 1)
 * const batch = (shift: number): ImageBatchLike => ({
 *   views: Float32Array.of(1, shift, shift, 1, 1, -shift, -shift, 1),
 *   height: 1, width: 1, channels: 2, count: 4, labels: [0, 1, 0, 1],
 * });
 * const encode = (x: tf.Tensor4D) => x.reshape([x.shape[0], 2]) as tf.Tensor2D;
 * const scores = await evaluateEncoder(encode, [batch(0.1)], [batch(0.2)], { knn: { k: 2 } });
 * assert.equal(scores.knnTop1, 1);
 * assert.equal(scores.linearTop1, 1);
 * assert.equal(scores.testCount, 4);
 * ```
 * @module
 */
export {
  type EncodeFn,
  extractFeatures,
  type ExtractOptions,
  type FeatureSet,
  type ImageBatchLike,
} from "./features.ts";
export { knnClassify, type KnnOptions, type KnnResult } from "./knn.ts";
export type { ClassifierAccuracy, LinearHead } from "./linear_head.ts";
export type { Standardizer } from "./standardize.ts";
export { type LinearProbe, probeAccuracy, type ProbeOptions, trainLinearProbe } from "./probe.ts";
export {
  type EvalScores,
  evaluateEncoder,
  type EvaluateEncoderOptions,
  evaluateFeatures,
  type EvaluateOptions,
} from "./evaluate.ts";
