import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../src/backend/start.ts";
import { evaluateEncoder, extractFeatures, type ImageBatchLike } from "../../src/eval/mod.ts";

// A fixed "encoder": per image, [sum of pixels, pixel 0 * 2]; expected values computed in JS.
const encode = (x: tf.Tensor4D): tf.Tensor2D => {
  const flat = x.reshape([x.shape[0], -1]) as tf.Tensor2D;
  return tf.concat([flat.sum(1, true), flat.slice([0, 0], [-1, 1]).mul(2)], 1) as tf.Tensor2D;
};

function batch(first: number, n: number, pairs: boolean): ImageBatchLike {
  const per = 2 * 2 * 1;
  const images = pairs ? 2 * n : n;
  const views = Float32Array.from({ length: images * per }, (_, i) => first + i / 100);
  const labels = Int32Array.from({ length: n }, (_, i) => (first + i) % 3);
  return pairs
    ? { views, height: 2, width: 2, channels: 1, size: n, labels }
    : { views, height: 2, width: 2, channels: 1, count: n, labels };
}

function expected(b: ImageBatchLike, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const px = Array.from(b.views.subarray(i * 4, i * 4 + 4));
    out.push(px.reduce((a, v) => a + v, 0), px[0] * 2);
  }
  return out;
}

Deno.test("features from a ReadableStream of batches match a direct computation, no leaks", async () => {
  await startBackend("cpu");
  const before = tf.memory().numTensors;
  // Pair batches (training Batch layout: the first `size` images are used) and plain ones.
  const batches = [batch(0, 3, true), batch(10, 2, false), batch(20, 4, true)];
  const stream = ReadableStream.from(batches);
  const seen: number[] = [];
  const out = await extractFeatures(encode, stream, { onProgress: (d) => seen.push(d) });
  assert.equal(out.dim, 2);
  assert.equal(out.count, 9);
  assert.deepEqual(seen, [3, 5, 9]);
  const want = [...expected(batches[0], 3), ...expected(batches[1], 2), ...expected(batches[2], 4)];
  out.features.forEach((v, i) =>
    assert.ok(Math.abs(v - want[i]) < 1e-4, `${i}: ${v} vs ${want[i]}`)
  );
  assert.deepEqual([...out.labels], [0, 1, 2, 1, 2, 2, 0, 1, 2]);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("maxSamples stops early and cancels the source; labels default to -1", async () => {
  await startBackend("cpu");
  const before = tf.memory().numTensors;
  let cancelled = false;
  let pulled = 0;
  const stream = new ReadableStream<ImageBatchLike>({
    pull(c) {
      const b = batch(pulled++ * 10, 4, false);
      delete b.labels;
      c.enqueue(b);
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  const out = await extractFeatures(encode, stream, { maxSamples: 6 });
  assert.equal(out.count, 6);
  assert.equal(out.features.length, 12);
  assert.deepEqual([...out.labels], [-1, -1, -1, -1, -1, -1]);
  assert.ok(cancelled, "the stream was cancelled");
  assert.equal(pulled, 2);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("an encoder error propagates without leaking tensors", async () => {
  await startBackend("cpu");
  const before = tf.memory().numTensors;
  const bad = (x: tf.Tensor4D) => x.reshape([-1]) as unknown as tf.Tensor2D;
  await assert.rejects(() => extractFeatures(bad, [batch(0, 2, false)]), /expected \[2, dim\]/);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("evaluateEncoder extracts both splits, caps them and scores them", async () => {
  await startBackend("cpu");
  const before = tf.memory().numTensors;
  // Images whose pixel 0 encodes the class: the toy encoder separates them perfectly.
  const make = (n: number, offset: number): ImageBatchLike => {
    const labels = Int32Array.from({ length: n }, (_, i) => (i + offset) % 2);
    const views = new Float32Array(n * 4);
    labels.forEach((l, i) => views.set([l ? 1 : -1, 0.1 * (i % 3), 0, 0], i * 4));
    return { views, height: 2, width: 2, channels: 1, count: n, labels };
  };
  const embed = (x: tf.Tensor4D) => x.reshape([x.shape[0], 4]) as tf.Tensor2D;
  const seen: string[] = [];
  const scores = await evaluateEncoder(embed, [make(10, 0), make(10, 1)], [make(6, 0)], {
    knn: { k: 5 },
    maxTrainSamples: 16,
    onProgress: (split, n) => seen.push(`${split}:${n}`),
  });
  assert.deepEqual(seen, ["train:10", "train:16", "test:6"]);
  assert.equal(scores.trainCount, 16);
  assert.equal(scores.testCount, 6);
  assert.equal(scores.knnTop1, 1);
  assert.equal(scores.linearTop1, 1);
  assert.equal(tf.memory().numTensors, before);
});
