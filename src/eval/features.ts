/**
 * Feature extraction: run an encoder in inference mode over a stream of image batches and
 * collect the features and labels as plain arrays, without leaking tensors.
 */
import type * as tf from "@tensorflow/tfjs";
import { encodeBatches } from "./_encode_batches.ts";
import { concatArrays } from "../streams/_concat.ts";

/**
 * Labelled features: `count` rows of `dim` values, row-major.
 *
 * @example Two labelled rows of 2 features
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FeatureSet } from "@simclr/streams/eval";
 * const set: FeatureSet = {
 *   features: Float32Array.of(1, 0, 0, 1), labels: Int32Array.of(0, 1), dim: 2, count: 2,
 * };
 * assert.equal(set.features.length, set.count * set.dim);
 * ```
 */
export interface FeatureSet {
  /** `count * dim` values, row-major. */
  features: Float32Array;
  /** One label per row (`-1` where the source had none). */
  labels: Int32Array;
  /** Features per row. */
  dim: number;
  /** Rows. */
  count: number;
}

/**
 * A batch of images, NHWC: a `Batch` from the training pipeline fits (its first `size`
 * images, i.e. the first views, are used), as does a plain evaluation batch with `count`.
 *
 * @example An evaluation batch of four 2x2 gray images
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { extractFeatures, type ImageBatchLike } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const batch: ImageBatchLike = {
 *   views: new Float32Array(4 * 2 * 2 * 1).fill(1), height: 2, width: 2, channels: 1, count: 4,
 *   labels: [0, 1, 0, 1],
 * };
 * const set = await extractFeatures((x) => x.mean([1, 2]) as tf.Tensor2D, [batch]);
 * assert.equal(set.count, 4);
 * assert.deepEqual([...set.labels], [0, 1, 0, 1]);
 * ```
 */
export interface ImageBatchLike {
  /** Images, `n * height * width * channels` values, NHWC (more may follow; see `count`). */
  views: Float32Array;
  /** Height of each image. */
  height: number;
  /** Width of each image. */
  width: number;
  /** Channels of each image. */
  channels: number;
  /** Images to use from the start of `views` (default: `size`, else all of `views`). */
  count?: number;
  /** Pairs in a training `Batch`; used as the count when `count` is absent. */
  size?: number;
  /** Labels of the first `count` images, when known. */
  labels?: ArrayLike<number>;
}

/**
 * The encoder in inference mode: images `[n, h, w, c]` to features `[n, dim]`. It must be
 * synchronous (it runs inside `tf.tidy`), e.g. `(x) => encoder.apply(x, { training: false })`.
 *
 * @example A trained model's encoder, in inference mode
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { createModel } from "@simclr/streams/model";
 * import { type EncodeFn, extractFeatures } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const model = createModel({ encoder: "small", smallWidths: { stem: 4, stages: [4, 8] } });
 * const encode: EncodeFn = (x) => model.encoder.apply(x, { training: false }) as tf.Tensor2D;
 * const images = { views: new Float32Array(2 * 4 * 4 * 3), height: 4, width: 4, channels: 3, count: 2 };
 * const set = await extractFeatures(encode, [images]);
 * assert.deepEqual([set.count, set.dim], [2, 8]);
 * ```
 */
export type EncodeFn = (x: tf.Tensor4D) => tf.Tensor2D;

/**
 * Options for {@link extractFeatures}.
 *
 * @example At most 3 images, with progress
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { extractFeatures, type ExtractOptions } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * const done: number[] = [];
 * const options: ExtractOptions = { maxSamples: 3, onProgress: (n) => done.push(n) };
 * const batch = { views: new Float32Array(2 * 1 * 1 * 2), height: 1, width: 1, channels: 2, count: 2 };
 * const encode = (x: tf.Tensor4D) => x.reshape([x.shape[0], 2]) as tf.Tensor2D;
 * const set = await extractFeatures(encode, [batch, batch, batch], options);
 * assert.equal(set.count, 3);
 * assert.deepEqual(done, [2, 3]);
 * ```
 */
export interface ExtractOptions {
  /** Stop after this many images (the source is then cancelled). */
  maxSamples?: number;
  /** Called after each batch with the number of images done so far. */
  onProgress?: (done: number) => void;
}

/**
 * Encodes every image of `batches` (see {@link encodeBatches}) and collects the features and
 * labels as one {@link FeatureSet}.
 *
 * @param encode the encoder in inference mode (synchronous; see {@link EncodeFn}).
 * @param batches image batches (an async iterable such as a `ReadableStream`, or an array).
 * @returns the features in input order, with the batches' labels (`-1` where absent).
 * @throws {TypeError} when the encoder returns the wrong shape or the feature width changes.
 *
 * @example Features of a stream of batches
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * import { extractFeatures, type ImageBatchLike } from "@simclr/streams/eval";
 * await tf.setBackend("cpu");
 * // 1x1 images with 3 channels; the "encoder" keeps channels 0 and 2
 * const batches = ReadableStream.from<ImageBatchLike>([
 *   { views: Float32Array.of(1, 2, 3, 4, 5, 6), height: 1, width: 1, channels: 3, count: 2, labels: [7, 8] },
 *   { views: Float32Array.of(7, 8, 9), height: 1, width: 1, channels: 3, count: 1 },
 * ]);
 * const encode = (x: tf.Tensor4D) => tf.gather(x.reshape([x.shape[0], 3]), [0, 2], 1) as tf.Tensor2D;
 * const set = await extractFeatures(encode, batches);
 * assert.deepEqual([...set.features], [1, 3, 4, 6, 7, 9]);
 * assert.deepEqual([...set.labels], [7, 8, -1]);
 * ```
 */
export async function extractFeatures(
  encode: EncodeFn,
  batches: AsyncIterable<ImageBatchLike> | Iterable<ImageBatchLike>,
  options: ExtractOptions = {},
): Promise<FeatureSet> {
  const chunks: Float32Array[] = [];
  const labelChunks: Int32Array[] = [];
  let dim = 0;
  let count = 0;
  for await (const e of encodeBatches(encode, batches, options)) {
    const labels = new Int32Array(e.count).fill(-1);
    if (e.batch.labels) { for (let i = 0; i < e.count; i++) labels[i] = e.batch.labels[i]; }
    chunks.push(e.features);
    labelChunks.push(labels);
    dim = e.dim;
    count += e.count;
  }
  return {
    features: concatArrays(chunks, Float32Array),
    labels: concatArrays(labelChunks, Int32Array),
    dim,
    count,
  };
}
