/** The evaluation numbers of one encoder: kNN top-1/top-5 and linear-probe top-1. */
import type { FeatureSet } from "./features.ts";
import { knnClassify } from "./knn.ts";
import { probeAccuracy, trainLinearProbe } from "./probe.ts";

/** Options for {@link evaluateFeatures}; the shape of a pipeline's `eval` section fits. */
export interface EvaluateOptions {
  knn?: { k?: number; temperature?: number };
  linearProbe?: { enabled?: boolean; l2?: number; maxIterations?: number; tolerance?: number };
  /** Classes (default: largest label + 1). */
  numClasses?: number;
}

/** Evaluation results of one encoder (accuracies are shares, 0..1). */
export interface EvalScores {
  knnTop1: number;
  knnTop5: number;
  /** Absent when the probe is disabled. */
  linearTop1?: number;
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
    scores.linearTop1 = (await probeAccuracy(probe, test)).top1;
    scores.probe = {
      trainTop1: (await probeAccuracy(probe, train)).top1,
      loss: probe.loss,
      iterations: probe.iterations,
      converged: probe.converged,
    };
  }
  scores.seconds = (performance.now() - t0) / 1000;
  return scores;
}
