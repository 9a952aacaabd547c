/**
 * Evaluation of frozen encoders: batched, streamed feature extraction; the weighted kNN
 * classifier (k=200, cosine, `exp(sim/T)` votes, T=0.1); the linear probe (standardized
 * features, L2 multinomial logistic regression by L-BFGS).
 *
 * @example
 * ```ts
 * import { evaluateFeatures, extractFeatures } from "./src/eval/mod.ts";
 * const encode = (x) => encoder.apply(x, { training: false });
 * const train = await extractFeatures(encode, trainBatches, { maxSamples: 10000 });
 * const test = await extractFeatures(encode, testBatches);
 * const scores = await evaluateFeatures(train, test, config.eval);
 * ```
 * @module
 */
export {
  encodeBatches,
  type EncodedBatch,
  type EncodeFn,
  extractFeatures,
  type ExtractOptions,
  type FeatureSet,
  type ImageBatchLike,
} from "./features.ts";
export { knnClassify, type KnnOptions, type KnnResult, l2Normalize } from "./knn.ts";
export {
  type ClassifierAccuracy,
  type LinearHead,
  linearHeadAccuracy,
  TopKTally,
} from "./linear_head.ts";
export { type LinearProbe, probeAccuracy, type ProbeOptions, trainLinearProbe } from "./probe.ts";
export {
  type LbfgsOptions,
  type LbfgsResult,
  type LossAndGradient,
  minimizeLbfgs,
} from "./lbfgs.ts";
export { applyStandardizer, fitStandardizer, type Standardizer } from "./standardize.ts";
export {
  type EvalScores,
  evaluateEncoder,
  type EvaluateEncoderOptions,
  evaluateFeatures,
  type EvaluateOptions,
} from "./evaluate.ts";
