/**
 * Weighted kNN classification on features (the SimCLR/InstDisc monitor): cosine similarity on
 * L2-normalized features, the k most similar bank rows vote for their label with weight
 * `exp(sim / T)`, and the classes are ranked by total vote.
 */
import * as tf from "@tensorflow/tfjs";
import type { FeatureSet } from "./features.ts";

/**
 * Options for {@link knnClassify}.
 *
 * @example The nearest neighbour alone
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type FeatureSet, knnClassify, type KnnOptions } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0.1, 0.1, 1, 0.9, 0, 0, 0.9), labels: Int32Array.of(0, 1, 0, 1),
 *   dim: 2, count: 4,
 * };
 * const test: FeatureSet = {
 *   features: Float32Array.of(0.8, 0.2, 0.2, 0.7), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * const options: KnnOptions = { k: 1, temperature: 0.1 };
 * const { predictions } = await knnClassify(train, test, options);
 * assert.deepEqual([...predictions], [0, 1]);
 * ```
 */
export interface KnnOptions {
  /** Neighbours (default 200; capped at the bank size). */
  k?: number;
  /** Vote temperature T in `exp(sim / T)` (default 0.1). */
  temperature?: number;
  /** Classes (default: largest label + 1 over bank and queries). */
  numClasses?: number;
  /** Query rows per matrix product (default: about 16M similarities per chunk). */
  chunkSize?: number;
}

/**
 * kNN accuracy over the queries.
 *
 * @example Reading the accuracy
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type FeatureSet, knnClassify, type KnnResult } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0.1, 0.1, 1, 0.9, 0, 0, 0.9), labels: Int32Array.of(0, 1, 0, 1),
 *   dim: 2, count: 4,
 * };
 * const test: FeatureSet = {
 *   features: Float32Array.of(0.8, 0.2, 0.2, 0.7), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * const result: KnnResult = await knnClassify(train, test, { k: 2 });
 * assert.equal(result.count, 2);
 * assert.equal(result.top1, 1);
 * assert.equal(result.top5, 1); // 2 classes: always within the top 5
 * ```
 */
export interface KnnResult {
  /** Share of queries whose top-ranked class is their label (0..1). */
  top1: number;
  /** Share whose label is among the 5 top-ranked classes. */
  top5: number;
  /** Queries scored. */
  count: number;
  /** Top-ranked class per query. */
  predictions: Int32Array;
}

/**
 * Classifies every row of `queries` by a weighted vote of its `k` nearest `bank` rows. The
 * similarities and top-k run in TensorFlow.js in chunks of query rows; only asynchronous reads
 * are used, and every tensor is released.
 *
 * @param bank the labelled features that vote (the training set).
 * @param queries the features to classify, with their labels for the accuracy.
 * @throws {TypeError} when the feature widths differ.
 * @throws {RangeError} for an empty bank.
 *
 * @example Two clusters, two queries
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { type FeatureSet, knnClassify } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const train: FeatureSet = {
 *   features: Float32Array.of(1, 0.1, 0.1, 1, 0.9, 0, 0, 0.9), labels: Int32Array.of(0, 1, 0, 1),
 *   dim: 2, count: 4,
 * };
 * const test: FeatureSet = {
 *   features: Float32Array.of(0.8, 0.2, 0.2, 0.7), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * const { top1, predictions } = await knnClassify(train, test, { k: 200, temperature: 0.1 });
 * assert.equal(top1, 1);
 * assert.deepEqual([...predictions], [0, 1]);
 * ```
 */
export async function knnClassify(
  bank: FeatureSet,
  queries: FeatureSet,
  options: KnnOptions = {},
): Promise<KnnResult> {
  if (bank.dim !== queries.dim) {
    throw new TypeError(`bank has dim ${bank.dim} but queries have dim ${queries.dim}`);
  }
  if (bank.count === 0) throw new RangeError("kNN needs a non-empty bank");
  const dim = bank.dim;
  const k = Math.min(options.k ?? 200, bank.count);
  const invT = 1 / (options.temperature ?? 0.1);
  let maxLabel = 0;
  for (const l of bank.labels) maxLabel = Math.max(maxLabel, l);
  for (const l of queries.labels) maxLabel = Math.max(maxLabel, l);
  const numClasses = options.numClasses ?? maxLabel + 1;
  const chunk = options.chunkSize ??
    Math.max(1, Math.min(1024, Math.floor(16_000_000 / bank.count)));

  // The bank, normalized and transposed once: [dim, n], so each product is a plain matMul.
  const bankT = tf.tidy(() =>
    l2Normalize(tf.tensor2d(bank.features.subarray(0, bank.count * dim), [bank.count, dim]))
      .transpose()
  );
  const predictions = new Int32Array(queries.count);
  let hit1 = 0;
  let hit5 = 0;
  const scores = new Float64Array(numClasses);
  const order = new Int32Array(numClasses);
  try {
    for (let start = 0; start < queries.count; start += chunk) {
      const rows = Math.min(chunk, queries.count - start);
      const [values, indices] = tf.tidy(() => {
        const q = l2Normalize(
          tf.tensor2d(queries.features.subarray(start * dim, (start + rows) * dim), [rows, dim]),
        );
        const top = tf.topk(tf.matMul(q, bankT), k, true);
        return [top.values, top.indices];
      });
      let sims: Float32Array, idx: Int32Array;
      try {
        [sims, idx] = await Promise.all([
          values.data() as Promise<Float32Array>,
          indices.data() as Promise<Int32Array>,
        ]);
      } finally {
        values.dispose();
        indices.dispose();
      }
      for (let r = 0; r < rows; r++) {
        scores.fill(0);
        for (let j = 0; j < k; j++) {
          const label = bank.labels[idx[r * k + j]];
          if (label >= 0 && label < numClasses) scores[label] += Math.exp(sims[r * k + j] * invT);
        }
        rankClasses(scores, order);
        const truth = queries.labels[start + r];
        predictions[start + r] = order[0];
        if (order[0] === truth) hit1++;
        for (let c = 0; c < Math.min(5, numClasses); c++) {
          if (order[c] === truth) hit5++;
        }
      }
    }
  } finally {
    bankT.dispose();
  }
  const n = Math.max(queries.count, 1);
  return { top1: hit1 / n, top5: hit5 / n, count: queries.count, predictions };
}

/**
 * Rows scaled to unit L2 norm (zero rows stay zero).
 */
function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => x.div(x.square().sum(1, true).sqrt().maximum(1e-12)));
}

/** Fills `order` with class indices by descending score; ties go to the lower index. */
function rankClasses(scores: Float64Array, order: Int32Array): void {
  for (let i = 0; i < order.length; i++) order[i] = i;
  // Only the first five places matter: partial selection sort.
  const m = Math.min(5, order.length);
  for (let i = 0; i < m; i++) {
    let best = i;
    for (let j = i + 1; j < order.length; j++) {
      const a = scores[order[j]], b = scores[order[best]];
      if (a > b || (a === b && order[j] < order[best])) best = j;
    }
    [order[i], order[best]] = [order[best], order[i]];
  }
}
