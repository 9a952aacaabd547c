import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../src/backend/start.ts";
import { type FeatureSet, knnClassify } from "../../src/eval/mod.ts";

const set = (rows: number[][], labels: number[]): FeatureSet => ({
  features: Float32Array.from(rows.flat()),
  labels: Int32Array.from(labels),
  dim: rows[0].length,
  count: rows.length,
});

// Bank (not normalized, to check the cosine): unit directions 0deg, 90deg, 45deg, 180deg.
const BANK = set([[1, 0], [0, 2], [3, 3], [-1, 0]], [0, 1, 1, 2]);

Deno.test("kNN votes on a hand-made set: temperature decides between nearest and majority", async () => {
  await startBackend("cpu");
  const before = tf.memory().numTensors;
  // Query (1, 0.1), label 0. Cosines: b0 = 1/|q| = 0.99504, b2 = 1.1/(|q| sqrt 2) = 0.77396,
  // b1 = 0.1/|q| = 0.09950, b3 = -0.99504. The 3 nearest: b0 (class 0), b2 and b1 (class 1).
  const q = set([[1, 0.1]], [0]);
  const c0 = 0.99504, c2 = 0.77396, c1 = 0.09950;
  // T = 0.1: class 0 gets e^9.95 = 20952, class 1 gets e^7.74 + e^0.995 = 2300: class 0 wins.
  assert.ok(Math.exp(c0 / 0.1) > Math.exp(c2 / 0.1) + Math.exp(c1 / 0.1));
  const sharp = await knnClassify(BANK, q, { k: 3, temperature: 0.1 });
  assert.deepEqual([...sharp.predictions], [0]);
  assert.equal(sharp.top1, 1);
  // T = 10: class 0 gets e^0.0995 = 1.105, class 1 gets e^0.0774 + e^0.00995 = 2.091: class 1.
  assert.ok(Math.exp(c0 / 10) < Math.exp(c2 / 10) + Math.exp(c1 / 10));
  const flat = await knnClassify(BANK, q, { k: 3, temperature: 10 });
  assert.deepEqual([...flat.predictions], [1]);
  assert.equal(flat.top1, 0);
  // Top-5 over 3 classes always holds the label.
  assert.equal(flat.top5, 1);
  // k = 1 is plain nearest neighbour; k above the bank size is capped.
  assert.deepEqual([...(await knnClassify(BANK, set([[-5, 1]], [2]), { k: 1 })).predictions], [2]);
  assert.equal((await knnClassify(BANK, q, { k: 999, temperature: 0.1 })).top1, 1);
  assert.equal(tf.memory().numTensors, before);
});

/** Independent reference: float64 cosines, full sort, weighted votes, ranked classes. */
function reference(bank: FeatureSet, queries: FeatureSet, k: number, T: number, classes: number) {
  const norm = (f: Float32Array, r: number, d: number) => {
    const v = Array.from(f.subarray(r * d, r * d + d));
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const B = Array.from({ length: bank.count }, (_, r) => norm(bank.features, r, bank.dim));
  let top1 = 0, top5 = 0;
  const preds: number[] = [];
  for (let r = 0; r < queries.count; r++) {
    const q = norm(queries.features, r, queries.dim);
    const sims = B.map((b, i) => ({ s: b.reduce((a, x, j) => a + x * q[j], 0), i }));
    sims.sort((a, b) => b.s - a.s);
    const votes = new Array(classes).fill(0);
    for (const { s, i } of sims.slice(0, k)) votes[bank.labels[i]] += Math.exp(s / T);
    const ranked = votes.map((v, c) => ({ v, c })).sort((a, b) => b.v - a.v || a.c - b.c);
    preds.push(ranked[0].c);
    if (ranked[0].c === queries.labels[r]) top1++;
    if (ranked.slice(0, 5).some((x) => x.c === queries.labels[r])) top5++;
  }
  return { top1: top1 / queries.count, top5: top5 / queries.count, preds };
}

function randomSet(n: number, dim: number, classes: number, seed: number): FeatureSet {
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  // Same class centres for every set; samples depend on `seed`.
  const centers = Array.from({ length: classes }, () => Array.from({ length: dim }, rnd));
  s = seed;
  const labels = Int32Array.from({ length: n }, () => Math.floor((rnd() + 1) / 2 * classes));
  const features = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) features[i * dim + j] = centers[labels[i]][j] + 1.2 * rnd();
  }
  return { features, labels, dim, count: n };
}

for (const backend of ["cpu", "wasm"]) {
  Deno.test(`kNN matches a brute-force float64 reference, across chunk boundaries (${backend})`, async () => {
    await startBackend(backend);
    const before = tf.memory().numTensors;
    const bank = randomSet(300, 8, 7, 1);
    const queries = randomSet(53, 8, 7, 2);
    const ref = reference(bank, queries, 20, 0.1, 7);
    const got = await knnClassify(bank, queries, { k: 20, temperature: 0.1, chunkSize: 8 });
    assert.deepEqual([...got.predictions], ref.preds);
    assert.equal(got.top1, ref.top1);
    assert.equal(got.top5, ref.top5);
    assert.ok(got.top5 > got.top1 && got.top1 > 0.3, `top1 ${got.top1} top5 ${got.top5}`);
    assert.equal(tf.memory().numTensors, before);
  });
}

Deno.test("kNN rejects mismatched dims", async () => {
  await startBackend("cpu");
  await assert.rejects(() => knnClassify(BANK, set([[1, 2, 3]], [0])), /dim 2 .* dim 3/);
});
