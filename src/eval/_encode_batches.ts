/**
 * Encoding a stream of image batches with an encoder in inference mode, batch by batch, without
 * leaking tensors (private to the package; {@link extractFeatures} collects the result).
 */
import * as tf from "@tensorflow/tfjs";
import type { EncodeFn, ExtractOptions, ImageBatchLike } from "./features.ts";

/**
 * One encoded batch from {@link encodeBatches}: the batch as it came in, and its `count` rows of
 * `dim` features.
 */
export interface EncodedBatch<B extends ImageBatchLike = ImageBatchLike> {
  batch: B;
  /** `count * dim` values, row-major. */
  features: Float32Array;
  count: number;
  dim: number;
}

/**
 * Encodes each batch of `batches` (an async iterable such as a `ReadableStream`, or an iterable)
 * with `encode` and yields its features as they come, holding one batch at a time. Results are
 * read asynchronously only (`await data()`), so it works on WebGPU; reading a batch's features
 * overlaps with fetching the next batch. Every tensor is released.
 */
export async function* encodeBatches<B extends ImageBatchLike>(
  encode: EncodeFn,
  batches: AsyncIterable<B> | Iterable<B>,
  options: ExtractOptions = {},
): AsyncGenerator<EncodedBatch<B>> {
  const limit = options.maxSamples ?? Infinity;
  let dim = -1;
  let done = 0;
  const it = Symbol.asyncIterator in batches
    ? (batches as AsyncIterable<B>)[Symbol.asyncIterator]()
    : (batches as Iterable<B>)[Symbol.iterator]();
  let exhausted = false;
  const pull = async () => {
    const r = await it.next();
    if (r.done) exhausted = true;
    return r;
  };
  let next = await pull();
  try {
    while (!next.done && done < limit) {
      const batch = next.value;
      const per = batch.height * batch.width * batch.channels;
      const available = Math.floor(batch.views.length / per);
      const n = Math.min(batch.count ?? batch.size ?? available, available, limit - done);
      if (n <= 0) {
        next = await pull();
        continue;
      }
      const y = tf.tidy(() => {
        const x = tf.tensor4d(batch.views.subarray(0, n * per), [
          n,
          batch.height,
          batch.width,
          batch.channels,
        ]);
        const out = encode(x);
        if (out.rank !== 2 || out.shape[0] !== n) {
          throw new TypeError(
            `encoder returned shape [${out.shape}] for ${n} images; expected [${n}, dim]`,
          );
        }
        return out;
      });
      // Fetch the next batch while the features are read back.
      let values: Float32Array;
      try {
        [values, next] = await Promise.all([
          y.data() as Promise<Float32Array>,
          done + n < limit ? pull() : Promise.resolve({ done: true as const, value: undefined }),
        ]);
      } finally {
        y.dispose();
      }
      if (dim < 0) dim = y.shape[1];
      else if (y.shape[1] !== dim) {
        throw new TypeError(`feature dim changed from ${dim} to ${y.shape[1]}`);
      }
      done += n;
      options.onProgress?.(done);
      yield { batch, features: values, count: n, dim };
    }
  } finally {
    // Stopped early (limit, error, or the consumer left): cancel the source so its resources
    // are released.
    if (!exhausted) await it.return?.();
  }
}
