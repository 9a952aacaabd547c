import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../src/backend/start.ts";
import {
  evaluateFeatures,
  type FeatureSet,
  probeAccuracy,
  trainLinearProbe,
} from "../../src/eval/mod.ts";
import { minimizeLbfgs } from "../../src/eval/lbfgs.ts";
import { applyStandardizer } from "../../src/eval/_standardize.ts";

function blobs(n: number, dim: number, classes: number, spread: number, seed: number): FeatureSet {
  let c = 3;
  const rnd = () => ((c = (c * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const centers = Array.from(
    { length: classes },
    () => Array.from({ length: dim }, () => 4 * rnd()),
  );
  c = seed;
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const features = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) features[i * dim + j] = centers[labels[i]][j] + spread * rnd();
  }
  return { features, labels, dim, count: n };
}

Deno.test("L-BFGS minimizes a convex quadratic to its known minimum", async () => {
  // f(x) = sum_i (i + 1) (x_i - i)^2, minimum at x_i = i.
  const r = await minimizeLbfgs(
    async (x) => {
      await Promise.resolve();
      let loss = 0;
      const gradient = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        loss += (i + 1) * (x[i] - i) ** 2;
        gradient[i] = 2 * (i + 1) * (x[i] - i);
      }
      return { loss, gradient };
    },
    new Float64Array(6),
    { tolerance: 1e-14, gradientTolerance: 1e-9 },
  );
  assert.ok(r.converged);
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(r.x[i] - i) < 1e-6, `x[${i}] = ${r.x[i]}`);
});

Deno.test("the probe matches the closed-form optimum of a symmetric two-point problem", async () => {
  await startBackend("cpu");
  // Points x = +1 (class 1) and x = -1 (class 0); standardization leaves them as they are.
  // By symmetry W = [-a, a], b = 0, and the objective log(1 + e^(-2a)) + l2 a^2 is stationary
  // where sigmoid(-2a) = l2 * a. Solve that by bisection.
  const l2 = 0.1;
  let lo = 0, hi = 10;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (1 / (1 + Math.exp(2 * mid)) > l2 * mid) lo = mid;
    else hi = mid;
  }
  const a = lo;
  const probe = await trainLinearProbe(
    { features: Float32Array.of(1, -1), labels: Int32Array.of(1, 0), dim: 1, count: 2 },
    { l2, tolerance: 1e-12 },
  );
  assert.ok(Math.abs(probe.weights[0] + a) < 1e-4, `w0 ${probe.weights[0]} vs ${-a}`);
  assert.ok(Math.abs(probe.weights[1] - a) < 1e-4, `w1 ${probe.weights[1]} vs ${a}`);
  assert.ok(Math.abs(probe.bias[0]) < 1e-5 && Math.abs(probe.bias[1]) < 1e-5);
  const expectedLoss = Math.log(1 + Math.exp(-2 * a)) + l2 * a * a;
  assert.ok(Math.abs(probe.loss - expectedLoss) < 1e-5, `${probe.loss} vs ${expectedLoss}`);
});

Deno.test("the probe's solution is stationary: an independent float64 gradient is ~0", async () => {
  await startBackend("cpu");
  const before = tf.memory().numTensors;
  const train = blobs(120, 5, 3, 6, 11); // overlapping blobs: not separable
  const l2 = 0.01;
  const probe = await trainLinearProbe(train, { l2, tolerance: 1e-10 });
  const { dim, numClasses: C } = probe;
  const z = applyStandardizer(probe, train.features, train.count);
  const gW = new Float64Array(dim * C), gb = new Float64Array(C);
  for (let i = 0; i < train.count; i++) {
    const logits = Array.from({ length: C }, (_, c) => {
      let v = probe.bias[c];
      for (let j = 0; j < dim; j++) v += z[i * dim + j] * probe.weights[j * C + c];
      return v;
    });
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const sum = e.reduce((p, q) => p + q);
    for (let c = 0; c < C; c++) {
      const g = e[c] / sum - (train.labels[i] === c ? 1 : 0);
      gb[c] += g / train.count;
      for (let j = 0; j < dim; j++) gW[j * C + c] += z[i * dim + j] * g / train.count;
    }
  }
  for (let k = 0; k < gW.length; k++) gW[k] += l2 * probe.weights[k];
  const worst = Math.max(...gW.map(Math.abs), ...gb.map(Math.abs));
  assert.ok(worst < 1e-4, `largest gradient entry ${worst}`);
  assert.ok(probe.iterations > 1 && probe.iterations < 500, `${probe.iterations} iterations`);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("separable data: the probe reaches 100% train and test accuracy", async () => {
  await startBackend("cpu");
  const before = tf.memory().numTensors;
  const train = blobs(300, 16, 4, 1, 5);
  const test = blobs(100, 16, 4, 1, 9);
  const probe = await trainLinearProbe(train, { l2: 1e-4 });
  assert.ok(probe.converged);
  assert.equal((await probeAccuracy(probe, train)).top1, 1);
  assert.equal((await probeAccuracy(probe, test, 7)).top1, 1);
  const scores = await evaluateFeatures(train, test, { knn: { k: 20 } });
  assert.equal(scores.knnTop1, 1);
  assert.equal(scores.linearTop1, 1);
  assert.equal(scores.probe!.trainTop1, 1);
  const noProbe = await evaluateFeatures(train, test, { linearProbe: { enabled: false } });
  assert.equal(noProbe.linearTop1, undefined);
  assert.equal(tf.memory().numTensors, before);
});
