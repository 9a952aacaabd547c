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
import { linearHeadAccuracy } from "./linear_head.ts";
import { probeAccuracy, trainLinearProbe } from "./probe.ts";

/**
 * Options for {@link evaluateFeatures}; the shape of a pipeline's `eval` section fits.
 *
 * @example
 * ```ts
 * const options: EvaluateOptions = { knn: { k: 200, temperature: 0.1 }, linearProbe: { enabled: true } };
 * ```
 */
export interface EvaluateOptions {
  knn?: { k?: number; temperature?: number };
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
 * @example
 * ```ts
 * const scores: EvalScores = await evaluateFeatures(train, test);
 * console.log(scores.knnTop1, scores.knnTop5, scores.linearTop1);
 * ```
 */
export interface EvalScores {
  knnTop1: number;
  knnTop5: number;
  /** Absent when the probe is disabled. */
  linearTop1?: number;
  linearTop5?: number;
  /** The online classifier's accuracy on the test features, when one was given. */
  onlineTop1?: number;
  onlineTop5?: number;
  /** Probe diagnostics. */
  probe?: { trainTop1: number; loss: number; iterations: number; converged: boolean };
  trainCount: number;
  testCount: number;
  dim: number;
  /** Seconds spent in kNN and probe (not extraction). */
  seconds: number;
}

/**
 * kNN (bank = `train`) and the linear probe (fit on `train`) scored on `test`.
 *
 * @example
 * ```ts
 * const scores = await evaluateFeatures(trainFeatures, testFeatures, config.eval);
 * console.log(scores.knnTop1, scores.linearTop1);
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

/** Options for {@link evaluateEncoder}: evaluation options plus sample caps. */
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
 * @example
 * ```ts
 * const encode = (x: tf.Tensor4D) => encoder.apply(x, { training: false }) as tf.Tensor2D;
 * const scores = await evaluateEncoder(encode, trainStream, testStream, config.eval);
 * const monitor = await evaluateEncoder(encode, trainStream, testStream, {
 *   ...config.eval,
 *   linearProbe: { enabled: false },
 * });
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
