/**
 * Scoring class logits: top-1/top-5 counts of logit rows against labels (plain arrays), and the
 * accuracy of a linear classifier on labelled features (the linear probe, the online
 * classifier), its products in TensorFlow.js, read back with `await data()` only.
 */
import * as tf from "@tensorflow/tfjs";
import type { FeatureSet } from "./features.ts";

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

/**
 * Running top-1/top-5 counts over batches of logits.
 */
export class TopKTally {
  #hits1 = 0;
  #hits5 = 0;
  #predictions: number[] = [];

  constructor(readonly numClasses: number) {}

  /** Counts `rows` rows of `logits` (`rows x numClasses`, row-major) against `labels`. */
  add(logits: ArrayLike<number>, rows: number, labels: ArrayLike<number>): void {
    const k = this.numClasses;
    if (logits.length !== rows * k) {
      throw new TypeError(`TopKTally: ${logits.length} logits for ${rows} rows of ${k} classes`);
    }
    for (let r = 0; r < rows; r++) {
      const y = labels[r];
      if (!(Number.isInteger(y) && y >= 0 && y < k)) {
        throw new RangeError(`TopKTally: row ${r} has label ${y}, outside 0..${k - 1}`);
      }
      const o = r * k;
      const own = logits[o + y];
      let above = 0; // classes ranked before the label (ties: the lower index first)
      let best = 0;
      for (let c = 0; c < k; c++) {
        const v = logits[o + c];
        if (v > own || (v === own && c < y)) above++;
        if (v > logits[o + best]) best = c;
      }
      if (above === 0) this.#hits1++;
      if (above < 5) this.#hits5++;
      this.#predictions.push(best);
    }
  }

  /** The shares so far (NaN with no rows). */
  result(): ClassifierAccuracy {
    const n = this.#predictions.length;
    return {
      top1: this.#hits1 / n,
      top5: this.#hits5 / n,
      count: n,
      predictions: Int32Array.from(this.#predictions),
    };
  }
}

/**
 * Accuracy of `head` on `data` (every row labelled), in chunks of `chunkRows`; `transform`
 * maps each chunk's features first (e.g. the probe's standardization).
 */
export async function linearHeadAccuracy(
  head: LinearHead,
  data: FeatureSet,
  options: { transform?: (rows: Float32Array, count: number) => Float32Array; chunkRows?: number } =
    {},
): Promise<ClassifierAccuracy> {
  if (data.dim !== head.dim) {
    throw new TypeError(`classifier takes features of dim ${head.dim}, the data has ${data.dim}`);
  }
  const chunk = options.chunkRows ?? 8192;
  const tally = new TopKTally(head.numClasses);
  const W = tf.tensor2d(head.weights, [head.dim, head.numClasses]);
  const b = tf.tensor1d(head.bias);
  try {
    for (let start = 0; start < data.count; start += chunk) {
      const rows = Math.min(chunk, data.count - start);
      let x = data.features.subarray(start * data.dim, (start + rows) * data.dim);
      if (options.transform) x = options.transform(x, rows);
      const logits = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(x, [rows, data.dim]), W), b));
      try {
        tally.add(await logits.data(), rows, data.labels.subarray(start, start + rows));
      } finally {
        logits.dispose();
      }
    }
  } finally {
    W.dispose();
    b.dispose();
  }
  return tally.result();
}
