/**
 * The linear evaluation protocol on frozen features: standardize with the training set's
 * mean/std, then fit multinomial logistic regression with an L2 penalty on the weights by
 * full-batch L-BFGS until the loss stops changing. Products run in TensorFlow.js (read back
 * with `await data()` only); the optimizer state lives in float64 arrays.
 */
import * as tf from "@tensorflow/tfjs";
import type { FeatureSet } from "./features.ts";
import type { ClassifierAccuracy, LinearHead } from "./linear_head.ts";
import { linearHeadAccuracy } from "./_head_accuracy.ts";
import { minimizeLbfgs } from "./lbfgs.ts";
import type { Standardizer } from "./standardize.ts";
import { applyStandardizer, fitStandardizer } from "./_standardize.ts";

/**
 * Options for {@link trainLinearProbe}.
 *
 * @example A stronger penalty, fewer iterations
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type FeatureSet, type ProbeOptions, trainLinearProbe } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0.1, 0.1, 1, 0.9, 0, 0, 0.9), labels: Int32Array.of(0, 1, 0, 1),
 *   dim: 2, count: 4,
 * };
 * const test: FeatureSet = {
 *   features: Float32Array.of(0.8, 0.2, 0.2, 0.7), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * const options: ProbeOptions = { l2: 1e-2, maxIterations: 20, tolerance: 1e-6 };
 * const probe = await trainLinearProbe(train, options);
 * assert.ok(probe.iterations <= 20);
 * ```
 */
export interface ProbeOptions {
  /** L2 penalty `l2/2 * ||W||^2` added to the mean cross-entropy (default 1e-4; bias free). */
  l2?: number;
  /** L-BFGS iteration cap (default 500). */
  maxIterations?: number;
  /** Stop when the loss decrease is below `tolerance * max(1, loss)` (default 1e-6). */
  tolerance?: number;
  /** Classes (default: largest training label + 1). */
  numClasses?: number;
}

/**
 * A trained linear classifier on standardized features.
 *
 * @example What a fitted probe holds
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type FeatureSet, type LinearProbe, trainLinearProbe } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0.1, 0.1, 1, 0.9, 0, 0, 0.9), labels: Int32Array.of(0, 1, 0, 1),
 *   dim: 2, count: 4,
 * };
 * const test: FeatureSet = {
 *   features: Float32Array.of(0.8, 0.2, 0.2, 0.7), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * const probe: LinearProbe = await trainLinearProbe(train);
 * assert.equal(probe.weights.length, probe.dim * probe.numClasses); // dim x classes, row-major
 * assert.equal(probe.mean.length, 2); // the training features' statistics
 * assert.ok(probe.converged && Number.isFinite(probe.loss));
 * ```
 */
export interface LinearProbe extends Standardizer, LinearHead {
  /** Final training objective (mean cross-entropy plus the L2 term). */
  loss: number;
  /** L-BFGS iterations done. */
  iterations: number;
  /** True when the loss stopped changing before the iteration cap. */
  converged: boolean;
}

/**
 * Fits the probe on `train` (rows with label < 0 are an error).
 *
 * @throws {RangeError} without training rows, or when a training row has no label.
 *
 * @example Fit on train, score on test
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type FeatureSet, probeAccuracy, trainLinearProbe } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0.1, 0.1, 1, 0.9, 0, 0, 0.9), labels: Int32Array.of(0, 1, 0, 1),
 *   dim: 2, count: 4,
 * };
 * const test: FeatureSet = {
 *   features: Float32Array.of(0.8, 0.2, 0.2, 0.7), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * const probe = await trainLinearProbe(train, { l2: 1e-4 });
 * const { top1 } = await probeAccuracy(probe, test);
 * assert.equal(top1, 1);
 * ```
 */
export async function trainLinearProbe(
  train: FeatureSet,
  options: ProbeOptions = {},
): Promise<LinearProbe> {
  const { count: n, dim } = train;
  if (n === 0) throw new RangeError("the linear probe needs training rows");
  let maxLabel = 0;
  for (const l of train.labels) {
    if (l < 0) throw new RangeError("the linear probe needs a label on every training row");
    maxLabel = Math.max(maxLabel, l);
  }
  const classes = options.numClasses ?? maxLabel + 1;
  const l2 = options.l2 ?? 1e-4;
  const st = fitStandardizer(train.features, n, dim);
  const X = tf.tensor2d(applyStandardizer(st, train.features, n), [n, dim]);
  const Y = tf.tidy(() => tf.oneHot(tf.tensor1d(train.labels.subarray(0, n), "int32"), classes));
  const nw = dim * classes;
  const objective = async (theta: Float64Array) => {
    const packed = tf.tidy(() => {
      const W = tf.tensor2d(Float32Array.from(theta.subarray(0, nw)), [dim, classes]);
      const b = tf.tensor1d(Float32Array.from(theta.subarray(nw)));
      const logp = tf.logSoftmax(tf.matMul(X, W).add(b));
      const ce = tf.mul(Y, logp).sum().neg().div(n);
      const loss = ce.add(W.square().sum().mul(l2 / 2));
      const G = tf.exp(logp).sub(Y); // dLoss/dlogits * n
      // dW = X^T G / n, computed as (G^T X)^T so the big product has no transposed operand.
      const gW = tf.matMul(G.transpose(), X).transpose().div(n).add(W.mul(l2));
      const gb = G.mean(0);
      return tf.concat([loss.reshape([1]), gW.reshape([-1]), gb]);
    });
    try {
      const v = await packed.data();
      return { loss: v[0], gradient: Float64Array.from(v.subarray(1)) };
    } finally {
      packed.dispose();
    }
  };
  try {
    const r = await minimizeLbfgs(objective, new Float64Array(nw + classes), {
      maxIterations: options.maxIterations ?? 500,
      tolerance: options.tolerance ?? 1e-6,
      gradientTolerance: 1e-6,
    });
    return {
      ...st,
      dim,
      numClasses: classes,
      weights: Float32Array.from(r.x.subarray(0, nw)),
      bias: Float32Array.from(r.x.subarray(nw)),
      loss: r.loss,
      iterations: r.iterations,
      converged: r.converged,
    };
  } finally {
    X.dispose();
    Y.dispose();
  }
}

/**
 * Top-1 and top-5 accuracy of `probe` on `data` (standardized with the probe's training
 * statistics).
 *
 * @example Scoring the probe on its training set and on test
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type FeatureSet, probeAccuracy, trainLinearProbe } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0.1, 0.1, 1, 0.9, 0, 0, 0.9), labels: Int32Array.of(0, 1, 0, 1),
 *   dim: 2, count: 4,
 * };
 * const test: FeatureSet = {
 *   features: Float32Array.of(0.8, 0.2, 0.2, 0.7), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * const probe = await trainLinearProbe(train);
 * assert.equal((await probeAccuracy(probe, train)).top1, 1);
 * const { top1, top5, count } = await probeAccuracy(probe, test);
 * assert.deepEqual([top1, top5, count], [1, 1, 2]);
 * ```
 */
export function probeAccuracy(
  probe: LinearProbe,
  data: FeatureSet,
  chunkRows = 8192,
): Promise<ClassifierAccuracy> {
  return linearHeadAccuracy(probe, data, {
    chunkRows,
    transform: (rows, count) => applyStandardizer(probe, rows, count),
  });
}
