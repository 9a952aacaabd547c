import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { linearHeadAccuracy, TopKTally } from "../../src/eval/_head_accuracy.ts";
import { Rng } from "../../src/streams/rng.ts";

await tf.setBackend("cpu");

Deno.test("TopKTally: top-1 and top-5 by rank of the label's logit, ties to the lower class", () => {
  const t = new TopKTally(7);
  const rows = [
    [[0, 1, 2, 3, 4, 5, 6], 6], // top-1
    [[0, 1, 2, 3, 4, 5, 6], 2], // 5th: top-5
    [[0, 1, 2, 3, 4, 5, 6], 1], // 6th
    [[1, 1, 0, 0, 0, 0, 0], 1], // tied with class 0, which comes first: 2nd
    [[1, 1, 0, 0, 0, 0, 0], 0], // the tie goes to it: top-1
  ] as const;
  for (const [logits, y] of rows) t.add(logits, 1, [y]);
  const r = t.result();
  assert.equal(r.count, 5);
  assert.equal(r.top1, 2 / 5);
  assert.equal(r.top5, 4 / 5);
  assert.deepEqual([...r.predictions], [6, 6, 6, 0, 0]);
  assert.throws(() => t.add([0, 1], 1, [0]), /2 logits for 1 rows of 7 classes/);
  assert.throws(() => t.add(new Array(7).fill(0), 1, [7]), /label 7, outside 0\.\.6/);
  const few = new TopKTally(3);
  few.add([3, 2, 1], 1, [2]);
  assert.equal(few.result().top5, 1, "with 5 classes or fewer every row is a top-5 hit");
});

Deno.test("linearHeadAccuracy: logits x W + b in chunks, against plain arrays", async () => {
  const dim = 6, k = 8, n = 50;
  const features = new Float32Array(n * dim), weights = new Float32Array(dim * k);
  Rng.fromSeed(1, "x").fillNormal(features);
  Rng.fromSeed(1, "w").fillNormal(weights);
  const bias = Float32Array.from({ length: k }, (_, c) => 0.1 * c);
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 5) % k);
  let hit1 = 0, hit5 = 0;
  for (let r = 0; r < n; r++) {
    const z = Array.from({ length: k }, (_, c) => {
      let s = bias[c];
      for (let d = 0; d < dim; d++) s += features[r * dim + d] * weights[d * k + c];
      return s;
    });
    const rank = z.filter((v) => v > z[labels[r]]).length;
    if (rank === 0) hit1++;
    if (rank < 5) hit5++;
  }
  const before = tf.memory().numTensors;
  const got = await linearHeadAccuracy(
    { dim, numClasses: k, weights, bias },
    { features, labels, dim, count: n },
    { chunkRows: 16 },
  );
  assert.equal(tf.memory().numTensors, before);
  assert.equal(got.top1, hit1 / n);
  assert.equal(got.top5, hit5 / n);
  assert.ok(hit1 > 0 && hit5 > hit1 && hit5 < n, "the check can tell top-1 from top-5");
});
