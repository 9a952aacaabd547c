/**
 * Scoring class logits (private to the package): top-1/top-5 counts of logit rows against
 * labels (plain arrays), and the accuracy of a linear classifier on labelled features (the linear
 * probe, the online classifier), its products in TensorFlow.js, read back with `await data()`
 * only.
 */
import * as tf from "@tensorflow/tfjs";
import type { FeatureSet } from "./features.ts";
import type { ClassifierAccuracy, LinearHead } from "./linear_head.ts";

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
